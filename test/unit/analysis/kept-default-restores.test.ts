// A SET of a built-in parameter back to the default servers keep (`SET session_replication_role = 'origin'` after
// `… = 'replica'`), on the same connection — same transaction, query message or script — puts back what the connection
// had, as `SET … TO DEFAULT` would (postgresParameters.ts isKeptDefault, context.ts). Alone, or on another connection
// than the SET it puts back, it leaves that connection as a new one is: no finding itself, as `SET … TO DEFAULT` is none
// (the SET it puts back keeps its own). A parameter the pooler re-applies per client keeps its info finding alone.
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

test('put back after COMMIT, or in a branch of its own, the SET stays and the put-back is none; another value is a SET', () => {
  const replica = `session-set SET session_replication_role = 'replica'`;
  // After COMMIT the restore is a statement of its own, which a pooler may send to another server connection: the
  // replica role may stay where it was set, while the put-back leaves wherever it lands as a new connection is.
  assert.deepEqual(found(wipe("await client.query('COMMIT')", `await client.query("SET session_replication_role = 'origin'")`)), [replica]);
  // Only on some runs: the others commit with the replica role on the connection.
  assert.deepEqual(found(wipe(`if (tables.length > 3) await client.query("SET session_replication_role = 'origin'")`)), [replica]);
  // 'local' is not the default.
  assert.deepEqual(found(wipe(`await client.query("SET session_replication_role = 'local'")`)),
    [replica, `session-set SET session_replication_role = 'local'`]);
});

test('the put-back sent on a pool, each statement on a connection of its own: only the SET it puts back is reported', () => {
  const text = `import { Pool } from 'pg'
const pool = new Pool({ connectionString: process.env.DATABASE_URL })
export async function corrupt(uri: string) {
  await pool.query("SET session_replication_role = replica")
  await pool.query("UPDATE post SET link = 'x' WHERE uri = $1", [uri])
  await pool.query("SET session_replication_role = origin")
  await pool.query('SET client_min_messages TO notice')
}
`;
  assert.deepEqual(found(text), ['session-set SET session_replication_role = replica']);
});

test('a parameter roles and providers do set is not put back by its built-in value', () => {
  const text = wipe(`await client.query('SET statement_timeout = 0')`).replace("SET session_replication_role = 'replica'", "SET statement_timeout = '5min'");
  assert.deepEqual(found(text), [`session-set SET statement_timeout = '5min'`, 'session-set SET statement_timeout = 0']);
});

test("in a SQL script, a planner switch turned back on pairs with the one turned off; alone, 'on' is no SET either", () => {
  const rules = (sql: string) => analyzeSql(sql).map((f) => f.rule);
  assert.deepEqual(rules('SET enable_seqscan = off;\nSELECT * FROM orders WHERE id = 1;\nSET enable_seqscan = on;\n'), []);
  assert.deepEqual(rules('SET enable_seqscan = on;\nSELECT * FROM orders WHERE id = 1;\n'), []);
});

test('a parameter the pooler re-applies per client, set alone to its default, keeps its info finding', () => {
  const findings = analyzeSql('SET standard_conforming_strings = on;\nSELECT 1;\n');
  assert.deepEqual(findings.map((f) => `${f.rule} ${f.severity}`), ['session-set info']);
  // Put back after the change in the same script, it is no finding, and neither is the change.
  assert.deepEqual(analyzeSql("SET standard_conforming_strings = off;\nSELECT 1;\nSET standard_conforming_strings = on;\n").map((f) => f.rule), []);
});
