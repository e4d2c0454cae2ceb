// Test helpers written CommonJS-style are followed like ES modules: a test file that takes a helper with
// `const { dbParams } = require('./support/db')` (or imports one that a `.js` helper publishes through `module.exports`
// / `exports.x = …`) gets the same verdict as with `import { dbParams } from './support/db'`. A helper returning a
// connection config of this machine makes the test's client one of the suite's local database; a helper returning a
// remote host, a helper outside test folders and a name the helper does not export keep the findings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('commonjs-test-helpers', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const language = file.endsWith('.ts') ? 'typescript' : 'javascript';
  return analyze(text, language, {}, file).map((f) => ruleLine(text, f));
}

// A mocha-era support module: functions and values published four CommonJS ways.
const SUPPORT = [
  "const archiveUrl = 'postgres://archivist@127.0.0.1:5432/archive_test';",
  "const mirrorUrl = 'postgres://archivist@replica.archive.example.net:5432/archive';",
  'function dbParams() {',
  "  return { user: 'archivist', database: 'archive_test', host: 'localhost', port: 5432 };",
  '}',
  'exports.scratchParams = function () {',
  "  return { host: '::1', database: 'scratch' };",
  '};',
  "module.exports.mirrorParams = () => ({ host: 'replica.archive.example.net' });",
  'module.exports = {',
  '  archiveUrl,',
  '  dbParams,',
  '  mirror: mirrorUrl,',
  "  lockParams() { return { host: '127.0.0.1', database: 'locks' }; },",
  '};',
];

const SPEC = (take: string, make: string) => [
  "const { Client } = require('pg');",
  take,
  "describe('shelves', function () {",
  "  it('moves a box', async function () {",
  `    const client = new Client(${make});`,
  '    await client.connect();',
  "    await client.query('SET search_path TO shelves_test, public');",
  "    await client.query('LISTEN shelf_moves');",
  '  });',
  '});',
];

test('a helper taken with require, or published through module.exports / exports, is followed like an ES import', () => {
  repo.write('cjs/package.json', '{"name": "cjs"}');
  repo.write('cjs/test/support/db.js', SUPPORT);
  const cases: Array<[string, string]> = [
    ["const { dbParams } = require('./support/db');", 'dbParams()'],
    ["const { archiveUrl } = require('./support/db');", 'archiveUrl'],
    ["const { lockParams: params } = require('./support/db');", 'params()'],
    ["var { dbParams } = require('./support/db.js');", 'dbParams()'],
  ];
  cases.forEach(([take, make], i) => {
    const spec = repo.write(`cjs/test/require-${i}.test.js`, SPEC(take, make));
    assert.deepEqual(findingsOf(spec), [], take);
  });
  // An ES import of the CommonJS helper, in a TypeScript test.
  const imported = repo.write('cjs/test/imported.test.ts', SPEC("import { dbParams } from './support/db';", 'dbParams()'));
  assert.deepEqual(findingsOf(imported), []);
});

test('a remote value, a name the helper does not publish, or a helper outside test folders keep the findings', () => {
  repo.write('cjs2/package.json', '{"name": "cjs2"}');
  repo.write('cjs2/test/support/db.js', SUPPORT);
  repo.write('cjs2/src/support/db.js', SUPPORT);
  const flagged = ['session-set 7', 'listen 8'];
  const cases: Array<[string, string, string]> = [
    ['remote', "const { mirror } = require('./support/db');", 'mirror'],
    ['not-published', "const { mirrorUrl } = require('./support/db');", 'mirrorUrl'],
    // A function put on module.exports that returns a remote host.
    ['remote-function', "const { mirrorParams } = require('./support/db');", 'mirrorParams()'],
    ['app-helper', "const { dbParams } = require('../src/support/db');", 'dbParams()'],
  ];
  for (const [name, take, make] of cases) {
    const spec = repo.write(`cjs2/test/${name}.test.js`, SPEC(take, make));
    assert.deepEqual(findingsOf(spec), flagged, name);
  }
});

test('a connection a test helper holds out of a pool of the suite\'s database is judged alike under import, await import() and require', () => {
  repo.write('cjs3/package.json', '{"name": "cjs3"}');
  // A helper whose pool says nowhere to connect (the suite's local database) and commits what its callback did.
  repo.write('cjs3/test/support/tx.ts', [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    'export async function inTransaction(work) {',
    '  const conn = await pool.connect();',
    "  await conn.query('BEGIN');",
    '  try { return await work(conn); } finally { await conn.query(\'COMMIT\'); conn.release(); }',
    '}',
  ]);
  const body = ["it('moves', () => inTransaction(async (db) => {", "  await db.query('SET ROLE shelver');", '}));'];
  for (const [name, take] of [
    ['esm', "import { inTransaction } from './support/tx';"],
    ['awaited', "const { inTransaction } = await import('./support/tx');"],
    ['required', "const { inTransaction } = require('./support/tx');"],
  ]) {
    const spec = repo.write(`cjs3/test/${name}.test.ts`, [take, ...body]);
    assert.deepEqual(findingsOf(spec), [], name);
  }
});
