// A suite's fixture written as classes: a test helper module exports a class whose static factory starts a
// Testcontainers PostgreSQL (or takes the CI service's URL) and keeps the URL in a sealed field, and another class
// made from that URL for each scratch database (queries run in loops: a statement sent once is no hazard). A test reads the URL off an instance (`(await cluster.branch()).url`)
// and makes its own client from it. Each field is followed to every value the class gives it — constructor
// arguments, static factory arguments, in the helper and in every file importing the class — so a client made from
// it reaches the suite's own server: no prepared-statement finding. A writable field, a construction elsewhere with
// another URL, a class handed on as a value, or a CI variable pointing at another machine keep the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('own-server-fixture-classes', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

interface Variant {
  /** How the scratch database's class declares its URL field. */
  urlField?: string;
  /** Lines added at the end of the helper module. */
  helperTail?: string[];
  /** Lines added to the test file's body. */
  testTail?: string[];
  /** The CI workflow's DATABASE_URL. */
  ciUrl?: string;
  /** A private member of the scratch database's class, which makes a type annotation naming it vouch for an instance. */
  openedField?: string;
  /** Rewrites the helper module's text. */
  rewrite?: (text: string) => string;
}

const helper = (variant: Variant) => [
  "import postgres from 'postgres';",
  "import { GenericContainer } from 'testcontainers';",
  '',
  'export class Sandbox {',
  `  ${variant.urlField ?? 'readonly url: string;'} ${variant.openedField ?? 'private readonly opened = Date.now();'}`,
  '  private constructor(url: string) {',
  '    this.url = url;',
  '  }',
  '  static async open(adminUrl: string, label: string): Promise<Sandbox> {',
  "    const admin = postgres(adminUrl, { max: 1 });",
  '    await admin.unsafe(`CREATE DATABASE ${label}`);',
  '    const url = adminUrl.replace(/\\/\\w+$/, `/${label}`);',
  '    const probe = postgres(url, { max: 1 });',
  '    for (const table of [\'jobs\', \'runs\']) await probe`SELECT count(*) FROM pg_tables WHERE tablename = ${table}`;',
  '    return new Sandbox(url);',
  '  }',
  '}',
  '',
  'export class SandboxCluster {',
  '  private readonly adminUrl: string;',
  '  private made = 0;',
  '  private constructor(adminUrl: string) {',
  '    this.adminUrl = adminUrl;',
  '  }',
  '  static async boot(): Promise<SandboxCluster> {',
  '    const fromCi = process.env.DATABASE_URL;',
  '    if (fromCi) return new SandboxCluster(fromCi);',
  "    const server = await new GenericContainer('postgres:16').withExposedPorts(5432).start();",
  '    return new SandboxCluster(`postgres://postgres:pw@${server.getHost()}:${server.getMappedPort(5432)}/postgres`);',
  '  }',
  '  async branch(): Promise<Sandbox> {',
  '    this.made++;',
  '    return Sandbox.open(this.adminUrl, `box_${this.made}`);',
  '  }',
  '}',
  ...(variant.helperTail ?? []),
];

const spec = (variant: Variant) => [
  "import postgres from 'postgres';",
  "import { SandboxCluster } from '../support/sandbox';",
  'let cluster: SandboxCluster;',
  'beforeAll(async () => { cluster = await SandboxCluster.boot(); });',
  "it('reads from its own scratch database', async () => {",
  '  const box = await cluster.branch();',
  '  const sql = postgres(box.url, { max: 4 });',
  "  for (const id of [1, 2]) await sql`SELECT * FROM jobs WHERE id = ${id}`;",
  '});',
  ...(variant.testTail ?? []),
];

/** Writes a repository with the helper, a test and a CI workflow; the findings of the helper and of the test. */
function run(name: string, variant: Variant = {}): { helper: string[]; test: string[] } {
  repo.write(`${name}/package.json`, `{"name": "${name}"}`);
  repo.mkdir(`${name}/.github`);
  repo.write(`${name}/.github/workflows/ci.yml`, [
    'jobs:',
    '  test:',
    '    services:',
    '      postgres:',
    '        image: postgres:16',
    '    steps:',
    '      - run: npm test',
    '        env:',
    `          DATABASE_URL: ${variant.ciUrl ?? 'postgres://postgres:pw@localhost:5432/postgres'}`,
  ].join('\n'));
  const helperFile = repo.write(`${name}/test/support/sandbox.ts`, (variant.rewrite ?? ((text) => text))(helper(variant).join('\n')));
  const testFile = repo.write(`${name}/test/integration/reads.test.ts`, spec(variant));
  return { helper: findingsOf(helperFile), test: findingsOf(testFile) };
}

test("a client made from a fixture class's URL field, filled from the suite's container or the CI service, gets no prepared-statement finding", () => {
  assert.deepEqual(run('sealed'), { helper: [], test: [] });
  // A constructor parameter property declared readonly is sealed too.
  const parameterProperty = (text: string) => text.replace('  private constructor(url: string) {\n    this.url = url;\n  }', '  private constructor(readonly url: string) {}');
  assert.deepEqual(run('parameter', { urlField: '', rewrite: parameterProperty }), { helper: [], test: [] });
});

test('a writable URL field, a construction elsewhere with another URL, a class with public members only, or the class handed on as a value keep the finding', () => {
  // Anyone holding the instance may point a public writable field elsewhere.
  assert.deepEqual(run('writable', { urlField: 'url: string;' }).test, ['protocol-prepared-statement 7']);
  // A static factory another file calls with a URL nothing vouches for.
  assert.deepEqual(run('elsewhere', { testTail: ["import { Sandbox } from '../support/sandbox';", "it('reads the shared one', async () => { const shared = await Sandbox.open(process.env.SHARED_URL!, 'x'); const s = postgres(shared.url, { max: 4 }); for (const id of [1, 2]) await s`SELECT ${id}`; });"] })
    .test.filter((f) => f.endsWith(' 7')), ['protocol-prepared-statement 7']);
  // With public members only, any object of that shape passes for an instance: `branch(): Promise<Sandbox>` vouches for nothing.
  assert.deepEqual(run('structural', { openedField: 'readonly opened = Date.now();' }).test, ['protocol-prepared-statement 7']);
  // Handed to a registry, the class may be constructed where this file cannot see.
  assert.deepEqual(run('handed', { helperTail: ['export const registry = [Sandbox];'] }), { helper: ['protocol-prepared-statement 13'], test: ['protocol-prepared-statement 7'] });
});

test('a CI variable pointing at another machine keeps the finding of the pool made from the fixture', () => {
  assert.deepEqual(run('remote-ci', { ciUrl: 'postgres://app:pw@db.example.com:5432/app' }).test, ['protocol-prepared-statement 7']);
});
