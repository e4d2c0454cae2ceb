// A project's own helper that checks a connection out of a pool, hands it to a callback and releases it, sending no
// BEGIN, gives the callback a connection outside any transaction: a `SET LOCAL` the callback sends on it before any
// transaction of its own ends with that statement. A helper that begins a transaction first, has already used the
// connection, hands over a client it was given, or cannot be read leaves the callback's client unknown (its caller may
// have begun one), as before. The helper may be in the same file or imported, also through a Deno import map.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const found = (text: string, file = 'jobs.ts'): string[] => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

/** Lends a pooled connection to the work and gives it back; no transaction. */
const LEND = `import pg from 'pg';
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
export async function borrow(work) {
  const db = await pool.connect();
  try {
    return await work(db);
  } finally {
    db.release();
  }
}
`;

/** Sets a schema on the lent connection, then opens its own transaction. */
const REPORT = `export async function monthlyReport(month) {
  return borrow(async (c) => {
    await c.query("SET LOCAL search_path = reporting");
    await c.query('BEGIN');
    const rows = await c.query('SELECT * FROM totals WHERE month = $1', [month]);
    await c.query('COMMIT');
    return rows;
  });
}
`;

const LONE_SET_LOCAL = ['set-local-outside-transaction SET LOCAL search_path = reporting'];

test('a callback of a helper that lends a freshly checked-out connection: a SET LOCAL before its own BEGIN is alone', () => {
  assert.deepEqual(found(LEND + REPORT), LONE_SET_LOCAL);
  // Written as an arrow function, with the connection taken through `acquire()`, and the callback called without await.
  const arrow = `import pg from 'pg';\nconst pool = new pg.Pool();\nconst borrow = async (work) => {\n  const conn = await pool.acquire();\n  const out = work(conn);\n  out.finally(() => conn.release());\n  return out;\n};\n`;
  assert.deepEqual(found(arrow + REPORT), LONE_SET_LOCAL);
  // A wrapper that hands its callback on whole to the lending helper.
  const onward = `${LEND}const withReporting = (fn) => borrow(fn);\n`;
  assert.deepEqual(found(onward + REPORT.replace('borrow(', 'withReporting(')), LONE_SET_LOCAL);
});

test('the SET LOCAL inside the callback\'s own transaction, or the lent connection used first by the helper, is not flagged', () => {
  // After the callback's own BEGIN: inside a transaction.
  assert.deepEqual(found(LEND + REPORT.replace(`    await c.query("SET LOCAL search_path = reporting");\n    await c.query('BEGIN');`, `    await c.query('BEGIN');\n    await c.query("SET LOCAL search_path = reporting");`)), []);
  // The helper begins a transaction before the call (and commits after): the callback runs inside it.
  const opening = LEND.replace('    return await work(db);', "    await db.query('BEGIN');\n    const out = await work(db);\n    await db.query('COMMIT');\n    return out;");
  assert.deepEqual(found(opening + REPORT), []);
  // The helper sends a text it holds elsewhere first (it may be a BEGIN): unknown.
  const usedFirst = LEND.replace('    return await work(db);', '    await db.query(OPENING);\n    return await work(db);');
  assert.deepEqual(found(`const OPENING = process.env.OPENING;\n${usedFirst}${REPORT}`), []);
  // The helper lends a client its own caller handed it: that caller may have begun a transaction.
  const handed = 'export async function borrow(db, work) {\n  return work(db);\n}\n';
  assert.deepEqual(found(handed + REPORT.replace('borrow(async', 'borrow(client, async')), []);
  // The callback called in a loop on the same connection: an earlier turn may have left a transaction open.
  const looped = LEND.replace('    return await work(db);', '    for (const step of [1, 2]) await work(db, step);');
  assert.deepEqual(found(looped + REPORT), []);
  // A helper whose body cannot be read (a package's): unknown, as before.
  assert.deepEqual(found(`import { borrow } from 'pool-lender';\n${REPORT}`), []);
});

test('a lending helper in another module, imported through a Deno config\'s import map', (t) => {
  const repo = scratchRepository('fresh-lend', t);
  repo.writeAll({
    'functions/shared/pool.ts': LEND.replace("import pg from 'pg';\nconst pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });", 'import { Pool } from "https://deno.land/x/postgres@v0.17.0/mod.ts";\nconst pool = new Pool(Deno.env.get("DB_URL"), 3, true);'),
    'functions/report/deno.json': JSON.stringify({ imports: { '@shared/': '../shared/', postgres: 'https://deno.land/x/postgres@v0.17.0/mod.ts' } }),
  });
  const caller = `import { borrow } from "@shared/pool.ts";\n${REPORT}`;
  assert.deepEqual(embeddedFindings(caller, repo.write('functions/report/index.ts', caller)).map(([rule, at]) => `${rule} ${at}`), LONE_SET_LOCAL);
  // An import-map key the specifier does not start with names no file: unknown.
  const unmapped = `import { borrow } from "@other/pool.ts";\n${REPORT}`;
  assert.deepEqual(embeddedFindings(unmapped, repo.write('functions/report/other.ts', unmapped)), []);
});

/** A project function that checks a client out and opens a transaction on it before handing it back. */
const CONNECT_IN_TX = `import pg from 'pg';
const pool = new pg.Pool();
async function connect() {
  const client = await pool.connect();
  await client.query('BEGIN');
  return client;
}
`;

/** Tags the unit of work; runs inside whatever transaction the helper holds open. */
const TAGGED = `export const tag = (id) => runUnit(async (conn) => {
  await conn.query("SET LOCAL app.batch_id = '7'");
  return conn.query('UPDATE batches SET seen = true WHERE id = $1', [id]);
});
`;

test('a helper that commits or rolls back the lent connection after the callback lends it inside a transaction', () => {
  const helper = `export async function runUnit(unit) {
  const conn = await connect();
  try {
    const out = await unit(conn);
    await conn.query('COMMIT');
    return out;
  } catch (error) {
    await conn.query('ROLLBACK');
    throw error;
  } finally {
    conn.release();
  }
}
`;
  assert.deepEqual(found(CONNECT_IN_TX + helper + TAGGED), []);
  // Taken straight from the pool but committed after the callback: a transaction is expected to be open, not flagged.
  const committing = `import pg from 'pg';\nconst pool = new pg.Pool();\nexport async function runUnit(unit) {\n  const conn = await pool.connect();\n  const out = await unit(conn);\n  await conn.query('COMMIT');\n  conn.release();\n  return out;\n}\n`;
  assert.deepEqual(found(committing + TAGGED), []);
});

test('a connection from a bare call to a project function is not known to be fresh, even with no COMMIT after', () => {
  const helper = `export async function runUnit(unit) {\n  const conn = await connect();\n  try {\n    return await unit(conn);\n  } finally {\n    conn.release();\n  }\n}\n`;
  assert.deepEqual(found(CONNECT_IN_TX + helper + TAGGED), []);
  // The same helper taking its connection with pool.connect() lends it fresh: the lone SET LOCAL is flagged.
  const fresh = `import pg from 'pg';\nconst pool = new pg.Pool();\n${helper.replace('await connect()', 'await pool.connect()')}`;
  assert.deepEqual(found(fresh + TAGGED), ["set-local-outside-transaction SET LOCAL app.batch_id = '7'"]);
});
