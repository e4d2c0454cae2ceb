// A callback that a helper runs between BEGIN and a ROLLBACK that always follows, on the client it hands
// the callback: a session SET the callback sends on that client is undone by the rollback.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';

before(() => initAnalysis());

const found = (text: string, file = 'f.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

/** A helper that checks a client out, opens a transaction, runs the callback and always rolls back. */
const ROLLING_HELPER = `import { Pool } from 'pg';
const pool = new Pool();
export async function inScratchTransaction(work) {
  const conn = await pool.connect();
  await conn.query('BEGIN');
  try {
    return await work(conn);
  } finally {
    await conn.query('ROLLBACK');
    conn.release();
  }
}
`;

const CALLER = `export async function listAsGuest() {
  return inScratchTransaction(async (db) => {
    await db.query('SET ROLE guest');
    await db.query("SET search_path TO sandbox, public");
    return db.query('SELECT * FROM listings');
  });
}
`;

test('a helper of the same file that rolls back after the callback: the callback\'s session SETs leak nothing', () => {
  assert.deepEqual(found(ROLLING_HELPER + CALLER), []);
  // The rollback as a later statement of the function (no finally) also always follows.
  const after = ROLLING_HELPER.replace("try {\n    return await work(conn);\n  } finally {\n    await conn.query('ROLLBACK');\n    conn.release();\n  }", "let result;\n  try { result = await work(conn); } catch (e) { console.error(e); }\n  await conn.query('ROLLBACK');\n  conn.release();\n  return result;");
  assert.ok(after.includes("await conn.query('ROLLBACK');\n  conn.release();\n  return result;"));
  assert.deepEqual(found(after + CALLER), []);
});

test('a helper that commits, commits on success only, or never began: the callback\'s session SETs stay findings', () => {
  const leaked = ['session-set SET ROLE guest', 'session-set SET search_path TO sandbox, public'];
  assert.deepEqual(found(ROLLING_HELPER.replace("'ROLLBACK'", "'COMMIT'") + CALLER), leaked);
  const commitsOnSuccess = ROLLING_HELPER.replace("return await work(conn);", "const out = await work(conn);\n    await conn.query('COMMIT');\n    return out;");
  assert.deepEqual(found(commitsOnSuccess + CALLER), leaked);
  assert.deepEqual(found(ROLLING_HELPER.replace("  await conn.query('BEGIN');\n", '') + CALLER), leaked);
  // Rolled back only when the work throws (in a catch): the successful path keeps the settings.
  const onError = ROLLING_HELPER.replace("} finally {\n    await conn.query('ROLLBACK');\n    conn.release();\n  }", "} catch (e) {\n    await conn.query('ROLLBACK');\n    throw e;\n  }");
  assert.deepEqual(found(onError + CALLER), leaked);
  // A query on another client inside the callback is not in that transaction.
  const otherClient = CALLER.replace("await db.query('SET ROLE guest');", "await pool.query('SET ROLE guest');");
  assert.deepEqual(found(ROLLING_HELPER + otherClient), ['session-set SET ROLE guest']);
});

test('a helper declared with overload signatures, or as a const arrow under a type assertion, is read from its implementation', () => {
  // TypeScript overloads: the signatures have no body; the implementation that follows them is the helper.
  const overloaded = ROLLING_HELPER.replace('export async function inScratchTransaction(work) {',
    'export async function inScratchTransaction<T>(work: (c: unknown) => Promise<T>): Promise<T>;\n'
    + 'export async function inScratchTransaction(work: (c: unknown) => Promise<void>): Promise<void>;\n'
    + 'export async function inScratchTransaction(work) {');
  assert.notEqual(overloaded, ROLLING_HELPER);
  assert.deepEqual(found(overloaded + CALLER), []);
  // `const helper = (async (work) => {…}) as Helper`: the arrow inside the parentheses and the assertion.
  const asserted = ROLLING_HELPER.replace('export async function inScratchTransaction(work) {', 'type Helper = <T>(work: (c: unknown) => Promise<T>) => Promise<T>;\nexport const inScratchTransaction = (async (work) => {')
    .replace(/\n}\n$/, '\n}) as Helper;\n');
  assert.ok(asserted.endsWith('}) as Helper;\n'));
  assert.deepEqual(found(asserted + CALLER), []);
  // The same two committing instead of rolling back: the callback's settings stay findings.
  const leaked = ['session-set SET ROLE guest', 'session-set SET search_path TO sandbox, public'];
  assert.deepEqual(found(overloaded.replace("'ROLLBACK'", "'COMMIT'") + CALLER), leaked);
  assert.deepEqual(found(asserted.replace("'ROLLBACK'", "'COMMIT'") + CALLER), leaked);
});

function inProject(t: Cleanup, files: Record<string, string>, caller: string, callerText: string): string[] {
  const repo = scratchRepository('rolled-back', t);
  repo.writeAll({ 'package.json': '{ "name": "shop" }\n', ...files });
  return embeddedFindings(callerText, repo.write(caller, callerText)).map(([rule, at]) => `${rule} ${at}`);
}

test('an imported helper (import, require, a required module\'s member) that rolls back, also one handing the callback to another such helper', (t) => {
  const files = { 'test/support/db.ts': ROLLING_HELPER };
  assert.deepEqual(inProject(t, files, 'test/guest.test.ts', `import { inScratchTransaction } from './support/db';\n${CALLER}`), []);
  // CommonJS: the helper assigned to exports, taken with a destructuring require.
  const commonJs = `const { Pool } = require('pg');
const pool = new Pool();
const withClient = (url, fn) => {
  if (!fn) { fn = url; url = undefined; }
  return pool.connect().then(async (client) => {
    await client.query('begin');
    try { return await fn(client); } finally { await client.query('rollback'); client.release(); }
  });
};
exports.withClient = withClient;
`;
  const cjsCaller = "const { withClient } = require('./support/helpers');\ntest('reads as reader', () => withClient(async (c) => { await c.query('set role reader'); await c.query('select 1'); }));\n";
  assert.deepEqual(inProject(t, { 'test/support/helpers.js': commonJs }, 'test/reader.test.js', cjsCaller), []);
  // A schema helper module whose exported function hands its setup callback to withClient's callback.
  const schemaHelper = "const { withClient } = require('./helpers');\nexports.check = (name, setup) => () => withClient(async (client) => {\n  if (setup) await setup(client);\n  await client.query('select 1');\n});\n";
  const memberCaller = "const schema = require('./support/schema');\ntest('as reader', schema.check('reader', (client) => client.query('set role reader')));\n";
  assert.deepEqual(inProject(t, { 'test/support/helpers.js': commonJs, 'test/support/schema.js': schemaHelper }, 'test/schema.test.js', memberCaller), []);
  // The same helpers committing instead: the SET stays a finding through both.
  const committing = commonJs.replace("'rollback'", "'commit'");
  assert.deepEqual(inProject(t, { 'test/support/helpers.js': committing, 'test/support/schema.js': schemaHelper }, 'test/schema.test.js', memberCaller), ['session-set set role reader']);
});

test('a helper taken with a top-level await import() (an ES module test that mocks modules before loading them) is read like a required one', (t) => {
  // The helper's pool on a remote host: a `new Pool()` saying nowhere to connect is, in a test folder, the suite's local
  // database (docs/embedded-sql.md), whose clients get no pooling finding however the helper is imported; here only the
  // rollback decides.
  const remote = ROLLING_HELPER.replace('new Pool()', "new Pool({ host: 'db.shop.example.com' })");
  assert.notEqual(remote, ROLLING_HELPER);
  const files = { 'test/support/db.ts': remote };
  const awaited = `jest.unstable_mockModule('../src/mailer', () => ({ send: jest.fn() }));\nconst { inScratchTransaction } = await import('./support/db');\n${CALLER}`;
  assert.deepEqual(inProject(t, files, 'test/guest.test.ts', awaited), []);
  // Parenthesised, and renamed while destructured.
  const renamed = `const { inScratchTransaction: scratch } = (await import('./support/db'));\n${CALLER.replace('return inScratchTransaction(', 'return scratch(')}`;
  assert.deepEqual(inProject(t, files, 'test/renamed.test.ts', renamed), []);
  // The same helper committing: the callback's settings stay findings.
  const committing = { 'test/support/db.ts': remote.replace("'ROLLBACK'", "'COMMIT'") };
  assert.deepEqual(inProject(t, committing, 'test/guest.test.ts', awaited), ['session-set SET ROLE guest', 'session-set SET search_path TO sandbox, public']);
});

/** Test helpers that take the client as a parameter and switch its role, one calling the other. */
const ROLE_HELPERS = `async function actAsGuest(db) {
  await db.query('SET ROLE guest');
}
async function actAsAuditor(db, unit) {
  await actAsGuest(db);
  await db.query('SET ROLE auditor');
  await db.query('SELECT audit.enter($1)', [unit]);
}
`;

const ROLE_CALLERS = `test('guests see listings', () => inScratchTransaction(async (db) => {
  await actAsGuest(db);
  await db.query('SELECT * FROM listings');
}));
const inSandbox = (work) => inScratchTransaction(work);
test('auditors see the log', () => inSandbox(async (conn) => {
  await actAsAuditor(conn, 7);
  await conn.query('SELECT * FROM audit_log');
}));
`;

const GUEST_SET = 'session-set SET ROLE guest';
const ROLE_SETS = [GUEST_SET, 'session-set SET ROLE auditor'];

test('a test helper handed only clients of rolled-back callbacks (also through another such helper, or a wrapper passing the callback on whole): its SETs are undone', () => {
  assert.deepEqual(found(ROLLING_HELPER + ROLE_HELPERS + ROLE_CALLERS, 'test/roles.test.ts'), []);
  // The wrapper that hands its callback on whole, with the SETs in the callback itself (any file).
  const wrapped = `const inSandbox = (work) => inScratchTransaction(work);\n${CALLER.replace('return inScratchTransaction(', 'return inSandbox(')}`;
  assert.deepEqual(found(ROLLING_HELPER + wrapped), []);
  assert.deepEqual(found(ROLLING_HELPER.replace("'ROLLBACK'", "'COMMIT'") + wrapped), ['session-set SET ROLE guest', 'session-set SET search_path TO sandbox, public']);
  // Outside test code the helper's callers to come are unknown: the findings stay.
  assert.deepEqual(found(ROLLING_HELPER + ROLE_HELPERS + ROLE_CALLERS, 'src/roles.ts'), ROLE_SETS);
});

test('a test helper also handed another client, handed on as a value, never called, or used by a callback that commits: its SETs stay findings', () => {
  const file = 'test/roles.test.ts';
  const elsewhere = `${ROLE_CALLERS}test('a bare client', async () => { const c = await pool.connect(); await actAsGuest(c); c.release(); });\n`;
  // Only the helper given the bare client keeps its finding: the other is still handed rolled-back clients only.
  assert.deepEqual(found(ROLLING_HELPER + ROLE_HELPERS + elsewhere, file), [GUEST_SET]);
  const asValue = `${ROLE_CALLERS}const steps = [actAsGuest];\n`;
  assert.deepEqual(found(ROLLING_HELPER + ROLE_HELPERS + asValue, file), [GUEST_SET]);
  assert.deepEqual(found(ROLLING_HELPER + ROLE_HELPERS, file), ROLE_SETS);
  const commits = ROLE_CALLERS.replace("await db.query('SELECT * FROM listings');", "await db.query('COMMIT');");
  assert.deepEqual(found(ROLLING_HELPER + ROLE_HELPERS + commits, file), [GUEST_SET]);
  // The wrapper commits instead of rolling back.
  assert.deepEqual(found(ROLLING_HELPER.replace("'ROLLBACK'", "'COMMIT'") + ROLE_HELPERS + ROLE_CALLERS, file), ROLE_SETS);
});

test('an exported test helper is read with the calls of the project\'s files that import it', (t) => {
  const helpers = `${ROLLING_HELPER}export ${ROLE_HELPERS.replace('async function actAsAuditor', 'export async function actAsAuditor')}`;
  const importer = `import { inScratchTransaction, actAsGuest, actAsAuditor } from './support/db';\n${ROLE_CALLERS}`;
  assert.deepEqual(inProject(t, { 'test/listings.test.ts': importer }, 'test/support/db.ts', helpers), []);
  // Another test file hands it a client of its own: the helper's SETs may stay on that client's connection.
  const bare = "import { Pool } from 'pg';\nimport { actAsGuest } from './support/db';\nconst pool = new Pool();\ntest('bare', async () => actAsGuest(await pool.connect()));\n";
  assert.deepEqual(inProject(t, { 'test/listings.test.ts': importer, 'test/bare.test.ts': bare }, 'test/support/db.ts', helpers), [GUEST_SET]);
  // Taken through a namespace import: its calls are not read.
  const namespaced = "import * as db from './support/db';\ntest('ns', () => db.inScratchTransaction(async (c) => db.actAsGuest(c)));\n";
  assert.deepEqual(inProject(t, { 'test/listings.test.ts': importer, 'test/ns.test.ts': namespaced }, 'test/support/db.ts', helpers), [GUEST_SET]);
});

/**
 * A helper that rolls back unless its caller asks it to keep the work: `keep` picks COMMIT, else ROLLBACK, in the
 * `finally`, followed by a RESET ALL (which does not undo SET ROLE: only the rollback does).
 */
const KEEPING_HELPER = `import { Pool } from 'pg';
const pool = new Pool();
async function onScratchClient(url, work, keep = false) {
  const conn = await pool.connect();
  await conn.query('BEGIN');
  try {
    await work(conn);
  } finally {
    if (!keep) await conn.query('ROLLBACK');
    else await conn.query('COMMIT');
    await conn.query('RESET ALL');
    conn.release();
  }
}
export const inTestDb = (work, keep = false) => onScratchClient(process.env.TEST_DATABASE_URL, work, keep);
`;

const KEEPING_CALLER = (args: string) => `test('guests see listings', () => inTestDb(async (db) => {
  await db.query('SET ROLE guest');
  await db.query('SELECT * FROM listings');
}${args}));
`;

test('a helper that commits only when a flag is on, called with the flag left off (omitted, false, or a wrapper\'s off default): the callback\'s SETs are rolled back', () => {
  const file = 'test/listings.test.ts';
  assert.deepEqual(found(KEEPING_HELPER + KEEPING_CALLER(''), file), []);
  assert.deepEqual(found(KEEPING_HELPER + KEEPING_CALLER(', false'), file), []);
  // The same with the helper's arm written as a ternary, or the flag tested without negation.
  const ternary = KEEPING_HELPER.replace("if (!keep) await conn.query('ROLLBACK');\n    else await conn.query('COMMIT');", "await (keep ? conn.query('COMMIT') : conn.query('ROLLBACK'));");
  assert.notEqual(ternary, KEEPING_HELPER);
  assert.deepEqual(found(ternary + KEEPING_CALLER(''), file), []);
  const plain = KEEPING_HELPER.replace("if (!keep) await conn.query('ROLLBACK');\n    else await conn.query('COMMIT');", "if (keep) { await conn.query('COMMIT'); } else { await conn.query('ROLLBACK'); }");
  assert.notEqual(plain, KEEPING_HELPER);
  assert.deepEqual(found(plain + KEEPING_CALLER(''), file), []);
  // A client-taking test helper every call of which passes such a callback's client.
  const roleHelper = `async function actAsGuest(db) {\n  await db.query('SET ROLE guest');\n}\ntest('guests', () => inTestDb(async (db) => { await actAsGuest(db); }));\n`;
  assert.deepEqual(found(KEEPING_HELPER + roleHelper, file), []);
});

test('a flag-committing helper called with the flag on, or unknown, or assigned inside: the callback\'s SETs stay findings', () => {
  const file = 'test/listings.test.ts';
  const leaked = ['session-set SET ROLE guest'];
  assert.deepEqual(found(KEEPING_HELPER + KEEPING_CALLER(', true'), file), leaked);
  assert.deepEqual(found(KEEPING_HELPER + KEEPING_CALLER(', process.env.KEEP === "1"'), file), leaked);
  // The wrapper's own default turns the flag on.
  assert.deepEqual(found(KEEPING_HELPER.replace('(work, keep = false) =>', '(work, keep = true) =>') + KEEPING_CALLER(''), file), leaked);
  // The helper sets the flag itself before its end: the call's value says nothing.
  const reassigned = KEEPING_HELPER.replace('    await work(conn);\n', '    await work(conn);\n    keep = await shouldKeep();\n');
  assert.notEqual(reassigned, KEEPING_HELPER);
  assert.deepEqual(found(reassigned + KEEPING_CALLER(''), file), leaked);
  // The COMMIT is tested against another value than the flag: it may run.
  const otherTest = KEEPING_HELPER.replace("if (!keep) await conn.query('ROLLBACK');\n    else await conn.query('COMMIT');", "if (!keep && pool.totalCount > 1) await conn.query('ROLLBACK');\n    else await conn.query('COMMIT');");
  assert.notEqual(otherTest, KEEPING_HELPER);
  assert.deepEqual(found(otherTest + KEEPING_CALLER(''), file), leaked);
});

// `undefined`, passed or left out, makes JavaScript use the parameter's default: a helper whose `keep` defaults to
// true COMMITs when handed it, while `false` stays off whatever the default.
const COMMITTING_BY_DEFAULT = KEEPING_HELPER.replace('async function onScratchClient(url, work, keep = false)', 'async function onScratchClient(url, work, keep = true)');

test('undefined handed to a flag that defaults to true (passed, or a wrapper\'s optional flag left out) turns it on: the callback\'s SETs stay findings', () => {
  const file = 'test/listings.test.ts';
  const leaked = ['session-set SET ROLE guest'];
  assert.notEqual(COMMITTING_BY_DEFAULT, KEEPING_HELPER);
  const optionalWrapper = COMMITTING_BY_DEFAULT.replace('(work, keep = false) =>', '(work, keep?: boolean) =>');
  assert.notEqual(optionalWrapper, COMMITTING_BY_DEFAULT);
  assert.deepEqual(found(optionalWrapper + KEEPING_CALLER(''), file), leaked);
  assert.deepEqual(found(optionalWrapper + KEEPING_CALLER(', undefined'), file), leaked);
  const undefinedDefault = COMMITTING_BY_DEFAULT.replace('(work, keep = false) =>', '(work, keep = undefined) =>');
  assert.deepEqual(found(undefinedDefault + KEEPING_CALLER(''), file), leaked);
  const direct = COMMITTING_BY_DEFAULT + "test('direct', () => onScratchClient(process.env.TEST_DATABASE_URL, async (db) => {\n  await db.query('SET ROLE guest');\n}, undefined));\n";
  assert.deepEqual(found(direct, file), leaked);
});

test('false handed to a flag that defaults to true, or undefined to a flag with no default or a false one, leaves it off: rolled back', () => {
  const file = 'test/listings.test.ts';
  // The wrapper's `keep = false` is false, not unset, when it reaches the inner `keep = true`.
  assert.deepEqual(found(COMMITTING_BY_DEFAULT + KEEPING_CALLER(''), file), []);
  assert.deepEqual(found(COMMITTING_BY_DEFAULT + KEEPING_CALLER(', false'), file), []);
  const direct = COMMITTING_BY_DEFAULT + "test('direct', () => onScratchClient(process.env.TEST_DATABASE_URL, async (db) => {\n  await db.query('SET ROLE guest');\n}, false));\n";
  assert.deepEqual(found(direct, file), []);
  // Unset all the way down: neither parameter has a default, or the inner one defaults to false.
  const noDefaults = KEEPING_HELPER.replace('(url, work, keep = false)', '(url, work, keep)').replace('(work, keep = false) =>', '(work, keep?: boolean) =>');
  assert.deepEqual(found(noDefaults + KEEPING_CALLER(''), file), []);
  assert.deepEqual(found(KEEPING_HELPER.replace('(work, keep = false) =>', '(work, keep?: boolean) =>') + KEEPING_CALLER(', undefined'), file), []);
});

/**
 * A fixture helper that opens a transaction on its own checkout and hands its caller closures over that client
 * (`asGuest`, `run`) instead of the client, rolling back in its `finally`.
 */
const CLOSURE_HELPER = `import { Pool } from 'pg';
const pool = new Pool({ connectionString: process.env.FIXTURE_DB_URL });
export async function withScenario(body) {
  const conn = await pool.connect();
  try {
    await conn.query('BEGIN');
    const asGuest = async (tenant) => {
      await conn.query('SET ROLE guest');
      await conn.query("SELECT set_config('app.tenant', $1, true)", [tenant]);
    };
    const run = async (text, values) => (await conn.query(text, values)).rows;
    return await body({ asGuest, run, reset: async () => { await conn.query('SET search_path TO scenario, public'); } });
  } finally {
    await conn.query('ROLLBACK').catch(() => {});
    conn.release();
  }
}
`;

test("closures a helper hands its caller's callback, made after its BEGIN on its own client that its finally rolls back, leak no session SET", () => {
  assert.deepEqual(found(CLOSURE_HELPER), []);
  // Called by the helper itself between its BEGIN and its ROLLBACK, awaited.
  assert.deepEqual(found(CLOSURE_HELPER.replace('return await body(', 'await asGuest(null);\n    return await body(')), []);
});

test('such closures keep the SET finding when they may run outside the rolled-back transaction', () => {
  const set = ['session-set SET ROLE guest', 'session-set SET search_path TO scenario, public'];
  // The helper commits, or rolls back only on the error path.
  assert.deepEqual(found(CLOSURE_HELPER.replace("conn.query('ROLLBACK')", "conn.query('COMMIT')")), set);
  assert.deepEqual(found(CLOSURE_HELPER.replace("  } finally {\n    await conn.query('ROLLBACK').catch(() => {});\n", "  } catch (e) {\n    await conn.query('ROLLBACK');\n    throw e;\n  } finally {\n")), set);
  // Not awaited: the finally's ROLLBACK runs before the caller's callback has finished with the closures.
  assert.deepEqual(found(CLOSURE_HELPER.replace('return await body(', 'return body(')), set);
  // Handed out otherwise: given to a function that is not the caller's callback, or stored on an object.
  assert.deepEqual(found(CLOSURE_HELPER.replace('return await body({ asGuest, run,', 'await body({ run,').replace('    const run =', '    keep(asGuest);\n    const run =')), ['session-set SET ROLE guest']);
  assert.deepEqual(found(CLOSURE_HELPER.replace('return await body({ asGuest, run,', 'await body({ run,').replace('    const run =', '    exported.asGuest = asGuest;\n    const run =')), ['session-set SET ROLE guest']);
  // No BEGIN on that client before the hand-off.
  assert.deepEqual(found(CLOSURE_HELPER.replace("    await conn.query('BEGIN');\n", '')), set);
});

/** The closure helper's shape on a client its caller hands it, typed as the helper's author declares it. */
const HANDED_CLIENT_HELPER = (declared: string) => `import { Pool, Client, PoolClient } from 'pg';
export async function asMember(link${declared}, steps) {
  try {
    await link.query('BEGIN');
    const become = async (role) => link.query('SET ROLE ' + role);
    await steps({ become });
  } finally {
    await link.query('ROLLBACK');
  }
}
`;

test('a closure over a pool the helper sends BEGIN and ROLLBACK through is not inside one transaction: each query may take another connection', () => {
  const set = ["session-set SET ROLE ' + role"];
  assert.deepEqual(found(HANDED_CLIENT_HELPER(': Pool')), set);
  assert.deepEqual(found(HANDED_CLIENT_HELPER(': Pool | undefined')), set);
  // A const the helper makes as a pool, in place of the parameter.
  const madePool = HANDED_CLIENT_HELPER('').replace('(link, steps) {', '(steps) {\n  const link = new Pool();');
  assert.deepEqual(found(madePool), set);
  // One connection: a Client, a checkout typed as one, a client of unknown kind, a const checked out of a pool.
  assert.deepEqual(found(HANDED_CLIENT_HELPER(': Client')), []);
  assert.deepEqual(found(HANDED_CLIENT_HELPER(': PoolClient')), []);
  assert.deepEqual(found(HANDED_CLIENT_HELPER('')), []);
  const checkout = HANDED_CLIENT_HELPER('').replace('(link, steps) {', '(steps) {\n  const link = await new Pool().connect();');
  assert.deepEqual(found(checkout), []);
});

test("a declared type decides over the client's name: a PoolClient named pool is one connection, an untyped pool a pool", () => {
  const named = (declared: string) => HANDED_CLIENT_HELPER(declared).replace(/\blink\b/g, 'pool');
  assert.deepEqual(found(named(': PoolClient')), []);
  assert.deepEqual(found(named(': PoolClient | null')), []);
  // A const named pool, declared as the checkout it holds.
  const checkout = named('').replace('(pool, steps) {', '(steps) {\n  const pool: PoolClient = await new Pool().connect();');
  assert.deepEqual(found(checkout), []);
  // Only the name (no type, or one that says nothing of the kind) or a pool type: a pool.
  const set = ["session-set SET ROLE ' + role"];
  assert.deepEqual(found(named('')), set);
  assert.deepEqual(found(named(': Queryable')), set);
  assert.deepEqual(found(HANDED_CLIENT_HELPER(': Pool')), set);
  // A const declared as a pool, its value from a function of another module: the type says what the value cannot.
  const fromElsewhere = (declared: string) => HANDED_CLIENT_HELPER('').replace('(link, steps) {', `(steps) {\n  const link${declared} = sharedClient();`);
  assert.deepEqual(found(fromElsewhere(': Pool')), set);
  assert.deepEqual(found(fromElsewhere(': PoolClient')), []);
});

test('a callback handed a pool the helper sends BEGIN and ROLLBACK through is not inside one transaction', () => {
  const helper = (declared: string) => `import { Pool } from 'pg';
export async function insideRollback(db${declared}, work) {
  try {
    await db.query('BEGIN');
    await work(db);
  } finally {
    await db.query('ROLLBACK');
  }
}
export async function readAsGuest(db) {
  await insideRollback(db, async (c) => { await c.query('SET ROLE guest'); });
}
`;
  assert.deepEqual(found(helper(': Pool')), ['session-set SET ROLE guest']);
  assert.deepEqual(found(helper('')), []);
});

/**
 * A helper with no `finally` rollback: it rolls back right after the callback inside its `try`, and again in its `catch`
 * (which may guard that rollback with a `try` of its own and rethrow). Every way out of the callback meets a ROLLBACK.
 */
const TRY_AND_CATCH_HELPER = `import { Pool } from 'pg';
const pool = new Pool();
export async function insideDiscardedTransaction(pool2: Pool, body) {
  const session = await pool2.connect();
  try {
    await session.query('BEGIN');
    const value = await body(session);
    await session.query('ROLLBACK');
    return value;
  } catch (failure) {
    await session.query('ROLLBACK');
    throw failure;
  } finally {
    session.release();
  }
}
`;

const TENANT_TEST = `test('tenant rows', () => insideDiscardedTransaction(pool, async (c) => {
  await c.query("SELECT set_config('app.tenant', $1, false)", ['t1']);
  await c.query('SET ROLE tenant_reader');
  await c.query('SELECT * FROM ledger');
}));
`;

const TENANT_LEAKED = ['session-set set_config', 'session-set SET ROLE tenant_reader'];

test('a helper rolling back after the callback in its try and again in its catch (no finally rollback): the callback\'s session settings are undone', (t) => {
  assert.deepEqual(found(TRY_AND_CATCH_HELPER + TENANT_TEST), []);
  // The catch guards its rollback with a try of its own, logs a failed rollback, then rethrows.
  const guarded = TRY_AND_CATCH_HELPER.replace("  } catch (failure) {\n    await session.query('ROLLBACK');\n",
    "  } catch (failure) {\n    try {\n      await session.query('ROLLBACK');\n    } catch (again) {\n      console.warn('rollback failed', again);\n    }\n");
  assert.notEqual(guarded, TRY_AND_CATCH_HELPER);
  assert.deepEqual(found(guarded + TENANT_TEST), []);
  // The catch logs first and swallows the error: it still rolls back.
  const swallowing = TRY_AND_CATCH_HELPER.replace("    await session.query('ROLLBACK');\n    throw failure;", "    console.error(failure);\n    await session.query('ROLLBACK');\n    return undefined;");
  assert.notEqual(swallowing, TRY_AND_CATCH_HELPER);
  assert.deepEqual(found(swallowing + TENANT_TEST), []);
  // Imported from a helper module of the project, as a test file does.
  const importing = `import { insideDiscardedTransaction } from './support/tx';\nimport { Pool } from 'pg';\nconst pool = new Pool();\n${TENANT_TEST}`;
  assert.deepEqual(inProject(t, { 'test/support/tx.ts': guarded }, 'test/tenant.test.ts', importing), []);
});

test('a try-path rollback whose catch does not roll back on every path, or a success path that commits: the callback\'s session settings stay findings', () => {
  const variants: Record<string, string> = {
    // The catch only logs and rethrows: a failing callback leaves its settings on the connection it releases.
    'catch without rollback': TRY_AND_CATCH_HELPER.replace("  } catch (failure) {\n    await session.query('ROLLBACK');\n", "  } catch (failure) {\n    console.error(failure);\n"),
    // No catch at all: the try path's rollback is skipped by an error.
    'no catch': TRY_AND_CATCH_HELPER.replace("  } catch (failure) {\n    await session.query('ROLLBACK');\n    throw failure;\n", ''),
    // The catch rethrows some errors before its rollback.
    'catch rethrowing first': TRY_AND_CATCH_HELPER.replace("  } catch (failure) {\n", "  } catch (failure) {\n    if (failure instanceof TypeError) throw failure;\n"),
    // The catch rolls back only under a condition.
    'conditional catch rollback': TRY_AND_CATCH_HELPER.replace("  } catch (failure) {\n    await session.query('ROLLBACK');\n", "  } catch (failure) {\n    if (session) await session.query('ROLLBACK');\n"),
    // A return between the callback and the try path's rollback skips it on a successful run.
    'return before the try rollback': TRY_AND_CATCH_HELPER.replace("    const value = await body(session);\n", "    const value = await body(session);\n    if (value === null) return value;\n"),
    // The success path commits; only a failure rolls back.
    'commit on success': TRY_AND_CATCH_HELPER.replace("    const value = await body(session);\n    await session.query('ROLLBACK');\n", "    const value = await body(session);\n    await session.query('COMMIT');\n"),
  };
  for (const [name, helper] of Object.entries(variants)) {
    assert.notEqual(helper, TRY_AND_CATCH_HELPER, name);
    assert.deepEqual(found(helper + TENANT_TEST), TENANT_LEAKED, name);
  }
});
