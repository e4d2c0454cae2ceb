// A module of the project that makes its postgres.js client in a function with more than one return, one client for
// production and one kept on the global object across a dev server's reloads (`globalThis.__db ??= postgres(url)`),
// and exports what a call of it returns. A file importing that client (by a relative path or a tsconfig alias) and
// calling its listen() sends LISTEN on a connection the pooler hands out. Not when one of the function's returns is no
// client, when the global is also given something else, when every client it makes is on a direct URL, when the module
// makes a node-postgres Pool, or when the name comes from a package.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('imported-cached-clients', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).filter((f) => f.rule === 'listen').map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

/** A module making its client per environment: a new one in production, one cached on the global object otherwise. */
function cachingModule(productionUrl: string, developmentUrl: string, cachedAlsoGets?: string): string[] {
  return [
    "import postgres from 'postgres';",
    'declare global {',
    '  var __notesDb: ReturnType<typeof postgres> | undefined;',
    '}',
    'function openDatabase() {',
    "  if (process.env.NODE_ENV === 'production') {",
    `    return postgres(${productionUrl}, { max: 8, prepare: false });`,
    '  }',
    '  if (!globalThis.__notesDb) {',
    `    globalThis.__notesDb = postgres(${developmentUrl}, { max: 2, prepare: false });`,
    '  }',
    ...(cachedAlsoGets ? [`  if (process.env.OFFLINE) globalThis.__notesDb = ${cachedAlsoGets};`] : []),
    '  return globalThis.__notesDb;',
    '}',
    'const database = openDatabase();',
    'export const notesDb = database;',
  ];
}

const follower = (specifier: string): string[] => [
  `import { notesDb } from '${specifier}';`,
  'export async function followNotes(onNote: (id: string) => void) {',
  "  const subscription = await notesDb.listen('note_changes', onNote);",
  '  return subscription.unlisten;',
  '}',
];

test('listen() on an imported client a function makes with several returns, one cached on globalThis, is a LISTEN on the pool', () => {
  repo.write('notes/tsconfig.json', JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['./src/*'] } } }));
  repo.write('notes/src/db/index.ts', cachingModule('process.env.DATABASE_URL!', 'process.env.DATABASE_URL!'));
  const expected = ["listen notesDb.listen('note_changes', onNote)"];
  assert.deepEqual(findingsOf('notes/src/feed/relative.ts', follower('../db')), expected);
  assert.deepEqual(findingsOf('notes/src/feed/aliased.ts', follower('@/db')), expected);
});

test('the same module on a direct URL in every branch, or one whose function may return something else, is not flagged', () => {
  repo.write('direct/src/db.ts', cachingModule('process.env.DIRECT_URL!', 'process.env.DIRECT_URL!'));
  assert.deepEqual(findingsOf('direct/src/feed.ts', follower('./db')), []);
  repo.write('offline/src/db.ts', cachingModule('process.env.DATABASE_URL!', 'process.env.DATABASE_URL!', 'makeOfflineStore()'));
  assert.deepEqual(findingsOf('offline/src/feed.ts', follower('./db')), []);
  repo.write('stub/src/db.ts', [
    "import postgres from 'postgres';",
    'function openDatabase() {',
    "  if (process.env.NODE_ENV === 'test') return makeRecordingStub();",
    '  return postgres(process.env.DATABASE_URL!, { prepare: false });',
    '}',
    'export const notesDb = openDatabase();',
  ]);
  assert.deepEqual(findingsOf('stub/src/feed.ts', follower('./db')), []);
});

test('a node-postgres Pool cached the same way, or a client of that name from a package, is not flagged', () => {
  repo.write('pg-pool/src/db.ts', [
    "import { Pool } from 'pg';",
    'declare global {',
    '  var __notesPool: Pool | undefined;',
    '}',
    'function openDatabase() {',
    "  if (process.env.NODE_ENV === 'production') return new Pool({ connectionString: process.env.DATABASE_URL });",
    '  globalThis.__notesPool ??= new Pool({ connectionString: process.env.DATABASE_URL });',
    '  return globalThis.__notesPool;',
    '}',
    'export const notesDb = openDatabase();',
  ]);
  assert.deepEqual(findingsOf('pg-pool/src/feed.ts', follower('./db')), []);
  assert.deepEqual(findingsOf('package/src/feed.ts', follower('@acme/notes-db')), []);
});
