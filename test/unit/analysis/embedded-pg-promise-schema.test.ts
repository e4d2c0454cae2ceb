// pg-promise's initialisation option `schema`: the library sends SET search_path on every fresh physical connection,
// a session SET a transaction pooler does not keep (like knex's searchPath). Flagged only on options handed to
// pg-promise's init function in a file that imports or requires pg-promise: many other objects have a `schema` key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis, resolveOptions } from '../../../server/analysis/index';
import { mayHoldFindings } from '../../../server/analysis/embeddedGate';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());
const repo = scratchRepository('pg-promise-schema', { after });

const found = (text: string, file = 'db.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('an options const (typed) handed to the init call of the imported module is flagged at its schema option', () => {
  const text = [
    "import pgPromise from 'pg-promise';",
    "import { extend, Extensions } from './extensions';",
    'const options: pgPromise.IInitOptions<Extensions> = {',
    '    schema: process.env.POSTGRES_SCHEMA,',
    '    extend,',
    '};',
    'const pgp = pgPromise(options);',
    'export const database = pgp(process.env.DATABASE_URL!);',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set schema: process.env.POSTGRES_SCHEMA']);
  const [finding] = analyze(text, 'typescript', {}, 'db.ts');
  assert.match(finding.message, /pg-promise's schema option sends SET search_path/);
  assert.match(finding.message, /Schema-qualify/);
  assert.match(finding.message, /ALTER ROLE … SET search_path/);
  assert.match(finding.message, /ALTER DATABASE … SET search_path/);
});

test('options written in place: require()(…), a namespace import, import = require, a required name; a list, a method, an arrow', () => {
  assert.deepEqual(found("const pgp = require('pg-promise')({ schema: 'app' });\nmodule.exports = pgp(process.env.DATABASE_URL);", 'db.js'),
    ["session-set schema: 'app'"]);
  assert.deepEqual(found("import * as pgPromise from 'pg-promise';\nconst pgp = pgPromise({ schema: ['app', 'public'] });"),
    ["session-set schema: ['app', 'public']"]);
  assert.deepEqual(found("import pgPromise = require('pg-promise');\nconst pgp = pgPromise({ 'schema': tenant });"), ["session-set 'schema': tenant"]);
  assert.deepEqual(found("const pgPromise = require('pg-promise');\nconst schema = 'app';\nconst pgp = pgPromise({ schema, capSQL: true });", 'db.js'),
    ['session-set schema']);
  assert.deepEqual(found("import pgPromise from 'pg-promise';\nconst pgp = pgPromise({\n  schema(dc) { return dc; },\n});"),
    ['session-set schema(dc) { return dc; }']);
  assert.deepEqual(found("import pgPromise from 'pg-promise';\nconst pgp = pgPromise({ schema: (dc: string) => dc });"),
    ['session-set schema: (dc: string) => dc']);
  // Options held in an untyped const, handed to two init calls: one finding, at the option.
  assert.deepEqual(found("import pgPromise from 'pg-promise';\nconst initOptions = { schema: 'app' } as const;\nexport const a = pgPromise(initOptions);\nexport const b = pgPromise(initOptions);"),
    ["session-set schema: 'app'"]);
});

test('a schema that sends nothing, and options that never reach pg-promise, are not flagged', () => {
  for (const value of ['undefined', 'null', "''", '[]', 'void 0']) {
    assert.deepEqual(found(`import pgPromise from 'pg-promise';\nconst pgp = pgPromise({ schema: ${value} });`), [], value);
  }
  const others = [
    "import pgPromise from 'pg-promise';",
    "import { DataSource } from 'typeorm';",
    "const pgp = pgPromise({ capSQL: true });",
    "export const db = pgp({ host: 'db', schema: 'app' } as any);",
    "export const source = new DataSource({ type: 'postgres', schema: 'app' });",
    "const route = { schema: { body: { type: 'object' } } };",
    "const options = { schema: 'app' };",
    "export const other = makeClient(options);",
    "function local(pgPromise: (o: object) => unknown) { return pgPromise({ schema: 'app' }); }",
  ].join('\n');
  assert.deepEqual(found(others), []);
});

test("a dynamic import's default export, and a schema spread in under a condition, are the init call and its option", () => {
  const lazy = [
    'export function connect(config, schema = null) {',
    '  async function open() {',
    "    const pgPromise = await import('pg-promise');",
    '    const pgp = pgPromise.default({ ...(schema && { schema }) });',
    '    return pgp(config);',
    '  }',
    '  return open();',
    '}',
  ].join('\n');
  assert.deepEqual(found(lazy, 'db.js'), ['session-set schema']);
  assert.deepEqual(found("export const make = async (s) => (await import('pg-promise')).default({ capSQL: true, ...(s ? { schema: s } : {}) });", 'db.js'),
    ['session-set schema: s']);
  // Another module's default export, a spread of something not written in place, or a schema that sends nothing: silent.
  assert.deepEqual(found(lazy.replace("import('pg-promise')", "import('./pool')"), 'db.js'), []);
  assert.deepEqual(found("export const make = async (o) => (await import('pg-promise')).default({ ...o });", 'db.js'), []);
  assert.deepEqual(found("export const make = async (s) => (await import('pg-promise')).default({ ...(s ? { schema: null } : {}) });", 'db.js'), []);
});

test('a file that does not import pg-promise itself is not flagged, whatever its init-like call', () => {
  assert.deepEqual(found("import pgPromise from './db';\nconst pgp = pgPromise({ schema: 'app' });"), []);
  assert.deepEqual(found("import pgPromise from 'pg-promise/typescript/pg-subset';\nconst pgp = pgPromise({ schema: 'app' });"), []);
  assert.deepEqual(found("const pgp = require('pg')({ schema: 'app' });", 'db.js'), []);
});

test('the gate lets a file through with pg-promise and a schema word, and only then', () => {
  const options = resolveOptions({});
  // Without a backslash the raw text decides; with one (an escape in a literal) the token scan does: both must agree.
  for (const tail of ['', "\nconst banner = 'a\\tb';"]) {
    const text = `const pgp = require('pg-promise')({ schema: 'app' });${tail}`;
    assert.equal(mayHoldFindings(text, 'db.js', options), true, tail);
    assert.equal(mayHoldFindings(text.replace('pg-promise', 'pg-pool'), 'db.js', options), false, tail);
    assert.equal(mayHoldFindings(text.replace('schema', 'capSQL'), 'db.js', options), false, tail);
  }
});

test("the option in a test whose every database is the test's local server is not flagged; the application's URL keeps it", () => {
  repo.write('package.json', '{"name": "app"}');
  const suite = (url: string) => [
    "import pgPromise from 'pg-promise';",
    "describe('repository', () => {",
    "  it('reads users', async () => {",
    "    const pgp = pgPromise({ schema: 'app_test' });",
    `    const db = pgp(${url});`,
    "    await db.any('SELECT 1');",
    '    pgp.end();',
    '  });',
    '});',
  ];
  const findingsOf = (file: string) => {
    const text = readFileSync(file, 'utf8');
    return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
  };
  assert.deepEqual(findingsOf(repo.write('test/local.test.ts', suite("'postgres://app:app@localhost:5432/app_test'"))), []);
  assert.deepEqual(findingsOf(repo.write('test/pooled.test.ts', suite('process.env.DATABASE_URL'))), ['session-set 4']);
  // The library exported or handed on: where else it connects is not known, so the finding stays.
  const exported = [
    "import pgPromise from 'pg-promise';",
    "export const pgp = pgPromise({ schema: 'app_test' });",
    "export const db = pgp('postgres://app:app@localhost:5432/app_test');",
  ];
  assert.deepEqual(findingsOf(repo.write('test/exported.test.ts', exported)), ['session-set 2']);
  const handed = [...suite("'postgres://app:app@localhost:5432/app_test'").slice(0, -2), '    register(pgp);', '  });', '});'];
  assert.deepEqual(findingsOf(repo.write('test/handed.test.ts', handed)), ['session-set 4']);
  // One options const for two init calls: the first on the local server leaves the second, on the app's URL, flagged.
  const shared = [
    "import pgPromise from 'pg-promise';",
    "const options = { schema: 'app' };",
    'const testPgp = pgPromise(options);',
    "testPgp('postgres://app:app@localhost:5432/app_test');",
    'const pgp = pgPromise(options);',
    'pgp(process.env.DATABASE_URL);',
  ];
  assert.deepEqual(findingsOf(repo.write('test/shared.test.ts', shared)), ['session-set 2']);
});
