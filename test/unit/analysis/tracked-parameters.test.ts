import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, analyzeSql, initAnalysis, parseConfig } from '../../../server/analysis/index';

// PgBouncer (and PoolSafe's pooler) re-apply a client's TimeZone, DateStyle, client_encoding,
// standard_conforming_strings and application_name on whichever server connection it lands on: a session
// SET of one is a heads-up about other poolers, not a hazard behind PgBouncer. Everything else stays a warning.

before(async () => {
  await initAnalysis();
});

const levels = (findings: { rule: string; severity: string }[]): string[] => findings.map((f) => `${f.rule} ${f.severity}`);

test('a session SET of a tracked parameter is info (synced by the pooler); other settings stay warnings', () => {
  const sql = [
    "SET TIME ZONE 'UTC';",
    "SET application_name = 'worker';",
    "SET datestyle TO 'ISO, DMY';",
    "SET NAMES 'UTF8';",
    "SELECT set_config('TimeZone', 'UTC', false);",
    'SET search_path TO app;',
    "SELECT set_config('app.tenant', '42', false);",
    'SET statement_timeout = 0;',
  ].join('\n');
  assert.deepEqual(levels(analyzeSql(sql)), [
    'session-set info', 'session-set info', 'session-set info', 'session-set info', 'session-set info',
    'session-set warning', 'session-set warning', 'session-set warning',
  ]);
  const [timeZone] = analyzeSql("SET TIME ZONE 'UTC';");
  assert.match(timeZone.message, /PgBouncer and PoolSafe's pooler re-apply/);
  const [searchPath] = analyzeSql('SET search_path TO app;');
  assert.doesNotMatch(searchPath.message, /re-apply/);
});

test('"trackedParameters": "unsynced" (a pooler that does not track them) makes them warnings again', () => {
  const { options, errors } = parseConfig('{"trackedParameters":"unsynced"}');
  assert.deepEqual(errors, []);
  assert.deepEqual(levels(analyzeSql("SET TIME ZONE 'UTC';\nSET application_name = 'x';", options)), ['session-set warning', 'session-set warning']);
  assert.match(parseConfig('{"trackedParameters":"sometimes"}', 'p.json').errors[0], /p\.json: trackedParameters must be "synced" or "unsynced"/);
});

test('a lower level configured for session-set still applies; off still turns it off', () => {
  assert.deepEqual(levels(analyzeSql("SET TIME ZONE 'UTC';", { rules: { 'session-set': 'hint' } })), ['session-set hint']);
  assert.deepEqual(analyzeSql("SET TIME ZONE 'UTC';", { rules: { 'session-set': 'off' } }), []);
  assert.deepEqual(levels(analyzeSql("SET TIME ZONE 'UTC';", { rules: { 'session-set': 'error' } })), ['session-set info']);
});

test('in TS, a tracked SET sent on a pool is info and a search_path SET a warning', () => {
  const ts = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    "export const utc = () => pool.query(\"SET TIME ZONE 'UTC'\");",
    "export const schema = () => pool.query('SET search_path TO app');",
  ].join('\n');
  assert.deepEqual(levels(analyze(ts, 'typescript', {}, 'db.ts')), ['session-set info', 'session-set warning']);
});

test('SET LOCAL of a tracked parameter inside a transaction is still no finding at all', () => {
  assert.deepEqual(analyzeSql("BEGIN;\nSET LOCAL TIME ZONE 'UTC';\nSELECT now();\nCOMMIT;"), []);
});
