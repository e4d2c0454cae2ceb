// A project's own class around PGlite (`class PGLiteEngine { private _db: PGlite | null; async executeRaw(sql) { return
// this.db.query(sql) } }`, gbrain's src/core/pglite-engine.ts) is the in-process database under another name: what a
// test sends through an instance of it (`new PGLiteEngine()`, or a variable declared as one) reaches one embedded
// session, never a pooler, so it gets no pooling finding. A class whose module also imports a server driver or makes
// another client (it may hold a real pool next to PGlite), a class with a field typed as another driver's client, a class
// that extends another (whose base may hold one), and
// a class that holds no PGlite keep the findings. The class is written to a scratch repository, where the analysis reads it (as the CLI does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { IncrementalTsDocument } from '../../../server/incrementalTs';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('pglite-wrapper', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

const engine = (name: string, header: string[], field: string, extra: string[] = [], made = 'await PGlite.create({})') => [
  ...header,
  'type EngineDB = PGlite;',
  `export class ${name} {`,
  `  ${field}`,
  ...extra,
  '  get db() {',
  "    if (!this._db) throw new Error('not connected');",
  '    return this._db;',
  '  }',
  '  async connect() {',
  `    this._db = ${made};`,
  '  }',
  '  async executeRaw(sql: string, params?: unknown[]) {',
  '    return (await this.db.query(sql, params)).rows;',
  '  }',
  '}',
];

const PGLITE_IMPORT = ["import { PGlite } from '@electric-sql/pglite';"];

const testOf = (name: string, from: string) => [
  "import { beforeAll, test } from 'bun:test';",
  `import { ${name} } from '${from}';`,
  `let engine: ${name};`,
  'beforeAll(async () => {',
  `  engine = new ${name}();`,
  '  await engine.connect();',
  '});',
  "test('plans', async () => {",
  '  await engine.executeRaw(`SET enable_seqscan = off`);',
  '  await engine.executeRaw(`CREATE TEMP TABLE t (j jsonb)`);',
  '});',
  "test('made in place', async () => {",
  `  const other = new ${name}();`,
  "  await other.executeRaw(`SELECT set_config('TimeZone', 'UTC', false)`);",
  '});',
];

const FINDINGS = [
  'session-set SET enable_seqscan = off',
  'temp-table CREATE TEMP TABLE t (j jsonb)',
  'session-set set_config',
];

test("a project's class holding PGlite (declared through a type alias, `| null`) is in-process: statements sent through its instances get no pooling finding", () => {
  repo.write('package.json', '{ "name": "brain" }');
  repo.write('src/core/pglite-engine.ts', engine('PGLiteEngine', PGLITE_IMPORT, 'private _db: EngineDB | null = null;'));
  assert.deepEqual(findingsOf('test/spend.test.ts', testOf('PGLiteEngine', '../src/core/pglite-engine.ts')), []);
  // Named without "pglite" anywhere in the test file, and re-exported through a barrel.
  // Its field untyped: a PGlite because the class assigns it one.
  repo.write('src/core/local.ts', engine('LocalEngine', PGLITE_IMPORT, 'private _db;'));
  repo.write('src/core/index.ts', ["export { LocalEngine as Engine } from './local';"]);
  assert.deepEqual(findingsOf('test/local.test.ts', testOf('Engine', '../src/core/index')), []);
});

test('a wrapper whose module also imports a server driver, that has a field typed as another client, that extends another class, or that holds no PGlite keeps the findings', () => {
  repo.write('package.json', '{ "name": "brain" }');
  repo.write('src/both.ts', engine('BothEngine', [...PGLITE_IMPORT, "import postgres from 'postgres';"], 'private _db: EngineDB | null = null;', ['  private sql = postgres(process.env.DATABASE_URL!);']));
  assert.deepEqual(findingsOf('test/both.test.ts', testOf('BothEngine', '../src/both')), FINDINGS);
  repo.write('src/base.ts', ['export class Base { sql: any; }']);
  repo.write('src/derived.ts', engine('DerivedEngine', [...PGLITE_IMPORT, "import { Base } from './base';"], 'private _db: EngineDB | null = null;').map((line) => line.replace('export class DerivedEngine {', 'export class DerivedEngine extends Base {')));
  assert.deepEqual(findingsOf('test/derived.test.ts', testOf('DerivedEngine', '../src/derived')), FINDINGS);
  // A module that makes a pool with a helper of the project, next to PGlite.
  repo.write('src/pooled.ts', engine('PooledEngine', [...PGLITE_IMPORT, "import { createPool } from './pool';"], 'private _db: EngineDB | null = null;', ['  private pool = createPool(process.env.DATABASE_URL);']));
  assert.deepEqual(findingsOf('test/pooled.test.ts', testOf('PooledEngine', '../src/pooled')), FINDINGS);
  repo.write('src/remote.ts', engine('RemoteEngine', [...PGLITE_IMPORT, "import { connectSql, type Sql } from './sql';"], 'private _db: Sql | null = null;', [], 'await connectSql()'));
  assert.deepEqual(findingsOf('test/remote.test.ts', testOf('RemoteEngine', '../src/remote')), FINDINGS);
  // A PGlite cache next to a field typed as another driver's client, filled from outside (a postgres.js pool): the
  // statements its methods send may reach a real server.
  repo.write('src/store.ts', engine('StoreEngine', [...PGLITE_IMPORT, "import type { Sql } from './sql';"], 'private _db: EngineDB | null = null;', ['  sql!: Sql;']));
  assert.deepEqual(findingsOf('test/store.test.ts', testOf('StoreEngine', '../src/store')), FINDINGS);
});

test("the editor's per-chunk analysis sees a top-level variable declared as the wrapper class from another chunk, as the whole file does", () => {
  repo.write('package.json', '{ "name": "brain" }');
  repo.write('src/core/pglite-engine.ts', engine('PGLiteEngine', PGLITE_IMPORT, 'private _db: EngineDB | null = null;'));
  const text = [
    "import { beforeAll, test } from 'bun:test';",
    "import { PGLiteEngine } from '../src/core/pglite-engine.ts';",
    'let engine: PGLiteEngine;',
    'function seed(rows: number) { return rows; }',
    "test('plans', async () => {",
    '  engine = new PGLiteEngine();',
    '  await engine.executeRaw(`SET enable_seqscan = off`);',
    '});',
    '',
  ].join('\n');
  const file = repo.write('test/editor.test.ts', text);
  const whole = analyze(text, 'typescript', {}, file);
  assert.deepEqual(whole, []);
  assert.deepEqual(new IncrementalTsDocument('typescript', file).analyze(text), whole);
});
