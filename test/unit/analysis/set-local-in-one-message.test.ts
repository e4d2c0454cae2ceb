// A string of several statements, sent without parameters, goes to the server as one simple-protocol Query,
// which runs as one implicit transaction block: a SET LOCAL or set_config(…, true) there lasts until the
// message's last statement, so the statements after it in that string do see it. Alone in its string, or
// last in it, or before a transaction boundary in it, it still reaches nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string) => embeddedFindings(text, '/nowhere/scout/reports.ts').map(([rule, at]) => `${rule} ${at}`);
const HEAD = "import pg from 'pg';\nconst pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });\n";

test('a transaction-local setting followed by other statements of the same string reaches them', () => {
  const text = HEAD + [
    'export async function purge() {',
    '  await pool.query(`',
    "    SET LOCAL statement_timeout = '5min';",
    '    DELETE FROM events WHERE created_at < now() - interval \'1 year\';',
    '  `);',
    '}',
    'export async function report(client: pg.PoolClient) {',
    "  await client.query(\"SELECT set_config('app.region', 'eu', true); SELECT count(*) FROM orders\");",
    '}',
    'export async function rebuild() {',
    "  const text = \"SET LOCAL maintenance_work_mem = '1GB'; SET LOCAL lock_timeout = '2s'; REINDEX TABLE orders;\";",
    '  await pool.query(text);',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('alone in its string, last in it, or cut off by a COMMIT in it, the setting is still lost', () => {
  const text = HEAD + [
    'export async function tune() {',
    "  await pool.query(\"SET LOCAL work_mem = '256MB'\");",
    "  await pool.query('SELECT 1; SET LOCAL lock_timeout = 1000');",
    "  await pool.query(\"SET LOCAL search_path TO archive; COMMIT; SELECT * FROM invoices\");",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    "set-local-outside-transaction SET LOCAL work_mem = '256MB'",
    'set-local-outside-transaction SET LOCAL lock_timeout = 1000',
    'set-local-outside-transaction SET LOCAL search_path TO archive',
  ]);
});

test('settings followed only by more transaction-local settings in their string reach nothing, each one is lost', () => {
  const text = HEAD + [
    'export async function scope() {',
    "  await pool.query(`SELECT set_config('app.user_id', '7', true); SELECT set_config('app.tenant_id', 'acme', true)`);",
    '  const client = await pool.connect();',
    "  await client.query(`SET LOCAL app.role = 'reader'; SET LOCAL app.region = 'eu';`);",
    "  await client.query(\"SET LOCAL app.a = '1'; SET LOCAL app.b = '2'; SELECT * FROM accounts\");",
    '  client.release();',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    'set-local-outside-transaction set_config',
    'set-local-outside-transaction set_config',
    "set-local-outside-transaction SET LOCAL app.role = 'reader'",
    "set-local-outside-transaction SET LOCAL app.region = 'eu'",
  ]);
});

test('a hole that is a statement of its own after the setting stands for statements sent in the same string', () => {
  const text = HEAD + [
    "const SCOPE = 'SET LOCAL search_path TO staging';",
    'export async function load(rows: string[], upsert: (r: string) => string) {',
    '  await pool.query(`${SCOPE};\\n` + rows.map((r) => upsert(r)).join(";\\n"));',
    '}',
    'export async function run(body: string, tail: string) {',
    "  await pool.query(`SET LOCAL statement_timeout = '30s';\\n${body}\\n${tail};`);",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('a hole that opens the string, shares the setting\'s statement or follows a COMMIT leaves the setting lost', () => {
  const text = HEAD + [
    'export async function prepare(prelude: string, value: string, rest: string) {',
    "  await pool.query(`${prelude}; SET LOCAL lock_timeout = '1s'`);",
    '  await pool.query(`SET LOCAL work_mem = ${value}`);',
    "  await pool.query(`SET LOCAL app.batch = 'b1'; COMMIT; ${rest}`);",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), [
    "set-local-outside-transaction SET LOCAL lock_timeout = '1s'",
    'set-local-outside-transaction SET LOCAL work_mem = ${value}',
    "set-local-outside-transaction SET LOCAL app.batch = 'b1'",
  ]);
});
