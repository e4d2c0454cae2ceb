// sql`…` templates a unit test only renders to text and compares (toSQL, makeSQL, compile) are never sent:
// no pooling findings. A template that is also sent, or rendered for anything but an assertion, still counts.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const rules = (text: string) => embeddedFindings(text, 'render.test.ts').map(([rule]) => rule);

test('a SET LOCAL template only rendered into an assertion, inline or through a const, is no finding', () => {
  const text = [
    "import { sql } from 'some-orm';",
    "it('renders', () => {",
    '  const q = sql`SET LOCAL search_path TO ${sql.ref(schema)}`;',
    '  expect(q.toSQL({ values: [] })).toBe(\'SET LOCAL search_path TO "s"\');',
    "  assert.equal(sql`SET LOCAL statement_timeout = 5`.makeSQL(), 'SET LOCAL statement_timeout = 5');",
    '});',
  ].join('\n');
  assert.deepEqual(rules(text), []);
});

test('a template that is sent as well as rendered, or rendered for another use, keeps its findings', () => {
  const text = [
    "import { sql } from 'some-orm';",
    'export async function run(db, schema) {',
    '  const q = sql`SET LOCAL search_path TO ${schema}`;',
    '  expect(q.toSQL()).toBeTruthy();',
    '  await db.query(q);',
    '  const text = sql`SET LOCAL statement_timeout = 5`.toSQL();',
    '  await db.query(text);',
    '}',
  ].join('\n');
  assert.deepEqual(rules(text), ['set-local-outside-transaction', 'set-local-outside-transaction']);
});
