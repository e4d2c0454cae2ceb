// set_config's is_local sent as a bound value: `SELECT set_config($1, $2, $3)` with `[name, value, flag ?? false]`
// sets the whole session unless the caller asks for a local setting. Only a false default written beside the call
// is read; a caller's own value decides nothing the linter can know.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'settings.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

const tool = (flag: string) => [
  "import { Pool } from 'pg';",
  'const pool = new Pool();',
  'export async function applySetting(input: { key: string; value: string; transactionOnly?: boolean }) {',
  `  const scoped = ${flag};`,
  "  const statement = 'SELECT set_config($1, $2, $3) AS applied';",
  '  const { rows } = await pool.query(statement, [input.key, input.value, scoped]);',
  '  return rows[0].applied;',
  '}',
].join('\n');

test('an is_local value that defaults to false (?? false, || false, a false literal) is a session-set at set_config', () => {
  for (const flag of ['input.transactionOnly ?? false', 'input.transactionOnly || false', 'false']) {
    assert.deepEqual(found(tool(flag)), ['session-set set_config'], flag);
  }
  // Written in the array itself, with the placeholder in another position.
  const inline = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    "export const put = (local: boolean | undefined, v: string) => pool.query('SELECT set_config($2, $3, $1)', [local ?? false, 'app.user', v]);",
  ].join('\n');
  assert.deepEqual(found(inline), ['session-set set_config']);
});

test('an is_local value that is true by default, or is the caller\'s own, is not reported', () => {
  for (const flag of ['input.transactionOnly ?? true', 'input.transactionOnly', 'true', 'Boolean(input.transactionOnly)', 'input.transactionOnly !== false']) {
    assert.deepEqual(found(tool(flag)), [], flag);
  }
  // A values array that is not written out, or whose flag position comes after a spread.
  const spread = tool('false').replace('[input.key, input.value, scoped]', '[...pair, scoped]');
  assert.deepEqual(found(spread), []);
  const elsewhere = tool('false').replace('[input.key, input.value, scoped]', 'makeValues(input)');
  assert.deepEqual(found(elsewhere), []);
});
