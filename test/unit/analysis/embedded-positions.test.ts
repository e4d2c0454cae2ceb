// Findings in TS/JS literals land exactly on their SQL, whatever escapes come before them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const spans = (text: string) => embeddedFindings(text);

test('escaped backticks and other escapes before a finding in a template literal do not shift it', () => {
  const text = 'await sql`SELECT \'\\`a\\`\', \'\\\\\', \'\\n\', \'\\u00e9\', \'\\u{1F600}\', \'\\x41\', pg_advisory_lock(1)`;';
  assert.deepEqual(spans(text), [['advisory-lock', 'pg_advisory_lock']]);
});

test('escapes in quoted strings (\\\', \\", \\\\, \\t) do not shift findings either', () => {
  const text = "await client.query('SELECT \\'it\\'\\'s\\', \"\\t\", pg_advisory_lock(1)');";
  assert.deepEqual(spans(text), [['advisory-lock', 'pg_advisory_lock']]);
  const doubled = 'await client.query("SELECT \\"col\\" FROM t; LISTEN jobs");';
  assert.deepEqual(spans(doubled), [['listen', 'LISTEN jobs']]);
});

test('multi-line templates, line continuations and CRLF files map to the right line and column', () => {
  const lf = 'await sql`\n  SELECT 1;\n  SELECT \\\n  pg_advisory_lock(2);\n`;\n';
  assert.deepEqual(spans(lf), [['advisory-lock', 'pg_advisory_lock']]);
  const crlf = lf.replace(/\n/g, '\r\n');
  assert.deepEqual(spans(crlf), [['advisory-lock', 'pg_advisory_lock']]);
  const statement = 'await client.query(`\r\n  LISTEN\r\n    jobs`);\r\n';
  assert.deepEqual(spans(statement), [['listen', 'LISTEN\r\n    jobs']]);
});

test('a finding after a ${…} hole maps to the text after the hole; a finding ending in a hole stops at its end', () => {
  // The escaped backquotes stand in a string: a backquoted name outside one would make the text another engine's (dialect.ts).
  const text = "await client.query(`SELECT ${a + b}, '\\`x\\`'; SET search_path TO ${schemaName}`);";
  assert.deepEqual(spans(text), [['session-set', 'SET search_path TO ${schemaName}']]);
});

test('a finding ending in a hole whose value is written earlier (a constant, a let reassigned before) ends at the hole, never before its start', () => {
  const constant = "const tenantSchema = 'billing';\nawait client.query(`SET search_path TO ${tenantSchema}`);";
  assert.deepEqual(spans(constant), [['session-set', 'SET search_path TO ${tenantSchema}']]);
  const reassigned = [
    'async function useSchemas(client, names) {',
    "  let list = 'public';",
    "  list = names.map((n) => `\"${n}\"`).join(', ');",
    '  await client.query(`SET search_path TO ${list};`);',
    '}',
  ].join('\n');
  assert.deepEqual(spans(reassigned), [['session-set', 'SET search_path TO ${list}']]);
  // Text that starts in the earlier value still runs from there to where it ends.
  const prefix = "const setPath = 'SET search_path TO ';\nawait client.query(setPath + target);";
  assert.deepEqual(spans(prefix), [['session-set', "SET search_path TO ';\nawait client.query(setPath + target"]]);
});
