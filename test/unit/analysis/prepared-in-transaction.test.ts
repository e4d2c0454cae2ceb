// A statement PREPAREd inside an explicit transaction block and used (EXECUTE, DEALLOCATE) later in that same block:
// a transaction pooler keeps the block on one server connection, so the uses run where the statement exists and are no
// finding. The PREPARE still is one: a prepared statement survives ROLLBACK (checked on PostgreSQL 15: after an error
// in the block, or a plain ROLLBACK, pg_prepared_statements still lists it), so an error before the DEALLOCATE leaves
// it on a server connection the pooler hands to other clients. END and START TRANSACTION bound a block as COMMIT and
// BEGIN do.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** `line rule` for each finding of a SQL file (1-based lines). */
const sqlFindings = (sql: string): string[] =>
  analyzeSql(sql).map((f) => ruleLine(sql, f, 'line rule'));

const block = (open: string, close: string, release = 'DEALLOCATE add_row;'): string => [
  `${open};`,
  'PREPARE add_row(int, text) AS INSERT INTO items (id, name) VALUES ($1, $2);',
  "EXECUTE add_row(1, 'a');",
  "EXECUTE add_row(2, 'b');",
  release,
  `${close};`,
].join('\n');

test('EXECUTE and DEALLOCATE of a statement prepared earlier in the same explicit transaction are no finding; the PREPARE is', () => {
  for (const [open, close] of [['BEGIN', 'END'], ['begin', 'commit'], ['START TRANSACTION', 'COMMIT'], ['BEGIN', 'END TRANSACTION']]) {
    assert.deepEqual(sqlFindings(block(open, close)), ['2 prepared-statement'], `${open} … ${close}`);
  }
  assert.deepEqual(sqlFindings(block('BEGIN', 'END', 'DEALLOCATE ALL;')), ['2 prepared-statement']);
  assert.deepEqual(sqlFindings(block('BEGIN', 'END', 'DEALLOCATE PREPARE add_row;')), ['2 prepared-statement']);
});

test('a PREPARE its own transaction deallocates says the statement survives an error before the DEALLOCATE', () => {
  const [prepare] = analyzeSql(block('BEGIN', 'END'));
  assert.match(prepare.message, /survives ROLLBACK/);
  // Left to outlive its transaction on every run, it keeps the rule's own message.
  const [kept] = analyzeSql(block('BEGIN', 'END', ''));
  assert.doesNotMatch(kept.message, /survives ROLLBACK/);
});

test('uses outside the PREPARE\'s transaction, or of another name, are still findings', () => {
  // Prepared outside any block: the block's EXECUTE may run on another server connection.
  assert.deepEqual(sqlFindings('PREPARE p AS SELECT 1;\nBEGIN;\nEXECUTE p;\nCOMMIT;'), ['1 prepared-statement', '3 prepared-statement']);
  // After END (a COMMIT) or ROLLBACK the statement is used in a later transaction.
  assert.deepEqual(sqlFindings('BEGIN;\nPREPARE p AS SELECT 1;\nEND;\nEXECUTE p;\nDEALLOCATE p;'), ['2 prepared-statement', '4 prepared-statement', '5 prepared-statement']);
  assert.deepEqual(sqlFindings('BEGIN;\nPREPARE p AS SELECT 1;\nROLLBACK;\nBEGIN;\nEXECUTE p;\nCOMMIT;'), ['2 prepared-statement', '5 prepared-statement']);
  // Another name, and DEALLOCATE ALL in a block that prepared nothing.
  assert.deepEqual(sqlFindings('BEGIN;\nPREPARE p AS SELECT 1;\nEXECUTE q;\nDEALLOCATE p;\nCOMMIT;'), ['2 prepared-statement', '3 prepared-statement']);
  assert.deepEqual(sqlFindings('BEGIN;\nEXECUTE p;\nDEALLOCATE ALL;\nCOMMIT;'), ['2 prepared-statement', '3 prepared-statement']);
  // An EXECUTE before the PREPARE runs where the statement may not exist yet.
  assert.deepEqual(sqlFindings('BEGIN;\nEXECUTE p;\nPREPARE p AS SELECT 1;\nCOMMIT;'), ['2 prepared-statement', '3 prepared-statement']);
});

test('the same holds for one client\'s queries in TS/JS: inside its transaction, not after its COMMIT or on another client', () => {
  const oneClient = [
    'export async function load(pool, rows) {',
    '  const client = await pool.connect();',
    "  await client.query('BEGIN');",
    "  await client.query('PREPARE add_row(int) AS INSERT INTO items (id) VALUES ($1)');",
    '  for (const row of rows) await client.query(`EXECUTE add_row(${row})`);',
    "  await client.query('DEALLOCATE add_row');",
    "  await client.query('COMMIT');",
    '  client.release();',
    '}',
  ].join('\n');
  assert.deepEqual(embeddedRules(oneClient, 'load.js'), ['prepared-statement']);
  assert.match(analyze(oneClient, 'javascript', {}, 'load.js')[0].message, /survives ROLLBACK/);
  const later = [
    'export async function loadLater(pool) {',
    '  const client = await pool.connect();',
    '  const other = await pool.connect();',
    "  await client.query('BEGIN');",
    "  await client.query('PREPARE add_row(int) AS INSERT INTO items (id) VALUES ($1)');",
    "  await other.query('EXECUTE add_row(1)');",
    "  await client.query('COMMIT');",
    "  await client.query('EXECUTE add_row(2)');",
    '}',
  ].join('\n');
  assert.deepEqual(embeddedRules(later, 'load.js'), ['prepared-statement', 'prepared-statement', 'prepared-statement']);
});

/** `line rule` for each finding of a JS file (1-based lines). */
const codeFindings = (code: string): string[] =>
  analyze(code, 'javascript', {}, 'probe.js').map((f) => ruleLine(code, f, 'line rule'));

/** A helper that asks the server for a query's parameter types on the client `receive` names (a parameter, or its own). */
const typeProbe = (receive: string, between = ''): string => [
  `export async function parameterTypes(${receive}) {`,
  "  await conn.query('DEALLOCATE ALL');",
  '  await conn.query(`PREPARE type_probe AS ${text}`);',
  "  const types = await conn.query(\"SELECT parameter_types FROM pg_prepared_statements WHERE name = 'type_probe'\");",
  between,
  "  await conn.query('EXECUTE type_probe(1)');",
  "  await conn.query('DEALLOCATE type_probe');",
  '  return types.rows;',
  '}',
].join('\n');

test('on a client the caller passes in, which may be inside its transaction, uses of a statement the function PREPAREd earlier are no finding; the PREPARE and DEALLOCATE ALL are', () => {
  const probe = typeProbe('conn, text');
  assert.deepEqual(codeFindings(probe), ['2 prepared-statement', '3 prepared-statement']);
  // Whether a block holds the PREPARE and its DEALLOCATE together is the caller's to say: the rule's own message stays.
  assert.doesNotMatch(analyze(probe, 'javascript', {}, 'probe.js')[1].message, /survives ROLLBACK/);
});

test('a client the function checks out itself, a COMMIT between, a PREPARE on some paths only or another name keep the uses\' findings', () => {
  const ownClient = typeProbe('pool, text').replace('{\n', '{\n  const conn = await pool.connect();\n');
  assert.deepEqual(codeFindings(ownClient), ['3 prepared-statement', '4 prepared-statement', '7 prepared-statement', '8 prepared-statement']);
  // The function ends the caller's transaction (if any): what follows runs in transactions of its own.
  assert.deepEqual(codeFindings(typeProbe('conn, text', "  await conn.query('COMMIT');")), ['2 prepared-statement', '3 prepared-statement', '6 prepared-statement', '7 prepared-statement']);
  const somePaths = [
    'export async function maybePrepared(conn, text, fresh) {',
    '  if (fresh) await conn.query(`PREPARE type_probe AS ${text}`);',
    "  await conn.query('EXECUTE type_probe(1)');",
    "  await conn.query('DEALLOCATE other_probe');",
    '}',
  ].join('\n');
  assert.deepEqual(codeFindings(somePaths), ['2 prepared-statement', '3 prepared-statement', '4 prepared-statement']);
});
