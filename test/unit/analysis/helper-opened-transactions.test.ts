// A query helper of the file that has a transaction open on its connection when it sends its caller's text
// (`await db.query('BEGIN'); await db.query(text); await db.query('COMMIT')`) runs that text inside the transaction:
// a `SET LOCAL` the caller hands it is not alone. The helper's statements are read in source order across nested
// blocks: a BEGIN only in a branch, a COMMIT or ROLLBACK between the BEGIN and the text (in any block), one later in a
// loop around the text, a BEGIN in a callback, on another connection, or a pool handed as the connection, say nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

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
