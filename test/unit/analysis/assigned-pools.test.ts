// A pool held in a `let` that every branch sets with the same factory (`let orm; if (url) orm = new Sequelize(url);
// else orm = new Sequelize(name, user, password)`) is a pool as a `const orm = new Sequelize(…)` is: each query may run
// on another of its connections, so a BEGIN sent through it opens nothing for the next query. So is such a pool (or a
// const one) exported by a module of the project and imported by name (`const { orm } = require('./db')`, `import {
// orm } from './db'`): a SET LOCAL sent on it is alone. A variable also given something else (a transaction, a value
// of unknown kind, a client checked out of it later) is not read as a pool, whatever its initializer.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';

before(() => initAnalysis());

const ALONE = 'set-local-outside-transaction';

const BRANCHED = `const { Sequelize } = require('sequelize');
let orm;
if (process.env.WAREHOUSE_URL) {
  orm = new Sequelize(process.env.WAREHOUSE_URL, { dialect: 'postgres' });
} else {
  orm = new Sequelize('warehouse', 'app', process.env.PGPASSWORD, { dialect: 'postgres', host: 'localhost' });
}
`;

/** Sends BEGIN and then SET LOCAL through the instance itself: on a pool they may reach two connections. */
const BEGIN_THEN_LOCAL = `async function scoped(shopId) {
  await orm.query('BEGIN');
  await orm.query('SET LOCAL app.shop_id = :shopId', { replacements: { shopId } });
}
`;

test('a let set to the same pool factory in every branch: a BEGIN through it opens nothing for the next query', () => {
  assert.deepEqual(embeddedRules(BRANCHED + BEGIN_THEN_LOCAL, 'db.js'), [ALONE]);
  // Also declared with a null start and filled in an init function.
  const lazy = "const { Sequelize } = require('sequelize');\nlet orm = null;\nfunction init(url) {\n  orm = new Sequelize(url);\n}\n";
  assert.deepEqual(embeddedRules(lazy + BEGIN_THEN_LOCAL, 'db.js'), [ALONE]);
});

test('a let also given something else than the pool factory is not read as a pool', () => {
  // One branch holds a transaction: the BEGIN … SET LOCAL sequence on the variable is one connection's.
  const mixed = BRANCHED.replace("  orm = new Sequelize('warehouse'", '  orm = openSession();\n  void new Sequelize(\'warehouse\'');
  assert.deepEqual(embeddedRules(mixed + BEGIN_THEN_LOCAL, 'db.js'), []);
  // Two different factories: not one kind of client.
  const twoKinds = BRANCHED.replace("  orm = new Sequelize('warehouse', 'app', process.env.PGPASSWORD, { dialect: 'postgres', host: 'localhost' });", '  orm = knex({ client: \'pg\' });');
  assert.deepEqual(embeddedRules(twoKinds + BEGIN_THEN_LOCAL, 'db.js'), []);
});

function imported(t: Cleanup, database: string, caller: string, callerFile = 'src/middleware/shop.js'): string[] {
  const repo = scratchRepository('assigned-pools', t);
  repo.writeAll({ 'package.json': JSON.stringify({ name: 'warehouse', dependencies: { sequelize: '^6', pg: '^8' } }), 'src/config/db.js': database });
  return embeddedRules(caller, repo.write(callerFile, caller));
}

const MIDDLEWARE = `async function shopScope(req, res, next) {
  await orm.query('SET LOCAL app.shop_id = :shopId', { replacements: { shopId: req.shopId } });
  next();
}
module.exports = { shopScope };
`;

test('an imported pool, set in every branch or as a const, sends a SET LOCAL alone', (t) => {
  assert.deepEqual(imported(t, `${BRANCHED}module.exports = { orm };\n`, `const { orm } = require('../config/db');\n${MIDDLEWARE}`), [ALONE]);
  const constant = "const { Sequelize } = require('sequelize');\nconst orm = new Sequelize(process.env.WAREHOUSE_URL);\nmodule.exports = { orm };\n";
  assert.deepEqual(imported(t, constant, `const { orm } = require('../config/db');\n${MIDDLEWARE}`), [ALONE]);
  // ES modules, renamed on export.
  const esm = `${BRANCHED.replace("const { Sequelize } = require('sequelize');", "import { Sequelize } from 'sequelize';")}export { orm as database };\n`;
  assert.deepEqual(imported(t, esm, `import { database as orm } from '../config/db.js';\n${MIDDLEWARE.replace('module.exports = { shopScope };', 'export { shopScope };')}`, 'src/middleware/shop.mjs'), [ALONE]);
});

test('an imported name the module also sets to something else, or does not export as a variable, stays unknown', (t) => {
  const mixed = `${BRANCHED.replace("  orm = new Sequelize('warehouse'", '  orm = currentTransaction();\n  void new Sequelize(\'warehouse\'')}module.exports = { orm };\n`;
  assert.deepEqual(imported(t, mixed, `const { orm } = require('../config/db');\n${MIDDLEWARE}`), []);
  const getter = `${BRANCHED}module.exports = { orm: () => orm };\n`;
  assert.deepEqual(imported(t, getter, `const { orm } = require('../config/db');\n${MIDDLEWARE}`), []);
});

// Read locally as an imported variable is: a `let` a pool factory starts and a checked-out client later replaces is one
// connection's, whatever its initializer.
const CHECKED_OUT_LATER = `const { Pool } = require('pg');
let store = new Pool({ connectionString: process.env.STORE_URL });
async function pin() {
  store = await store.connect();
}
async function priced(region) {
  await pin();
  await store.query('BEGIN');
  await store.query("SET LOCAL app.region = 'eu'");
  await store.query('COMMIT');
}
`;

test('a let a pool factory starts but a checked-out client later replaces is not read as a pool', () => {
  assert.deepEqual(embeddedRules(CHECKED_OUT_LATER, 'store.js'), []);
});

test('a let a pool factory starts and the same factory alone sets again is still a pool', () => {
  const refilled = CHECKED_OUT_LATER.replace('store = await store.connect();', 'store = new Pool({ connectionString: process.env.STORE_REPLICA_URL });');
  assert.deepEqual(embeddedRules(refilled, 'store.js'), [ALONE]);
});

// Session 37 (mend43a): a variable given the pool a function of the project returns (`const db = openLedger()`) is a
// pool in application code as it is in a test suite (poolFactories.ts isMadeAsPool, one reading for both).
const OPENS_POOL = `import { Pool } from 'pg';
function openLedger() {
  return new Pool({ connectionString: process.env.LEDGER_URL });
}
`;
const TIMED = `export async function settle() {
  await ledger.query('BEGIN');
  await ledger.query("SET LOCAL statement_timeout = '5s'");
  await ledger.query('COMMIT');
}
`;

test('a variable given the pool a function of the project makes is a pool: a BEGIN through it opens nothing for the next query', () => {
  assert.deepEqual(embeddedRules(`${OPENS_POOL}const ledger = openLedger();\n${TIMED}`, 'src/ledger.ts'), [ALONE]);
  // A function that hands out its module's cached pool, and an arrow function's body.
  const cached = `import { Pool } from 'pg';\nlet shared: Pool | undefined;\nconst pooled = () => new Pool();\nfunction ledgerPool() {\n  if (!shared) shared = pooled();\n  return shared;\n}\nconst ledger = ledgerPool();\n`;
  assert.deepEqual(embeddedRules(cached + TIMED, 'src/ledger.ts'), [ALONE]);
});

test('a variable given what a function of the project returns is no pool when that is a checked-out client, or sometimes one', () => {
  const client = `${OPENS_POOL}async function openSession() {\n  return openLedger().connect();\n}\nasync function settleAll() {\n  const ledger = await openSession();\n${TIMED.split('\n').slice(1, 4).join('\n')}\n}\n`;
  assert.deepEqual(embeddedRules(client, 'src/ledger.ts'), []);
  const either = `${OPENS_POOL}async function openEither(pinned: boolean) {\n  if (pinned) return openLedger().connect();\n  return openLedger();\n}\nasync function settleAll() {\n  const ledger = await openEither(true);\n${TIMED.split('\n').slice(1, 4).join('\n')}\n}\n`;
  assert.deepEqual(embeddedRules(either, 'src/ledger.ts'), []);
});

test('an imported variable the module fills from a function of the project that makes a pool is a pool', (t) => {
  const database = "const { Sequelize } = require('sequelize');\nfunction connect() {\n  return new Sequelize(process.env.WAREHOUSE_URL);\n}\nconst orm = connect();\nmodule.exports = { orm };\n";
  assert.deepEqual(imported(t, database, `const { orm } = require('../config/db');\n${MIDDLEWARE}`), [ALONE]);
});

// A module's Prisma client kept on the global object across a development server's reloads (`global.prisma ??
// makeClient()`, the module storing only that client there), made by a function returning `new PrismaClient()` extended
// with `$extends` (the same engine and pool): a pool, so `client || prisma` in a helper picks a pool whenever a caller
// hands no client, and a lone set_config(…, true) there is lost even if another caller hands a transaction.
const PRISMA_SINGLETON = [
  "import { PrismaClient } from '@prisma/client';",
  'declare global { var prisma: PrismaClient | undefined }',
  'const makeClient = () => {',
  '  const client = new PrismaClient();',
  '  return client.$extends({ name: "ids" }).$extends({ name: "json" }) as unknown as PrismaClient;',
  '};',
  'const prisma = global.prisma ?? makeClient();',
  "if (process.env.NODE_ENV !== 'production') global.prisma ??= prisma;",
  'export { prisma };',
].join('\n');

const AUDIT_HELPER = [
  "import { prisma } from './client';",
  'export const setActor = async (actorId: string, client?: any) => {',
  '  const db = client || prisma;',
  "  await db.$executeRaw`SELECT set_config('app.actor', ${actorId}, true)`;",
  '};',
].join('\n');

function auditRules(t: Cleanup, client: string): string[] {
  const repo = scratchRepository('prisma-singleton', t);
  repo.writeAll({
    'package.json': JSON.stringify({ name: 'directory', dependencies: { '@prisma/client': '^5', prisma: '^5' } }),
    'src/db/client.ts': client,
    'src/api/inTransaction.ts': "import { prisma } from '../db/client';\nimport { setActor } from '../db/audit';\nexport const save = (id: string) => prisma.$transaction(async (tx) => { await setActor(id, tx); });\n",
    'src/api/alone.ts': "import { setActor } from '../db/audit';\nexport const touch = (id: string) => setActor(id);\n",
  });
  return embeddedRules(AUDIT_HELPER, repo.write('src/db/audit.ts', AUDIT_HELPER));
}

test('a Prisma client cached on the global object and extended with $extends is a pool: `client || prisma` may send the setting alone', (t) => {
  assert.deepEqual(auditRules(t, PRISMA_SINGLETON), [ALONE]);
  // Through a const holding the global object (`globalForPrisma`), `||` for `??`.
  const aliased = PRISMA_SINGLETON.replace('declare global { var prisma: PrismaClient | undefined }', 'const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };')
    .replace('global.prisma ?? makeClient()', 'globalForPrisma.prisma || makeClient()').replace('global.prisma ??= prisma', 'globalForPrisma.prisma = prisma');
  assert.deepEqual(auditRules(t, aliased), [ALONE]);
});

test('a global cache the module also fills with something else, or never fills, says nothing of the client: the helper stays silent', (t) => {
  const otherValue = PRISMA_SINGLETON.replace("if (process.env.NODE_ENV !== 'production') global.prisma ??= prisma;", 'global.prisma = currentClient();\ndeclare function currentClient(): PrismaClient;');
  assert.deepEqual(auditRules(t, otherValue), []);
  const neverStored = PRISMA_SINGLETON.replace("if (process.env.NODE_ENV !== 'production') global.prisma ??= prisma;", '');
  assert.deepEqual(auditRules(t, neverStored), []);
  // A client made by an unknown function, extended: not known to be Prisma's.
  assert.deepEqual(auditRules(t, PRISMA_SINGLETON.replace('const client = new PrismaClient();', 'const client = openClient();\ndeclare function openClient(): PrismaClient;')), []);
});
