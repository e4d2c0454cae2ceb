// A function of a file that builds a session SET text and returns it (a "builder") is read on its own, where no call
// decides, because its callers may be in other files. When the module keeps it to itself (not exported, never handed
// on as a value) and every call of it in the file is a query call's text, the callers are known: the text is judged by
// the client each call sends it on. On a test's single connection to its own database it is then silent, as a SET
// written at that call is; on a pooled client it is reported, at the builder's lines, as before. A builder with no
// call, an exported one, or one with a call whose text goes anywhere else is read on its own as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('builder-callers-clients', { after });
before(async () => {
  await initAnalysis();
  repo.write('package.json', '{"name": "ledger-checks", "dependencies": {"postgres": "^3.4.0"}}');
});

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(0, f.start).split('\n').length}`);
}

/** Lines 4–9: a builder joining up to two SETs; line 11: a builder returning one SET ROLE. */
const BUILDERS = [
  "import postgres from 'postgres';",
  "import { it } from 'node:test';",
  '',
  'function scopeSql(opts: { ledger?: string; clerk?: string }) {',
  '  const lines: string[] = [];',
  "  if (opts.ledger) lines.push(`SET ledger.current = '${opts.ledger}'`);",
  "  if (opts.clerk) lines.push(`SET ledger.clerk = '${opts.clerk}'`);",
  "  return lines.join('; ');",
  '}',
  'function actAsSql(role: string) {',
  '  return `SET ROLE ${role}`;',
  '}',
];

/** A spec sending both builders' texts on `client` (line 17 makes it). */
const sentOn = (client: string, extra: string[] = []) => [
  ...BUILDERS,
  '',
  "it('keeps ledgers apart', async () => {",
  `  const db = ${client};`,
  "  const scope = scopeSql({ ledger: 'north', clerk: 'ann' });",
  '  if (scope) await db.unsafe(scope);',
  "  await db.unsafe(actAsSql('ledger_clerk'));",
  '  await db.end();',
  '});',
  ...extra,
];

test("a builder every call of which is sent on the test's single connection: judged by that client, silent", () => {
  const file = repo.write('test/single.test.ts', sentOn('postgres(process.env.DATABASE_URL, { max: 1 })'));
  assert.deepEqual(findingsOf(file), []);
});

test('the same builders sent on a pooled client stay reported at their SET lines', () => {
  const file = repo.write('test/pooled.test.ts', sentOn('postgres(process.env.DATABASE_URL, { prepare: false })'));
  assert.deepEqual(findingsOf(file), ['session-set 6', 'session-set 7', 'session-set 11']);
});

test('one call on the single connection and another on a pooled client: reported', () => {
  const file = repo.write('test/mixed.test.ts', sentOn('postgres(process.env.DATABASE_URL, { max: 1 })', [
    "it('reads a shared ledger', async () => {",
    '  const shared = postgres(process.env.DATABASE_URL, { prepare: false });',
    "  await shared.unsafe(scopeSql({ ledger: 'south' }));",
    '});',
  ]));
  assert.deepEqual(findingsOf(file), ['session-set 6', 'session-set 7']);
});

test('a builder with no call in its file, or exported, or with a call whose text goes elsewhere, is read on its own', () => {
  const uncalled = repo.write('test/uncalled.test.ts', BUILDERS);
  assert.deepEqual(findingsOf(uncalled), ['session-set 6', 'session-set 7', 'session-set 11']);
  const exported = repo.write('test/exported.test.ts', sentOn('postgres(process.env.DATABASE_URL, { max: 1 })')
    .map((line) => line.replace(/^function actAsSql/, 'export function actAsSql')));
  assert.deepEqual(findingsOf(exported), ['session-set 11']);
  // The text also handed to a function of the file that returns it to its own (unknown) callers.
  const escapes = repo.write('test/escapes.test.ts', sentOn('postgres(process.env.DATABASE_URL, { max: 1 })', [
    'export function northScope() {',
    "  return scopeSql({ ledger: 'north' });",
    '}',
  ]));
  assert.deepEqual(findingsOf(escapes), ['session-set 6', 'session-set 7']);
  // Handed on as a value (`[actAsSql].map(…)`): a caller the file does not show.
  const handed = repo.write('test/handed.test.ts', sentOn('postgres(process.env.DATABASE_URL, { max: 1 })', [
    'export const builders = [actAsSql];',
  ]));
  assert.deepEqual(findingsOf(handed), ['session-set 11']);
});
