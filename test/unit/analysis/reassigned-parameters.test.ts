// A parameter a function reassigns before it sends or returns it (embeddedFlow.ts's reassignedParameter): a helper that
// glues a session statement in front of whatever text its caller gives (`if (…) text = \`SET … ;\` + text; return text`)
// sends that statement wherever the text it returns is sent. Only an assignment before the use counts.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string) => embeddedFindings(text, 'f.ts').map(([rule, at]) => `${rule} ${at.split('\n')[0]}`);

test('a prefix a helper glues onto its parameter on some runs is sent where the returned text is sent', () => {
  const text = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    'function scoped(text: string, tenant: string) {',
    "  if (!text.startsWith('SET')) {",
    '    text = `SET search_path TO "${tenant}", public;\\n` + text;',
    '  }',
    '  return text;',
    '}',
    'export async function list(tenant: string, text: string) {',
    '  text = scoped(text, tenant);',
    '  return pool.query(text);',
    '}',
    'export async function count(tenant: string, statement: string) {',
    "  if (tenant) statement = `SET statement_timeout = 1000; ${statement}`;",
    '  return pool.query(statement);',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set SET search_path TO "${tenant}", public', 'session-set SET statement_timeout = 1000']);
});

test('an assignment after the use, a harmless prefix, or a glued text nothing sends is not a finding', () => {
  const text = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    'export async function later(text: string) {',
    '  const result = await pool.query(text);',
    "  text = 'SET search_path TO audit';",
    '  return [result, text.length];',
    '}',
    'export async function traced(text: string, id: string) {',
    '  if (id) text = `/* request ${id} */ ` + text;',
    '  return pool.query(text);',
    '}',
    'export function unsent(text: string) {',
    "  if (text) text = 'SET search_path TO audit; ' + text;",
    '  return text.length;',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});
