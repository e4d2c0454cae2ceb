// A SET of a built-in parameter back to the default servers keep (`SET session_replication_role = 'origin'` after
// `… = 'replica'`), on the same connection — same transaction, query message or script — puts back what the connection
// had, as `SET … TO DEFAULT` would (postgresParameters.ts isKeptDefault, context.ts). Alone, it still is a session SET.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis, analyzeSql } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string): string[] => embeddedFindings(text, 'wipe.ts').map(([rule, at]) => `${rule} ${at}`);

const wipe = (restore: string, commit = "await client.query('COMMIT')") => `import { Client } from 'pg'
export async function wipe(tables: string[]) {
  const client = new Client({ connectionString: process.env.DATABASE_URL })
  await client.connect()
  try {
    await client.query('BEGIN')
    try {
      await client.query("SET session_replication_role = 'replica'")
      for (const t of tables) await client.query(\`DROP TABLE IF EXISTS \${t} CASCADE\`)
      ${restore}
      ${commit}
    } catch (e) {
      await client.query('ROLLBACK')
      throw e
    }
  } finally {
    await client.end()
  }
}
`;

test("a SET back to 'origin' before COMMIT, ROLLBACK in the catch: nothing is left on either path", () => {
  assert.deepEqual(found(wipe(`await client.query("SET session_replication_role = 'origin'")`)), []);
  assert.deepEqual(found(wipe(`await client.query('SET session_replication_role TO origin')`)), []);
});

test('put back after COMMIT, in a branch of its own, or to another value, the SET stays', () => {
  const replica = `session-set SET session_replication_role = 'replica'`;
  // After COMMIT the restore is a statement of its own, which a pooler may send to another server connection.
  assert.deepEqual(found(wipe("await client.query('COMMIT')", `await client.query("SET session_replication_role = 'origin'")`)),
    [replica, `session-set SET session_replication_role = 'origin'`]);
  // Only on some runs: the others commit with the replica role on the connection.
  assert.deepEqual(found(wipe(`if (tables.length > 3) await client.query("SET session_replication_role = 'origin'")`)),
    [replica, `session-set SET session_replication_role = 'origin'`]);
  // 'local' is not the default.
  assert.deepEqual(found(wipe(`await client.query("SET session_replication_role = 'local'")`)),
    [replica, `session-set SET session_replication_role = 'local'`]);
});

test('a parameter roles and providers do set is not put back by its built-in value', () => {
  const text = wipe(`await client.query('SET statement_timeout = 0')`).replace("SET session_replication_role = 'replica'", "SET statement_timeout = '5min'");
  assert.deepEqual(found(text), [`session-set SET statement_timeout = '5min'`, 'session-set SET statement_timeout = 0']);
});

test("in a SQL script, a planner switch turned back on pairs with the one turned off; alone, 'on' is still a SET", () => {
  const rules = (sql: string) => analyzeSql(sql).map((f) => f.rule);
  assert.deepEqual(rules('SET enable_seqscan = off;\nSELECT * FROM orders WHERE id = 1;\nSET enable_seqscan = on;\n'), []);
  assert.deepEqual(rules('SET enable_seqscan = on;\nSELECT * FROM orders WHERE id = 1;\n'), ['session-set']);
});
