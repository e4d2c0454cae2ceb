// Text in string literals and comments is not code: a RAISE message (or any string) that names a
// function — `'… pg_advisory_lock(1) -- by hand'`, `'call tenant_enter (%) first'` — is not a call of it.
// The calls in the code around such text are still found.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, type AnalysisOptions } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { ruleLine } from '../../helpers/findingLines';

let OPTIONS: Partial<AnalysisOptions>;
before(async () => {
  await initAnalysis();
  const definition = "CREATE FUNCTION tenant_enter(t text) RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM set_config('app.tenant', t, false);\nEND $$;\n";
  OPTIONS = { stateFunctions: stateFunctionIndex([{ path: '/work/db/tenant.sql', text: definition }]) };
});

const body = (statements: string) => `CREATE FUNCTION report() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n${statements}\nEND $$;\n`;
const lines = (sql: string, options?: Partial<AnalysisOptions>): string[] =>
  analyzeSql(sql, options).map((f) => ruleLine(sql, f, 'line rule'));

test('a RAISE message naming a session-state built-in is not a call of it, even when the text after it would parse', () => {
  assert.deepEqual(lines(body("  RAISE NOTICE 'then run: SELECT pg_advisory_lock(1) -- by hand';")), []);
  assert.deepEqual(lines(body("  RAISE NOTICE 'hint %', E'SELECT set_config(''a'', ''b'', false) /* */';")), []);
  assert.deepEqual(lines(body("  RAISE EXCEPTION $m$SELECT pg_advisory_lock(7) -- retry$m$;")), []);
});

test('the real call beside such a message is still found', () => {
  const sql = body("  RAISE NOTICE 'then run: SELECT pg_advisory_lock(1) -- by hand';\n  PERFORM pg_advisory_lock(1);");
  assert.deepEqual(lines(sql), ['4 advisory-lock']);
});

test('a workspace function named in a RAISE message, another string or a comment is not called; a real call is', () => {
  const sql = [
    'CREATE FUNCTION report() RETURNS void LANGUAGE plpgsql AS $$',
    'BEGIN',
    "  RAISE NOTICE 'call tenant_enter (%) first', 1;",
    '  -- tenant_enter(x) is not called here',
    "  RAISE EXCEPTION USING MESSAGE = 'tenant_enter(t) failed';",
    "  PERFORM tenant_enter('acme');",
    'END $$;',
    "SELECT 'tenant_enter(1)' AS hint;",
    '',
  ].join('\n');
  assert.deepEqual(lines(sql, OPTIONS), ['6 session-set']);
});
