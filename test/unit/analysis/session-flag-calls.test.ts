// A routine that hands set_config its own is_local parameter, defaulting to false, sets the whole session only when a
// call leaves that parameter out or passes false. A call that passes true (by position or by name, in any boolean
// spelling PostgreSQL reads) makes the setting transaction-local: it leaves nothing for the session's next client.
// A value decided at run time (a placeholder, a column) may be false and keeps the routine's finding.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, analyzeSql, initAnalysis, type AnalysisOptions } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';

const ROUTINES = String.raw`CREATE FUNCTION ops.put_setting(key text, val text, scoped boolean DEFAULT false) RETURNS void LANGUAGE sql AS $fn$
  SELECT set_config(key, val, scoped)
$fn$;
CREATE FUNCTION ops.put_always(key text, val text) RETURNS void LANGUAGE sql AS $fn$
  SELECT set_config(key, val, false)
$fn$;
`;
let OPTIONS: Partial<AnalysisOptions>;
before(async () => {
  await initAnalysis();
  OPTIONS = { stateFunctions: stateFunctionIndex([{ path: '/work/db/routines.sql', text: ROUTINES }]) };
});

/** The called names of the call findings (those pointing at a body in another file), with their lines. */
function calls(findings: ReturnType<typeof analyzeSql>, text: string): string[] {
  return findings.filter((f) => f.related?.some((r) => r.location)).map((f) => `${text.slice(0, f.start).split('\n').length} ${text.slice(f.start, f.end)}`);
}

test('calls passing true for the false-defaulting is_local parameter are no finding; leaving it out or passing false is', () => {
  const sql = [
    "SELECT ops.put_setting('ops.user', 'u1');",
    "SELECT ops.put_setting('ops.user', 'u1', false);",
    "SELECT ops.put_setting('ops.user', 'u1', true);",
    "SELECT ops.put_setting('ops.user', 'u1', 'on');",
    "SELECT ops.put_setting('ops.user', 'u1', 't'::boolean);",
    "SELECT ops.put_setting(key => 'ops.user', val => 'u1', scoped => TRUE);",
    "SELECT ops.put_setting(key => 'ops.user', val => 'u1', scoped => false);",
    "SELECT ops.put_always('ops.user', 'u1');",
  ].join('\n');
  assert.deepEqual(calls(analyzeSql(sql, OPTIONS, '/work/db/seed.sql'), sql), ['1 put_setting', '2 put_setting', '7 put_setting', '8 put_always']);
});

test('in TS/JS the call passing true is no finding, a flag bound at run time or left out still is', () => {
  const text = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    'export async function remember(key: string, value: string, inTx: boolean) {',
    "  await pool.query('SELECT ops.put_setting($1, $2, true)', [key, value]);",
    "  await pool.query('SELECT ops.put_setting($1, $2, $3)', [key, value, inTx]);",
    "  await pool.query('SELECT ops.put_setting($1, $2)', [key, value]);",
    '}',
  ].join('\n');
  assert.deepEqual(calls(analyze(text, 'typescript', OPTIONS, '/work/src/remember.ts'), text), ['5 put_setting', '6 put_setting']);
});
