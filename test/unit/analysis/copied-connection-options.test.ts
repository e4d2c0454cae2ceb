// A test's options object copied with a spread (`postgres({ ...params })`, `{ ...params, max: 2 }`) connects where the
// copied object says: a copy of the suite's own server's options reaches that server as the object itself does, so
// the copy's client keeps no finding the original's has not. A host beside the spread overrides the copy's, and a
// copy of options that reach a pooler keeps the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('copied-connection-options', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

/** A suite helper that starts a PostgreSQL container on a free port of this machine and returns how to reach it. */
const HELPER = [
  "import Docker from 'dockerode';",
  'export async function startDatabase() {',
  '  const docker = new Docker();',
  '  const port = 55432;',
  "  const container = await docker.createContainer({ Image: 'postgres:17', HostConfig: { PortBindings: { '5432/tcp': [{ HostPort: `${port}` }] } } });",
  '  await container.start();',
  "  return { container, options: { host: 'localhost', port, user: 'postgres', password: 'postgres', database: 'postgres' } };",
  '}',
];

/** A suite that keeps the helper's options in a `let` and makes a client per test from them as `made`. */
const suite = (made: string) => [
  "import postgres from 'postgres';",
  "import { beforeAll, test } from 'vitest';",
  "import { startDatabase } from './helper';",
  'let options: Record<string, unknown>;',
  'beforeAll(async () => {',
  '  const started = await startDatabase();',
  '  options = started.options;',
  '});',
  "test('reads', async () => {",
  `  const client = ${made};`,
  '  for (const id of [1, 2, 3]) await client`select * from items where id = ${id}`;',
  '  await client.end();',
  '});',
];

function writeProject(): void {
  repo.write('package.json', '{ "name": "app", "dependencies": { "postgres": "^3.4.0" }, "devDependencies": { "dockerode": "^4.0.0", "vitest": "^2.0.0" } }');
  repo.write('tests/helper.ts', HELPER);
}

test('a copy of the suite server\'s options (a spread alone, or with tuning options) reaches that server as the options do', () => {
  writeProject();
  const direct = findingsOf('tests/direct.test.ts', suite('postgres(options)'));
  assert.deepEqual(direct, []);
  assert.deepEqual(findingsOf('tests/copy.test.ts', suite('postgres({ ...options })')), direct);
  assert.deepEqual(findingsOf('tests/tuned.test.ts', suite('postgres({ ...options, max: 2 })')), direct);
});

test('a copy whose host is overridden, or a copy of options reaching a pooler, keeps its finding', () => {
  writeProject();
  assert.deepEqual(findingsOf('tests/moved.test.ts', suite("postgres({ ...options, host: process.env.PGBOUNCER_HOST, max: 2 })")),
    ['protocol-prepared-statement postgres']);
  assert.deepEqual(findingsOf('tests/pooled.test.ts', suite("postgres({ ...{ host: 'db.pooler.example.com', port: 6543 }, max: 2 })")),
    ['protocol-prepared-statement postgres']);
});
