// A URL read from a field of a function's parameter (`options.directUrl`) is whatever the function's callers put in that
// field: the field's name is the callee's wish. A caller found in the project that fills it with a URL whose own name
// does not say direct (`config.databaseUrl`) makes the client reach the pooler there; callers that fill it with a
// direct URL, or none found, leave the field's name to decide as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('direct-url-option-callers', { after });
before(() => initAnalysis());

/** A module that opens a postgres.js listener on the `directUrl` field of its options. */
const LISTENER = [
  "import postgres from 'postgres';",
  'export interface ListenerOptions { directUrl: string; onPayload: (payload: string) => void }',
  'export async function openListener(options: ListenerOptions) {',
  '  const sql = postgres(options.directUrl, { max: 1, prepare: false });',
  "  await sql.listen('events', (payload) => options.onPayload(payload));",
  '  return sql;',
  '}',
];

/** A caller module filling the field with `value` (the names it reads are declared in the module). */
const caller = (value: string) => [
  "import { openListener } from './listener';",
  "import { config } from './config';",
  'export async function start(handle: (p: string) => void) {',
  `  return openListener({ directUrl: ${value}, onPayload: handle });`,
  '}',
];

function listenerFindings(project: string, callers: Record<string, string[]>): string[] {
  repo.write(`${project}/package.json`, JSON.stringify({ name: project }));
  repo.write(`${project}/src/config.ts`, ["export const config = { databaseUrl: process.env.DATABASE_URL!, directDatabaseUrl: process.env.DIRECT_URL! };"]);
  for (const [path, lines] of Object.entries(callers)) repo.write(`${project}/src/${path}`, lines);
  const file = repo.write(`${project}/src/listener.ts`, LISTENER);
  return analyze(LISTENER.join('\n'), 'typescript', {}, file).map((f) => f.rule);
}

test("a listener on an options field named direct is flagged when a caller of the project fills that field with a URL not named direct", () => {
  assert.deepEqual(listenerFindings('plain-caller', { 'realtime.ts': caller('config.databaseUrl') }), ['listen']);
  // One such caller among direct ones is enough: that deployment's listener reaches the pooler.
  assert.deepEqual(listenerFindings('mixed-callers', { 'a.ts': caller('config.directDatabaseUrl'), 'b.ts': caller('process.env.DATABASE_URL!') }), ['listen']);
  // A value either branch of a conditional gives.
  assert.deepEqual(listenerFindings('branch-caller', { 'realtime.ts': caller('pooled ? config.databaseUrl : config.directDatabaseUrl') }), ['listen']);
});

test('a listener on an options field named direct stays unflagged when its callers fill it with direct URLs, with values not followed, or none is found', () => {
  assert.deepEqual(listenerFindings('direct-callers', { 'a.ts': caller('config.directDatabaseUrl'), 'b.ts': caller('process.env.DIRECT_URL!') }), []);
  // A caller's own parameter, or a call's result, says nothing about the URL: the field's name still decides.
  assert.deepEqual(listenerFindings('forwarding-caller', { 'realtime.ts': ["import { openListener } from './listener';", 'export const start = (url: string) => openListener({ directUrl: url, onPayload: () => {} });'] }), []);
  assert.deepEqual(listenerFindings('computed-caller', { 'realtime.ts': caller('resolveUrl(workspace)') }), []);
  // No caller in the project: the name decides, as for a library's option.
  assert.deepEqual(listenerFindings('no-caller', {}), []);
});
