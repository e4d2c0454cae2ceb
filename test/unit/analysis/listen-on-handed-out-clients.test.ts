// A postgres.js client a function of another module makes and hands out (`export async function openFeed() { const
// feed = postgres(url, { max: 1 }); …; return feed }`), held by the caller in a const or in a `let` filled later
// (`let feed = null; … feed = await openFeed()`): its listen(channel, fn) sends LISTEN on that client's connection.
// A client the function makes from a direct URL or from libpq's PG* variables alone (no URL, no host: each process's
// environment decides), a `let` that may also hold something else, or a function returning something other than a
// client, gets no finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('handed-out-listen', { after });
before(() => initAnalysis());

function rulesOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).filter((f) => f.rule === 'listen').map((f) => ruleLine(text, f));
}

before(() => {
  repo.write('board/package.json', '{"name": "board"}');
  repo.write('board/src/feeds.ts', [
    "import postgres, { type Sql } from 'postgres';",
    'export async function openFeed(): Promise<Sql> {',
    '  const url = process.env.DATABASE_URL;',
    "  if (!url) throw new Error('DATABASE_URL is not set');",
    '  const feed = postgres(url, { max: 1, prepare: false });',
    '  return feed;',
    '}',
    'export function openDirectFeed(): Sql {',
    '  const feed = postgres(process.env.DIRECT_URL!, { max: 1, prepare: false });',
    '  return feed;',
    '}',
    'export const openEnvFeed = () => postgres({ onnotice: () => undefined });',
    'export function feedName(): string {',
    "  const name = 'scores';",
    '  return name;',
    '}',
  ]);
});

test('listen() on a client a function of the project makes and returns, held in a const or a let filled later', () => {
  assert.deepEqual(rulesOf('board/src/scores.ts', [
    "import { openFeed } from './feeds';",
    'export async function follow(channel: string, push: (p: string) => void) {',
    '  const feed = await openFeed();',
    '  await feed.listen(channel, push);',
    '}',
    'export async function stream(channel: string, push: (p: string) => void) {',
    '  let feed: Awaited<ReturnType<typeof openFeed>> | null = null;',
    '  try {',
    '    feed = await openFeed();',
    '  } catch {',
    '    return;',
    '  }',
    '  await feed.listen(channel, push);',
    '}',
  ]), ['listen 4', 'listen 13']);
});

test('a direct-URL client, a let that may hold another object, or a value that is no client is not flagged', () => {
  assert.deepEqual(rulesOf('board/src/quiet.ts', [
    "import { openDirectFeed, openEnvFeed, openFeed, feedName } from './feeds';",
    "import { EventEmitter } from 'node:events';",
    'export async function direct(channel: string, push: (p: string) => void) {',
    '  let feed = null;',
    '  feed = openDirectFeed();',
    '  await feed.listen(channel, push);',
    '}',
    'export async function either(channel: string, push: (p: string) => void, local: boolean) {',
    '  let feed: any = null;',
    '  if (local) feed = new EventEmitter();',
    '  else feed = await openFeed();',
    '  await feed.listen(channel, push);',
    '}',
    // Made from libpq's PG* variables alone: each process's environment decides where (a worker may reach the server itself).
    'export async function fromEnvironment(push: (p: string) => void) {',
    '  const feed = openEnvFeed();',
    "  await feed.listen('scores', push);",
    '}',
    'export async function named(push: (p: string) => void) {',
    '  const name: any = feedName();',
    "  await name.listen('scores', push);",
    '}',
  ]), []);
});
