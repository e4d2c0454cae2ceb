// A statement a module exports for other modules to send: however the module exports the name that holds it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'queries.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('a statement held by a name the module exports without `export const` is read where it is written', () => {
  // Older TS/JS: `export var`, a string continued over lines with backslashes, a driver's identifier parameter.
  assert.deepEqual(found('export var subscribeTmpl = " \\\n    LISTEN ${topic:name}; \\\n";\nexport var countTmpl = "SELECT count(*) FROM jobs";'), ['listen LISTEN ${topic:name}']);
  // `export let` that the module never assigns again keeps its first value.
  assert.deepEqual(found("export let LOCK_ALL = 'SELECT pg_advisory_lock(77)';"), ['advisory-lock pg_advisory_lock']);
  // Declared, then exported by an export clause (renamed too) or as the default.
  assert.deepEqual(found("const WATCH = 'LISTEN inventory';\nconst PATH = `SET search_path TO ${schema}`;\nexport { WATCH, PATH as setPath };"), ['listen LISTEN inventory', 'session-set SET search_path TO ${schema}']);
  assert.deepEqual(found("const WATCH = 'LISTEN inventory';\nexport default WATCH;"), ['listen LISTEN inventory']);
  // CommonJS: an object of names, a renamed property, one name on exports.
  assert.deepEqual(found("const WATCH = 'LISTEN inventory';\nconst ROLE = 'SET ROLE reporting';\nmodule.exports = { WATCH, asReporter: ROLE };", 'queries.js'), ['listen LISTEN inventory', 'session-set SET ROLE reporting']);
  assert.deepEqual(found("const WATCH = 'LISTEN inventory';\nexports.watch = WATCH;", 'queries.js'), ['listen LISTEN inventory']);
});

test('a name that is not exported, is assigned again, or holds no statement is not read on its own', () => {
  // Kept in the module (no export), or exported only as a type.
  assert.deepEqual(found("const WATCH = 'LISTEN inventory';\nexport const other = 1;"), []);
  // Assigned again by the module: its first value is not what importers get.
  assert.deepEqual(found("export var WATCH = 'LISTEN inventory';\nexport function reset() { WATCH = 'SELECT 1'; }"), []);
  assert.deepEqual(found("let ROLE = 'SET ROLE reporting';\nROLE += ', app';\nexport { ROLE };"), []);
  // Exported from another module (a re-export): read there, not here.
  assert.deepEqual(found("const WATCH = 'LISTEN inventory';\nexport { WATCH } from './channels';"), []);
  // Sentences and column lists are no statements; NOTIFY is safe.
  assert.deepEqual(found("const HINT = 'Set a channel to listen on';\nconst NOTE = 'NOTIFY inventory';\nexport { HINT, NOTE };"), []);
  // Reached by a query call of its own file, it is analysed there (LISTEN on a dedicated direct client: nothing).
  assert.deepEqual(found("import pg from 'pg';\nconst WATCH = 'LISTEN inventory';\nexport { WATCH };\nexport async function watch() {\n  const c = new pg.Client({ connectionString: process.env.DIRECT_URL });\n  await c.connect();\n  await c.query(WATCH);\n}"), []);
});

test('a statement assigned to a member of an object the module exports, or held in an object nested in an exported one, is read where it is written', () => {
  // `catalog.queries = { … }` and `catalog.reserve = '…'` at the top level, the object exported as a whole.
  const members = "const catalog = {};\ncatalog.queries = {\n  watch:\n    'LISTEN inventory',\n  count: 'SELECT count(*) FROM items'\n};\ncatalog.reserve = 'SELECT pg_advisory_lock($1)';\nmodule.exports = catalog;";
  assert.deepEqual(found(members, 'catalog.js'), ['listen LISTEN inventory', 'advisory-lock pg_advisory_lock']);
  assert.deepEqual(found("export const catalog: Record<string, unknown> = {};\ncatalog['reserve'] = 'SELECT pg_advisory_lock($1)';"), ['advisory-lock pg_advisory_lock']);
  assert.deepEqual(found("const catalog = {};\ncatalog.queries = { scratch: 'CREATE TEMP TABLE picks (id int)' };\nexport default catalog;"), ['temp-table CREATE TEMP TABLE picks (id int)']);
  // Objects of statements grouped under keys of the exported object.
  assert.deepEqual(found("module.exports = {\n  orders: { watch: 'LISTEN orders', list: 'SELECT * FROM orders' },\n  admin: { roles: { report: 'SET ROLE reporting' } }\n};", 'catalog.js'), ['listen LISTEN orders', 'session-set SET ROLE reporting']);
});

test('a member assigned to an object the module does not export, or inside a function, is not read on its own', () => {
  // The object stays in the module.
  assert.deepEqual(found("const catalog = {};\ncatalog.queries = { watch: 'LISTEN inventory' };\nmodule.exports = { other: 1 };", 'catalog.js'), []);
  // Assigned inside a function: not what the module hands importers when it loads.
  assert.deepEqual(found("const catalog = {};\nfunction fill() { catalog.watch = 'LISTEN inventory'; }\nmodule.exports = catalog;", 'catalog.js'), []);
  // Deeper than three objects: a table of data, not a catalog of statements.
  assert.deepEqual(found("module.exports = { a: { b: { c: { watch: 'LISTEN inventory' } } } };", 'catalog.js'), []);
});
