import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const RULE = 'protocol-prepared-statement';
const prepared = (code: string, file = 'tool.ts') => analyze(code, 'typescript', {}, file).filter((f) => f.rule === RULE).length;
const PG = "import postgres from 'postgres';\n";

test('a client whose every tagged query text runs once is not flagged: no Bind is ever sent without its Parse', () => {
  // A script: distinct lookups at the top level, then the client is ended.
  assert.equal(prepared(`${PG}const db = postgres(process.env.DATABASE_URL!, { max: 1 });\nconst [account] = await db\`SELECT id FROM accounts WHERE email = \${email}\`;\nif (account) await db\`UPDATE accounts SET locked = true WHERE id = \${account.id}\`;\nelse await db\`INSERT INTO accounts (email) VALUES (\${email})\`;\nawait db.end();`), 0);
  // Made inside a function each call of which makes a fresh client: the texts run once per client.
  assert.equal(prepared(`${PG}export async function countRows(url: string, table: string) {\n  const admin = postgres(url, { max: 1 });\n  try {\n    const [row] = await admin\`SELECT count(*)::int AS n FROM audit_entries WHERE kind = \${table}\`;\n    return row.n;\n  } finally {\n    await admin.end();\n  }\n}`), 0);
  // Handed to the file's own function, called from one place, from a main() called once.
  assert.equal(prepared(`${PG}async function pendingCount(client) {\n  const rows = await client\`SELECT count(*) FROM jobs WHERE done = false\`;\n  return rows[0].count;\n}\nasync function main() {\n  const client = postgres(url);\n  try {\n    console.log(await pendingCount(client));\n  } finally {\n    await client.end();\n  }\n}\nmain().catch((e) => { console.error(e); process.exit(1); });`, 'count.js'), 0);
  // Handed once inside an options object, read as a member or destructured; the function is also exported
  // (other callers bring other clients, this one reaches it once).
  assert.equal(prepared(`${PG}export async function audit(opts) {\n  return opts.conn.begin(async (t) => t\`SELECT count(*) FROM ledger WHERE org = \${opts.org}\`);\n}\nasync function run() {\n  const conn = postgres(url);\n  console.log(await audit({ conn, org }));\n  await conn.end();\n}\nrun();`, 'audit.js'), 0);
  assert.equal(prepared(`${PG}async function purge({ store: c, days }) {\n  await c\`DELETE FROM events WHERE at < now() - \${days} * interval '1 day'\`;\n}\nconst pg = postgres(url);\nawait purge({ store: pg, days: 30 });\nawait pg.end();`), 0);
  // One transaction: its queries may repeat inside it (one server connection holds it), its commit runs once.
  assert.equal(prepared(`${PG}const sql = postgres(url);\nconst [owner] = await sql\`SELECT id FROM users WHERE handle = \${handle}\`;\nawait sql.begin(async (tx) => {\n  for (const item of items) await tx\`INSERT INTO items (owner, name) VALUES (\${owner.id}, \${item})\`;\n  await tx\`UPDATE users SET item_count = item_count + \${items.length} WHERE id = \${owner.id}\`;\n});\nawait sql.end();`), 0);
  // Test callbacks that run once (it, beforeAll), each with its own text.
  assert.equal(prepared(`${PG}describe('orders', () => {\n  const admin = postgres(adminUrl, { max: 1 });\n  beforeAll(async () => { await admin\`TRUNCATE orders\`; });\n  it('keeps the audit row', async () => {\n    const rows = await admin\`SELECT 1 FROM audit WHERE entity = 'order'\`;\n    expect(rows.length).toBe(1);\n  });\n  afterAll(() => admin.end());\n});`, 'orders.test.ts'), 0);
});

test('a client that may run a statement text again is still flagged', () => {
  // In a loop: every run after the first is a Bind without Parse (re-prepared outside a transaction).
  assert.equal(prepared(`${PG}const db = postgres(url);\nfor (const row of rows) await db\`INSERT INTO t (v) VALUES (\${row})\`;\nawait db.end();`), 1);
  // The same text written twice.
  assert.equal(prepared(`${PG}const db = postgres(url);\nawait db\`DELETE FROM sessions WHERE expired\`;\nawait work();\nawait db\`DELETE FROM sessions WHERE expired\`;\nawait db.end();`), 1);
  // Two transactions: postgres.js sends the first one's named commit again in the second.
  assert.equal(prepared(`${PG}const db = postgres(url);\nawait db.begin(async (tx) => { await tx\`DELETE FROM a\`; });\nawait db.begin(async (tx) => { await tx\`DELETE FROM b\`; });\nawait db.end();`), 1);
  // A transaction that sends a text the client already sent outside it: inside, its Bind fails with 26000.
  assert.equal(prepared(`${PG}const db = postgres(url);\nawait db\`SELECT set_config('app.user', \${u}, false)\`;\nawait db.begin(async (tx) => { await tx\`SELECT set_config('app.user', \${u}, false)\`; });`), 1);
  // In a callback that runs many times: a request handler, an array callback, a per-test hook.
  assert.equal(prepared(`${PG}const db = postgres(url);\napp.get('/n', async () => db\`SELECT count(*) FROM users\`);`), 1);
  assert.equal(prepared(`${PG}const db = postgres(url);\nawait Promise.all(ids.map((id) => db\`SELECT * FROM users WHERE id = \${id}\`));`), 1);
  assert.equal(prepared(`${PG}const admin = postgres(url);\nbeforeEach(async () => { await admin\`TRUNCATE orders\`; });`, 'orders.test.ts'), 1);
  // In a function called from two places, exported, or passed as a value.
  assert.equal(prepared(`${PG}const db = postgres(url);\nasync function count() { return db\`SELECT count(*) FROM users\`; }\nawait count();\nawait count();`), 1);
  assert.equal(prepared(`${PG}const db = postgres(url);\nexport async function count() { return db\`SELECT count(*) FROM users\`; }`), 1);
  assert.equal(prepared(`${PG}const db = postgres(url);\nasync function count() { return db\`SELECT count(*) FROM users\`; }\nsetInterval(count, 1000);`), 1);
  // Handed to a function called twice, or to an unknown one.
  assert.equal(prepared(`${PG}async function touch(c) { await c\`UPDATE t SET seen = now()\`; }\nconst db = postgres(url);\nawait touch(db);\nawait touch(db);`), 1);
  assert.equal(prepared(`${PG}async function purge(o) { await o.store\`DELETE FROM events\`; }\nconst pg = postgres(url);\nfor (const d of days) await purge({ store: pg, d });`), 1);
  assert.equal(prepared(`${PG}async function purge(o) { keep(o); await o.store\`DELETE FROM events\`; }\nconst pg = postgres(url);\nawait purge({ store: pg });`), 1);
  assert.equal(prepared(`${PG}import { seed } from './seed';\nconst db = postgres(url);\nawait db\`SELECT 1\`;\nawait seed(db);`), 1);
  // Exported, or never used: not one-shot.
  assert.equal(prepared(`${PG}export const db = postgres(url);\nawait db\`SELECT 1\`;`), 1);
  assert.equal(prepared(`${PG}const db = postgres(url);`), 1);
});

test("a client handed once to a function another module of the project exports is followed into that function's body", () => {
  const repo = scratchRepository('one-shot-imported', { after });
  repo.writeAll({
    'package.json': JSON.stringify({ name: 'checker', type: 'module' }),
    'src/db/checks.ts': [
      "import type postgres from 'postgres';",
      'export async function unprotectedTables(sql: ReturnType<typeof postgres>): Promise<string[]> {',
      '  const rows = await sql`SELECT relname FROM pg_class WHERE relkind = \'r\' AND NOT relrowsecurity`;',
      '  return rows.map((r) => r.relname);',
      '}',
      'export async function touchAll(sql, tables: string[]) {',
      '  for (const t of tables) await sql`UPDATE audit SET seen = now() WHERE name = ${t}`;',
      '}',
      'export async function sameAsScript(sql) {',
      '  return sql`SELECT current_user AS who`;',
      '}',
    ],
    'src/index.ts': ["export * from './db/checks.js';"],
  });
  const script = (importLine: string, calls: string) => [
    "import postgres from 'postgres';",
    importLine,
    'async function main() {',
    '  const sql = postgres(process.env.APP_DATABASE_URL!, { max: 1 });',
    '  try {',
    '    const [me] = await sql`SELECT current_user AS who`;',
    `    ${calls}`,
    '  } finally {',
    '    await sql.end();',
    '  }',
    '}',
    'main().catch(() => process.exit(1));',
  ].join('\n');
  const lint = (text: string) => analyze(text, 'typescript', {}, repo.path('scripts/verify.ts')).filter((f) => f.rule === RULE).length;
  // Imported by a relative path, and through the project's barrel: its one query runs once with this client.
  assert.equal(lint(script("import { unprotectedTables } from '../src/db/checks.js';", 'const bad = await unprotectedTables(sql);')), 0);
  assert.equal(lint(script("import { unprotectedTables as check } from '../src/index.js';", 'console.log(await check(sql));')), 0);
  // The imported function repeats its query in a loop, is called twice, or sends a text the script also sends.
  assert.equal(lint(script("import { touchAll } from '../src/db/checks.js';", "await touchAll(sql, ['a', 'b']);")), 1);
  assert.equal(lint(script("import { unprotectedTables } from '../src/db/checks.js';", 'await unprotectedTables(sql); await unprotectedTables(sql);')), 1);
  assert.equal(lint(script("import { sameAsScript } from '../src/db/checks.js';", 'await sameAsScript(sql);')), 1);
  // A module that is not on disk, or a package's function, cannot be read.
  assert.equal(lint(script("import { unprotectedTables } from '../src/db/missing.js';", 'await unprotectedTables(sql);')), 1);
  assert.equal(lint(script("import { unprotectedTables } from 'rls-checks';", 'await unprotectedTables(sql);')), 1);
});

test('a CommonJS script that requires a helper by destructuring and hands it its one transaction is followed into that helper', () => {
  const repo = scratchRepository('one-shot-required', { after });
  repo.writeAll({
    'package.json': JSON.stringify({ name: 'seeder' }),
    'tools/wipe.js': [
      'async function wipeTenant(sql, tenant) {',
      "  for (const table of ['orders', 'invoices']) await sql.unsafe(`delete from ${table} where tenant = $1`, [tenant]);",
      '}',
      'async function countRows(sql) {',
      '  return sql`select count(*) from orders`;',
      '}',
      'module.exports = { wipeTenant, countRows };',
    ],
  });
  const script = (helper: string, inside: string) => [
    "const postgres = require('postgres');",
    `const { ${helper} } = require('./wipe.js');`,
    'async function main() {',
    '  const db = postgres(process.env.DATABASE_URL, { max: 2 });',
    '  try {',
    "    const [found] = await db`select id from tenants where slug = ${'acme'}`;",
    '    await db.begin(async (tx) => {',
    `      ${inside}`,
    "      await tx`insert into tenants (slug) values (${'acme'})`;",
    '    });',
    '  } finally {',
    '    await db.end();',
    '  }',
    '}',
    'if (require.main === module) main();',
  ].join('\n');
  const lint = (text: string) => analyze(text, 'javascript', {}, repo.path('tools/seed.js')).filter((f) => f.rule === RULE).length;
  // Inside the one transaction the helper sends only unprepared text: each statement still runs once outside it.
  assert.equal(lint(script('wipeTenant', "await wipeTenant(tx, 'acme');")), 0);
  // A helper the module does not define cannot be read; one that repeats outside the transaction keeps the finding.
  assert.equal(lint(script('resetAll', "await resetAll(tx, 'acme');")), 1);
  assert.equal(lint(script('countRows', 'await countRows(tx);').replace('await db.end();', 'await countRows(db); await db.end();')), 1);
});

test('a module-level let that a function fills with a fresh client, which then runs each of its texts once, is not flagged', () => {
  // Each call makes a new client and runs its one query on it once; the client is ended, emptied or kept elsewhere.
  const leader = (extra = '') => `${PG}let holder: ReturnType<typeof postgres> | null = null;\nexport async function becomeLeader(url: string) {\n  try {\n    holder = postgres(url, { max: 1 });\n    const [row] = await holder\`SELECT pg_try_advisory_lock(\${42}) AS got\`;\n    if (!row.got) {\n      await holder.end();\n      holder = null;\n    }\n    return row.got;\n  } catch {\n    return false;\n  }\n}\nexport async function resign() {\n  if (holder) await holder.end();\n  holder = null;\n}${extra}`;
  assert.equal(prepared(leader()), 0);
  // Two distinct texts in a row, the second evaluated before anything is awaited: still one run each.
  assert.equal(prepared(`${PG}let admin;\nasync function check(url) {\n  admin = postgres(url);\n  const both = await Promise.all([admin\`SELECT 1 FROM pg_roles\`, admin\`SELECT 2 FROM pg_database\`]);\n  await admin.end();\n  return both;\n}\nexport { check };`), 0);
});

test('a let filled with a client keeps its finding when a text may run twice on one client', () => {
  // Filled only when empty (lazily): later calls reuse the client and run the text again.
  assert.equal(prepared(`${PG}let db = null;\nexport async function count() {\n  if (!db) db = postgres(url);\n  return db\`SELECT count(*) FROM users\`;\n}`), 1);
  // Used from another function, which may run many times on one client.
  assert.equal(prepared(`${PG}let db = null;\nexport function open(url) {\n  db = postgres(url);\n}\nexport async function count() {\n  return db\`SELECT count(*) FROM users\`;\n}`), 1);
  // Something awaited between the filling and the query: a concurrent call may have put its own client there.
  assert.equal(prepared(`${PG}let db = null;\nexport async function probe(url) {\n  db = postgres(url);\n  await warmUp();\n  return db\`SELECT now()\`;\n}`), 1);
  // The query in a loop, or the same text twice.
  assert.equal(prepared(`${PG}let db = null;\nexport async function touch(url, ids) {\n  db = postgres(url);\n  for (const id of ids) await db\`UPDATE t SET seen = now() WHERE id = \${id}\`;\n}`), 1);
  // Exported, or given another value than a fresh client or null.
  assert.equal(prepared(`${PG}export let db = null;\nexport async function probe(url) {\n  db = postgres(url);\n  return db\`SELECT now()\`;\n}`), 1);
  assert.equal(prepared(`${PG}let db = null;\nexport async function probe(url, other) {\n  db = postgres(url);\n  const r = await db\`SELECT now()\`;\n  db = other;\n  return r;\n}`), 1);
});

test('a client handed once to a factory is followed into the function the factory returns when the caller runs that function once', () => {
  const factory = 'function makeBacklog(conn) {\n  return async () => {\n    const [row] = await conn`SELECT count(*)::int AS n FROM jobs WHERE done = false`;\n    return row.n;\n  };\n}\n';
  const script = (calls: string) => `${PG}${factory}async function main() {\n  const client = postgres(url, { max: 1 });\n  try {\n    ${calls}\n  } finally {\n    await client.end();\n  }\n}\nmain();`;
  // Kept in a const and called once; or called in place.
  assert.equal(prepared(script('const backlog = makeBacklog(client);\n    console.log(await backlog());')), 0);
  assert.equal(prepared(script('console.log(await makeBacklog(client)());')), 0);
  // An arrow factory whose body is the returned function; the client read through a const that may fall back to a
  // shared one (`override ?? shared()`).
  assert.equal(prepared(`${PG}const lookup = (override?) => async (id: number) => {\n  const db = override ?? shared();\n  return db\`SELECT name FROM plans WHERE id = \${id}\`;\n};\nconst admin = postgres(url);\nconst plan = lookup(admin);\nawait plan(3);\nawait admin.end();`), 0);
  // A const holding the client in the client's own scope is the client.
  assert.equal(prepared(`${PG}const raw = postgres(url);\nconst db = raw as Sql;\nawait db\`SELECT 1 FROM pg_roles\`;\nawait raw.end();`), 0);
});

test('a factory\'s returned function that may run more than once keeps the finding', () => {
  const factory = 'function makeBacklog(conn) {\n  return async () => conn`SELECT count(*)::int AS n FROM jobs WHERE done = false`;\n}\n';
  const script = (calls: string) => `${PG}${factory}const client = postgres(url, { max: 1 });\n${calls}`;
  // Called twice, in a loop, handed on as a value, or returned to a caller the file cannot see.
  assert.equal(prepared(script('const backlog = makeBacklog(client);\nawait backlog();\nawait backlog();')), 1);
  assert.equal(prepared(script('const backlog = makeBacklog(client);\nfor (const q of queues) console.log(q, await backlog());')), 1);
  assert.equal(prepared(script('const backlog = makeBacklog(client);\nsetInterval(backlog, 60_000);')), 1);
  assert.equal(prepared(script('export const backlog = makeBacklog(client);\nawait backlog();')), 1);
  assert.equal(prepared(`${PG}${factory}export function backlogReader(url) {\n  const client = postgres(url);\n  return makeBacklog(client);\n}`), 1);
  // An arrow factory whose returned function runs in a loop: the function it makes is not run where it is made.
  assert.equal(prepared(`${PG}const reader = (c) => async (id) => c\`SELECT * FROM plans WHERE id = \${id}\`;\nconst db = postgres(url);\nconst read = reader(db);\nfor (const id of ids) await read(id);`), 1);
  // A const holding the client whose query runs in a loop.
  assert.equal(prepared(`${PG}const raw = postgres(url);\nconst db = raw;\nfor (const id of ids) await db\`DELETE FROM t WHERE id = \${id}\`;`), 1);
});

test('a script that hands its client to a factory another module exports and runs the returned function once is not flagged', () => {
  const repo = scratchRepository('one-shot-factory', { after });
  repo.writeAll({
    'package.json': JSON.stringify({ name: 'fleet', type: 'module' }),
    'src/shared.ts': ["import postgres from 'postgres';", 'export const shared = () => postgres(process.env.DATABASE_URL!);'],
    'src/usage.ts': [
      "import { shared } from './shared.ts';",
      'export function createUsageReader(override?) {',
      '  return async (fleetId: string) => {',
      '    const sql = override ?? shared();',
      '    const rows = await sql`SELECT sum(km) AS km FROM trips WHERE fleet = ${fleetId}`;',
      '    return rows[0]?.km ?? 0;',
      '  };',
      '}',
    ],
  });
  const script = (body: string) => [
    "import postgres from 'postgres';",
    "import { createUsageReader } from '../src/usage.ts';",
    'async function main() {',
    '  const sql = postgres(process.env.REPORT_DATABASE_URL!, { max: 1 });',
    '  try {',
    `    ${body}`,
    '  } finally {',
    '    await sql.end();',
    '  }',
    '}',
    'main();',
  ].join('\n');
  const lint = (text: string) => analyze(text, 'typescript', {}, repo.path('scripts/usage-report.ts')).filter((f) => f.rule === RULE).length;
  assert.equal(lint(script("const usage = createUsageReader(sql);\n    console.log(await usage(process.argv[2]));")), 0);
  assert.equal(lint(script("const usage = createUsageReader(sql);\n    for (const f of process.argv.slice(2)) console.log(await usage(f));")), 1);
});

test("a suite's variable filled with a client once, in its beforeAll hook, is judged as a const of the suite", () => {
  const suite = (fill: string, teardown: string, extra = '') => `${PG}describe('billing', () => {\n  let admin: ReturnType<typeof postgres> | null = null;\n  const tenant = crypto.randomUUID();\n  ${fill}\n  ${teardown}\n  ${extra}\n  it('shows the invoice', async () => { await openInvoicePage(tenant); });\n});`;
  const fillOnce = "beforeAll(async () => {\n    const url = process.env.BILLING_DB_URL;\n    if (url) {\n      admin = postgres(url);\n      const token = await mintToken();\n      await admin`INSERT INTO tenants (id, token) VALUES (${tenant}, ${token})`;\n    }\n  });";
  const cleanUp = "afterAll(async () => {\n    if (admin && tenant) {\n      await admin`DELETE FROM invoices WHERE tenant_id = ${tenant}`;\n      await admin`DELETE FROM tenants WHERE id = ${tenant}`;\n      await admin.end();\n      admin = null;\n    }\n  });";
  // Filled in beforeAll (behind a test of the URL, with an await before its first query), read in afterAll: one
  // client per run of the suite, each text sent once on it.
  assert.equal(prepared(suite(fillOnce, cleanUp), 'billing.spec.ts'), 0);
  // Playwright's `test.beforeAll` / `test.afterAll`, the variable at the top of the file.
  assert.equal(prepared(`${PG}let db;\ntest.beforeAll(async () => {\n  db = postgres(process.env.E2E_DB!);\n  await db\`INSERT INTO flags (name) VALUES ('beta')\`;\n});\ntest.afterAll(async () => {\n  await db\`DELETE FROM flags WHERE name = 'beta'\`;\n  await db.end();\n});`, 'flags.spec.ts'), 0);
});

test('a variable filled with a client in a once-run hook keeps the finding when one of its texts may run twice', () => {
  const fill = "beforeAll(async () => { admin = postgres(url); });";
  const suite = (rest: string) => `${PG}describe('billing', () => {\n  let admin;\n  ${fill}\n  ${rest}\n  afterAll(() => admin.end());\n});`;
  // A per-test hook or a helper called from two tests sends its text again on the one client.
  assert.equal(prepared(suite("afterEach(async () => { await admin`DELETE FROM invoices`; });"), 'billing.spec.ts'), 1);
  assert.equal(prepared(suite("const wipe = () => admin`DELETE FROM invoices`;\n  it('a', async () => { await wipe(); });\n  it('b', async () => { await wipe(); });"), 'billing.spec.ts'), 1);
  // The same text written in two hooks.
  assert.equal(prepared(suite("beforeAll(async () => { await admin`DELETE FROM invoices`; });\n  afterAll(async () => { await admin`DELETE FROM invoices`; });"), 'billing.spec.ts'), 1);
  // Filled in beforeEach: a new client per test, but the afterEach query is not tied to the filling's run.
  assert.equal(prepared(`${PG}describe('billing', () => {\n  let admin;\n  beforeEach(() => { admin = postgres(url); });\n  it('a', async () => { await admin\`SELECT 1 FROM invoices\`; });\n});`, 'billing.spec.ts'), 1);
  // Filled from a function the file calls from two places, or a variable the module exports.
  assert.equal(prepared(`${PG}let db;\nasync function connect() { db = postgres(url); }\nawait connect();\nawait db\`SELECT 1 FROM invoices\`;\nawait connect();`), 1);
  assert.equal(prepared(`${PG}export let db;\nbeforeAll(() => { db = postgres(url); });\nafterAll(async () => { await db\`DELETE FROM invoices\`; });`, 'billing.spec.ts'), 1);
});

test('two begin() calls on paths that exclude each other are one transaction per run: its commit is named once', () => {
  const script = (body: string) => `${PG}async function main() {\n  const sql = postgres(process.env.DATABASE_URL!);\n  try {\n${body}\n  } finally {\n    await sql.end();\n  }\n}\nmain();`;
  // The first transaction's arm returns: the later begin() runs only when that arm was not taken.
  assert.equal(prepared(script(`    if (restore) {\n      await sql.begin(async (tx) => { await tx\`UPDATE members SET suspended = false WHERE id = \${id}\`; });\n      return;\n    }\n    await sql.begin(async (tx) => { await tx\`UPDATE members SET suspended = true WHERE id = \${id}\`; });`), 'suspend.ts'), 0);
  // An arm that throws after its transaction leaves too.
  assert.equal(prepared(script(`    if (strict) {\n      await sql.begin(async (tx) => { await tx\`DELETE FROM drafts WHERE owner = \${id}\`; });\n      throw new Error('strict mode stops here');\n    }\n    await sql.begin(async (tx) => { await tx\`DELETE FROM drafts WHERE stale\`; });`), 'purge.ts'), 0);
  // The two arms of one if.
  assert.equal(prepared(script(`    if (archive) await sql.begin(async (tx) => { await tx\`UPDATE boards SET archived = true\`; });\n    else await sql.begin(async (tx) => { await tx\`DELETE FROM boards WHERE archived\`; });`), 'boards.ts'), 0);
});

test('two begin() calls that may both run in one run keep the finding', () => {
  const script = (body: string, after = '') => `${PG}async function main() {\n  const sql = postgres(process.env.DATABASE_URL!);\n  try {\n${body}\n  } finally {\n${after}    await sql.end();\n  }\n}\nmain();`;
  // The first arm goes on after its transaction: both commits are sent.
  assert.equal(prepared(script(`    if (restore) {\n      await sql.begin(async (tx) => { await tx\`UPDATE members SET suspended = false WHERE id = \${id}\`; });\n    }\n    await sql.begin(async (tx) => { await tx\`UPDATE members SET suspended = true WHERE id = \${id}\`; });`), 'suspend.ts'), 1);
  // It leaves only on one of its paths (the return is not its last statement).
  assert.equal(prepared(script(`    if (restore) {\n      await sql.begin(async (tx) => { await tx\`UPDATE members SET suspended = false WHERE id = \${id}\`; });\n      if (quick) return;\n      log('restored');\n    }\n    await sql.begin(async (tx) => { await tx\`UPDATE members SET suspended = true WHERE id = \${id}\`; });`), 'suspend.ts'), 1);
  // The later transaction is in the finally that runs after the arm's return.
  assert.equal(prepared(script(`    if (restore) {\n      await sql.begin(async (tx) => { await tx\`UPDATE members SET suspended = false WHERE id = \${id}\`; });\n      return;\n    }`, `    await sql.begin(async (tx) => { await tx\`INSERT INTO audit (what) VALUES ('ran')\`; });\n`), 'suspend.ts'), 1);
  // The arm may jump out of a labelled block and on to the later transaction.
  assert.equal(prepared(script(`    steps: {\n      if (restore) {\n        await sql.begin(async (tx) => { await tx\`UPDATE members SET suspended = false WHERE id = \${id}\`; });\n        if (skip) break steps;\n        return;\n      }\n    }\n    await sql.begin(async (tx) => { await tx\`UPDATE members SET suspended = true WHERE id = \${id}\`; });`), 'suspend.ts'), 1);
});
