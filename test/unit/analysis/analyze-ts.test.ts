import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const TS = `import { sql } from 'x';
const a = sql\`SELECT pg_advisory_lock(\${id}), 'é😀'\`;
await client.query('SET search_path = app');
await client.query({ name: 'get-user', text: 'SELECT * FROM users WHERE id = $1' });
const safe = sql\`SELECT pg_advisory_xact_lock(\${id})\`;
// poolsafe-disable-next-line listen
await pool.query("LISTEN jobs");
const notSql = 'LISTEN x';
`;

test('SQL in tagged templates and query calls is analysed with positions in the TS file', () => {
  const findings = analyze(TS, 'typescript', {}, 'a.ts');
  assert.deepEqual(findings.map((f) => [f.rule, TS.slice(f.start, f.end)]), [
    ['advisory-lock', 'pg_advisory_lock'],
    ['session-set', 'SET search_path = app'],
    ['protocol-prepared-statement', "'get-user'"],
  ]);
});

test('named query configs are safe when the pooler supports prepared statements, and in session mode', () => {
  assert.ok(!analyze(TS, 'typescript', { preparedStatements: 'supported' }).some((f) => f.rule === 'protocol-prepared-statement'));
  assert.deepEqual(analyze(TS, 'javascript', { poolMode: 'session' }), []);
});

test('${…} holes still parse where an identifier-free value is expected', () => {
  const text = 'db.query(`SELECT currval(${seq}) FROM t WHERE a = ${x}`)';
  const findings = analyze(text, 'javascript');
  assert.deepEqual(findings.map((f) => [f.rule, text.slice(f.start, f.end)]), [['currval', 'currval']]);
});

const rulesOf = (text: string, language: 'typescript' | 'javascript' = 'typescript') =>
  analyze(text, language, {}, language === 'typescript' ? 'f.ts' : 'f.js').map((f) => [f.rule, text.slice(f.start, f.end)]);

test('${…} holes where an identifier is expected still parse (identifier filler)', () => {
  const text = 'await db.query(`SELECT pg_advisory_lock(1) FROM ${table} WHERE a = ${x}`);';
  assert.deepEqual(rulesOf(text), [['advisory-lock', 'pg_advisory_lock']]);
});

test('queries of one function form one sequence: BEGIN … SET LOCAL … COMMIT across calls is safe', () => {
  const text = `async function f(client) {
  await client.query('BEGIN');
  await client.query("SET LOCAL statement_timeout = '5s'");
  await client.query('INSERT INTO orders DEFAULT VALUES');
  await client.query("SELECT currval('orders_id_seq')");
  await client.query('COMMIT');
}`;
  assert.deepEqual(rulesOf(text), []);
});

test('…but the same SET LOCAL alone on a connection the function takes has no effect, and a session SET inside BEGIN still leaks', () => {
  assert.deepEqual(rulesOf("async function g(pool) { const c = await pool.connect(); await c.query(\"SET LOCAL search_path TO app\"); c.release(); }"), [['set-local-outside-transaction', 'SET LOCAL search_path TO app']]);
  const leak = "async function h(c) { await c.query('BEGIN'); await c.query('SET search_path TO app'); await c.query('COMMIT'); }";
  assert.deepEqual(rulesOf(leak).map(([r]) => r), ['session-set']);
});

test('transaction callbacks (knex/Drizzle/Prisma/postgres.js) count as an open transaction block', () => {
  const drizzle = "await db.transaction(async (tx) => { await tx.execute(`SET LOCAL app.tenant = '1'`); });";
  assert.deepEqual(rulesOf(drizzle), []);
  const postgresJs = "await sql.begin(async (tx) => { await tx`SELECT set_config('app.tenant', '1', true)`; await tx`SELECT pg_advisory_lock(1)`; });";
  assert.deepEqual(rulesOf(postgresJs), [['advisory-lock', 'pg_advisory_lock']]);
  // Outside the callback the same SET LOCAL does nothing.
  assert.deepEqual(rulesOf("await db.execute(`SET LOCAL app.tenant = '1'`);").map(([r]) => r), ['set-local-outside-transaction']);
});

test('/* sql */ templates are SQL; strings passed to .execute() that are not SQL are not syntax errors', () => {
  assert.deepEqual(rulesOf('const q = /* sql */ `LISTEN jobs`;'), [['listen', 'LISTEN jobs']]);
  assert.deepEqual(rulesOf("await redis.execute('GET key'); await page.evaluate('x');"), []);
  assert.deepEqual(rulesOf('const q = `LISTEN jobs`;'), []);
  assert.deepEqual(rulesOf("import pg from 'pg';\nawait pool.query('SELECT * FROM WHERE');").map(([r]) => r), ['syntax-error']);
  // Does not start like SQL, so it may not be SQL at all: no syntax error.
  assert.deepEqual(rulesOf("await pool.query('SELEC 1');"), []);
});

test('JS files with JSX-free syntax and positions after non-ASCII text map exactly', () => {
  const text = "// café ☕ 😀\nconst r = await pool.query('SELECT 1; LISTEN ch');\n";
  assert.deepEqual(rulesOf(text, 'javascript'), [['listen', 'LISTEN ch']]);
});

test('postgres.js clients prepare every query unless prepare: false; the fix sets it', () => {
  const apply = (text: string) => {
    const [finding] = analyze(text, 'typescript', {}, 'db.ts');
    assert.equal(finding.rule, 'protocol-prepared-statement');
    const edits = [...finding.fix!.edits].sort((a, b) => b.start - a.start);
    return edits.reduce((t, e) => t.slice(0, e.start) + e.newText + t.slice(e.end), text);
  };
  assert.equal(apply("import postgres from 'postgres';\nconst sql = postgres(process.env.DATABASE_URL);"),
    "import postgres from 'postgres';\nconst sql = postgres(process.env.DATABASE_URL, { prepare: false });");
  assert.equal(apply("import postgres from 'postgres';\nconst sql = postgres(url, { max: 10 });"),
    "import postgres from 'postgres';\nconst sql = postgres(url, { prepare: false, max: 10 });");
  assert.equal(apply("const postgres = require('postgres');\nconst sql = postgres({ prepare: true });"),
    "const postgres = require('postgres');\nconst sql = postgres({ prepare: false });");
  assert.equal(apply("import postgres from 'postgres';\nconst sql = postgres();"),
    "import postgres from 'postgres';\nconst sql = postgres(undefined, { prepare: false });");
  // Safe: prepare: false; a pooler that tracks prepared statements; session mode; another function named postgres.
  assert.deepEqual(analyze("import postgres from 'postgres';\nconst sql = postgres(url, { prepare: false });", 'typescript'), []);
  assert.deepEqual(analyze("import postgres from 'postgres';\nconst sql = postgres(url);", 'typescript', { preparedStatements: 'supported' }), []);
  assert.deepEqual(analyze("import postgres from 'postgres';\nconst sql = postgres(url);", 'typescript', { poolMode: 'session' }), []);
  assert.deepEqual(analyze("import { postgres } from './local';\nconst sql = postgres(url);", 'typescript'), []);
});

test('a postgres.js client that only sends sql.unsafe() text and ends, and never leaves the file, is not flagged', () => {
  const rules = (body: string) => analyze(`import postgres from 'postgres';\n${body}`, 'typescript', {}, 'setup.ts').map((f) => f.rule);
  // The client serves an exported function (called any number of times), so a query it runs may run again.
  const setup = (uses: string) => `const sql = postgres(url);\nexport async function main() {\n${uses}\n}`;
  // Never prepares: unsafe(text) runs over the simple query protocol; end(), options and types send nothing.
  assert.deepEqual(rules(setup('  await sql.unsafe(`CREATE TABLE person (id int)`);\n  await sql.end();')), []);
  assert.deepEqual(rules(setup("  await sql.unsafe('SELECT $1', [1], { prepare: false });\n  await sql.unsafe('SELECT 2', { prepare: false });")), []);
  // unsafe() defaults to prepare: false even with values: an unnamed statement, nothing kept on the server.
  assert.deepEqual(rules(setup("  await sql.unsafe('SELECT $1', [1]);\n  await sql.unsafe(text, params, { simple: false });")), []);
  assert.deepEqual(rules(setup('  const size = sql.options.max;\n  const t = sql.types;\n  await sql.end();')), []);
  // May prepare: a tagged template, unsafe() told prepare: true (or options it cannot read), or a client that leaves the file.
  const flagged = ['protocol-prepared-statement'];
  assert.deepEqual(rules(setup("  await sql.unsafe('CREATE TABLE t (id int)');\n  await sql`SELECT 1`;")), flagged);
  assert.deepEqual(rules(setup("  await sql.unsafe('SELECT 1', { prepare: true });")), flagged);
  assert.deepEqual(rules(setup("  await sql.unsafe('SELECT $1', [1], options);")), flagged);
  assert.deepEqual(rules(setup("  await sql.unsafe('SELECT $1', [1], { prepare: true });")), flagged);
  assert.deepEqual(rules(setup('  await sql.unsafe(...args);')), flagged);
  assert.deepEqual(rules(setup("  await sql.unsafe('SELECT 1');\n  await migrate(sql);")), flagged);
  assert.deepEqual(rules(setup("  await sql.unsafe('SELECT 1');\n  return sql;")), flagged);
  assert.deepEqual(rules(setup("  await sql.unsafe('SELECT 1');\n  holder.db = sql;")), flagged);
  assert.deepEqual(rules(setup("  await sql.unsafe('SELECT 1');\n  registry.add({ sql });")), flagged);
  assert.deepEqual(rules("export const sql = postgres(url);\nawait sql.unsafe('SELECT 1');"), flagged);
  assert.deepEqual(rules("const sql = postgres(url);\nawait sql.unsafe('SELECT 1');\nexport { sql };"), flagged);
  assert.deepEqual(rules("const sql = postgres(url);\nawait sql.unsafe('SELECT 1');\nexport default sql;"), flagged);
  assert.deepEqual(rules("const sql = postgres(url);\nawait sql.unsafe('SELECT 1');\nconst q = sql.begin;"), flagged);
});

test('a postgres.js client whose tagged queries all run with .simple() (prepare turned off, simple query protocol) is not flagged', () => {
  const rules = (body: string) => analyze(`import postgres from 'postgres';\n${body}`, 'typescript', {}, 'warmup.ts').map((f) => f.rule);
  const warmup = (uses: string) => `const conn = postgres(url);\nexport async function warmUp() {\n${uses}\n}\nexport const stop = () => conn.end();`;
  assert.deepEqual(rules(warmup('  await conn`SELECT 1; SELECT 2`.simple();')), []);
  assert.deepEqual(rules(warmup('  const rows = await (conn`SELECT oid FROM pg_type`).values().simple();\n  await conn.unsafe(\'ANALYZE\');')), []);
  const flagged = ['protocol-prepared-statement'];
  // Any tagged query of the client sent without .simple() prepares, a modifier alone does not turn it off.
  assert.deepEqual(rules(warmup('  await conn`SELECT 1`.simple();\n  await conn`SELECT 2`;')), flagged);
  assert.deepEqual(rules(warmup('  await conn`SELECT 1`.values();')), flagged);
  assert.deepEqual(rules(warmup('  const start = conn`SELECT 1`.simple;\n  await start();')), flagged);
});

test('a postgres.js client whose queries are written but never run (lazy, value thrown away) is not flagged; one run or handed on is', () => {
  const rules = (body: string) => analyze(`import postgres from 'postgres';\n${body}`, 'typescript', {}, 'demo.ts').map((f) => f.rule);
  const demo = (uses: string) => `const db = postgres();\nexport function typeCheckOnly() {\n${uses}\n}`;
  // Never sent: a statement or `void` throws the query away; fragments and helpers in its holes go with it.
  assert.deepEqual(rules(demo('  db<{ n: number }[]>`SELECT count(*) AS n FROM orders`;')), []);
  assert.deepEqual(rules(demo('  void db`SELECT ${db(column)} FROM ${db.unsafe("items")} WHERE tag = ${db.json(tag)}`;')), []);
  assert.deepEqual(rules(demo('  void db`SELECT 1 ORDER BY ${keys.map((k) => db`${db(k)} ${asc ? db`ASC` : db`DESC`}`)}`;')), []);
  assert.deepEqual(rules(demo('  void db`SELECT 1; SELECT 2`.simple();\n  (db`SELECT 3`).values();')), []);
  const flagged = ['protocol-prepared-statement'];
  // Sent: awaited, run, kept, passed, or a fragment an awaited query of the same client carries.
  assert.deepEqual(rules(demo('  await db`SELECT 1`;')), flagged);
  assert.deepEqual(rules(demo('  db`SELECT 1`.execute();')), flagged);
  assert.deepEqual(rules(demo('  db`SELECT 1`.then(print);')), flagged);
  assert.deepEqual(rules(demo('  void db`SELECT 1`.forEach(print);')), flagged);
  assert.deepEqual(rules(demo('  const q = db`SELECT 1`;\n  return q;')), flagged);
  assert.deepEqual(rules(demo('  run(db`SELECT 1`);')), flagged);
  assert.deepEqual(rules(demo('  void db`SELECT 1`;\n  await db`SELECT ${db`2`}`;')), flagged);
  assert.deepEqual(rules(demo('  void db`SELECT ${await db`SELECT 2`}`;')), flagged);
  assert.deepEqual(rules(demo('  void db`SELECT ${send(db`SELECT 2`)}`;')), flagged);
});

test('an expression nested thousands deep (a long concatenation, a bundle opted back in) is walked without a stack overflow', () => {
  const deep = Array.from({ length: 6000 }, () => '1').join(' + ');
  const text = `import { Pool } from 'pg';\nconst pool = new Pool();\nconst total = ${deep};\nawait pool.query('LISTEN jobs');\n`;
  assert.deepEqual(analyze(text, 'typescript', {}, 'bundle.ts').map((f) => f.rule), ['listen']);
  // Deep nesting around a query call: the call inside is still found.
  const around = `const x = ${Array.from({ length: 300 }, () => '(1 +').join(' ')} client.query('LISTEN nested')${')'.repeat(300)};`;
  assert.deepEqual(analyze(around, 'typescript', {}, 'nested.ts').map((f) => f.rule), ['listen']);
  // Brackets nested so deep that TypeScript's parser itself overflows: the file is skipped, nothing throws.
  const unparsable = `const x = ${'('.repeat(20000)}1${')'.repeat(20000)};\nawait client.query('LISTEN jobs');`;
  assert.deepEqual(analyze(unparsable, 'typescript', {}, 'brackets.ts'), []);
});

test('a postgres.js client created inline from require(\'postgres\') or import(\'postgres\') is checked like an imported one', () => {
  const rules = (text: string) => analyze(text, 'javascript', {}, 'db.js').map((f) => f.rule);
  assert.deepEqual(rules("exports.connect = (config) => require('postgres')({ onnotice() {}, ...config, max: 1 });"), ['protocol-prepared-statement']);
  assert.deepEqual(rules("exports.connect = (url) => require('postgres').default(url);"), ['protocol-prepared-statement']);
  assert.deepEqual(rules("export const open = async (url) => (await import('postgres')).default(url);"), ['protocol-prepared-statement']);
  // Safe with prepare: false; another module called the same way is not postgres.js.
  assert.deepEqual(rules("exports.connect = (config) => require('postgres')({ ...config, prepare: false });"), []);
  assert.deepEqual(rules("exports.connect = (config) => require('./postgres')(config);"), []);
  assert.deepEqual(rules("exports.connect = (config) => require('pg-pool')(config);"), []);
});

test('a postgres.js client\'s prepare option is read through a local options object, named or spread; a later property wins', () => {
  const findings = (body: string) => analyze(`import postgres from 'postgres';\n${body}`, 'javascript', {}, 'suite.js');
  const rules = (body: string) => findings(body).map((f) => f.rule);
  const shared = "const options = { host: 'db', prepare: process.env.MODE !== 'transaction', max: 1 };\n";
  // Decided by the shared options (computed, so not knowable here, or false): not flagged, named or spread.
  assert.deepEqual(rules(`${shared}const sql = postgres(options);`), []);
  assert.deepEqual(rules(`${shared}const other = postgres({ ...options, debug: true });`), []);
  assert.deepEqual(rules("const base = { prepare: false };\nconst options = { ...base, max: 2 };\nconst sql = postgres('postgres://db/app', options);"), []);
  // Turned back on after the spread, or on in the shared options: flagged, and the fix sets it false at the call.
  assert.deepEqual(rules(`${shared}const sql = postgres({ ...options, prepare: true });`), ['protocol-prepared-statement']);
  const text = "const options = { prepare: true };\nconst sql = postgres({ ...options, max: 2 });";
  const [finding] = findings(text);
  assert.equal(finding?.rule, 'protocol-prepared-statement');
  const edit = finding.fix?.edits[0];
  assert.ok(edit);
  const fixed = `import postgres from 'postgres';\n${text}`;
  assert.match(fixed.slice(0, edit.start) + edit.newText + fixed.slice(edit.end), /postgres\(\{ \.\.\.options, max: 2, prepare: false \}\)/);
  // Options with no prepare, or spread from something unknown (a parameter): the default, flagged.
  assert.deepEqual(rules("const options = { max: 1 };\nconst sql = postgres(options);"), ['protocol-prepared-statement']);
  assert.deepEqual(rules("export const open = (config) => postgres({ ...config, max: 1 });"), ['protocol-prepared-statement']);
  // A prepare: false that an options object spread later turns back on does not count.
  assert.deepEqual(rules("const loud = { prepare: true };\nconst sql = postgres({ prepare: false, ...loud });"), ['protocol-prepared-statement']);
});

test('postgres.js options built by a merging call or a local function, and the older no_prepare name, are read', () => {
  const rules = (body: string) => analyze(`import postgres from 'postgres';\nimport merge from 'lodash.merge';\n${body}`, 'javascript', {}, 'store.js').map((f) => f.rule);
  // no_prepare: true is prepare: false (postgres.js still reads the old name); no_prepare: false prepares.
  assert.deepEqual(rules("export const ledger = postgres(process.env.LEDGER_URL, { no_prepare: true, max: 4 });"), []);
  assert.deepEqual(rules("export const ledger = postgres({ no_prepare: false });"), ['protocol-prepared-statement']);
  // Options merged by a call: a later argument wins; a local function's one returned value is followed.
  const builder = [
    'function ledgerOptions(overrides) {',
    '  const merged = Object.assign({}, { idle_timeout: 20, no_prepare: true }, overrides);',
    '  return merged;',
    '}',
  ].join('\n');
  assert.deepEqual(rules(`${builder}\nexport const ledger = postgres(ledgerOptions({ max: 2 }));`), []);
  assert.deepEqual(rules(`${builder}\nconst options = ledgerOptions();\nexport const ledger = postgres(process.env.LEDGER_URL ?? options, options);`), []);
  assert.deepEqual(rules("export const ledger = postgres(merge({ prepare: false }, { prepare: true }));"), ['protocol-prepared-statement']);
  assert.deepEqual(rules("function ledgerOptions() { return { max: 3 }; }\nexport const ledger = postgres(ledgerOptions());"), ['protocol-prepared-statement']);
  // A function of another module builds the options: unknown, the default counts.
  assert.deepEqual(rules("import { ledgerOptions } from './options';\nexport const ledger = postgres(ledgerOptions());"), ['protocol-prepared-statement']);
});

test('a postgres.js client given its caller\'s options is not flagged in a module whose own options turn preparing off', () => {
  const rules = (body: string) => analyze(`import postgres from 'postgres';\n${body}`, 'javascript', {}, 'admin.js').map((f) => f.rule);
  const maintenance = 'export function maintenanceClient(callerOptions) {\n  const options = { ...callerOptions, database: "postgres" };\n  return postgres(options);\n}';
  assert.deepEqual(rules(`export const defaults = { prepare: false, max: 5 };\n${maintenance}`), []);
  assert.deepEqual(rules(`const defaults = {\n  no_prepare: true,\n};\n${maintenance}`), []);
  // Nothing in the module turns it off (or only says so in a comment, or as a different value): flagged.
  assert.deepEqual(rules(maintenance), ['protocol-prepared-statement']);
  assert.deepEqual(rules(`// set prepare: false before deploying\n${maintenance}`), ['protocol-prepared-statement']);
  assert.deepEqual(rules(`export const defaults = { prepare: falseish };\n${maintenance}`), ['protocol-prepared-statement']);
  // Options the module makes itself (no caller's options) without prepare: flagged though another client turns it off.
  assert.deepEqual(rules("export const quiet = postgres({ prepare: false });\nexport const loud = postgres({ max: 1 });"), ['protocol-prepared-statement']);
});

test('a postgres.js client made inline only to read its parsed options is not flagged; one made inline and queried is', () => {
  const rules = (body: string) => analyze(`import postgres from 'postgres';\n${body}`, 'javascript', {}, 'options.js').map((f) => f.rule);
  assert.deepEqual(rules("const parsed = postgres('postgres://u:p@db/app').options;"), []);
  assert.deepEqual(rules("const bigint = (postgres({ types: {} })).types.bigint;"), []);
  assert.deepEqual(rules("await postgres('postgres://db/app')`SELECT 1`;"), ['protocol-prepared-statement']);
  assert.deepEqual(rules("const rows = await postgres('postgres://db/app').begin((sql) => sql`SELECT 1`);"), ['protocol-prepared-statement']);
});
