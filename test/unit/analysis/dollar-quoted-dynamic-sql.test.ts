// PL/pgSQL dynamic SQL whose text is a dollar-quoted literal (`EXECUTE format($$CREATE TEMP TABLE %I …$$, name)`,
// `EXECUTE $q$…$q$`) is read as the same text in single quotes is: the literal is constant apart from format()'s
// `%I`/`%L`/`%s` holes, so the statements it builds are known.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** A PL/pgSQL function `etl.load_batch(src)` whose body holds the statements from line 3 on. */
const routine = (statements: string): string => `CREATE FUNCTION etl.load_batch(src text) RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
  ${statements}
END
$body$;
`;

/** Findings as `rule line`. */
const found = (sql: string): string[] => analyzeSql(sql).map((f) => ruleLine(sql, f));

test('a temp table made in a dollar-quoted format() literal is flagged where its CREATE is written', () => {
  const afterDrop = "EXECUTE format($$\n    DROP TABLE IF EXISTS batch_rows;\n    CREATE TEMP TABLE batch_rows AS SELECT * FROM %I WHERE day = %L;\n  $$, src, current_date);";
  assert.deepEqual(found(routine(afterDrop)), ['temp-table 5']);
  const tagged = 'EXECUTE $sql$CREATE TEMPORARY TABLE scratch (id int)$sql$;';
  assert.deepEqual(found(routine(tagged)), ['temp-table 3']);
  const inParentheses = 'EXECUTE (format($$CREATE TEMP TABLE %I (n int)$$, src));';
  assert.deepEqual(found(`DO $do$\nBEGIN\n  ${inParentheses}\nEND $do$;\n`), ['temp-table 3']);
});

test('other session statements in a dollar-quoted literal are read too', () => {
  assert.deepEqual(found(routine('EXECUTE format($$LISTEN %I$$, src);')), ['listen 3']);
  assert.deepEqual(found(routine('EXECUTE format($$SET search_path TO %I, public$$, src);')), ['session-set 3']);
});

test('a statement built into a variable from a dollar-quoted literal is flagged when the variable is executed', () => {
  const built = 'stmt := format($$CREATE TEMP TABLE %I AS SELECT 1$$, src);\n  EXECUTE stmt;';
  assert.deepEqual(found(routine(built)), ['temp-table 3']);
});

test('a call of a routine whose dollar-quoted dynamic SQL leaves a temp table carries it', () => {
  const body = 'EXECUTE format($$\n    DROP TABLE IF EXISTS batch_rows;\n    CREATE TEMP TABLE batch_rows AS SELECT * FROM %I;\n  $$, src);';
  const stateFunctions = stateFunctionIndex([{ path: '/db/etl.sql', text: routine(body) }]);
  const caller = "CREATE FUNCTION etl.nightly() RETURNS void LANGUAGE plpgsql AS $n$\nBEGIN\n  PERFORM etl.load_batch('orders');\nEND $n$;\n";
  assert.deepEqual(found(caller).length, 0);
  assert.deepEqual(analyzeSql(caller, { stateFunctions }).map((f) => ruleLine(caller, f)), ['temp-table 3']);
});

test('dollar-quoted dynamic SQL that leaves nothing behind stays silent', () => {
  for (const statements of [
    'EXECUTE format($$CREATE TEMP TABLE %I (id int) ON COMMIT DROP$$, src);',
    'EXECUTE format($$CREATE TEMP TABLE batch_rows AS SELECT * FROM %I; ANALYZE batch_rows; DROP TABLE batch_rows$$, src);',
    'EXECUTE format($$CREATE TEMP TABLE %1$I (id int)$$, src);\n  EXECUTE format($$DROP TABLE %I$$, src);',
    'EXECUTE format($$CREATE TABLE %I (id int)$$, src);',
    'EXECUTE format($$INSERT INTO log VALUES (%L, \'CREATE TEMP TABLE\')$$, src);',
    'EXECUTE format($$SET LOCAL search_path TO %I$$, src);',
    // `$1` is a parameter, not a dollar quote: the text it holds is unknown.
    'EXECUTE $1;',
  ]) {
    assert.deepEqual(found(routine(statements)), [], statements);
  }
});

// A positional parameter (`$1`) between the literals of a `||` chain is an operand like a variable, not the opening of a
// dollar quote: the rest of the chain is still read.
test('a positional parameter in a concatenated EXECUTE is a hole, and the literals after it are read', () => {
  const droppedAtCommit = "EXECUTE 'CREATE TEMP TABLE work_' || $1 || ' (id int) ON COMMIT DROP';";
  assert.deepEqual(found(routine(droppedAtCommit)), []);
  const createdAfterParameter = "EXECUTE 'DROP TABLE IF EXISTS ' || $1 || '; CREATE TEMP TABLE ' || $1 || ' (id int, body jsonb)';";
  assert.deepEqual(found(routine(createdAfterParameter)), ['temp-table 3']);
  const taggedAfterParameter = "EXECUTE 'ANALYZE ' || $2 || $q$; CREATE TEMPORARY TABLE holding (n int)$q$;";
  assert.deepEqual(found(routine(taggedAfterParameter)), ['temp-table 3']);
});
