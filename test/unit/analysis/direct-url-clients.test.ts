// A connection the code opens itself with a URL its project keeps for direct sessions (a name such as
// DIRECT_URL or DATABASE_URL_UNPOOLED) never meets the transaction pooler: the LISTEN, SET or prepared
// statements it sends are what such a connection is for. The same code on the pooled URL stays flagged.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

// The direct-URL test needs a file name (it may look at the project around it); none of these files exist.
const found = (text: string) => embeddedFindings(text, '/nowhere/scout/notifier.ts').map(([rule, at]) => `${rule} ${at}`);

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
