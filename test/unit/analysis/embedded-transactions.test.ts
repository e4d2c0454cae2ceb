// Transaction context across calls: one client object is one connection, a pool is not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings, embeddedRules } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const rules = (text: string, file?: string) => embeddedRules(text, file);

test('begin (any case, or START TRANSACTION) on a client, then SET LOCAL / set_config(…, true) on it is safe', () => {
  for (const begin of ['begin', 'BEGIN', 'Begin', 'START TRANSACTION', 'begin isolation level serializable']) {
    const text = `async function f(pool) {
  const client = await pool.connect();
  await client.query('${begin}');
  await client.query("SET LOCAL statement_timeout = '5s'");
  await client.query("SELECT set_config('app.tenant', $1, true)", [tenant]);
  await client.query('commit');
  client.release();
}`;
    assert.deepEqual(rules(text), [], begin);
  }
});

test('SET LOCAL after COMMIT, or on another client object than the one that began, is outside a transaction', () => {
  const afterCommit = "async function f(c) { await c.query('BEGIN'); await c.query('COMMIT'); await c.query('SET LOCAL lock_timeout = 1'); }";
  assert.deepEqual(rules(afterCommit), ['set-local-outside-transaction']);
  const other = "async function f(pool) { const a = await pool.connect(); const b = await pool.connect(); await a.query('BEGIN'); await b.query('SET LOCAL lock_timeout = 1'); await a.query('COMMIT'); }";
  assert.deepEqual(rules(other), ['set-local-outside-transaction']);
});

test('BEGIN on a pool does not open a transaction for the next pool call (each call may take another connection)', () => {
  const text = `import { Pool } from 'pg';
const db = new Pool();
async function f() {
  await db.query('BEGIN');
  await db.query("SELECT set_config('app.user', $1, true)", [id]);
  await db.query('COMMIT');
}
async function g(ctx) {
  await ctx.pool.query('BEGIN');
  await ctx.pool.query("SET LOCAL statement_timeout = 1000");
  await ctx.pool.query('COMMIT');
}`;
  assert.deepEqual(rules(text), ['set-local-outside-transaction', 'set-local-outside-transaction']);
  // One pool.query with the whole transaction in one text is fine.
  assert.deepEqual(rules("await pool.query(\"BEGIN; SET LOCAL statement_timeout = 1000; SELECT 1; COMMIT\");"), []);
});

test('callbacks of functions named …Transaction run inside a transaction; commitTransaction(cb) is not one', () => {
  const inside = "sideEffectWithPgClientTransaction(executor, $a, async (client) => { await client.query(\"select set_config('app.a', $1, true)\", [a]); });";
  assert.deepEqual(rules(inside), []);
  // Inside a transaction a session SET can become SET LOCAL (the quick fix is offered); in commitTransaction's
  // callback the client is only the caller's (maybe in a transaction, maybe not): no such fix.
  const fixOf = (text: string) => analyze(text, 'typescript', {}, 'f.ts').map((f) => [f.rule, f.fix?.title ?? 'no fix']);
  assert.deepEqual(fixOf("sideEffectWithPgClientTransaction(executor, async (client) => { await client.query('SET search_path TO app'); });"),
    [['session-set', 'Use SET LOCAL (lasts until the end of this transaction)']]);
  assert.deepEqual(fixOf("commitTransaction(async (client) => { await client.query('SET search_path TO app'); });"), [['session-set', 'no fix']]);
});

test('transaction callbacks stay open transactions for their own client, not for a pool used inside them', () => {
  assert.deepEqual(rules("await db.transaction(async (tx) => { await tx.execute(sql`SET LOCAL app.t = '1'`); });"), []);
  assert.deepEqual(rules("await knex.transaction(async (trx) => { await pool.query(\"SET LOCAL app.t = '1'\"); });"), ['set-local-outside-transaction']);
});

test('a transaction callback\'s parameter is the transaction even when it shadows a pool of the same name', () => {
  const inside = [
    "import postgres from 'postgres';",
    'const sql = postgres({ prepare: false });',
    'export const read = () => sql.begin((sql) => [',
    "  sql`select set_config('app.user', 'alice', true)`,",
    "  sql`select current_setting('app.user')`,",
    ']);',
  ].join('\n');
  assert.deepEqual(rules(inside), []);
  // On the pool itself, outside the callback, the setting is lost when the statement ends.
  const outside = [
    "import postgres from 'postgres';",
    'const sql = postgres({ prepare: false });',
    "export const lost = () => sql`select set_config('app.user', 'alice', true)`;",
  ].join('\n');
  assert.deepEqual(rules(outside), ['set-local-outside-transaction']);
});

test('PREPARE … DEALLOCATE within one query string is safe; a PREPARE left for a later call, or a file\'s separate statements, is not', () => {
  const oneMessage = [
    'export async function complete(client, ids) {',
    '  await client.query({ text: `prepare done (bigint) as delete from jobs where id = $1;',
    '${ids.map((id) => `execute done(${id});`).join("\\n")}',
    'deallocate done;` });',
    "  await client.query('prepare one as select 1; execute one; deallocate all');",
    '}',
  ].join('\n');
  assert.deepEqual(rules(oneMessage, 'f.js'), []);
  // On a client the function checks out itself each call is a transaction of its own.
  const acrossCalls = [
    'export async function later(pool) {',
    '  const client = await pool.connect();',
    "  await client.query('prepare two as select 1; execute two');",
    "  await client.query('deallocate two');",
    "  await client.query('prepare three as select 1; deallocate four');",
    '}',
  ].join('\n');
  assert.deepEqual(rules(acrossCalls, 'f.js'), ['prepared-statement', 'prepared-statement', 'prepared-statement', 'prepared-statement', 'prepared-statement']);
  // On a client the caller hands in, which may be inside the caller's transaction, only the uses of what the function
  // prepared earlier on it go unflagged (prepared-in-transaction.test.ts): the PREPAREs and the other name stay.
  const handedIn = acrossCalls.replace('later(pool) {\n  const client = await pool.connect();', 'later(client) {');
  assert.deepEqual(rules(handedIn, 'f.js'), ['prepared-statement', 'prepared-statement', 'prepared-statement']);
  // psql sends a file's statements one by one: each may run on another server connection.
  assert.deepEqual(analyzeSql('prepare five as select 1;\nexecute five;\ndeallocate five;\n').map((f) => f.rule), ['prepared-statement', 'prepared-statement', 'prepared-statement']);
});

test('a handle returned by beginTransaction()/transaction() (no callback) is inside its transaction; the object it came from is not', () => {
  const handle = [
    'export async function purge(pool, bucket) {',
    '  const tnx = await pool.acquire().beginTransaction();',
    "  await tnx.query(\"SELECT set_config('storage.allow_delete', 'true', true)\");",
    '  const trx = existing ? outer : await knex.transaction();',
    "  await trx.raw(\"SELECT set_config('app.user', 'x', true)\");",
    '}',
  ].join('\n');
  assert.deepEqual(rules(handle, 'f.js'), []);
  const notHandle = [
    'export async function purge(pool) {',
    '  const tnx = await pool.beginTransaction();',
    "  await pool.query(\"SELECT set_config('storage.allow_delete', 'true', true)\");",
    '  const ran = await pool.transaction(async (t) => t.query("SELECT 1"));',
    "  await ran.query(\"SELECT set_config('app.user', 'x', true)\");",
    '}',
  ].join('\n');
  assert.deepEqual(rules(notHandle, 'f.js'), ['set-local-outside-transaction', 'set-local-outside-transaction']);
});

test('a client passed in by the caller may be inside the caller\'s transaction: SET LOCAL on it is not flagged until it is seen to end one', () => {
  const passedIn = [
    'export async function setTenant(client, id) {',
    "  await client.query(\"SELECT set_config('app.tenant', $1, true)\", [id]);",
    '}',
    "export const asRole = async ({ tx }, role) => tx.query(`SET LOCAL role TO ${role}`);",
    "export async function scoped(ctx) { await ctx.db.query(\"SET LOCAL statement_timeout = '1s'\"); }",
    "export async function viaAlias(ctx) { const c = ctx.client; await c.query(\"SET LOCAL lock_timeout = '1s'\"); }",
    // An application's own wrapper hands its callback a client: which one, only the wrapper knows.
    "export const list = () => runQuery('List', async (db) => { await db.query(\"SELECT set_config('app.x', '1', true)\"); });",
  ].join('\n');
  assert.deepEqual(rules(passedIn, 'f.js'), []);
  const lost = [
    // After its own COMMIT the client is surely outside a transaction.
    "export async function after(client) { await client.query('COMMIT'); await client.query('SET LOCAL lock_timeout = 1'); }",
    // A pool (by name), a connection taken here, one handed to a connect() callback, a module-level client.
    "export async function onPool(pool) { await pool.query('SET LOCAL lock_timeout = 1'); }",
    "export async function fresh(db) { const conn = await db.connect(); await conn.query('SET LOCAL lock_timeout = 1'); }",
    "pool.connect((err, client, done) => { client.query('SET LOCAL lock_timeout = 1', done); });",
    "const admin = new Client(); export const direct = () => admin.query('SET LOCAL lock_timeout = 1');",
  ].join('\n');
  assert.deepEqual(rules(lost, 'f.js'), Array(5).fill('set-local-outside-transaction'));
});

test('a client held by an object a call returned (a request context another file fills) may be inside a transaction: SET LOCAL on it is not flagged', () => {
  const fromContext = [
    "import { store } from './requestStore';",
    "export async function asUser(id) { const ctx = store.current(); await ctx.client.query(\"SELECT set_config('app.uid', $1, true)\", [id]); }",
    "export async function asRole(role) { const { client } = getRequestContext(); await client.query(`SET LOCAL role TO ${role}`); }",
  ].join('\n');
  assert.deepEqual(rules(fromContext, 'f.js'), []);
  const lost = [
    // A connection the call itself took (directly or as the root of the receiver) starts outside one.
    "export async function taken(pool) { const conn = await pool.connect(); await conn.query('SET LOCAL lock_timeout = 1'); }",
    "export async function viaOpener(pool) { const { client } = await pool.connect(); await client.query('SET LOCAL lock_timeout = 1'); }",
    "export async function made() { const client = makeClient(); await client.query('SET LOCAL lock_timeout = 1'); }",
  ].join('\n');
  assert.deepEqual(rules(lost, 'f.js'), Array(3).fill('set-local-outside-transaction'));
});

test('a database a const destructures from the object a function of the file returns is a pool when that function makes one: SET LOCAL on it alone is flagged', () => {
  // A factory that makes a drizzle database on a new pool and hands it out in an object, also through a helper that
  // copies members of its own into the database and returns it (`Object.assign(db, { … })`).
  const factory = [
    "import { drizzle } from 'drizzle-orm/node-postgres';",
    "import { Pool } from 'pg';",
    'const withRows = (db) => { const run = db.execute.bind(db); return Object.assign(db, { execute: async (q) => (await run(q)).rows }); };',
    'const openDb = () => { const pool = new Pool({ connectionString: url }); const database = withRows(drizzle(pool)); return { db: database, pool }; };',
    'const openPlain = () => { const made = drizzle(new Pool()); return { made }; };',
  ];
  const lost = [
    ...factory,
    "export async function probe() { const { db } = openDb(); await db.execute(sql`SET LOCAL work_mem = '64MB'`); await db.execute(sql`SELECT 1`); }",
    "export async function probePlain() { const { made: database } = openPlain(); await database.execute(sql`SET LOCAL lock_timeout = 1`); }",
  ].join('\n');
  assert.deepEqual(rules(lost), Array(2).fill('set-local-outside-transaction'));
  // Inside the database's own transaction callback the setting holds.
  const inside = [...factory, "export async function probe() { const { db } = openDb(); await db.transaction(async (tx) => { await tx.execute(sql`SET LOCAL lock_timeout = 1`); await tx.execute(sql`SELECT 1`); }); }"].join('\n');
  assert.deepEqual(rules(inside), []);
});

test('the factory may be another module of the project, loaded with `await import(…)` or imported by name', () => {
  const repo = scratchRepository('destructured-pools', { after });
  repo.write('package.json', '{"name": "probe"}');
  repo.write('src/db/open.ts', [
    "import { drizzle } from 'drizzle-orm/node-postgres';",
    "import pg from 'pg';",
    'export const openDb = () => { const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL }); return { db: drizzle(pool), pool }; };',
    'export const currentDb = () => ({ db: requestStore.getStore().tx });',
  ]);
  const loaded = [
    "const { openDb, currentDb } = await import('../src/db/open');",
    "export async function probe() { const { db } = openDb(); await db.execute(sql`SET LOCAL enable_seqscan = off`); await db.execute(sql`SELECT 1`); }",
    // A member the module takes from a request's context may be a transaction's client: unknown.
    "export async function scoped() { const { db } = currentDb(); await db.execute(sql`SET LOCAL enable_seqscan = off`); }",
  ];
  const file = repo.write('scripts/probe.ts', loaded);
  assert.deepEqual(analyze(loaded.join('\n'), 'typescript', {}, file).map((f) => f.rule), ['set-local-outside-transaction']);
  const imported = ["import { openDb } from '../src/db/open';", loaded[1]];
  const other = repo.write('scripts/other.ts', imported);
  assert.deepEqual(analyze(imported.join('\n'), 'typescript', {}, other).map((f) => f.rule), ['set-local-outside-transaction']);
});

test('a client destructured from what a function returns stays unknown unless the function surely makes a pool there', () => {
  const cases: Record<string, string> = {
    // The member is what the function was handed: a caller's client, perhaps a transaction's.
    handed: 'const wrap = (client) => { return { db: client }; };\nexport async function f(tx) { const { db } = wrap(tx); await db.query(\'SET LOCAL lock_timeout = 1\'); }',
    // Copied in from an object that is not written there: its members may replace what sends the query.
    copiedUnknown: "import { Pool } from 'pg';\nconst patch = (db) => Object.assign(db, extras);\nconst open = () => { const made = patch(new Pool()); return { db: made }; };\nexport async function f() { const { db } = open(); await db.query('SET LOCAL lock_timeout = 1'); }",
    // A file's own `Object` is not the global one.
    ownObject: "import { Pool } from 'pg';\nimport { Object } from './objects';\nconst patch = (db) => Object.assign(db, { a: 1 });\nconst open = () => { const made = patch(new Pool()); return { db: made }; };\nexport async function f() { const { db } = open(); await db.query('SET LOCAL lock_timeout = 1'); }",
    // A drizzle database around the connection the caller hands over, inside the caller's BEGIN.
    wrapsHanded: "import { drizzle } from 'drizzle-orm/node-postgres';\nconst wrap = (client) => { const made = drizzle(client); return { db: made }; };\nexport async function f(pool) { const conn = await pool.connect(); await conn.query('BEGIN'); const { db } = wrap(conn); await db.execute(sql`SET LOCAL lock_timeout = 1`); await conn.query('COMMIT'); }",
    // Two returns: which object is handed out is not read.
    twoReturns: "import { Pool } from 'pg';\nconst open = (ctx) => { if (ctx) return { db: ctx.tx }; return { db: new Pool() }; };\nexport async function f(ctx) { const { db } = open(ctx); await db.query('SET LOCAL lock_timeout = 1'); }",
    // A spread may bring the member from elsewhere.
    spread: "import { Pool } from 'pg';\nconst open = (ctx) => { const made = new Pool(); return { db: made, ...ctx }; };\nexport async function f(ctx) { const { db } = open(ctx); await db.query('SET LOCAL lock_timeout = 1'); }",
  };
  for (const [name, text] of Object.entries(cases)) assert.deepEqual(rules(text), [], name);
});

test('transaction handles are told apart by scope, not by name: the same name bound to a plain connection elsewhere is not one', () => {
  const text = [
    "export async function inTx(db) { const tx = await db.beginTransaction(); await tx.query('SET LOCAL lock_timeout = 1'); }",
    "export async function notTx(pool) { const tx = await pool.connect(); await tx.query('SET LOCAL lock_timeout = 1'); }",
  ].join('\n');
  assert.deepEqual(embeddedFindings(text, 'f.js').map(([rule]) => rule), ['set-local-outside-transaction']);
  assert.equal(embeddedFindings(text, 'f.js').length, 1);
  assert.ok(text.indexOf('notTx') < analyze(text, 'javascript', {}, 'f.js')[0].start);
});

test('a parameter declared with a transaction type is inside that transaction: a SET undone before it ends leaks nothing, and SET LOCAL is offered', () => {
  const restored = [
    'export async function asOwner(trx: Knex.Transaction, kind: string) {',
    "  await trx.raw('SET ROLE owner');",
    "  await trx.raw('SELECT * FROM accounts');",
    "  await trx.raw('RESET ROLE');",
    '}',
  ].join('\n');
  assert.deepEqual(rules(restored), []);
  const fixes = (text: string) => analyze(text, 'typescript', {}, 'f.ts').map((f) => [f.rule, f.fix?.title ?? 'no fix']);
  assert.deepEqual(fixes("export const f = async (tx: PgTransaction<Schema> | Prisma.TransactionClient) => { await tx.query('SET search_path TO app'); };"),
    [['session-set', 'Use SET LOCAL (lasts until the end of this transaction)']]);
  // A type that may be a pool, or no type at all: only the caller knows, so the pair is two separate calls.
  assert.deepEqual(rules(restored.replace('Knex.Transaction', 'Knex.Transaction | Knex')), ['session-set']);
  assert.deepEqual(rules(restored.replace('trx: Knex.Transaction', 'trx')), ['session-set']);
  assert.deepEqual(fixes("export const f = async (tx: Executor) => { await tx.query('SET search_path TO app'); };"), [['session-set', 'no fix']]);
});

test('a client taken from a field declared with a transaction type (destructured, or read as params.tx) is inside that transaction: a SET ROLE put back in finally leaks nothing', () => {
  const body = (tx: string) => [
    `  await ${tx}.$executeRawUnsafe(\`SET ROLE \${role}\`);`,
    '  try {',
    `    for (const step of steps) await ${tx}.$executeRawUnsafe(step);`,
    '  } finally {',
    `    await ${tx}.$executeRawUnsafe('RESET ROLE');`,
    '  }',
  ].join('\n');
  const declared = "import type { Prisma } from '@prisma/client';\ninterface SeedJob { tx: Prisma.TransactionClient; role: string; steps: string[] }\n";
  // In a parameter's binding pattern, with the type written in place.
  assert.deepEqual(rules(`export async function seed({ tx, role, steps }: { tx: Prisma.TransactionClient; role: string; steps: string[] }) {\n${body('tx')}\n}`), []);
  // Destructured in the body from a parameter whose interface the file declares.
  assert.deepEqual(rules(`${declared}export async function seed(job: SeedJob) {\n  const { tx, role, steps } = job;\n${body('tx')}\n}`), []);
  // Read through the parameter, from a type alias (and an intersection).
  assert.deepEqual(rules(`${declared}type Job = SeedJob & { retries: number };\nexport async function seed(job: Job, role: string, steps: string[]) {\n${body('job.tx')}\n}`), []);
});

test('a field typed as something else, or declared in another module, leaves the client\'s transaction unknown: SET ROLE … RESET ROLE on it is two separate calls', () => {
  const body = "  await db.query(`SET ROLE ${role}`);\n  try { await db.query('SELECT 1'); } finally { await db.query('RESET ROLE'); }";
  assert.deepEqual(rules(`interface Job { db: pg.PoolClient; role: string }\nexport async function run({ db, role }: Job) {\n${body}\n}`), ['session-set']);
  assert.deepEqual(rules(`import type { Job } from './job';\nexport async function run(job: Job, role: string) {\n  const { db } = job;\n${body}\n}`), ['session-set']);
  // A SET ROLE that nothing puts back outlives the transaction's COMMIT, typed field or not.
  assert.deepEqual(rules("export async function run({ tx }: { tx: Prisma.TransactionClient }) { await tx.$executeRawUnsafe('SET ROLE auditor'); }"), ['session-set']);
});

test('a client destructured from a parameter (const { pgClient } = context) may be inside the caller\'s transaction', () => {
  const resolver = (binding: string) => `import pg from 'pg';
export async function login(_parent, args, context) {
  const ${binding} = context;
  await pgClient.query("select set_config('app.session_id', $1, true)", [args.id]);
}`;
  assert.deepEqual(rules(resolver('{ rootPool, pgClient }')), []);
  assert.deepEqual(rules(resolver('{ db: { pgClient } }')), []);
  // Destructured from a pool or a module-level object, it is not handed in: the setting is lost.
  const fromModule = `import pg from 'pg';
const shared = { pgClient: new pg.Pool() };
export async function login(args) {
  const { pgClient } = shared;
  await pgClient.query("select set_config('app.session_id', $1, true)", [args.id]);
}`;
  assert.deepEqual(rules(fromModule), ['set-local-outside-transaction']);
});

test('a client picked from a parameter or its member (p ? p : p.runner, tx ?? runner) may be inside the caller\'s transaction; one that may be a pool is not', () => {
  const helper = (pick: string) => `import { Pool } from 'pg';
const pool = new Pool();
const other = new Pool();
export async function setTenant(runnerOrManager, tenantId) {
  const runner = ${pick};
  await runner.query('SET LOCAL app.tenant_id = 7');
}`;
  assert.deepEqual(rules(helper('isRunner(runnerOrManager) ? runnerOrManager : runnerOrManager.queryRunner!')), []);
  assert.deepEqual(rules(helper('runnerOrManager.queryRunner ?? runnerOrManager')), []);
  // Where the pool is the one picked (no client handed in), the setting goes alone on one of its connections and is lost.
  assert.deepEqual(rules(helper('runnerOrManager || pool')), ['set-local-outside-transaction']);
  // Both sides start outside a transaction: the setting is lost whichever runs it.
  assert.deepEqual(rules(helper('tenantId ? pool : other')), ['set-local-outside-transaction']);
  assert.deepEqual(rules(helper('pool ?? other')), ['set-local-outside-transaction']);
});

test('a class\'s query helper on `options?.client ?? this.pool` loses a transaction-local setting whenever the caller hands no client', () => {
  const repository = (pick: string) => `import pg from 'pg';
export abstract class Repository {
  protected readonly pool: pg.Pool = new pg.Pool();
  protected async run(text: string, options?: { client?: pg.PoolClient; account?: string }) {
    const db = ${pick};
    if (options?.account) await db.query("SELECT set_config('app.account', $1, true)", [options.account]);
    return db.query(text);
  }
}`;
  assert.deepEqual(rules(repository('options?.client ?? this.pool')), ['set-local-outside-transaction']);
  assert.deepEqual(rules(repository('options?.client ? options.client : this.pool')), ['set-local-outside-transaction']);
  // Without the pool as a choice, the caller's client may be inside its transaction: unknown, silent.
  assert.deepEqual(rules(repository('options!.client!')), []);
});

test('a client picked between a handed one and a connection the method checks out of its pool itself starts outside any transaction when it checks one out', () => {
  const wallet = (pick: string, beforeSetting = '') => `import { Pool, PoolClient } from 'pg';
export class Wallets {
  constructor(private pool: Pool) {}
  async open(owner: string, options?: { client?: PoolClient }) {
    const client = ${pick};
    try {
      ${beforeSetting}
      await client.query("SELECT set_config('app.owner', $1, true)", [owner]);
      return await client.query('SELECT * FROM wallets');
    } finally {
      if (!options?.client) (client as PoolClient).release();
    }
  }
}`;
  assert.deepEqual(rules(wallet('options?.client || await this.pool.connect()')), ['set-local-outside-transaction']);
  assert.deepEqual(rules(wallet('options?.client ?? (await this.pool.connect())')), ['set-local-outside-transaction']);
  // It begins a transaction on whichever client it picked, or the query runs only on the handed one: silent.
  assert.deepEqual(rules(wallet('options?.client || await this.pool.connect()', "if (!options?.client) await client.query('BEGIN');")), []);
  assert.deepEqual(rules(wallet('options?.client || await this.pool.connect()', 'if (!options?.client) return null;')), []);
  // A connect of something not known to be a pool, or one handed a callback, says nothing: the caller's side decides.
  assert.deepEqual(rules(wallet('options?.client || await this.source.connect()')), []);
  assert.deepEqual(rules(wallet('options?.client || await this.pool.connect(onConnect)')), []);
});

test('a client picked between a handed one and what a getter of the project returns is a pool when every value the getter hands out is one', (t) => {
  const repo = scratchRepository('getter-fallbacks', t);
  repo.write('src/config/database.ts', [
    "import knex, { Knex } from 'knex';",
    'let instance: Knex;',
    'export function connectDatabase(url: string) { instance = knex({ client: "pg", connection: url }); }',
    'export const getDb = (): Knex => {',
    "  if (!instance) throw new Error('not connected');",
    '  return instance;',
    '};',
    'let current: Knex.Transaction;',
    'export function useTransaction(trx: Knex.Transaction) { current = trx; }',
    'export const getCurrent = () => current;',
  ]);
  const hook = (getter: string) => [
    `import { ${getter} } from '../config/database';`,
    'export async function tenantHook(request: any) {',
    '  const trx = request.transaction;',
    `  const db = trx || ${getter}();`,
    "  await db.raw('SET LOCAL app.tenant_id = ?', [request.user.tenant]);",
    '}',
  ].join('\n');
  const lint = (name: string, text: string) => analyze(text, 'typescript', {}, repo.write(`src/middleware/${name}.ts`, text)).map((f) => f.rule);
  assert.deepEqual(lint('pooled', hook('getDb')), ['set-local-outside-transaction']);
  // A getter handing out something else (a transaction a caller stored) leaves the request's client to decide: silent.
  assert.deepEqual(lint('stored', hook('getCurrent')), []);
});

test('a `tx ?? pool` client under a guard on the handed-in side (if (tx), tx && …) is the caller\'s: silent; under another guard it may be the pool', () => {
  const scoped = (guarded: string) => `import { Pool, PoolClient } from 'pg';
const pool = new Pool();
export async function scoped(tenant: string, tx?: PoolClient, opts?: { client?: PoolClient }) {
  const db = tx ?? pool;
  const viaOptions = opts?.client ?? pool;
  ${guarded}
}`;
  const setting = "query(\"SELECT set_config('app.tenant', $1, true)\", [tenant])";
  assert.deepEqual(rules(scoped(`if (tx) await db.${setting};`)), []);
  assert.deepEqual(rules(scoped(`if (tx && tenant) { await db.${setting}; }`)), []);
  assert.deepEqual(rules(scoped(`tx && (await db.${setting});`)), []);
  assert.deepEqual(rules(scoped(`if (opts?.client) await viaOptions.${setting};`)), []);
  // A guard that does not rule out the pool, or a guarded branch the query is not in: the setting may go on the pool.
  assert.deepEqual(rules(scoped(`if (tenant) await db.${setting};`)), ['set-local-outside-transaction']);
  assert.deepEqual(rules(scoped(`if (tx) return; await db.${setting};`)), ['set-local-outside-transaction']);
  assert.deepEqual(rules(scoped(`if (tx) { /* nothing */ } else await db.${setting};`)), ['set-local-outside-transaction']);
});

test('a `tx ?? pool` client after an early exit taken when the handed-in side is missing (if (!tx) return / throw) is the caller\'s: silent', () => {
  const scoped = (body: string) => `import { Pool, PoolClient } from 'pg';
const pool = new Pool();
export async function tagSession(userId: string, tx?: PoolClient, opts?: { client?: PoolClient }) {
  const db = tx ?? pool;
  const viaOptions = opts?.client ?? pool;
  ${body}
}`;
  const setting = "query(\"SELECT set_config('app.user_id', $1, true)\", [userId])";
  assert.deepEqual(rules(scoped(`if (!tx) return;\n  await db.${setting};`)), []);
  assert.deepEqual(rules(scoped(`if (!tx) {\n    throw new Error('needs the caller\\'s transaction');\n  }\n  await db.${setting};`)), []);
  assert.deepEqual(rules(scoped(`if (!userId || !tx) return;\n  await db.${setting};`)), []);
  assert.deepEqual(rules(scoped(`if (tx == null) return;\n  if (userId) {\n    await db.${setting};\n  }`)), []);
  assert.deepEqual(rules(scoped(`if (!opts?.client) return;\n  await viaOptions.${setting};`)), []);
  // An exit on another name, one that does not always leave, one taken only when both are missing, or one in a block
  // the query is not in: the pool may still be the one picked.
  assert.deepEqual(rules(scoped(`if (!userId) return;\n  await db.${setting};`)), ['set-local-outside-transaction']);
  assert.deepEqual(rules(scoped(`if (!tx) console.warn('no transaction');\n  await db.${setting};`)), ['set-local-outside-transaction']);
  assert.deepEqual(rules(scoped(`if (!tx && !userId) return;\n  await db.${setting};`)), ['set-local-outside-transaction']);
  assert.deepEqual(rules(scoped(`if (userId) {\n    if (!tx) return;\n  }\n  await db.${setting};`)), ['set-local-outside-transaction']);
  assert.deepEqual(rules(scoped(`if (!tx) return;\n  await viaOptions.${setting};`)), ['set-local-outside-transaction']);
  assert.deepEqual(rules(scoped(`await db.${setting};\n  if (!tx) return;`)), ['set-local-outside-transaction']);
});

test('a file\'s own `tx ?? pool` helper every call of which hands it the client (or { client }) never picks the pool: silent', () => {
  const helper = (calls: string, member = false) => `import { Pool, PoolClient } from 'pg';
const pool = new Pool();
async function setTenant(tenant: string, ${member ? 'options?: { client?: PoolClient }' : 'tx?: PoolClient'}) {
  const db = ${member ? 'options?.client' : 'tx'} ?? pool;
  await db.query("SELECT set_config('app.tenant', $1, true)", [tenant]);
}
export async function saveOrder(order: { tenant: string }) {
  const client = await pool.connect();
  await client.query('BEGIN');
  ${calls}
  await client.query('COMMIT');
  client.release();
}`;
  assert.deepEqual(rules(helper('await setTenant(order.tenant, client);')), []);
  assert.deepEqual(rules(helper('await setTenant(order.tenant, { client });', true)), []);
  assert.deepEqual(rules(helper('await setTenant(order.tenant, { client: client });', true)), []);
  // One call that hands nothing (or undefined, or an options object without the client) picks the pool there.
  assert.deepEqual(rules(helper('await setTenant(order.tenant, client); await setTenant(order.tenant);')), ['set-local-outside-transaction']);
  assert.deepEqual(rules(helper('await setTenant(order.tenant, undefined);')), ['set-local-outside-transaction']);
  assert.deepEqual(rules(helper('await setTenant(order.tenant, {});', true)), ['set-local-outside-transaction']);
  // Handed on as a value, its calls cannot all be read.
  assert.deepEqual(rules(helper('await [order.tenant].forEach(setTenant);')), ['set-local-outside-transaction']);
});

test('a helper closure using a connection its enclosing function took runs within that function\'s sequence', () => {
  const text = `import pg from 'pg';
export async function seed(pool) {
  const client = await pool.connect();
  await client.query('begin');
  async function actAs(id) {
    await client.query("select set_config('app.user_id', $1, true)", [id]);
  }
  await actAs(1);
  await client.query('commit');
  client.release();
}`;
  assert.deepEqual(rules(text), []);
  // In the function that took the connection itself, before any begin, it is still lost.
  const direct = `import pg from 'pg';
export async function seed(pool) {
  const client = await pool.connect();
  await client.query("select set_config('app.user_id', $1, true)", [1]);
  client.release();
}`;
  assert.deepEqual(rules(direct), ['set-local-outside-transaction']);
});

test("a callback handed to AsyncLocalStorage's run() starts where its function's sequence is: set_config(…, true) on a just-checked-out client is lost, after the function's own BEGIN it is not", () => {
  const scoped = (importLine: string, before: string, inside: string, after = '') => `${importLine}
const { Pool } = require('pg');
const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const requestScope = new AsyncLocalStorage();
async function query(text, params, tenant) {
  const client = await pool.connect();
  try {${before}
    return await requestScope.run(Symbol('request'), async () => {
      ${inside}await client.query('select set_config($1, $2, true)', ['app.tenant', String(tenant)]);
      return await client.query(text, params);
    });${after}
  } finally {
    client.release();
  }
}
module.exports = { query };`;
  const required = "const { AsyncLocalStorage } = require('async_hooks');";
  const imported = "import { AsyncLocalStorage } from 'node:async_hooks';";
  assert.deepEqual(rules(scoped(required, '', ''), 'db.js'), ['set-local-outside-transaction']);
  assert.deepEqual(rules(scoped(imported, '', ''), 'db.ts'), ['set-local-outside-transaction']);
  // A statement sent before the run that opens no transaction leaves the connection outside one.
  assert.deepEqual(rules(scoped(required, "\n    await client.query('RESET ROLE');", ''), 'db.js'), ['set-local-outside-transaction']);
  // The function's own BEGIN before the run, or one the callback sends first: inside that transaction.
  assert.deepEqual(rules(scoped(required, "\n    await client.query('BEGIN');", '', "\n    await client.query('COMMIT');"), 'db.js'), []);
  assert.deepEqual(rules(scoped(required, '', "await client.query('BEGIN');\n      ", "\n    await client.query('COMMIT');"), 'db.js'), []);
  // The client handed to another call before the run may have been given a transaction there.
  assert.deepEqual(rules(scoped(required, '\n    await prepare(client);', ''), 'db.js'), []);
  // Another object's run (not node's AsyncLocalStorage) may call the callback anywhere: unknown, as any closure.
  assert.deepEqual(rules(scoped("const { AsyncLocalStorage } = require('./scope');", '', ''), 'db.js'), []);
});

test('this.client in an arrow callback of a method (a then-chain after BEGIN) runs within the method\'s sequence; the method\'s own or a field arrow\'s lone SET LOCAL is still lost', () => {
  const chained = `import pg from 'pg';
export class ScopedClient {
  constructor(private client: pg.PoolClient, private owner: string) {}
  async run(text: string) {
    return this.client.query('BEGIN')
      .then(() => this.client.query("SELECT set_config('app.owner', $1, true)", [this.owner]))
      .then(() => this.client.query(text))
      .then(async (result) => { await this.client.query('COMMIT'); return result; });
  }
}`;
  assert.deepEqual(rules(chained), []);
  // (A field the class fills itself from the pool: one the constructor is handed is its creator's, unknown:
  // constructor-handed-connections.test.ts.)
  const inMethod = `import pg from 'pg';
export class ScopedClient {
  private client!: pg.PoolClient;
  async open(pool: pg.Pool) { this.client = await pool.connect(); }
  async run() {
    await this.client.query("SET LOCAL app.owner = 'a'");
    return this.client.query('SELECT 1');
  }
}`;
  assert.deepEqual(rules(inMethod), ['set-local-outside-transaction']);
  const fieldArrow = `import pg from 'pg';
export class ScopedClient {
  private client!: pg.PoolClient;
  async open(pool: pg.Pool) { this.client = await pool.connect(); }
  run = async () => {
    await this.client.query("SET LOCAL app.owner = 'a'");
    return this.client.query('SELECT 1');
  };
}`;
  assert.deepEqual(rules(fieldArrow), ['set-local-outside-transaction']);
});
