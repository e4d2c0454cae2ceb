// `SET SESSION CHARACTERISTICS AS TRANSACTION …` sets the defaults of every later transaction of the
// session (default_transaction_read_only, …): a session setting. `SET TRANSACTION …` lasts one transaction.
// Also: a session SET held in a variable and sent through an adapter wrapper's `{ raw }` config.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { applyFix } from '../../helpers/fixes';

before(() => initAnalysis());

const rules = (sql: string): string[] => analyzeSql(sql).map((f) => f.rule);

test('SET SESSION CHARACTERISTICS AS TRANSACTION is a session-set finding; in a block its fix is SET LOCAL SESSION CHARACTERISTICS', () => {
  assert.deepEqual(rules('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY;'), ['session-set']);
  assert.deepEqual(rules('SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY;'), ['session-set']);
  const sql = 'BEGIN; SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY; SELECT 1; COMMIT;';
  const [finding] = analyzeSql(sql);
  assert.equal(finding.rule, 'session-set');
  assert.match(finding.message, /^SET SESSION CHARACTERISTICS changes/);
  assert.equal(applyFix(sql, finding), 'BEGIN; SET LOCAL SESSION CHARACTERISTICS AS TRANSACTION READ ONLY; SELECT 1; COMMIT;');
});

test('SET TRANSACTION, SET TRANSACTION SNAPSHOT, and SESSION CHARACTERISTICS reset in its block or made LOCAL are not session-set findings', () => {
  assert.deepEqual(rules('BEGIN; SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY; SELECT 1; COMMIT;'), []);
  assert.deepEqual(rules("BEGIN ISOLATION LEVEL REPEATABLE READ; SET TRANSACTION SNAPSHOT '00000003-0000001B-1'; COMMIT;"), []);
  assert.deepEqual(rules('BEGIN; SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY; SELECT 1; RESET default_transaction_read_only; COMMIT;'), []);
  assert.deepEqual(rules('BEGIN; SET LOCAL SESSION CHARACTERISTICS AS TRANSACTION READ ONLY; SELECT 1; COMMIT;'), []);
});

test('a connect hook sending SET SESSION CHARACTERISTICS among other SETs gets a finding on each', () => {
  const text = [
    "import pg from 'pg';",
    'class ReadonlyClient extends pg.Client {',
    '  connect() {',
    '    return super.connect().then(() => this.query(`',
    '      SET search_path = "${namespace}";',
    '      SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY;`));',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(embeddedFindings(text).map(([rule, at]) => `${rule} ${at}`), [
    'session-set SET search_path = "${namespace}"',
    'session-set SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY',
  ]);
});

test('a session SET held in a variable and sent through an adapter wrapper ({ raw }) is found, whichever branch assigned it', () => {
  const text = [
    "import pg from 'pg';",
    'export async function restore(adapter) {',
    '  let disableChecks;',
    "  if (adapter.name === 'sqlite') disableChecks = 'PRAGMA foreign_keys = off';",
    "  if (adapter.name === 'postgres') disableChecks = 'SET session_replication_role = replica;';",
    '  await adapter.execute({ drizzle: adapter.drizzle, raw: disableChecks });',
    '}',
  ].join('\n');
  assert.deepEqual(embeddedFindings(text), [['session-set', 'SET session_replication_role = replica']]);
});

test('an adapter wrapper ({ raw }) sending a SET LOCAL in its transaction, a plain query, or a non-string raw is no finding', () => {
  const text = [
    "import pg from 'pg';",
    'export async function run(adapter, rows) {',
    "  await adapter.execute({ drizzle: adapter.drizzle, raw: 'SELECT count(*) FROM pages' });",
    '  await adapter.execute({ raw: true, sql: rows });',
    '  await adapter.drizzle.transaction(async (tx) => {',
    "    await tx.execute({ raw: \"SET LOCAL statement_timeout = '5s'\" });",
    '  });',
    '}',
  ].join('\n');
  assert.deepEqual(embeddedFindings(text), []);
});
