// A module keeps its listener connection in a `let` that starts empty and that a start-up function fills in
// (`let listener = null; … listener = postgres(url)`), the URL often held in a local first
// (`const url = process.env.DIRECT_URL ?? process.env.DATABASE_URL`). Every value the variable is given decides:
// all of them direct connections, nothing the pooler sees; one on the pooled URL, or the fallback preferred over
// the direct URL, keeps the finding.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

// The direct-URL test needs a file name (it may look at the project around it); none of these files exist.
const found = (text: string) => embeddedFindings(text, '/nowhere/fix/feed.ts').map(([rule, at]) => `${rule} ${at}`);

const postgresJsFeed = (url: string) => [
  "import postgres from 'postgres';",
  'let feed: postgres.Sql | null = null;',
  'export async function openFeed(onEvent: (payload: string) => void) {',
  '  if (feed) return;',
  `  const url = ${url};`,
  '  if (!url) return;',
  '  feed = postgres(url, { max: 1, prepare: false });',
  "  await feed.listen('stock_changed', onEvent);",
  '}',
  'export async function closeFeed() {',
  '  await feed?.end();',
  '  feed = null;',
  '}',
].join('\n');

test('a module-level postgres.js client filled in later from a direct URL (preferred with ?? or ||) may listen', () => {
  assert.deepEqual(found(postgresJsFeed('process.env.DIRECT_URL ?? process.env.DATABASE_URL')), []);
  assert.deepEqual(found(postgresJsFeed('process.env.DATABASE_URL_UNPOOLED || process.env.DATABASE_URL')), []);
  assert.deepEqual(found(postgresJsFeed("process.env.NODE_ENV === 'test' ? process.env.TEST_DIRECT_URL : process.env.DIRECT_URL")), []);
});

test('filled in from the pooled URL, or with the fallback first, the module-level client keeps its finding', () => {
  const listen = "listen feed.listen('stock_changed', onEvent)";
  assert.deepEqual(found(postgresJsFeed('process.env.DATABASE_URL')), [listen]);
  assert.deepEqual(found(postgresJsFeed('process.env.DATABASE_URL ?? process.env.DIRECT_URL')), [listen]);
  assert.deepEqual(found(postgresJsFeed("process.env.CI ? process.env.DATABASE_URL : process.env.DIRECT_URL")), [listen]);
});

const pgRelay = (second: string) => [
  "import pg from 'pg';",
  'let relay: pg.Client | undefined;',
  'let relayUrl: string | undefined;',
  'export async function startRelay() {',
  '  relayUrl = process.env.NON_POOLING_DATABASE_URL;',
  '  relay = new pg.Client({ connectionString: relayUrl });',
  '  await relay.connect();',
  "  await relay.query('LISTEN shipments');",
  '}',
  'export async function restartRelay() {',
  `  relay = ${second};`,
  '  await relay.connect();',
  '}',
].join('\n');

test('a pg Client held in a module-level let counts when every assignment makes a direct connection', () => {
  assert.deepEqual(found(pgRelay('new pg.Client(process.env.NON_POOLING_DATABASE_URL)')), []);
  assert.deepEqual(found(pgRelay('new pg.Client({ connectionString: relayUrl })')), []);
});

test('one assignment of another connection to the module-level let keeps the LISTEN finding', () => {
  assert.deepEqual(found(pgRelay('new pg.Client(process.env.DATABASE_URL)')), ['listen LISTEN shipments']);
  assert.deepEqual(found(pgRelay('await sharedPool.connect()')), ['listen LISTEN shipments']);
});
