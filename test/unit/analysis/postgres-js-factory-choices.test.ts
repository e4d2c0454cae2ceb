// A shared module's factory that makes a postgres.js client in either arm of a choice (`typeof config === 'string' ?
// postgres(config, opts) : postgres({ host, … })`) hands out a client whichever arm runs, and a caller that keeps either
// an injected client or the factory's (`options.client ?? makeClient(options.config)`) holds a client too: session
// locks sent on it stay on whatever server connection a transaction pooler gave them. A choice with an arm that makes
// no postgres.js client, and a caller's choice with no such factory in it, say nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('postgres-js-factory-choices', { after });
before(() => initAnalysis());

function lockFindings(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).filter((f) => f.rule === 'advisory-lock').map((f) => text.slice(f.start, f.end));
}

const sessionFactory = [
  "import postgres from 'postgres';",
  'export type Settings = string | { host: string; port: number; database: string };',
  '// one connection that is never recycled, for session locks',
  'export const openSessionClient = (settings: Settings) =>',
  "  typeof settings === 'string'",
  '    ? postgres(settings, { max: 1, idle_timeout: 0 })',
  '    : postgres({ host: settings.host, port: settings.port, database: settings.database, max: 1 });',
];

test("a lock sent on the client a project factory makes in either arm of a choice is a session lock", () => {
  repo.write('scheduler/src/db.ts', sessionFactory);
  assert.deepEqual(lockFindings('scheduler/src/boot.ts', [
    "import { openSessionClient, type Settings } from './db';",
    'export async function migrateOnce(settings: Settings, work: () => Promise<void>) {',
    '  const guard = openSessionClient(settings);',
    '  const [row] = await guard`SELECT pg_try_advisory_lock(${7}::bigint) AS got`;',
    '  if (!row?.got) await guard`SELECT pg_advisory_lock(${7}::bigint)`;',
    '  try { await work(); } finally { await guard.end(); }',
    '}',
  ]), ['pg_try_advisory_lock', 'pg_advisory_lock']);
});

test("an injected client or the factory's, kept in a const and used by closures, holds a client", () => {
  repo.write('elector/src/db.ts', sessionFactory);
  assert.deepEqual(lockFindings('elector/src/leader.ts', [
    "import { openSessionClient, type Settings } from './db';",
    'type Options = { settings: Settings; key: number; conn?: ReturnType<typeof openSessionClient> };',
    'export function elect(options: Options) {',
    '  const conn = options.conn ?? openSessionClient(options.settings);',
    '  let leading = false;',
    '  const poll = async () => {',
    '    const [row] = await conn`SELECT pg_try_advisory_lock(${options.key}::bigint) AS got`;',
    '    leading = Boolean(row?.got);',
    '  };',
    '  const resign = async () => {',
    '    if (leading) await conn`SELECT pg_advisory_unlock(${options.key}::bigint)`;',
    '  };',
    '  return { poll, resign };',
    '}',
  ]), ['pg_try_advisory_lock', 'pg_advisory_unlock']);
});

test('a choice one arm of which makes no postgres.js client, or a choice with no client factory in it, is no tag', () => {
  repo.write('mixed/src/db.ts', [
    "import postgres from 'postgres';",
    "import { makeTemplateRenderer } from './render';",
    'export const openSessionClient = (settings: string | { template: true }) =>',
    "  typeof settings === 'string' ? postgres(settings, { max: 1 }) : makeTemplateRenderer();",
  ]);
  repo.write('mixed/src/render.ts', ['export const makeTemplateRenderer = () => (parts: TemplateStringsArray) => parts.join("");']);
  assert.deepEqual(lockFindings('mixed/src/boot.ts', [
    "import { openSessionClient } from './db';",
    'export async function once(settings: string) {',
    '  const conn = openSessionClient(settings);',
    '  await conn`SELECT pg_try_advisory_lock(${7}::bigint)`;',
    '}',
  ]), []);
  assert.deepEqual(lockFindings('mixed/src/other.ts', [
    "import { makeTemplateRenderer } from './render';",
    'export async function render(given?: (parts: TemplateStringsArray) => string) {',
    '  const conn = given ?? makeTemplateRenderer();',
    '  return conn`SELECT pg_try_advisory_lock(${7}::bigint)`;',
    '}',
  ]), []);
});
