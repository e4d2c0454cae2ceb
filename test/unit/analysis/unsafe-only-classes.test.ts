// A postgres.js client handed to the constructor of a class of the project that keeps it in a private or protected
// parameter property and only ever sends unsafe(text, params) through it (unprepared unless asked) prepares nothing,
// whether handed over directly or through a function of the project that makes the object.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';

before(() => initAnalysis());

/** A query object holding the client (`runner.ts`), with `field` its parameter property and `run` its method's body. */
const runnerClass = (field: string, run: string, heritage = '', member = '') => [
  "import type { Sql } from 'postgres';",
  "import { Base } from './base';",
  "import { inspect } from './inspect';",
  `export class Runner${heritage} {`,
  `  constructor(private readonly text: string, ${field}: Sql, private readonly values: unknown[] = []) {${heritage ? ' super();' : ''} }`,
  `  async run() { ${run} }`,
  ...(member ? [`  ${member}`] : []),
  '}',
  '',
].join('\n');

const BASE = 'export abstract class Base {\n  then(done: (rows: unknown[]) => void) { return this.run().then(done); }\n  abstract run(): Promise<unknown[]>;\n}\n';

/** The library's entry point (`driver.ts`): a client made from a URL, handed to a template factory that makes runners. */
const DRIVER = [
  "import postgres from 'postgres';",
  "import { Runner } from './runner';",
  'const template = (client: ReturnType<typeof postgres>) => (text: string, ...values: unknown[]) => new Runner(text, client, values);',
  'export function connect(url: string) {',
  '  const client = postgres(url);',
  '  return template(client);',
  '}',
  '',
].join('\n');

/** A helper of the project (`inspect.ts`) that tags a query on whatever client it is handed, through its bracket name. */
const INSPECT = "export function inspect(runner: any) { return runner['client']`SELECT count(*) FROM items`; }\n";

function driverRules(t: Cleanup, runner: string, base = BASE, driver = DRIVER): string[] {
  const repo = scratchRepository('unsafe-only-class', t);
  repo.writeAll({ 'package.json': '{ "name": "sql-kit" }\n', 'runner.ts': runner, 'base.ts': base, 'inspect.ts': INSPECT });
  return embeddedRules(driver, repo.write('driver.ts', driver));
}

test('a client a factory hands to a class that keeps it protected or private and only runs unsafe(text, params) on it prepares nothing', (t) => {
  assert.deepEqual(driverRules(t, runnerClass('protected readonly client', 'return this.client.unsafe(this.text, this.values as never[]);', ' extends Base')), []);
  assert.deepEqual(driverRules(t, runnerClass('private client', "const rows = await this.client.unsafe(this.text); await this.client.end(); return rows;")), []);
});

test('the client keeps its finding when the class tags a query on it, asks unsafe() to prepare, makes the field public, or destructures it out of this', (t) => {
  const tagged = runnerClass('protected readonly client', 'return this.client`SELECT * FROM items WHERE id = ${this.values[0]}`;');
  assert.deepEqual(driverRules(t, tagged), ['protocol-prepared-statement']);
  const preparing = runnerClass('private readonly client', 'return this.client.unsafe(this.text, [], { prepare: true });');
  assert.deepEqual(driverRules(t, preparing), ['protocol-prepared-statement']);
  const exposed = runnerClass('public readonly client', 'return this.client.unsafe(this.text);');
  assert.deepEqual(driverRules(t, exposed), ['protocol-prepared-statement']);
  const handedOut = runnerClass('private readonly client', 'const { client } = this; return client.unsafe(this.text);');
  assert.deepEqual(driverRules(t, handedOut), ['protocol-prepared-statement']);
});

test('the client keeps its finding when the class hands the field or the whole object out, or tags a query on another instance\'s field', (t) => {
  const unsafeRun = 'return this.client.unsafe(this.text);';
  const shapes: Record<string, string> = {
    fieldInObject: runnerClass('private readonly client', 'return inspect({ client: this.client });'),
    fieldArgument: runnerClass('private readonly client', 'return inspect(this.client);'),
    objectArgument: runnerClass('private readonly client', unsafeRun, '', 'count() { return inspect(this); }'),
    objectReturned: runnerClass('private readonly client', unsafeRun, '', 'self() { return this; }'),
    objectListed: runnerClass('private readonly client', unsafeRun, '', 'all() { return [this]; }'),
    otherInstanceTagged: runnerClass('private readonly client', unsafeRun, '', 'static first(other: Runner) { return other.client`SELECT * FROM items LIMIT 1`; }'),
    otherInstanceBracket: runnerClass('private readonly client', unsafeRun, '', "static first(other: Runner) { return other['client']`SELECT * FROM items LIMIT 1`; }"),
  };
  const found = Object.fromEntries(Object.entries(shapes).map(([shape, runner]) => [shape, driverRules(t, runner)]));
  assert.deepEqual(found, Object.fromEntries(Object.keys(shapes).map((shape) => [shape, ['protocol-prepared-statement']])));
});

test('another instance\'s field read only through unsafe(), and this read only for its members, still prepare nothing', (t) => {
  const otherInstance = runnerClass('private readonly client', 'return this.client.unsafe(this.text);', '', 'static drain(other: Runner) { return other.client.unsafe(\'DELETE FROM items\'); }');
  assert.deepEqual(driverRules(t, otherInstance), []);
  const members = runnerClass('protected readonly client', 'const rows = await this.client.unsafe(this.text, this.values as never[]); return this.values.length ? rows : [];', ' extends Base');
  assert.deepEqual(driverRules(t, members), []);
});

test('a class the driver requires (CommonJS) is read as one it imports: unsafe() only prepares nothing, a tag keeps the finding', (t) => {
  const required = DRIVER.replace("import { Runner } from './runner';", "const { Runner } = require('./runner');");
  assert.notEqual(required, DRIVER);
  assert.deepEqual(driverRules(t, runnerClass('private readonly client', 'return this.client.unsafe(this.text);'), BASE, required), []);
  assert.deepEqual(driverRules(t, runnerClass('private readonly client', 'return this.client`SELECT 1`;'), BASE, required), ['protocol-prepared-statement']);
});

test('a base class that declares a member of the field\'s name may read it: the client keeps its finding', (t) => {
  const runner = runnerClass('protected readonly client', 'return this.client.unsafe(this.text);', ' extends Base');
  const declaring = 'export abstract class Base {\n  protected abstract client: any;\n  first() { return this.client`SELECT 1`; }\n  abstract run(): Promise<unknown[]>;\n}\n';
  assert.deepEqual(driverRules(t, runner, declaring), ['protocol-prepared-statement']);
});

test('a client handed straight to such a class in its own file prepares nothing; to a class of a package it keeps its finding', () => {
  const own = [
    "import postgres from 'postgres';",
    'class Job {',
    '  constructor(private readonly db: ReturnType<typeof postgres>) {}',
    "  async run() { await this.db.unsafe('DELETE FROM jobs WHERE done'); }",
    '}',
    'const sql = postgres(process.env.DATABASE_URL!);',
    'export const nightly = new Job(sql);',
  ].join('\n');
  assert.deepEqual(embeddedRules(own, 'jobs.ts'), []);
  const packaged = [
    "import postgres from 'postgres';",
    "import { Job } from 'job-kit';",
    'const sql = postgres(process.env.DATABASE_URL!);',
    'export const nightly = new Job(sql);',
  ].join('\n');
  assert.deepEqual(embeddedRules(packaged, 'jobs.ts'), ['protocol-prepared-statement']);
});
