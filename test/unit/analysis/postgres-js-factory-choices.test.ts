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

// A factory that picks a direct URL or the pooled one hands out either client: a caller is judged by the worse of the
// two (the pooled one), whichever arm of the choice or value of the variable is written first.
const directOrPooled = (first: 'direct' | 'pooled'): string => {
  const direct = 'postgres(process.env.DIRECT_URL, { max: 1 })';
  const pooled = 'postgres(process.env.DATABASE_URL, { max: 1 })';
  return first === 'direct' ? `wantsDirect ? ${direct} : ${pooled}` : `!wantsDirect ? ${pooled} : ${direct}`;
};

const lockedRun = [
  "import { openLockClient } from './db';",
  'export async function runOnce(work: () => Promise<void>) {',
  "  const guard = openLockClient(process.env.LOCK_DIRECT === '1');",
  '  await guard`SELECT pg_advisory_lock(${7}::bigint)`;',
  '  try { await work(); } finally { await guard`SELECT pg_advisory_unlock(${7}::bigint)`; }',
  '}',
];

for (const first of ['direct', 'pooled'] as const) {
  test(`a factory choosing a direct or a pooled URL (${first} arm first) hands out a pooled client`, () => {
    repo.write(`either-${first}/src/db.ts`, [
      "import postgres from 'postgres';",
      `export const openLockClient = (wantsDirect: boolean) => ${directOrPooled(first)};`,
    ]);
    assert.deepEqual(lockFindings(`either-${first}/src/job.ts`, lockedRun), ['pg_advisory_lock', 'pg_advisory_unlock']);
  });
}

test('a module variable assigned a direct client in one branch and a pooled one in the other holds a pooled client', () => {
  repo.write('either-let/src/db.ts', [
    "import postgres from 'postgres';",
    'let client: ReturnType<typeof postgres> | undefined;',
    'export function openLockClient(wantsDirect: boolean) {',
    '  if (wantsDirect) client = postgres(process.env.DIRECT_URL!, { max: 1 });',
    '  else client = postgres(process.env.DATABASE_URL!, { max: 1 });',
    '  return client;',
    '}',
  ]);
  assert.deepEqual(lockFindings('either-let/src/job.ts', lockedRun), ['pg_advisory_lock', 'pg_advisory_unlock']);
});

test('a factory whose every arm takes a direct URL hands out a direct client', () => {
  repo.write('both-direct/src/db.ts', [
    "import postgres from 'postgres';",
    'export const openLockClient = (wantsReplica: boolean) =>',
    '  wantsReplica ? postgres(process.env.REPLICA_DIRECT_URL!, { max: 1 }) : postgres(process.env.DIRECT_URL!, { max: 1 });',
  ]);
  assert.deepEqual(lockFindings('both-direct/src/job.ts', lockedRun), []);
});

test("a caller's variable filled by a direct factory in one branch and a pooled one in the other holds a pooled client", () => {
  repo.write('either-caller/src/db.ts', [
    "import postgres from 'postgres';",
    'export const openDirect = () => postgres(process.env.DIRECT_URL!, { max: 1 });',
    'export const openPooled = () => postgres(process.env.DATABASE_URL!, { max: 1 });',
  ]);
  const run = (first: string, second: string): string[] => [
    "import { openDirect, openPooled } from './db';",
    'export async function runOnce(wantsDirect: boolean) {',
    '  let guard = null;',
    `  if (wantsDirect) guard = ${first}(); else guard = ${second}();`,
    '  await guard`SELECT pg_advisory_lock(${7}::bigint)`;',
    '}',
  ];
  assert.deepEqual(lockFindings('either-caller/src/direct-first.ts', run('openDirect', 'openPooled')), ['pg_advisory_lock']);
  assert.deepEqual(lockFindings('either-caller/src/pooled-first.ts', run('openPooled', 'openDirect')), ['pg_advisory_lock']);
  assert.deepEqual(lockFindings('either-caller/src/direct-only.ts', run('openDirect', 'openDirect')), []);
});
