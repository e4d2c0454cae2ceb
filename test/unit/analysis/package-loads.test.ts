// A package loaded inside the function that uses it (`const { runner: migrate } = await import('node-pg-migrate')`)
// binds its exports as a static import does (dynamicImports.ts's packageLoadBindings, read by requiredNames): every
// reader that asks whether a name is a library's export reads it so. Only where the file declares the name nowhere else.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

const findings = (text: string, file = 'src/store/database.ts') => analyze(text, file.endsWith('.js') ? 'javascript' : 'typescript', {}, file).map((f) => ruleLine(text, f));

/** A class whose start-up method migrates on a URL built from the environment, with `load` as the line that gets the runner. */
const migratingStore = (load: string, call = 'upgrade', options = '') => [
  "import { Pool } from 'pg';",
  'export class Store {',
  '  private pool = new Pool({ connectionString: process.env.DATABASE_URL });',
  '  async start() {',
  `    ${load}`,
  `    await ${call}({ databaseUrl: process.env.DATABASE_URL, dir: 'db/migrations', direction: 'up', migrationsTable: 'schema_versions'${options} });`,
  '  }',
  '}',
].join('\n');

test("node-pg-migrate's runner destructured from a dynamic import inside a method is its runner, as after a static import", () => {
  // The static import, flagged before this reading existed: the shape the dynamic ones must match.
  const imported = migratingStore('// runner imported above').replace("import { Pool } from 'pg';", "import { Pool } from 'pg';\nimport { runner as upgrade } from 'node-pg-migrate';");
  assert.deepEqual(findings(imported), ['advisory-lock 7']);
  assert.deepEqual(findings(migratingStore("const { runner: upgrade } = await import('node-pg-migrate');")), ['advisory-lock 6']);
  assert.deepEqual(findings(migratingStore("const { runner } = await import('node-pg-migrate');", 'runner')), ['advisory-lock 6']);
  assert.deepEqual(findings(migratingStore("const { default: upgrade } = await import('node-pg-migrate');")), ['advisory-lock 6']);
  // The export read off the awaited module, and a require inside the function.
  assert.deepEqual(findings(migratingStore("const upgrade = (await import('node-pg-migrate')).default;")), ['advisory-lock 6']);
  assert.deepEqual(findings(migratingStore("const { runner: upgrade } = require('node-pg-migrate');"), 'src/store/database.js'), ['advisory-lock 6']);
  // noLock: true still turns the lock off.
  assert.deepEqual(findings(migratingStore("const { runner: upgrade } = await import('node-pg-migrate');", 'upgrade', ', noLock: true')), []);
});

test('a destructuring that is no load of the package binds nothing: another object, a promise, a project module, a name declared twice', () => {
  // Another object's member of the same name.
  assert.deepEqual(findings(migratingStore("const { runner: upgrade } = this.jobs;")), []);
  // `import()` not awaited is a promise: destructuring it binds no export.
  assert.deepEqual(findings(migratingStore("const { runner: upgrade } = import('node-pg-migrate') as any;")), []);
  // A module of the project, by path or by alias, is no package.
  assert.deepEqual(findings(migratingStore("const { runner: upgrade } = await import('@/lib/node-pg-migrate');")), []);
  assert.deepEqual(findings(migratingStore("const { runner: upgrade } = await import('./node-pg-migrate');")), []);
  // The name is also a parameter of another function of the file: which one a call reaches is not read file-wide.
  const twice = migratingStore("const { runner: upgrade } = await import('node-pg-migrate');")
    .replace('export class Store {', "export const later = (upgrade: (o: object) => Promise<void>) => upgrade({ databaseUrl: process.env.DATABASE_URL });\nexport class Store {");
  assert.deepEqual(findings(twice), []);
});

test('every reader of library names gains: graphile-worker\'s run() loaded in the function that starts the worker is reported', () => {
  const text = [
    "import { Pool } from 'pg';",
    'const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
    'export async function startWorker(taskList: object) {',
    "  const { run: runWorker } = await import('graphile-worker');",
    '  return runWorker({ pgPool: pool, concurrency: 5, taskList });',
    '}',
  ].join('\n');
  const listens = embeddedFindings(text, 'src/worker.ts').filter(([rule]) => rule === 'listen').map(([, at]) => at);
  assert.deepEqual(listens, ['runWorker({ pgPool: pool, concurrency: 5, taskList })']);
});
