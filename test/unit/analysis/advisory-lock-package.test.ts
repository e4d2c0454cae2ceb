// The advisory-lock package (`advisoryLock(url)` makes a mutex factory; `createMutex(name)` a mutex) opens a pg Client
// on the URL it is given and sends `pg_advisory_lock` / `pg_try_advisory_lock` on it for the mutex's lock(), tryLock()
// and withLock(), and `pg_advisory_unlock` as a later statement: a session lock, reported at the lock call (the
// session-27 ruling on library calls that lock). The factory is often made once in a module of the project and
// imported where the locking happens; that module is read from disk, as the CLI and the editor find it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('advisory-lock-package', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[], poolMode?: 'session'): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', poolMode ? { poolMode } : {}, file).map((f) => ruleLine(text, f, 'rule line text'));
}

test("a mutex of the advisory-lock package made on the app's URL in another module takes a session lock at tryLock(), lock() and withLock()", () => {
  repo.write('api/src/data.ts', [
    "import advisoryLock from 'advisory-lock';",
    "import { Pool } from 'pg';",
    'export const makeMutex = advisoryLock(process.env.DATABASE_URL!);',
    'export const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
  ]);
  assert.deepEqual(findingsOf('api/src/scheduler.ts', [
    "import { makeMutex } from './data';",
    "const leader = makeMutex('scheduler');",
    'export async function lead(work: () => Promise<void>) {',
    '  const release = await leader.tryLock();',
    '  if (!release) return;',
    '  try { await work(); } finally { await release(); }',
    '}',
  ]), ['advisory-lock 4 tryLock']);
  // Made and locked in one expression over several lines: the finding is on the lock call's line.
  assert.deepEqual(findingsOf('api/src/jobs/reindex.ts', [
    "import { makeMutex } from '../data';",
    'export async function reindex(tenant: string, run: () => Promise<void>) {',
    '  const release = await makeMutex(',
    '    `reindex-${tenant}`,',
    '  ).lock();',
    '  try { await run(); } finally { await release(); }',
    '  await makeMutex(`report-${tenant}`).withLock(run);',
    '}',
  ]), ['advisory-lock 5 lock', 'advisory-lock 7 withLock']);
  const message = analyze("import { makeMutex } from './data';\nexport const go = () => makeMutex('x').tryLock();", 'typescript', {}, repo.path('api/src/go.ts'))[0]?.message ?? '';
  assert.match(message, /^advisory-lock's mutex takes a session advisory lock/);
});

test('the factory made in the same file, required or imported, is read as well; its unlock() is no lock', () => {
  assert.deepEqual(findingsOf('worker/clock.js', [
    "const advisoryLock = require('advisory-lock').default;",
    'const createMutex = advisoryLock(process.env.DATABASE_URL);',
    "const mutex = createMutex('clock');",
    'module.exports = async function tick(job) {',
    '  await mutex.withLock(job);',
    '  await mutex.unlock();',
    '};',
  ]), ['advisory-lock 5 withLock']);
  assert.deepEqual(findingsOf('worker/once.ts', [
    "import advisoryLock from 'advisory-lock';",
    "export const once = (url: string) => advisoryLock(url)('migrations').tryLock();",
  ]), ['advisory-lock 2 tryLock']);
});

test('a direct URL, session mode, and lock calls on anything other than the package\'s mutex give nothing', () => {
  repo.write('svc/src/locks.ts', [
    "import advisoryLock from 'advisory-lock';",
    "import { Mutex } from 'async-mutex';",
    'export const directMutex = advisoryLock(process.env.DIRECT_URL!);',
    'export const pooledMutex = advisoryLock(process.env.DATABASE_URL!);',
    'export const memoryMutex = (name: string) => new Mutex();',
  ]);
  assert.deepEqual(findingsOf('svc/src/direct.ts', [
    "import { directMutex } from './locks';",
    "export const migrateOnce = () => directMutex('migrate').tryLock();",
  ]), []);
  assert.deepEqual(findingsOf('svc/src/session.ts', [
    "import { pooledMutex } from './locks';",
    "export const migrateOnce = () => pooledMutex('migrate').tryLock();",
  ], 'session'), []);
  assert.deepEqual(findingsOf('svc/src/memory.ts', [
    "import { memoryMutex } from './locks';",
    "import { Mutex } from 'async-mutex';",
    "import Redlock from 'redlock';",
    'const local = new Mutex();',
    'export async function guarded(redlock: Redlock, fn: () => Promise<void>) {',
    "  const release = await memoryMutex('cache').lock();",
    '  await local.withLock?.(fn);',
    "  await redlock.lock(['jobs'], 1000);",
    '  release();',
    '}',
  ]), []);
  // A local function named like the project's factory is not it.
  assert.deepEqual(findingsOf('svc/src/shadow.ts', [
    "const pooledMutex = (name: string) => ({ tryLock: async () => name });",
    "export const attempt = () => pooledMutex('x').tryLock();",
  ]), []);
});
