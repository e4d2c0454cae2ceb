// knex's `searchPath` read from a member of the project's configuration object that the configuration leaves unset
// (`schemaName: undefined as string | undefined`) and that only test code fills in: the application hands knex no path,
// so knex sends no SET. Any value the application could give the member keeps the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository, type FileText, type ScratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

let projects = 0;
/** A project of its own (package.json, a settings module, the knex wiring and any other files), written to disk. */
function project(settings: FileText, knexFile: FileText, others: Record<string, FileText> = {}): { repo: ScratchRepository; knexPath: string; text: string } {
  const repo = scratchRepository(`knex-unset-config-${++projects}`, { after });
  repo.mkdir('.git');
  repo.writeAll({ 'package.json': '{ "name": "ledger", "dependencies": { "knex": "3", "pg": "8" } }', 'src/settings/app.ts': settings, ...others });
  const text = typeof knexFile === 'string' ? knexFile : knexFile.join('\n');
  return { repo, knexPath: repo.write('src/wiring.ts', text), text };
}

const found = (text: string, file: string) => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

const settingsLeavingSchemaUnset = [
  'export const Settings = {',
  '  databaseUrl: process.env.DATABASE_URL,',
  '  schemaName: undefined as string | undefined,',
  '  logLevel: process.env.LOG_LEVEL ?? "info",',
  '}',
];

/** The dependency-container shape: the settings handed whole to the container, read back under the same name in another case. */
const containerWiring = [
  "import knex from 'knex'",
  "import { Settings } from './settings/app'",
  'export function makeContainer(settings: typeof Settings) {',
  '  const container = new Container()',
  "  container.singleton('settings', async () => settings)",
  "  container.singleton('knex', async (deps) => {",
  "    const settings = await deps.use('settings')",
  "    return knex({ client: 'postgresql', connection: settings.databaseUrl, searchPath: settings.schemaName })",
  '  })',
  '  return container',
  '}',
  'if (require.main === module) makeContainer(Settings)',
];

/** A test suite giving each run a schema of its own, as test code may. */
const suiteWithOwnSchema = [
  "import { Settings } from '../src/settings/app'",
  "import { makeContainer } from '../src/wiring'",
  "const schemaName = 'suite_schema'",
  'const container = makeContainer({ ...Settings, schemaName })',
];

test('a member the settings write as undefined, filled in by test code only, is no search path: read through a container', () => {
  // Another module's settings leaving a member of that name unset too (`null`) give it no value either.
  const otherSettings = ['export const WorkerSettings = { schemaName: null, queue: process.env.QUEUE }'];
  const { knexPath, text } = project(settingsLeavingSchemaUnset, containerWiring, { 'test/ledger.test.ts': suiteWithOwnSchema, 'src/worker/settings.ts': otherSettings });
  assert.deepEqual(found(text, knexPath), []);
});

test('the same member read from the imported object itself, also written `undefined` without a cast, is no search path', () => {
  const direct = [
    "import knex from 'knex'",
    "import { Settings } from './settings/app'",
    "export const db = knex({ client: 'pg', connection: Settings.databaseUrl, searchPath: Settings.schemaName })",
  ];
  const settings = settingsLeavingSchemaUnset.map((line) => line.replace(' as string | undefined', ''));
  const { knexPath, text } = project(settings, direct, { 'src/ledger.spec.ts': ['import { Settings } from "./settings/app"', "Settings.schemaName = 'spec_schema'"] });
  assert.deepEqual(found(text, knexPath), []);
});

test('a schema the settings write as a string or read from the environment keeps the finding', () => {
  for (const value of ["'ledger'", 'process.env.DB_SCHEMA', "process.env.DB_SCHEMA ?? 'ledger'"]) {
    const settings = settingsLeavingSchemaUnset.map((line) => line.replace('undefined as string | undefined', value));
    const { knexPath, text } = project(settings, containerWiring);
    assert.deepEqual(found(text, knexPath), ['session-set searchPath: settings.schemaName'], value);
  }
});

test('application code that gives the member a value keeps the finding: a spread copy, an assignment, a setter call', () => {
  const writers: Record<string, FileText> = {
    spread: ["import { Settings } from './settings/app'", "import { makeContainer } from './wiring'", "makeContainer({ ...Settings, schemaName: process.env.TENANT })"],
    assignment: ["import { Settings } from './settings/app'", 'Settings.schemaName = process.env.TENANT'],
    setter: ["import { set } from 'lodash'", "import { Settings } from './settings/app'", "set(Settings, 'schemaName', process.env.TENANT)"],
  };
  for (const [shape, writer] of Object.entries(writers)) {
    const { knexPath, text } = project(settingsLeavingSchemaUnset, containerWiring, { 'src/tenant.ts': writer, 'test/ledger.test.ts': suiteWithOwnSchema });
    assert.deepEqual(found(text, knexPath), ['session-set searchPath: settings.schemaName'], shape);
  }
});

test('a local of the same name in a file that never hands the settings over, or settings out of sight, keep the finding', () => {
  const notHanded = containerWiring.filter((line) => !line.startsWith('if (require.main'));
  const first = project(settingsLeavingSchemaUnset, notHanded);
  assert.deepEqual(found(first.text, first.knexPath), ['session-set searchPath: settings.schemaName']);
  // Settings from a package (not a file of the project): what it writes is not read.
  const fromPackage = containerWiring.map((line) => line.replace("'./settings/app'", "'@ledger/settings'"));
  const second = project(settingsLeavingSchemaUnset, fromPackage);
  assert.deepEqual(found(second.text, second.knexPath), ['session-set searchPath: settings.schemaName']);
  // Settings whose literal spreads in another object: the member may come from there.
  const spreadSettings = ['const base = { schemaName: process.env.DB_SCHEMA }', ...settingsLeavingSchemaUnset.map((line) => line.replace('  schemaName: undefined as string | undefined,', '  ...base,'))];
  const third = project(spreadSettings, containerWiring);
  assert.deepEqual(found(third.text, third.knexPath), ['session-set searchPath: settings.schemaName']);
});
