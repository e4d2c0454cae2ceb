// A query helper of the file that has a transaction open on its connection when it sends its caller's text
// (`await db.query('BEGIN'); await db.query(text); await db.query('COMMIT')`) runs that text inside the transaction:
// a `SET LOCAL` the caller hands it is not alone. The helper's statements are read in source order across nested
// blocks: a BEGIN only in a branch, a COMMIT or ROLLBACK between the BEGIN and the text (in any block), one later in a
// loop around the text, a BEGIN in a callback, on another connection, or a pool handed as the connection, say nothing.
// Ends held in a const or sent by a project helper count; every send of the text must be inside; and only a client
// known to be one connection (a checked-out connection, a Client, a transaction's client) gets the helper's BEGIN.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository, type FileText } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

const rulesOf = (text: string): string[] => embeddedFindings(text, 'jobs.ts').map(([rule, at]) => `${rule} ${at}`);

const SETUP = "import { Pool } from 'pg';\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\n";

/** A helper `withinTx(db, text)` with the given body, and a caller handing it a SET LOCAL and a plain SET on a checked-out connection. */
const program = (body: string, handed = 'db'): string => `${SETUP}async function withinTx(db, text) {
${body}
}
export async function nightly() {
  const db = await pool.connect();
  await withinTx(${handed}, "SET LOCAL work_mem = '64MB'");
  await withinTx(${handed}, 'SET datestyle = ISO');
  db.release();
}
`;

const LONE = "set-local-outside-transaction SET LOCAL work_mem = '64MB'";
const SESSION = 'session-set SET datestyle = ISO';
const inside = (body: string, handed?: string): void => assert.deepEqual(rulesOf(program(body, handed)), [SESSION], body);
const alone = (body: string, handed?: string): void => assert.deepEqual(rulesOf(program(body, handed)), [LONE, SESSION], body);

test('BEGIN sent on the connection before the text, with no end between, runs the text inside the transaction', () => {
  inside("  await db.query('BEGIN');\n  await db.query(text);\n  await db.query('COMMIT');");
  // The text deeper in blocks than the BEGIN: a try whose catch rolls back after it, a loop with the COMMIT after it.
  inside("  await db.query('begin');\n  try {\n    if (text) {\n      await db.query(text);\n    }\n    await db.query('COMMIT');\n  } catch (error) {\n    await db.query('ROLLBACK');\n    throw error;\n  }");
  inside("  await db.query('START TRANSACTION');\n  for (let i = 0; i < 1; i++) {\n    await db.query(text);\n  }\n  await db.query('COMMIT');");
  // A BEGIN and its COMMIT before this BEGIN close an earlier transaction only.
  inside("  await db.query('BEGIN');\n  await db.query('COMMIT');\n  await db.query('BEGIN');\n  await db.query(text);\n  await db.query('COMMIT');");
});

test('a helper that opens the transaction, then hands the text and the connection to another helper, counts too', () => {
  const send = 'function send(conn, sql) {\n  return conn.query(sql);\n}\n';
  const text = program("  await db.query('BEGIN');\n  await send(db, text);\n  await db.query('COMMIT');");
  assert.deepEqual(rulesOf(send + text), [SESSION]);
  // Without the BEGIN, the inner helper sends it alone.
  assert.deepEqual(rulesOf(send + program('  await send(db, text);')), [LONE, SESSION]);
});

test('a COMMIT or ROLLBACK between the BEGIN and the text, in any block, ends the transaction first', () => {
  // An inner block's COMMIT after an outer block's BEGIN.
  alone("  await db.query('BEGIN');\n  if (text.length > 100) {\n    await db.query('COMMIT');\n  }\n  await db.query(text);");
  alone("  await db.query('BEGIN');\n  try {\n    await db.query('SELECT 1');\n  } catch {\n    await db.query('ROLLBACK');\n  }\n  await db.query(text);");
  // A helper that commits before it sends the text.
  alone("  await db.query('BEGIN');\n  await db.query('COMMIT');\n  await db.query(text);");
  // A COMMIT after the text in a loop the BEGIN is outside of: the next turn sends the text after it.
  alone("  await db.query('BEGIN');\n  for (const attempt of [1, 2]) {\n    await db.query(text);\n    await db.query('COMMIT');\n  }");
});

test('a BEGIN that may not run before the text, or runs on another connection, says nothing', () => {
  // Only in a branch (an inner block the text is not in).
  alone("  if (text.startsWith('SET LOCAL')) {\n    await db.query('BEGIN');\n  }\n  await db.query(text);\n  await db.query('COMMIT');");
  // After the text.
  alone("  await db.query(text);\n  await db.query('BEGIN');\n  await db.query('COMMIT');");
  // In a callback of the helper's.
  alone("  await Promise.resolve().then(() => db.query('BEGIN'));\n  await db.query(text);\n  await db.query('COMMIT');");
  // On another connection.
  alone("  const audit = await pool.connect();\n  await audit.query('BEGIN');\n  await db.query(text);\n  await audit.query('COMMIT');");
  // The connection's name given another client between.
  alone("  await db.query('BEGIN');\n  db = await pool.connect();\n  await db.query(text);");
});

test('a pool handed as the connection: the BEGIN and the text may go to two of its connections', () => {
  alone("  await db.query('BEGIN');\n  await db.query(text);\n  await db.query('COMMIT');", 'pool');
});

/** A module with a helper `atomically(conn, statement)` that BEGINs on `conn` before sending `statement`, and `rest` after it. */
const beginningHelper = (rest: string, head = "import { Pool, Client } from 'pg';\nconst pool = new Pool();\n"): string => `${head}async function atomically(conn, statement) {
  await conn.query('BEGIN');
  await conn.query(statement);
  await conn.query('COMMIT');
}
${rest}`;
const SHORT = "set-local-outside-transaction SET LOCAL lock_timeout = '2s'";
const handing = (client: string): string => `await atomically(${client}, "SET LOCAL lock_timeout = '2s'");`;

test('a client that may be a pool, or is not known to be one connection, gets nothing from the helper\'s BEGIN', () => {
  // A caller's optional client or the pool, held in a name or handed in place.
  assert.deepEqual(rulesOf(beginningHelper(`export async function purge(existing?: PoolClient) {\n  const conn = existing ?? pool;\n  ${handing('conn')}\n}\n`)), [SHORT]);
  assert.deepEqual(rulesOf(beginningHelper(`export async function purge(existing?: PoolClient) {\n  ${handing('existing || pool')}\n}\n`)), [SHORT]);
  // The pool under another name, and a pool a function of the file hands out.
  assert.deepEqual(rulesOf(beginningHelper(`export async function purge() {\n  const conn = pool;\n  ${handing('conn')}\n}\n`)), [SHORT]);
  assert.deepEqual(rulesOf(beginningHelper(`function shared() {\n  return pool;\n}\nexport async function purge() {\n  ${handing('shared()')}\n}\n`)), [SHORT]);
});

let projects = 0;
/** The findings (line and rule) of `checked` in a project of `files` written to disk (a parameter's callers are looked for there). */
function projectFindings(files: Record<string, FileText>, checked: string): string[] {
  const repo = scratchRepository(`helper-opened-${projects++}`, { after });
  repo.writeAll({ 'package.json': '{ "name": "jobs", "dependencies": { "pg": "^8" } }', ...files });
  const path = repo.path(checked);
  const text = readFileSync(path, 'utf8');
  return analyze(text, 'typescript', {}, path).map((f) => ruleLine(text, f, 'line rule'));
}

test('a pool parameter nothing in the project calls keeps its SET LOCAL through the helper; an untyped one is its caller\'s', () => {
  // Declared as a pool: the helper's BEGIN and the text may go to two connections of it. Untyped: the caller's client,
  // which may be inside the caller's transaction already, whether or not anything calls the function (session 50).
  const local = beginningHelper(`export async function purge(target: Pool) {\n  ${handing('target')}\n}\nexport async function vacuum(target) {\n  ${handing('target')}\n}\n`);
  assert.deepEqual(projectFindings({ 'src/purge.ts': local }, 'src/purge.ts'), ['9 set-local-outside-transaction']);
  // The helper imported from a module of the project.
  const helper = "export async function atomically(conn, statement) {\n  await conn.query('BEGIN');\n  await conn.query(statement);\n  await conn.query('COMMIT');\n}\n";
  const caller = `import type { Pool } from 'pg';\nimport { atomically } from './tx';\nexport async function vacuum(target: Pool) {\n  ${handing('target')}\n}\n`;
  assert.deepEqual(projectFindings({ 'src/tx.ts': helper, 'src/vacuum.ts': caller }, 'src/vacuum.ts'), ['4 set-local-outside-transaction']);
  const untyped = caller.replace('target: Pool', 'target');
  assert.deepEqual(projectFindings({ 'src/tx.ts': helper, 'src/vacuum.ts': untyped }, 'src/vacuum.ts'), []);
});

test('a client known to be one connection runs the text inside the helper\'s transaction', () => {
  // A single client made here, a connection reserved from postgres.js, a connect() callback's fresh connection.
  assert.deepEqual(rulesOf(beginningHelper(`export async function purge() {\n  const single = new Client();\n  await single.connect();\n  ${handing('single')}\n}\n`)), []);
  assert.deepEqual(rulesOf(beginningHelper(`export function purge() {\n  pool.connect(async (error, lent) => {\n    ${handing('lent')}\n    lent.release();\n  });\n}\n`)), []);
  // A parameter every call of the file's own function fills with a connection just taken.
  assert.deepEqual(rulesOf(beginningHelper(`async function purgeOn(taken) {\n  ${handing('taken')}\n}\nexport async function purge() {\n  const held = await pool.connect();\n  await purgeOn(held);\n  held.release();\n}\n`)), []);
  // A let every value of which is a checked-out connection.
  assert.deepEqual(rulesOf(beginningHelper(`export async function purge() {\n  let held = await pool.connect();\n  ${handing('held')}\n  held.release();\n}\n`)), []);
});

test('every send of the text is read: one outside the transaction on some path runs it alone there', () => {
  const flagged = `async function step(conn, statement, atomic) {
  if (atomic) {
    await conn.query('BEGIN');
    await conn.query(statement);
    await conn.query('COMMIT');
    return;
  }
  await conn.query(statement);
}
export async function purge() {
  const held = await pool.connect();
  await step(held, "SET LOCAL lock_timeout = '2s'", false);
  held.release();
}
`;
  assert.deepEqual(rulesOf(SETUP + flagged), [SHORT]);
  // Two sends, both after the BEGIN (a retry in the same transaction): inside.
  assert.deepEqual(rulesOf(program("  await db.query('BEGIN');\n  try {\n    await db.query(text);\n  } catch {\n    await db.query(text);\n  }\n  await db.query('COMMIT');")), [SESSION]);
});

test('a COMMIT held in a const, or sent by a helper of the project handed the connection, ends the transaction too', () => {
  const ending = 'const FINISH = "COMMIT";\nasync function finish(c) {\n  await c.query(\'COMMIT\');\n}\n';
  assert.deepEqual(rulesOf(ending + program("  await db.query('BEGIN');\n  await db.query(FINISH);\n  await db.query(text);")), [LONE, SESSION]);
  assert.deepEqual(rulesOf(ending + program("  await db.query('BEGIN');\n  await finish(db);\n  await db.query(text);")), [LONE, SESSION]);
  // A helper handed the connection that sends no end, and a const holding the BEGIN: still inside.
  const other = 'const OPEN = "BEGIN";\nasync function audit(c) {\n  await c.query(\'INSERT INTO audit_log DEFAULT VALUES\');\n}\n';
  assert.deepEqual(rulesOf(other + program("  await db.query(OPEN);\n  await audit(db);\n  await db.query(text);\n  await db.query('COMMIT');")), [SESSION]);
  // A commit helper handed another connection.
  assert.deepEqual(rulesOf(ending + program("  const side = await pool.connect();\n  await db.query('BEGIN');\n  await finish(side);\n  await db.query(text);")), [SESSION]);
});

test('a parameter declared as node-postgres\'s checked-out client (PoolClient) is one connection: the text runs inside the helper\'s BEGIN', () => {
  const head = "import pg, { Pool, PoolClient } from 'pg';\nconst pool = new Pool();\n";
  const purging = (type: string): string[] => projectFindings({ 'src/purge.ts': beginningHelper(`export async function purge(lease: ${type}) {\n  ${handing('lease')}\n}\n`, head) }, 'src/purge.ts');
  assert.deepEqual(purging('PoolClient'), []);
  assert.deepEqual(purging('pg.PoolClient'), []);
  // A pool, or either of the two, may send the BEGIN and the text on two connections.
  assert.deepEqual(purging('PoolClient | Pool'), ['9 set-local-outside-transaction']);
  assert.deepEqual(purging('Pool'), ['9 set-local-outside-transaction']);
});

/** A class whose `this.conn` the `fill` statements assign, with a method that BEGINs on it before sending the caller's text. */
const holder = (field: string, fill: string): string => `import { Pool, PoolClient } from 'pg';
const pool = new Pool();
export class Purger {
  ${field}
  async open() {
    ${fill}
  }
  async atomically(statement) {
    await this.conn.query('BEGIN');
    await this.conn.query(statement);
    await this.conn.query('COMMIT');
  }
  async purge() {
    await this.atomically("SET LOCAL lock_timeout = '2s'");
  }
}
`;

test('this.conn of a class that fills it only with a connection taken, or declares it PoolClient, is one connection', () => {
  assert.deepEqual(rulesOf(holder('private conn;', 'this.conn = await pool.connect();')), []);
  // Emptied once released: no query runs on it then.
  assert.deepEqual(rulesOf(holder('private conn = null;', 'this.conn = await pool.connect();\n    this.conn.release();\n    this.conn = null;')), []);
  assert.deepEqual(rulesOf(holder('private conn!: PoolClient;', 'this.conn = await lease();')), []);
});

test('this.conn that the class fills with the pool, with what a call returns, or never, is not known to be one connection', () => {
  assert.deepEqual(rulesOf(holder('private conn;', 'this.conn = pool;')), [SHORT]);
  assert.deepEqual(rulesOf(holder('private conn;', 'this.conn = await pool.connect();\n    if (!this.conn) this.conn = pool;')), [SHORT]);
  assert.deepEqual(rulesOf(holder('private conn;', 'this.conn = await lease();')), [SHORT]);
  assert.deepEqual(rulesOf(holder('private conn;', 'return;')), [SHORT]);
});

// Restored from ff10a5d (9a5ec28 replaced them by mistake). The BEGIN is read by the same every-path reading as a
// boundary helper's last statement (everyPath.ts): on the way up from it to the block that also holds the text, only
// awaits, parentheses, declarations, plain blocks and a `try` block. A BEGIN whose result is kept, or sent in a `try`
// block before the text, runs whenever the text does (a BEGIN that throws is a path that fails).
test('a BEGIN whose result is kept, or sent in a try block or a plain block before the text, runs the text inside', () => {
  inside("  const began = await db.query('BEGIN');\n  console.log(began.command);\n  await db.query(text);\n  await db.query('COMMIT');");
  inside("  try {\n    await db.query('BEGIN');\n  } catch (error) {\n    console.error(error);\n    throw error;\n  }\n  await db.query(text);\n  await db.query('COMMIT');");
  inside("  {\n    await db.query('BEGIN');\n  }\n  await db.query(text);\n  await db.query('COMMIT');");
});

test('a BEGIN in a catch or finally block, one declaration list with the text, or a loop before the text says nothing', () => {
  alone("  try {\n    await db.query('SELECT 1');\n  } catch {\n    await db.query('BEGIN');\n  }\n  await db.query(text);\n  await db.query('COMMIT');");
  alone("  try {\n    await db.query('BEGIN');\n  } finally {\n    await db.query(text);\n  }\n  await db.query('COMMIT');");
  alone("  const began = await db.query('BEGIN'), sent = await db.query(text);\n  await db.query('COMMIT');");
  alone("  for (const attempt of [1]) {\n    await db.query('BEGIN');\n  }\n  await db.query(text);\n  await db.query('COMMIT');");
});

test('a PoolClient parameter that may also be undefined or null is one connection whenever a query runs on it; a PoolClient-typed name holding the pool is the pool', () => {
  const head = "import { Pool, PoolClient } from 'pg';\nconst pool = new Pool();\n";
  const purging = (type: string): string[] => projectFindings({ 'src/purge.ts': beginningHelper(`export async function purge(lease: ${type}) {\n  ${handing('lease')}\n}\n`, head) }, 'src/purge.ts');
  assert.deepEqual(purging('PoolClient | undefined'), []);
  assert.deepEqual(purging('null | PoolClient'), []);
  // A pool beside the empty values is not one connection; nothing but the empty values is no client the linter knows:
  // a parameter, its caller's (session 50).
  assert.deepEqual(purging('undefined | null'), []);
  assert.deepEqual(purging('Pool | undefined'), ['9 set-local-outside-transaction']);
  const cast = beginningHelper(`const db: PoolClient = pool as unknown as PoolClient;\nexport async function purge() {\n  ${handing('db')}\n}\n`, head);
  assert.deepEqual(projectFindings({ 'src/purge.ts': cast }, 'src/purge.ts'), ['10 set-local-outside-transaction']);
  const taken = beginningHelper(`export async function purge() {\n  const db: PoolClient = await pool.connect();\n  ${handing('db')}\n}\n`, head);
  assert.deepEqual(projectFindings({ 'src/purge.ts': taken }, 'src/purge.ts'), []);
});
