import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const TS = `import { sql } from 'x';
const a = sql\`SELECT pg_advisory_lock(\${id}), 'é😀'\`;
await client.query('SET search_path = app');
await client.query({ name: 'get-user', text: 'SELECT * FROM users WHERE id = $1' });
const safe = sql\`SELECT pg_advisory_xact_lock(\${id})\`;
// poolsafe-disable-next-line listen
await pool.query("LISTEN jobs");
const notSql = 'LISTEN x';
`;

test('SQL in tagged templates and query calls is analysed with positions in the TS file', () => {
  const findings = analyze(TS, 'typescript', {}, 'a.ts');
  assert.deepEqual(findings.map((f) => [f.rule, TS.slice(f.start, f.end)]), [
    ['advisory-lock', 'pg_advisory_lock'],
    ['session-set', 'SET search_path = app'],
    ['protocol-prepared-statement', "'get-user'"],
  ]);
});

test('named query configs are safe when the pooler supports prepared statements, and in session mode', () => {
  assert.ok(!analyze(TS, 'typescript', { preparedStatements: 'supported' }).some((f) => f.rule === 'protocol-prepared-statement'));
  assert.deepEqual(analyze(TS, 'javascript', { poolMode: 'session' }), []);
});

test('${…} holes still parse where an identifier-free value is expected', () => {
  const text = 'db.query(`SELECT currval(${seq}) FROM t WHERE a = ${x}`)';
  const findings = analyze(text, 'javascript');
  assert.deepEqual(findings.map((f) => [f.rule, text.slice(f.start, f.end)]), [['currval', 'currval']]);
});
