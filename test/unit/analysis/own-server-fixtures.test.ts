// vitest fixtures (`it.extend({ url: async ({}, use) => { …; await use(value) } })`) that hand a test, or another
// fixture, the connection string of a server the suite started itself (a Testcontainers container), defined in the
// test file or in a module of the repository it imports (a workspace package, through its index's re-exports); and
// values declared with a type of such a module (`let container: StartedPostgreSqlContainer`). A client made from
// them reaches that server directly: no prepared-statement finding. A fixture that hands over the environment's URL,
// one whose `use` is handed on, a fixture name nobody defines, and a module naming a pooler keep the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('own-server-fixtures', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

/** The shared package's fixture: `handed` is what it passes to `use`. */
const containers = (handed: string, extra: string[] = []) => [
  "import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';",
  "import { beforeAll } from 'vitest';",
  "import { lockedStart } from './lock';",
  ...extra,
  'export const withDatabase = (api) => {',
  '  let container: StartedPostgreSqlContainer;',
  "  beforeAll(async () => { container = await lockedStart(() => new PostgreSqlContainer('postgres:17').start()); });",
  '  return api.extend({',
  '    databaseUrl: [',
  '      async ({}, use) => {',
  `        await use(${handed});`,
  '      },',
  "      { scope: 'worker' },",
  '    ],',
  '  });',
  '};',
];

const TEST = [
  "import postgres from 'postgres';",
  "import { it as base } from 'vitest';",
  "import { withDatabase } from '@acme/containers';",
  'const it = withDatabase(base).extend({',
  '  sql: async ({ databaseUrl }, use) => {',
  '    const sql = postgres(databaseUrl, { max: 10 });',
  '    await use(sql);',
  '    await sql.end();',
  '  },',
  '});',
  "it('reads', async ({ sql }) => { await sql`SELECT 1`; });",
];

/** A workspace whose package `@acme/containers` (index re-exporting ./postgres) holds the fixture, and a test using it. */
function workspace(name: string, fixtureText: string[], testText: string[] = TEST): string {
  repo.write(`${name}/pnpm-workspace.yaml`, "packages:\n  - 'packages/*'\n");
  repo.write(`${name}/package.json`, `{"name": "${name}"}`);
  repo.write(`${name}/packages/containers/package.json`, '{"name": "@acme/containers", "exports": {".": "./src/index.ts"}}');
  repo.write(`${name}/packages/containers/src/index.ts`, ["export { withDatabase } from './postgres';"]);
  repo.write(`${name}/packages/containers/src/lock.ts`, ['export async function lockedStart(start) { return start(); }']);
  repo.write(`${name}/packages/containers/src/postgres.ts`, fixtureText);
  repo.write(`${name}/packages/queue/package.json`, '{"name": "@acme/queue"}');
  return repo.write(`${name}/packages/queue/src/queue.spec.ts`, testText);
}

test("a client made from a fixture that hands over the suite's own container's URL gets no prepared-statement finding", () => {
  assert.deepEqual(findingsOf(workspace('passes', containers("container.getConnectionUri().replace('postgres', 'worker_1')"))), []);
});

test('the same with the fixture written in the test file itself, as a plain function, renamed where it is asked for', () => {
  const file = workspace('local', containers('container.getConnectionUri()'), [
    "import postgres from 'postgres';",
    "import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';",
    "import { test as base } from 'vitest';",
    'let container: StartedPostgreSqlContainer | undefined;',
    'const test = base.extend({',
    '  url: async ({}, use) => use(container!.getConnectionUri()),',
    '  sql: async ({ url: connectionString }, use) => {',
    '    const sql = postgres(connectionString);',
    '    await use(sql);',
    '  },',
    '});',
    "test('reads', async ({ sql }) => { await sql`SELECT 1`; });",
  ]);
  assert.deepEqual(findingsOf(file), []);
});

test("a fixture handing over the environment's URL keeps the finding", () => {
  assert.deepEqual(findingsOf(workspace('environment', containers('process.env.DATABASE_URL'))), ['protocol-prepared-statement postgres']);
});

test('a fixture that hands its use on, a fixture nobody defines, and a module naming a pooler keep the finding', () => {
  const handedOn = workspace('handed', containers('container.getConnectionUri()').map((line) => line.replace(
    `await use(container.getConnectionUri());`, 'await other(use);')));
  assert.deepEqual(findingsOf(handedOn), ['protocol-prepared-statement postgres']);
  const undefinedFixture = workspace('undefined', containers('container.getConnectionUri()'), TEST.map((line) => line.replaceAll('databaseUrl', 'otherUrl')));
  assert.deepEqual(findingsOf(undefinedFixture), ['protocol-prepared-statement postgres']);
  const pooler = workspace('pooler', containers('container.getConnectionUri()', ['// a PgBouncer runs in front in CI']));
  assert.deepEqual(findingsOf(pooler), ['protocol-prepared-statement postgres']);
});

test('a variable declared with a type of a module starting its own server is that server, however it is filled in', () => {
  const file = repo.write('typed/tests/db.test.ts', [
    "import postgres from 'postgres';",
    "import type { StartedPostgreSqlContainer } from '@testcontainers/postgresql';",
    "import { startShared } from './shared';",
    'let container: StartedPostgreSqlContainer;',
    'let sql;',
    'beforeAll(async () => { container = await startShared(); sql = postgres(container.getConnectionUri(), { max: 10 }); });',
    "it('reads', async () => { await sql`SELECT 1`; });",
    // The same text in a second test: the one-shot reading (postgresJsOneShot.ts) does not apply, only the own server's.
    "it('reads again', async () => { await sql`SELECT 1`; });",
  ]);
  assert.deepEqual(findingsOf(file), []);
  const untyped = repo.write('untyped/tests/db.test.ts', readFileSync(file, 'utf8').replace(': StartedPostgreSqlContainer', ': { getConnectionUri(): string }'));
  assert.deepEqual(findingsOf(untyped), ['protocol-prepared-statement postgres']);
});

/** A helper that starts the container through a local function and returns an object built from it, re-exported by name. */
const acquiring = (connectionString: string) => [
  "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
  "import { Client } from 'pg';",
  'const startContainer = async (image) => new PostgreSqlContainer(image).start();',
  'export const acquireDatabase = async (image, name, other) => {',
  '  const container = await startContainer(image);',
  '  const baseUri = container.getConnectionUri();',
  '  const withAdmin = async (fn) => { const client = new Client({ connectionString: baseUri }); await client.connect(); await fn(client); await client.end(); };',
  '  await withAdmin(async (client) => { await client.query(`CREATE DATABASE "${name}"`); });',
  `  return { connectionString: ${connectionString}, [Symbol.asyncDispose]: async () => { await withAdmin(async (c) => { await c.query('DROP DATABASE x'); }); } };`,
  '};',
];

const ACQUIRING_TEST = [
  "import postgres from 'postgres';",
  "import { acquireDatabase } from '@acme/containers';",
  "test('conforms', async () => {",
  "  await using db = await acquireDatabase('postgres:18', 'one');",
  '  await runConformance(async () => {',
  '    const sql = postgres(db.connectionString, { max: 10 });',
  '    return { sql };',
  '  });',
  '});',
];

test('a helper returning an object built from the container a local function of its file starts, re-exported by name, counts', () => {
  const file = workspace('acquire', containers('container.getConnectionUri()'), ACQUIRING_TEST);
  repo.write('acquire/packages/containers/src/index.ts', ["export { withDatabase } from './postgres';", "export { acquireDatabase } from './acquire';"]);
  repo.write('acquire/packages/containers/src/acquire.ts', acquiring("baseUri.replace('postgres', name)"));
  assert.deepEqual(findingsOf(file), []);
  const other = workspace('acquire-other', containers('container.getConnectionUri()'), ACQUIRING_TEST);
  repo.write('acquire-other/packages/containers/src/index.ts', ["export { withDatabase } from './postgres';", "export { acquireDatabase } from './acquire';"]);
  repo.write('acquire-other/packages/containers/src/acquire.ts', acquiring('other'));
  assert.deepEqual(findingsOf(other), ['protocol-prepared-statement postgres']);
});
