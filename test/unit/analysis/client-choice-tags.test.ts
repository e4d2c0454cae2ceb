// A `const` holding a choice of clients made in place — `opts ? new SQL(opts) : new SQL()` (Bun), `url ? postgres(url) :
// postgres()`, `given ?? new SQL()` — is a client: used as a tag, whichever arm ran sends the template as SQL on a pool,
// so a session lock or SET sent on it is flagged as on `const db = new SQL(url)` alone (embedded-sql.md: a choice one
// of whose values is a client). A choice with an arm that is another database's Bun client is not read; a choice that
// makes no client is no tag; a choice of clients every one of which is made from a direct URL is direct.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

/** The session findings (not the prepared-statement ones each constructor gets) as `rule text` pairs. */
const sessionFindings = (lines: string[], file = 'src/migrate.js') =>
  embeddedFindings(lines.join('\n'), file).filter(([rule]) => rule !== 'protocol-prepared-statement').map(([rule, at]) => `${rule} ${at}`);

const BUN = "import { SQL } from 'bun';";
const PG = "import postgres from 'postgres';";

/** A migration guard that takes a session lock and releases it in its own statement, on `client`. */
const guardedRun = (client: string) => [
  'export async function runOnce(options, work) {',
  `  const guard = ${client};`,
  '  try {',
  '    const [row] = await guard`SELECT pg_try_advisory_lock(${991})`;',
  '    if (row.pg_try_advisory_lock) await work(guard);',
  '  } finally {',
  '    await guard`SELECT pg_advisory_unlock(${991})`;',
  '  }',
  '}',
];

const LOCK_AND_UNLOCK = ['advisory-lock pg_try_advisory_lock', 'advisory-lock pg_advisory_unlock'];

test("Bun: a const holding either of two PostgreSQL clients (a conditional, ?? or ||) sends its tags as SQL", () => {
  assert.deepEqual(sessionFindings([BUN, ...guardedRun('options.url ? new SQL(options.url) : new SQL()')]), LOCK_AND_UNLOCK);
  assert.deepEqual(sessionFindings([BUN, ...guardedRun('options.client ?? new SQL()')]), LOCK_AND_UNLOCK);
  assert.deepEqual(sessionFindings([BUN, ...guardedRun('options.client || new SQL({ max: 4 })')]), LOCK_AND_UNLOCK);
  // The same client held alone was already read so.
  assert.deepEqual(sessionFindings([BUN, ...guardedRun('new SQL(options.url)')]), LOCK_AND_UNLOCK);
});

test('postgres.js: a conditional of two pools holds a pool, and a SET sent on it leaks', () => {
  assert.deepEqual(sessionFindings([PG, ...guardedRun('options.url ? postgres(options.url) : postgres(process.env.DATABASE_URL)')]), LOCK_AND_UNLOCK);
  assert.deepEqual(sessionFindings([PG, ...guardedRun('options.url ? postgres(options.url, { max: 1 }) : postgres()')]), LOCK_AND_UNLOCK);
  assert.deepEqual(sessionFindings([
    PG,
    'export async function tenant(options, schema) {',
    '  const db = options.client || postgres(options.url);',
    '  await db`SET search_path TO tenant_a`;',
    '}',
  ]), ['session-set SET search_path TO tenant_a']);
});

test('a choice whose other arm is no client (a stand-in object, undefined) is read by the arm that is: its tags are SQL', () => {
  assert.deepEqual(sessionFindings([PG, 'const standIn = { end() {} };', ...guardedRun('options.dryRun ? standIn : postgres(options.url)')]), LOCK_AND_UNLOCK);
  assert.deepEqual(sessionFindings([BUN, ...guardedRun('options.url ? new SQL(options.url) : undefined')]), LOCK_AND_UNLOCK);
});

test('not read: a choice with an arm that is another database\'s Bun client, a choice that makes no client, and an html tag', () => {
  assert.deepEqual(sessionFindings([BUN, ...guardedRun("options.memory ? new SQL(':memory:') : new SQL(options.url)")]), []);
  assert.deepEqual(sessionFindings([BUN, ...guardedRun("options.url ? new SQL(options.url, { adapter: options.kind }) : new SQL()")]), []);
  assert.deepEqual(sessionFindings(['const render = (s, ...v) => s.join(String(v));', ...guardedRun('options.tag ? options.tag : render')]), []);
  assert.deepEqual(sessionFindings([PG, ...guardedRun('options.url ? makeTemplate(options.url) : makeTemplate()')]), []);
});

test('a choice of postgres.js clients is direct only when every arm that makes one is made from a direct URL (session 39)', () => {
  assert.deepEqual(sessionFindings([PG, ...guardedRun('options.replica ? postgres(process.env.DIRECT_URL) : postgres(process.env.DIRECT_DATABASE_URL)')]), []);
  assert.deepEqual(sessionFindings([PG, ...guardedRun('options.direct ? postgres(process.env.DIRECT_URL) : undefined')]), []);
  assert.deepEqual(sessionFindings([PG, ...guardedRun('options.direct ? postgres(process.env.DIRECT_URL) : postgres(process.env.DATABASE_URL)')]), LOCK_AND_UNLOCK);
});
