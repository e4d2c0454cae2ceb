// A test hands a callback to a function of a shared test package of its repository (a suite every adapter runs:
// `runSuite({ openClient: (setup) => postgres(setup.container.getConnectionUri()) })`), and that function calls the
// callback with the database it started itself (a Testcontainers container). The client the callback makes reaches
// that server directly: no transaction pooler is between. Every call of the callback in the suite must pass such a
// value; a call with the environment's URL, the callback handed on where the analysis cannot follow it, a suite that
// never calls it, or a suite file naming a pooler keeps the finding. The files are written to a temporary
// repository, as the analysis reads the suite's files from disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('own-server-callbacks', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

const CONTAINER = [
  "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
  'export async function startServer() {',
  "  const container = await new PostgreSqlContainer('postgres:17').start();",
  '  return { container, url: container.getConnectionUri() };',
  '}',
];

/** The shared suite: `call` is how it calls the test's callback (`ctx.openClient(server)`). */
const suite = (call: string, extra: string[] = []) => [
  "import { beforeAll, describe, it } from 'vitest';",
  "import { startServer } from './server';",
  ...extra,
  'export function runSuite(ctx) {',
  "  describe('queue', () => {",
  '    let server;',
  '    let client;',
  '    beforeAll(async () => {',
  '      server = await startServer();',
  `      client = ${call};`,
  '    });',
  "    it('runs', async () => { await ctx.check(client); });",
  '  });',
  '}',
];

/** A workspace whose package `@acme/suite` holds the container helper and the suite, and an adapter's test using it. */
function workspace(name: string, suiteText: string[], testText: string[]): string {
  repo.write(`${name}/pnpm-workspace.yaml`, "packages:\n  - 'packages/*'\n");
  repo.write(`${name}/package.json`, `{"name": "${name}"}`);
  repo.write(`${name}/packages/suite/package.json`, '{"name": "@acme/suite", "exports": {"./*": "./src/*.ts"}}');
  repo.write(`${name}/packages/suite/src/server.ts`, CONTAINER);
  repo.write(`${name}/packages/suite/src/run.ts`, suiteText);
  repo.write(`${name}/packages/adapter/package.json`, '{"name": "@acme/adapter"}');
  return repo.write(`${name}/packages/adapter/tests/queue.test.ts`, testText);
}

const ADAPTER_TEST = [
  "import postgres from 'postgres';",
  "import { runSuite } from '@acme/suite/run';",
  'runSuite({',
  '  openClient: (setup) => {',
  '    const sql = postgres(setup.container.getConnectionUri(), { max: 10 });',
  '    return sql;',
  '  },',
  '  check: async (sql) => { await sql`SELECT 1`; },',
  '});',
];

test("a client a test's callback makes from what the shared suite's own container gives it gets no prepared-statement finding", () => {
  const file = workspace('passes', suite('ctx.openClient(server)'), ADAPTER_TEST);
  assert.deepEqual(findingsOf(file), []);
});

test('the same through a method of the object, a destructured callback, and a callback given directly', () => {
  const method = workspace('method', suite('ctx.openClient(server)'), [
    "import postgres from 'postgres';",
    "import { runSuite } from '@acme/suite/run';",
    'runSuite({',
    '  openClient(setup) { return postgres(setup.url); },',
    '  check: async () => {},',
    '});',
  ]);
  assert.deepEqual(findingsOf(method), []);
  const destructured = workspace('destructured', suite('openClient(server)').map((line) => line.replace('runSuite(ctx)', 'runSuite({ openClient, check })')
    .replace('ctx.check(client)', 'check(client)')), ADAPTER_TEST);
  assert.deepEqual(findingsOf(destructured), []);
  const direct = workspace('direct', suite('ctx(server)').map((line) => line.replace('await ctx.check(client)', 'void client')), [
    "import { Client } from 'pg';",
    "import { runSuite } from '@acme/suite/run';",
    'runSuite(async (setup) => {',
    '  const client = new Client({ connectionString: setup.url });',
    "  await client.query('SET ROLE tester');",
    '  return client;',
    '});',
  ]);
  assert.deepEqual(findingsOf(direct), []);
});

test('a suite that calls the callback once with the environment\'s URL keeps the finding', () => {
  const file = workspace('environment', suite('ctx.openClient(server)', []).map((line) => line.replace("it('runs'",
    "it('remote', () => ctx.openClient({ container: { getConnectionUri: () => process.env.DATABASE_URL } }));\n    it('runs'")), ADAPTER_TEST);
  assert.deepEqual(findingsOf(file), ['protocol-prepared-statement postgres']);
  // Without that call, the same suite fills the callback only with its own server's.
  assert.deepEqual(findingsOf(workspace('environment-control', suite('ctx.openClient(server)'), ADAPTER_TEST)), []);
});

test('a callback the suite hands on, a suite that never calls it, or one that names a pooler keeps the finding', () => {
  const handedOn = workspace('handed', suite('remember(ctx.openClient)(server)', ['const remember = (f) => f;']), ADAPTER_TEST);
  assert.deepEqual(findingsOf(handedOn), ['protocol-prepared-statement postgres']);
  const whole = workspace('whole', suite('ctx.openClient(server)').map((line) => line.replace("it('runs'", "it('other', () => elsewhere(ctx));\n    it('runs'")), ADAPTER_TEST);
  assert.deepEqual(findingsOf(whole), ['protocol-prepared-statement postgres']);
  const never = workspace('never', suite('server'), ADAPTER_TEST);
  assert.deepEqual(findingsOf(never), ['protocol-prepared-statement postgres']);
  const pooled = workspace('pooled', suite('ctx.openClient(server)', ['// runs behind pgbouncer in CI']), ADAPTER_TEST);
  assert.deepEqual(findingsOf(pooled), ['protocol-prepared-statement postgres']);
  // The same suite calling it directly with its server, naming no pooler: no finding.
  assert.deepEqual(findingsOf(workspace('called', suite('ctx.openClient(server)'), ADAPTER_TEST)), []);
});

test('a callback given to a function of a package outside the workspace keeps the finding', () => {
  repo.write('outside/package.json', '{"name": "outside"}');
  const file = repo.write('outside/tests/queue.test.ts', ADAPTER_TEST.map((line) => line.replace('@acme/suite/run', 'some-published-suite')));
  assert.deepEqual(findingsOf(file), ['protocol-prepared-statement postgres']);
  // The same test importing the workspace's own suite: no finding.
  assert.deepEqual(findingsOf(workspace('inside', suite('ctx.openClient(server)'), ADAPTER_TEST)), []);
});
