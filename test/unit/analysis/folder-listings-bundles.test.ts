// `poolsafe lint` keeps each folder's listing once read (index.ts's keepFolderListings), in the CLI's bundle and in the
// TS/JS analysis's (dist/embedded.js), which has its own copy of folderEntries.ts and is loaded after the call. Here
// the TS/JS analysis is loaded the way the CLI's bundle loads it, as a copy of its own (setEmbeddedLoader): what the
// copy lists is what the bundle would. Node's test runner gives each test file its own process, so the keeping turned
// on here touches no other file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, initAnalysis, keepFolderListings, setEmbeddedLoader } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const analysisFolder = join(__dirname, '..', '..', '..', 'server', 'analysis');

/** The TS/JS analysis with its own copy of every module of server/ it imports, as in its bundle; the shared ones stay as they were. */
function ownCopyOfEmbedded(): typeof import('../../../server/analysis/embedded') {
  const serverFolder = join(analysisFolder, '..');
  const shared = Object.keys(require.cache).filter((key) => key.startsWith(serverFolder));
  const saved = new Map(shared.map((key) => [key, require.cache[key]]));
  for (const key of shared) delete require.cache[key];
  try {
    return require(join(analysisFolder, 'embedded')) as typeof import('../../../server/analysis/embedded');
  } finally {
    for (const key of Object.keys(require.cache)) if (key.startsWith(serverFolder)) delete require.cache[key];
    for (const [key, module] of saved) require.cache[key] = module;
  }
}

const repo = scratchRepository('listings-bundles', { after });

test("a one-shot lint keeps the TS/JS analysis's folder listings too: a repository created under it after its first file is not looked for again", async (t) => {
  await initAnalysis();
  // The CLI's order (cli/lintFile.ts prepareLintRun): the loader, then the keeping, then the first TS/JS file loads the analysis.
  setEmbeddedLoader(ownCopyOfEmbedded);
  keepFolderListings();

  // A test runner's configuration at the repository's root names a file of `app/support/` for its global setup.
  repo.mkdir('.git');
  repo.write('playwright.config.ts', ["import { defineConfig } from '@playwright/test';", "export default defineConfig({ globalSetup: './app/support/purge-carts' });"]);
  const lines = ["import postgres from 'postgres';", 'export default async function purge() {', '  const sql = postgres(process.env.SHOP_DB_URL!, { max: 1 });', "  await sql`select set_config('shop.tenant', ${'demo'}, false)`;", '}'];
  const named = repo.write('app/support/purge-carts.ts', lines);
  const findingsOf = (file: string): string[] => analyze(readFileSync(file, 'utf8'), 'typescript', {}, file).map((f) => f.rule);

  const fs = require('node:fs') as typeof import('node:fs');
  const listed: string[] = [];
  const original = fs.readdirSync;
  t.mock.method(fs, 'readdirSync', function (this: unknown, ...args: Parameters<typeof fs.readdirSync>) {
    listed.push(String(args[0]));
    return original.apply(this, args as never);
  });

  assert.deepEqual(findingsOf(named), [], 'the setup file the configuration names is test code');
  // Were `app/` read afresh, it would now be a repository of its own, whose files the root's configuration does not name.
  repo.mkdir('app/.git');
  assert.deepEqual(findingsOf(named), []);
  assert.deepEqual(findingsOf(repo.write('app/support/purge-orders.ts', lines)), ['session-set'], 'a file the configuration does not name is the application\'s');
  assert.equal(listed.filter((folder) => folder === repo.path('app')).length, 1, 'app/ is listed once for the three analyses');
});

test("the TS/JS analysis's copy keeps its listings in the CLI bundle's store: a folder the bundle listed is not listed again", (t) => {
  // Turned on and loaded as the CLI does, by the test above (its own copy of folderEntries.ts, setEmbeddedLoader).
  const { folderEntries } = require('../../../server/analysis/folderEntries') as typeof import('../../../server/analysis/folderEntries');
  const lines = ["import postgres from 'postgres';", 'export async function tag(db: string) {', '  const sql = postgres(db);', "  await sql`select set_config('shop.tenant', ${'demo'}, false)`;", '}'];
  const first = repo.write('billing/jobs/tag.ts', lines);
  const second = repo.write('ledger/jobs/tag.ts', lines);
  const fs = require('node:fs') as typeof import('node:fs');
  const listed: string[] = [];
  const original = fs.readdirSync;
  t.mock.method(fs, 'readdirSync', function (this: unknown, ...args: Parameters<typeof fs.readdirSync>) {
    listed.push(String(args[0]));
    return original.apply(this, args as never);
  });
  const findingsOf = (file: string): string[] => analyze(readFileSync(file, 'utf8'), 'typescript', {}, file).map((f) => f.rule);

  assert.deepEqual(findingsOf(first), ['session-set']);
  assert.ok(listed.includes(repo.path('billing', 'jobs')), "the TS/JS analysis lists a file's folder");
  // The bundle's copy lists the twin folder first (as the CLI's walk keeps what it read): the analysis reads it from there.
  folderEntries(repo.path('ledger', 'jobs'));
  listed.length = 0;
  assert.deepEqual(findingsOf(second), ['session-set']);
  assert.ok(!listed.includes(repo.path('ledger', 'jobs')), `listed again: ${listed.join(', ')}`);
});
