// Containers a suite starts with testcontainers' own GenericContainer, directly or through a class of the repository
// extending it (`class PostgresAlpineContainer extends GenericContainer`), and several started at once (`const [main,
// branch] = await Promise.all([new C(image).start(), new C(image).start()])`): a client made from their connection
// URI reaches that container directly, so its prepared statements get no finding. A file naming a pooler (a PgBouncer
// image), a class extending something else, and an array element that is not such a container keep the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('own-server-generic-containers', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

const containerClass = (base: string, extra: string[] = []) => [
  `import { ${base}, AbstractStartedContainer } from '${base === 'GenericContainer' ? 'testcontainers' : './base'}';`,
  ...extra,
  `export class AlpineContainer extends ${base} {`,
  "  constructor(image: string) { super(image); this.withExposedPorts(5432); }",
  '  public override async start() { return new StartedAlpineContainer(await super.start()); }',
  '}',
  'export class StartedAlpineContainer extends AbstractStartedContainer {',
  "  getConnectionUri() { return `postgres://postgres:postgres@${this.getHost()}:${this.getMappedPort(5432)}/postgres`; }",
  '}',
];

const TEST = [
  "import postgres from 'postgres';",
  "import { AlpineContainer } from './alpine';",
  'let main;',
  'let branch;',
  'beforeAll(async () => {',
  "  const [containerMain, containerBranch] = await Promise.all([new AlpineContainer('postgres:17-alpine').start(), new AlpineContainer('postgres:17-alpine').start()]);",
  '  main = postgres(containerMain.getConnectionUri(), { max: 10 });',
  '  branch = postgres(containerBranch.getConnectionUri(), { max: 10 });',
  '});',
  "it('diffs', async () => { await main`SELECT 1`; await branch`SELECT 1`; });",
  // The same texts in a second test: the one-shot reading (postgresJsOneShot.ts) does not apply, only the own server's.
  "it('diffs again', async () => { await main`SELECT 1`; await branch`SELECT 1`; });",
];

test("clients of containers a repository class extending GenericContainer starts, two at once, get no prepared-statement finding", () => {
  repo.write('subclass/tests/alpine.ts', containerClass('GenericContainer'));
  assert.deepEqual(findingsOf(repo.write('subclass/tests/diff.test.ts', TEST)), []);
});

test('a GenericContainer started in the test file itself, and a class of the file extending it, count too', () => {
  const file = repo.write('direct/tests/diff.test.ts', [
    "import postgres from 'postgres';",
    "import { GenericContainer } from 'testcontainers';",
    'class Pg extends GenericContainer {}',
    'let sql;',
    'let other;',
    'beforeAll(async () => {',
    "  const container = await new GenericContainer('postgres:17').withExposedPorts(5432).start();",
    '  sql = postgres(`postgres://postgres:pw@${container.getHost()}:${container.getMappedPort(5432)}/postgres`, { max: 10 });',
    "  const started = await new Pg('postgres:16').start();",
    '  other = postgres(`postgres://postgres:pw@${started.getHost()}:5432/postgres`, { max: 10 });',
    '});',
    "it('reads', async () => { await sql`SELECT 1`; await other`SELECT 1`; });",
  ]);
  assert.deepEqual(findingsOf(file), []);
});

test('a class extending a base of another module, a file naming a pooler, and an element that is not a container keep the finding', () => {
  repo.write('other-base/tests/base.ts', ['export class GenericContainer {}', 'export class AbstractStartedContainer {}']);
  repo.write('other-base/tests/alpine.ts', containerClass('GenericContainer').map((line) => line.replace("from 'testcontainers'", "from './base'")));
  assert.deepEqual(findingsOf(repo.write('other-base/tests/diff.test.ts', TEST)), ['protocol-prepared-statement postgres', 'protocol-prepared-statement postgres']);
  repo.write('pooler/tests/alpine.ts', containerClass('GenericContainer', ["// runs edoburu/pgbouncer in front"]));
  assert.deepEqual(findingsOf(repo.write('pooler/tests/diff.test.ts', TEST)), ['protocol-prepared-statement postgres', 'protocol-prepared-statement postgres']);
  repo.write('mixed/tests/alpine.ts', containerClass('GenericContainer'));
  const mixed = repo.write('mixed/tests/diff.test.ts', TEST.map((line) => line.replace("new AlpineContainer('postgres:17-alpine').start()])", 'connectRemote()])')));
  assert.deepEqual(findingsOf(mixed), ['protocol-prepared-statement postgres']);
});

test("a class's property declared as a collection of such started containers gives what is taken out of it", () => {
  repo.write('manager/tests/alpine.ts', containerClass('GenericContainer'));
  const manager = (type: string) => [
    "import postgres from 'postgres';",
    "import { AlpineContainer, type StartedAlpineContainer } from './alpine';",
    'class Manager {',
    `  private containers: ${type} = new Map();`,
    "  async start(version: number) { this.containers.set(version, await new AlpineContainer('postgres:17').start()); }",
    '  async pair(version: number) {',
    '    const container = this.containers.get(version);',
    "    if (!container) throw new Error('not started');",
    '    const sql = postgres(container.getConnectionUri(), { max: 10 });',
    '    return { sql };',
    '  }',
    '}',
    'export const manager = new Manager();',
  ];
  assert.deepEqual(findingsOf(repo.write('manager/tests/manager.ts', manager('Map<number, StartedAlpineContainer>'))), []);
  assert.deepEqual(findingsOf(repo.write('manager/tests/untyped.ts', manager('Map<number, { getConnectionUri(): string }>'))), ['protocol-prepared-statement postgres']);
});
