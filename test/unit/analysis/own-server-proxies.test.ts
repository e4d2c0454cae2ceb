// Session 50 (fix60c): a JavaScript `Proxy` whose handler the project writes (an object literal of traps, or a name or
// call of the project's own) forwards to its target, and the target's connection is the server it sends on, whatever
// the traps check first. So `new Proxy(client, handler)` — written in place, or returned by a function of the project
// (a local function, an imported one, a class's static method) that is given the client as a parameter — is read as
// the client by the readings that follow a client through a wrapper returning its argument: a test's local database
// (ownServerClients.ts) stays silent through such a guard, and a pool on the application's URL keeps its findings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('own-server-proxies', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

/** A module of the project that hands back what it is given inside a Proxy that checks each query's text first. */
const guardModule = [
  "import type { Client, Pool } from 'pg';",
  'const checked = (text: unknown) => { if (String(text).includes(\'LOAD\')) throw new Error(\'refused\'); };',
  'export class QueryGuard {',
  '  static around(db: Client): Client;',
  '  static around(db: Pool): Pool;',
  '  static around(db: Client | Pool, strict = true) {',
  '    return new Proxy(db, {',
  '      get(inner, key) {',
  "        if (key !== 'query') return (inner as any)[key];",
  '        return (text: unknown, ...rest: unknown[]) => { if (strict) checked(text); return (inner as any).query(text, ...rest); };',
  '      },',
  '    });',
  '  }',
  '}',
  'export function guarded<T extends object>(db: T): T {',
  '  return new Proxy(db, { get: (inner, key) => Reflect.get(inner, key) });',
  '}',
];

/** A test that sends a temp table and a session SET on `wrapped` of a single Client of the suite's local database. */
const clientTest = (imports: string[], wrapped: string, host = "process.env.POSTGRES_HOST ?? 'localhost'") => [
  "import { Client } from 'pg';",
  ...imports,
  "describe('guard', () => {",
  `  const plain = new Client({ host: ${host}, port: 5432, database: 'app_test' });`,
  `  const db = ${wrapped};`,
  '  beforeAll(() => db.connect());',
  "  it('lets the statements through', async () => {",
  "    await db.query('CREATE TEMP TABLE scratch (id int)');",
  "    await db.query(\"SET statement_timeout = '5s'\");",
  '  });',
  '});',
];

test("a Proxy around a test's local client — in place, from a project class's static method, an imported or a local function — gets no finding", () => {
  repo.write('guard/package.json', '{"name": "guard"}');
  repo.write('guard/src/guard.ts', guardModule);
  repo.write('guard/src/index.ts', "export * from './guard';");
  const inPlace = repo.write('guard/test/in-place.test.ts',
    clientTest([], 'new Proxy(plain, { get(inner, key) { return Reflect.get(inner, key); } })'));
  assert.deepEqual(findingsOf(inPlace), []);
  const staticMethod = repo.write('guard/test/static.test.ts', clientTest(["import { QueryGuard } from '../src/index';"], 'QueryGuard.around(plain, false)'));
  assert.deepEqual(findingsOf(staticMethod), []);
  const imported = repo.write('guard/test/imported.test.ts', clientTest(["import { guarded } from '../src/guard';"], 'guarded(plain)'));
  assert.deepEqual(findingsOf(imported), []);
  const local = repo.write('guard/test/local.test.ts',
    clientTest(['const traps = { get: (inner: any, key: string | symbol) => inner[key] };', 'const keep = (c: Client) => new Proxy(c, traps);'], 'keep(plain)'));
  assert.deepEqual(findingsOf(local), []);
});

test('a Proxy around a remote test client, around a pool on the application URL, or with a handler from a package keeps the findings', () => {
  repo.write('kept/package.json', '{"name": "kept"}');
  repo.write('kept/src/guard.ts', guardModule);
  // The same guard around a client of another machine: the target's server is not the suite's own.
  const remote = repo.write('kept/test/remote.test.ts',
    clientTest(["import { QueryGuard } from '../src/guard';"], 'QueryGuard.around(plain)', "'db.staging.example.com'"));
  assert.deepEqual(findingsOf(remote), ['temp-table 8', 'session-set 9']);
  // A handler a package supplies may send elsewhere: not read.
  const foreign = repo.write('kept/test/foreign.test.ts', clientTest(["import { tracingHandler } from 'some-tracer';"], 'new Proxy(plain, tracingHandler)'));
  assert.deepEqual(findingsOf(foreign), ['temp-table 8', 'session-set 9']);
  // A wrapper that returns a Proxy of something other than its parameter is not its argument.
  const other = repo.write('kept/test/other.test.ts',
    clientTest(["const spare = new Client({ host: 'db.staging.example.com' });", 'const swap = (c: Client) => new Proxy(spare, {});'], 'swap(plain)'));
  assert.deepEqual(findingsOf(other), ['temp-table 9', 'session-set 10']);
  // The application's pool, through the same guard: a pool keeps its session findings (and is no test's database).
  const app = repo.write('kept/src/jobs.ts', [
    "import { Pool } from 'pg';",
    "import { QueryGuard } from './guard';",
    'const pool = QueryGuard.around(new Pool({ connectionString: process.env.DATABASE_URL }));',
    'export async function rebuild() {',
    "  await pool.query('CREATE TEMP TABLE staging_rows (id int)');",
    "  await pool.query(\"SET statement_timeout = '5s'\");",
    '}',
  ]);
  assert.deepEqual(findingsOf(app), ['temp-table 5', 'session-set 6']);
});
