// A connection the code opens itself with a URL its project keeps for direct sessions (a name such as
// DIRECT_URL or DATABASE_URL_UNPOOLED) never meets the transaction pooler: the LISTEN, SET or prepared
// statements it sends are what such a connection is for. The same code on the pooled URL stays flagged.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';
import { readFileSync } from 'node:fs';

before(() => initAnalysis());

// The direct-URL test needs a file name (it may look at the project around it); none of these files exist.
const found = (text: string) => embeddedFindings(text, '/nowhere/scout/notifier.ts').map(([rule, at]) => `${rule} ${at}`);
const findingsIn = (file: string) => embeddedFindings(readFileSync(file, 'utf8'), file).map(([rule, at]) => `${rule} ${at}`);

const notifierWith = (options: string) => [
  "import pg from 'pg';",
  'export async function subscribe(onMessage: (m: unknown) => void) {',
  `  const listener = new pg.Client(${options});`,
  '  await listener.connect();',
  "  await listener.query('LISTEN billing_events');",
  "  await listener.query('SET idle_session_timeout = 0');",
  "  listener.on('notification', onMessage);",
  '}',
].join('\n');
const notifier = (url: string) => notifierWith(`{ connectionString: ${url} }`);

test('a pg Client opened with a direct URL may LISTEN and SET; on the pooled URL it may not', () => {
  assert.deepEqual(found(notifier('process.env.DIRECT_DATABASE_URL')), []);
  assert.deepEqual(found(notifier('process.env.POSTGRES_URL_NON_POOLING')), []);
  assert.deepEqual(found(notifier('process.env.DATABASE_URL')), [
    "listen LISTEN billing_events",
    'session-set SET idle_session_timeout = 0',
  ]);
});

test('a member assigned a direct client in every place counts; one pooled assignment keeps the findings', () => {
  const member = (second: string) => [
    "import { Client } from 'pg';",
    'export class Relay {',
    '  private conn?: Client;',
    '  async open() { this.conn = new Client(process.env.DIRECT_URL); }',
    `  async reopen() { this.conn = new Client(${second}); }`,
    "  async follow() { await this.conn!.query('LISTEN relay'); }",
    '}',
  ].join('\n');
  assert.deepEqual(found(member('process.env.DIRECT_URL')), []);
  assert.deepEqual(found(member('process.env.DATABASE_URL')), ['listen LISTEN relay']);
});

test('a postgres.js client made with a direct URL neither prepares through the pooler nor listens through it', () => {
  const text = [
    "import postgres from 'postgres';",
    'const owner = postgres(process.env.DIRECT_URL!);',
    'const shared = postgres(process.env.DATABASE_URL!);',
    'export async function go() {',
    "  owner.listen('audit', () => undefined);",
    "  shared.listen('audit', () => undefined);",
    // A query run on every call: a named statement the pooled client may send again (listen alone prepares nothing on it).
    '  await owner`SELECT count(*) FROM audit`;',
    '  await shared`SELECT count(*) FROM audit`;',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    'protocol-prepared-statement postgres',
    "listen shared.listen('audit', () => undefined)",
  ]);
});

// `DIRECT || POOLED` (or `??`) picks the direct URL whenever it is configured; the fallback serves setups that run
// no pooler at all. A config object's camelCase member (`settings.unpooledUri`) names the URL as well as an
// environment variable does. The other order, or a `?:` whose pooled branch production takes, stays flagged.
const sessionOpener = (url: string) => [
  "import postgres from 'postgres';",
  "import { settings } from './settings';",
  'export async function openAs(role: string) {',
  `  const conn = postgres(${url}, { max: 1 });`,
  "  await conn.unsafe('SET ROLE reporting');",
  '  return conn;',
  '}',
].join('\n');

test('a direct URL preferred over a pooled fallback (|| or ??) counts as direct', () => {
  assert.deepEqual(found(sessionOpener('process.env.DIRECT_URL || process.env.DATABASE_URL')), []);
  assert.deepEqual(found(sessionOpener('settings.unpooledUri ?? settings.uri')), []);
  assert.deepEqual(found(sessionOpener('settings.databaseUrlNonPooling || settings.databaseUrl || ""')), []);
});

test('a pooled URL preferred over a direct one, or a choice whose other branch is pooled, keeps the findings', () => {
  const flagged = ['protocol-prepared-statement postgres', 'session-set SET ROLE reporting'];
  assert.deepEqual(found(sessionOpener('process.env.DATABASE_URL || process.env.DIRECT_URL')), flagged);
  assert.deepEqual(found(sessionOpener("process.env.NODE_ENV === 'test' ? settings.directUrl : settings.url")), flagged);
  assert.deepEqual(found(sessionOpener('settings.url')), flagged);
});

// A pooled URL turned into the direct endpoint by the code itself: the pooler's part of the host (Neon's
// `-pooler` suffix) or its port removed with a string replace. Anything else put in, or a replace that adds a
// pool word instead, leaves the URL pooled.
test('a pooled URL with its pooler host part or port replaced away connects directly', () => {
  assert.deepEqual(found(notifier("process.env.WAREHOUSE_URL!.replace('-pooler', '')")), []);
  assert.deepEqual(found(notifier("settings.url.replaceAll(/-pooler\\./g, '.')")), []);
  assert.deepEqual(found(notifier("String(process.env.PG_URL).replace(':6543/', ':5432/')")), []);
  const flagged = ['listen LISTEN billing_events', 'session-set SET idle_session_timeout = 0'];
  assert.deepEqual(found(notifier("process.env.WAREHOUSE_URL!.replace('.internal', '-pooler.internal')")), flagged);
  assert.deepEqual(found(notifier("process.env.WAREHOUSE_URL!.replace('-pooler', '-pooler-eu')")), flagged);
  assert.deepEqual(found(notifier("process.env.WAREHOUSE_URL!.replace('http', 'postgres')")), flagged);
  assert.deepEqual(found(notifier("process.env.WAREHOUSE_URL!.replace(prefix, '')")), flagged);
});

// `pooled ? pooled.replace(':6543/', ':5432/') : null`, then `direct || pooled`: the rewrite is empty only when the
// pooled URL is unset, so neither the empty branch nor the fallback ever gives the pooler's URL. A fallback to some
// other URL, a rewrite of another value than the one tested, or a `let` that may change between the reads keep it.
const rewrittenOpener = (lines: string[], chosen: string) => [
  "import postgres from 'postgres';",
  ...lines,
  `const chosen = ${chosen};`,
  'export async function sweep() {',
  '  const conn = postgres(chosen, { max: 1 });',
  "  await conn.unsafe('SET ROLE janitor');",
  '  return conn;',
  '}',
].join('\n');

test('a fallback to the very URL the preferred side rewrote to its direct port adds no pooled URL', () => {
  const rewritten = ['const shared = process.env.DATABASE_URL;', "const direct = shared ? shared.replace(':6543/', ':5432/') : null;"];
  assert.deepEqual(found(rewrittenOpener(rewritten, 'direct || shared')), []);
  assert.deepEqual(found(rewrittenOpener([], "process.env.PG_URL ? process.env.PG_URL.replace('-pooler', '') : undefined")), []);
  assert.deepEqual(found(rewrittenOpener(['const shared = process.env.DATABASE_URL;'], "(shared ? shared.replace(':6543', ':5432') : '') ?? shared")), []);
});

test('a fallback to another URL, a rewrite of another value than the one tested, or a let URL keeps the findings', () => {
  const flagged = ['protocol-prepared-statement postgres', 'session-set SET ROLE janitor'];
  const rewritten = ['const shared = process.env.DATABASE_URL;', "const direct = shared ? shared.replace(':6543/', ':5432/') : null;"];
  assert.deepEqual(found(rewrittenOpener(rewritten, 'direct || process.env.POOLED_URL')), flagged);
  const otherTested = ['const shared = process.env.DATABASE_URL;', "const direct = process.env.USE_DIRECT ? shared.replace(':6543/', ':5432/') : null;"];
  assert.deepEqual(found(rewrittenOpener(otherTested, 'direct || shared')), flagged);
  const otherBranch = ['const shared = process.env.DATABASE_URL;', "const direct = shared ? shared.replace(':6543/', ':5432/') : shared;"];
  assert.deepEqual(found(rewrittenOpener(otherBranch, 'direct || shared')), flagged);
  const reassigned = ['let shared = process.env.DATABASE_URL;', "const direct = shared ? shared.replace(':6543/', ':5432/') : null;", 'shared = process.env.POOLED_URL;'];
  assert.deepEqual(found(rewrittenOpener(reassigned, 'direct || shared')), flagged);
});

// A managed provider's direct endpoint written out in the code (a one-off script's literal connection) is a session
// of its own: Supabase's `db.<ref>.supabase.co` and Neon's host without `-pooler`. Their pooler hosts, a pooler's
// port, or a port the code does not write out keep the findings.
test("a pg Client on a provider's direct host written out may SET and LISTEN; on its pooler host it may not", () => {
  const options = (fields: string) => notifierWith(`{ ${fields} }`);
  assert.deepEqual(found(options("host: 'db.mbqtkzlehwxrpa.supabase.co', port: 5432, database: 'postgres'")), []);
  assert.deepEqual(found(options("host: 'db.mbqtkzlehwxrpa.supabase.co', database: 'postgres'")), []);
  assert.deepEqual(found(notifier("'postgresql://postgres:pw@db.mbqtkzlehwxrpa.supabase.co:5432/postgres'")), []);
  assert.deepEqual(found(notifier("'postgres://app:pw@ep-cool-river-123456.us-east-2.aws.neon.tech/neondb?sslmode=require'")), []);
  const flagged = ["listen LISTEN billing_events", 'session-set SET idle_session_timeout = 0'];
  assert.deepEqual(found(notifier("'postgres://app:pw@ep-cool-river-123456-pooler.us-east-2.aws.neon.tech/neondb'")), flagged);
  assert.deepEqual(found(notifier("'postgresql://postgres.ref:pw@aws-0-eu-west-1.pooler.supabase.com:6543/postgres'")), flagged);
  assert.deepEqual(found(notifier("'postgresql://postgres:pw@db.mbqtkzlehwxrpa.supabase.co:6543/postgres'")), flagged);
  assert.deepEqual(found(options("host: 'db.mbqtkzlehwxrpa.supabase.co', port: Number(process.env.PGPORT)")), flagged);
  assert.deepEqual(found(options("host: 'db.example.com', port: 5432")), flagged);
});

// A written-out connection string is read by the one reader of connection strings (poolerEndpoints.ts): libpq may
// reach any host of a list and takes a URL's `?host=`/`?port=` before its authority's, so the string is a provider's
// direct endpoint only when every server it reaches is one. libpq's key/value form names the host too.
test("a provider's direct host counts only when every server the string reaches is one; the key/value form is read", () => {
  const flagged = ['listen LISTEN billing_events', 'session-set SET idle_session_timeout = 0'];
  // A host list whose second server is the provider's pooler, or a query port that moves the direct host onto the pooler's port.
  assert.deepEqual(found(notifier("'postgresql://postgres:pw@db.qzxwvutsrpa.supabase.co:5432,aws-0-eu-west-1.pooler.supabase.com:6543/postgres'")), flagged);
  assert.deepEqual(found(notifier("'postgres://app:pw@ep-late-moon-424242.eu-central-1.aws.neon.tech,replica.example.org/neondb'")), flagged);
  assert.deepEqual(found(notifier("'postgresql://postgres:pw@db.qzxwvutsrpa.supabase.co/postgres?port=6543'")), flagged);
  assert.deepEqual(found(notifier("'postgresql://postgres:pw@localhost:5432/postgres?host=aws-0-eu-west-1.pooler.supabase.com'")), flagged);
  // Every server direct, or libpq's key/value form naming the direct host: a session of its own.
  assert.deepEqual(found(notifier("'host=db.qzxwvutsrpa.supabase.co port=5432 dbname=postgres user=postgres'")), []);
  assert.deepEqual(found(notifier("'postgresql://postgres:pw@db.qzxwvutsrpa.supabase.co:5432/postgres?sslmode=require&port=5432'")), []);
  assert.deepEqual(found(notifier("'host=db.qzxwvutsrpa.supabase.co port=6543 dbname=postgres'")), flagged);
});

// Session 38 (fix45c): a repeated connection parameter keeps its last value, in libpq (URL query and key/value form
// alike), node-postgres and postgres.js: the last port given is the one reached.
test("a repeated port or host parameter reaches its last value: the provider's direct host counts only when that one is direct", () => {
  const flagged = ['listen LISTEN billing_events', 'session-set SET idle_session_timeout = 0'];
  assert.deepEqual(found(notifier("'postgresql://postgres:pw@db.qzxwvutsrpa.supabase.co:5432/postgres?port=5432&port=6543'")), flagged);
  assert.deepEqual(found(notifier("'host=db.qzxwvutsrpa.supabase.co port=5432 dbname=postgres port=6543'")), flagged);
  assert.deepEqual(found(notifier("'postgresql://postgres:pw@db.qzxwvutsrpa.supabase.co/postgres?host=db.qzxwvutsrpa.supabase.co&host=aws-0-eu-west-1.pooler.supabase.com'")), flagged);
  // The pooler's port given first and replaced by the direct one: a session of its own.
  assert.deepEqual(found(notifier("'postgresql://postgres:pw@db.qzxwvutsrpa.supabase.co:5432/postgres?port=6543&port=5432'")), []);
  assert.deepEqual(found(notifier("'host=aws-0-eu-west-1.pooler.supabase.com host=db.qzxwvutsrpa.supabase.co port=5432'")), []);
});

// The options' connectionString is read as every other option is (embeddedFlow's objectProperty): a quoted key is the
// same property, and a method of that name is no URL.
test('a connectionString written as a quoted key counts as the direct URL it holds; a pooled one keeps the findings', () => {
  assert.deepEqual(found(notifierWith("{ 'connectionString': process.env.DIRECT_URL, max: 1 }")), []);
  assert.deepEqual(found(notifierWith('{ "connectionString": process.env.DATABASE_URL_UNPOOLED }')), []);
  assert.deepEqual(found(notifierWith("{ 'connectionString': process.env.DATABASE_URL }")), [
    'listen LISTEN billing_events',
    'session-set SET idle_session_timeout = 0',
  ]);
  assert.deepEqual(found(notifierWith('{ connectionString() { return process.env.DIRECT_URL; } }')), [
    'listen LISTEN billing_events',
    'session-set SET idle_session_timeout = 0',
  ]);
});

// A URL returned by a function (of the file, or exported by a project module and imported) is what that function's
// one return holds, judged in its own file and scope: `const url = env.DATABASE_URL_UNPOOLED ?? env.DATABASE_URL; …
// return url` is the direct URL even when another function of the module declares a pooled `url` of its own.
const lockUrlModule = (chosen: string) => [
  'export function pooledClientUrl(): string {',
  '  const url = process.env.DATABASE_URL;',
  "  if (!url) throw new Error('DATABASE_URL is not set');",
  '  return url;',
  '}',
  'export function lockConnectionUrl(env: Record<string, string | undefined> = process.env): string {',
  `  const url = ${chosen};`,
  "  if (!url) throw new Error('no database URL');",
  "  if (url.includes('-pooler')) throw new Error('refusing a pooled host for a session lock');",
  '  return url;',
  '}',
];
const lockJob = (call: string) => [
  "import postgres from 'postgres';",
  "import { lockConnectionUrl, pooledClientUrl } from '../db/urls';",
  `const sql = postgres(${call}, { max: 2 });`,
  'export async function refresh() {',
  "  await sql.unsafe('SET statement_timeout = 0');",
  '  await sql`SELECT refresh_prices()`;',
  '}',
];

test("a URL a function returns counts as what its one return holds: a function of the file, or one a module exports", (t) => {
  const repo = scratchRepository('direct-url-functions', t);
  repo.write('package.json', '{"name": "prices"}');
  repo.write('src/db/urls.ts', lockUrlModule('env.DATABASE_URL_UNPOOLED ?? env.DATABASE_URL'));
  const job = repo.write('src/jobs/refresh.ts', lockJob('lockConnectionUrl()'));
  assert.deepEqual(findingsIn(job), []);
  const local = repo.write('src/jobs/local.ts', [
    "import postgres from 'postgres';",
    'const appUrl = () => { const url = process.env.DATABASE_URL; return url; };',
    'function directUrl() { const url = process.env.DIRECT_URL || process.env.DATABASE_URL; return url; }',
    'const sql = postgres(directUrl());',
    "export const tune = () => sql.unsafe('SET work_mem = 65536');",
  ]);
  assert.deepEqual(findingsIn(local), []);
});

test('a function returning the pooled URL, preferring it, or returning several URLs keeps the findings', (t) => {
  const repo = scratchRepository('direct-url-functions-pooled', t);
  repo.write('package.json', '{"name": "prices"}');
  repo.write('src/db/urls.ts', lockUrlModule('env.DATABASE_URL ?? env.DATABASE_URL_UNPOOLED'));
  const flagged = ['protocol-prepared-statement postgres', 'session-set SET statement_timeout = 0'];
  assert.deepEqual(findingsIn(repo.write('src/jobs/preferred.ts', lockJob('lockConnectionUrl()'))), flagged);
  assert.deepEqual(findingsIn(repo.write('src/jobs/pooled.ts', lockJob('pooledClientUrl()'))), flagged);
  const several = repo.write('src/jobs/several.ts', [
    "import postgres from 'postgres';",
    'function pick(admin: boolean) { if (admin) return process.env.DIRECT_URL; return process.env.DATABASE_URL; }',
    'const sql = postgres(pick(true));',
    "export const tune = () => sql.unsafe('SET work_mem = 65536');",
  ]);
  assert.deepEqual(findingsIn(several), ['session-set SET work_mem = 65536']);
});

test("a connection reserved from a direct postgres.js client holds its session lock there; one reserved from the pooled client does not", () => {
  const guard = (url: string) => [
    "import postgres from 'postgres';",
    `const jobs = postgres(${url}, { max: 2, prepare: false });`,
    'export async function exclusively(key: number, work: () => Promise<void>) {',
    '  const held = await jobs.reserve();',
    '  try {',
    '    const [row] = await held`SELECT pg_try_advisory_lock(${key}) AS ok`;',
    '    if (row.ok) await work();',
    '  } finally {',
    '    await held`SELECT pg_advisory_unlock(${key})`;',
    '    held.release();',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(guard('process.env.DATABASE_URL_UNPOOLED!')), []);
  assert.deepEqual(found(guard('process.env.DATABASE_URL!')), [
    'advisory-lock pg_try_advisory_lock',
    'advisory-lock pg_advisory_unlock',
  ]);
});
