// The load-balancing rules (read-after-write, write-in-read): Pgpool-II's routing, only with
// "loadBalancing": true. Positive and negative cases each, in SQL files and in SQL embedded in TS/JS.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, analyzeSql, initAnalysis, parseConfig, mergeOptions, type AnalysisOptions, type Finding } from '../../../server/analysis/index';
import { applyFix } from '../../helpers/fixes';
import { catalogOf } from '../../../server/analysis/balancing';
import { SqlAnalyzer } from '../../../server/analysis/index';
import { IncrementalSqlDocument } from '../../../server/incrementalSql';
import { hoverMarkdown } from '../../../server/hover';
import { RuleDocs } from '../../../server/diagnostics';
import { effectiveOptions, parseSettings } from '../../../server/settings';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

before(() => initAnalysis());

const ON: Partial<AnalysisOptions> = { loadBalancing: true };
const BALANCING = new Set(['read-after-write', 'write-in-read']);

/** Load-balancing findings as [rule, the text they point at]. */
function sqlFindings(sql: string, options: Partial<AnalysisOptions> = ON): [string, string][] {
  return analyzeSql(sql, options).filter((f) => BALANCING.has(f.rule)).map((f) => [f.rule, sql.slice(f.start, f.end)]);
}

function tsFindings(code: string, options: Partial<AnalysisOptions> = ON): [string, string][] {
  return analyze(code, 'typescript', options, 'app.ts').filter((f) => BALANCING.has(f.rule)).map((f) => [f.rule, code.slice(f.start, f.end)]);
}

function only(sql: string, rule: string): Finding {
  const findings = analyzeSql(sql, ON).filter((f) => f.rule === rule);
  assert.equal(findings.length, 1, `expected one ${rule} in ${sql}, got ${JSON.stringify(findings)}`);
  return findings[0];
}

const WRITE_THEN_READ = 'INSERT INTO orders (id) VALUES (1);\nSELECT * FROM orders WHERE id = 1;';

// --- read-after-write: SQL ---

test('read-after-write: a SELECT of a table right after an autocommitted write is flagged, at the table, linked to the write', () => {
  const finding = only(WRITE_THEN_READ, 'read-after-write');
  assert.equal(WRITE_THEN_READ.slice(finding.start, finding.end), 'orders');
  assert.ok(finding.start > WRITE_THEN_READ.indexOf('SELECT'));
  assert.equal(WRITE_THEN_READ.slice(finding.related![0].start, finding.related![0].end), 'orders');
  assert.ok(finding.related![0].start < WRITE_THEN_READ.indexOf('SELECT'));
  for (const write of ['UPDATE orders SET paid = true', 'DELETE FROM orders', 'TRUNCATE orders', 'COPY orders FROM stdin', 'MERGE INTO orders o USING x ON o.id = x.id WHEN MATCHED THEN DELETE']) {
    assert.deepEqual(sqlFindings(`${write};\nSELECT count(*) FROM orders;`), [['read-after-write', 'orders']], write);
  }
});

test('read-after-write: off without loadBalancing, in .poolsafe.json false, or with the rule off', () => {
  assert.deepEqual(sqlFindings(WRITE_THEN_READ, {}), []);
  assert.deepEqual(sqlFindings(WRITE_THEN_READ, { loadBalancing: false }), []);
  assert.deepEqual(sqlFindings(WRITE_THEN_READ, { loadBalancing: true, rules: { 'read-after-write': 'off' } }), []);
  assert.deepEqual(analyzeSql(WRITE_THEN_READ), [], 'no finding of any rule on this valid code when balancing is off');
});

test('read-after-write: the write and the read in one transaction block go to the primary: no finding', () => {
  assert.deepEqual(sqlFindings(`BEGIN;\n${WRITE_THEN_READ}\nCOMMIT;`), []);
  assert.deepEqual(sqlFindings(`START TRANSACTION;\nUPDATE orders SET paid = true;\nSELECT * FROM orders;\nEND;`), []);
});

test('read-after-write: a write committed by COMMIT and read after it is flagged; a rolled-back one is not', () => {
  assert.deepEqual(sqlFindings('BEGIN;\nINSERT INTO orders VALUES (1);\nCOMMIT;\nSELECT * FROM orders;'), [['read-after-write', 'orders']]);
  assert.deepEqual(sqlFindings('BEGIN;\nINSERT INTO orders VALUES (1);\nROLLBACK;\nSELECT * FROM orders;'), []);
});

test('read-after-write: a read in a later transaction before its first write goes to a replica (flagged); after a write it does not', () => {
  assert.deepEqual(sqlFindings('INSERT INTO orders VALUES (1);\nBEGIN;\nSELECT * FROM orders;\nCOMMIT;'), [['read-after-write', 'orders']]);
  assert.deepEqual(sqlFindings('INSERT INTO orders VALUES (1);\nBEGIN;\nUPDATE audit SET n = n + 1;\nSELECT * FROM orders;\nCOMMIT;'), []);
  assert.deepEqual(sqlFindings('INSERT INTO orders VALUES (1);\nBEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT * FROM orders;\nCOMMIT;'), [], 'SERIALIZABLE goes to the primary');
});

test('read-after-write: reads Pgpool-II keeps on the primary are not flagged (FOR UPDATE, volatile or unknown functions, other tables, CTE names)', () => {
  assert.deepEqual(sqlFindings('INSERT INTO orders VALUES (1);\nSELECT * FROM orders FOR UPDATE;'), []);
  assert.deepEqual(sqlFindings('INSERT INTO orders VALUES (1);\nSELECT random(), * FROM orders;'), []);
  assert.deepEqual(sqlFindings('INSERT INTO orders VALUES (1);\nSELECT my_report(id) FROM orders;'), [], 'unknown function: maybe VOLATILE');
  assert.deepEqual(sqlFindings('INSERT INTO orders VALUES (1);\nSELECT * FROM customers;'), []);
  assert.deepEqual(sqlFindings('INSERT INTO orders VALUES (1);\nWITH orders AS (SELECT 1 AS id) SELECT * FROM orders;'), []);
  assert.deepEqual(sqlFindings('INSERT INTO orders VALUES (1);\nSELECT count(*), max(id) FROM orders;'), [['read-after-write', 'orders']], 'aggregates are not volatile');
  assert.deepEqual(sqlFindings('INSERT INTO shop.orders VALUES (1);\nSELECT * FROM billing.orders;'), [], 'another schema');
  assert.deepEqual(sqlFindings('INSERT INTO shop.orders VALUES (1);\nSELECT * FROM orders;'), [['read-after-write', 'orders']]);
});

test('read-after-write: temporary tables are not flagged (Pgpool-II keeps their statements on the primary)', () => {
  assert.deepEqual(sqlFindings('CREATE TEMP TABLE scratch (x int);\nINSERT INTO scratch VALUES (1);\nSELECT * FROM scratch;'), []);
  assert.deepEqual(sqlFindings('SELECT 1 AS x INTO TEMP scratch;\nINSERT INTO scratch VALUES (2);\nSELECT * FROM scratch;'), []);
  assert.deepEqual(sqlFindings('INSERT INTO pg_temp.scratch VALUES (1);\nSELECT * FROM pg_temp.scratch;'), []);
  assert.deepEqual(sqlFindings('CREATE TABLE kept (x int);\nINSERT INTO kept VALUES (1);\nSELECT * FROM kept;'), [['read-after-write', 'kept']], 'a permanent table is');
});

test('read-after-write: only the first read after a write is flagged; a new write flags again', () => {
  assert.deepEqual(sqlFindings('INSERT INTO t VALUES (1);\nSELECT * FROM t;\nSELECT * FROM t;\nINSERT INTO t VALUES (2);\nSELECT * FROM t;'),
    [['read-after-write', 't'], ['read-after-write', 't']]);
});

test('read-after-write: query files (sqlc/yesql "-- name:", PgTyped @name, $1 parameters) are separate queries, not a sequence', () => {
  assert.deepEqual(sqlFindings('-- name: CreateOrder :exec\nINSERT INTO orders (id) VALUES (1);\n\n-- name: GetOrder :one\nSELECT * FROM orders WHERE id = 1;'), []);
  assert.deepEqual(sqlFindings('/* @name insertOrder */\nINSERT INTO orders (id) VALUES (1);\n/* @name getOrder */\nSELECT * FROM orders;'), []);
  assert.deepEqual(sqlFindings('INSERT INTO orders (id) VALUES ($1);\nSELECT * FROM orders WHERE id = $1;'), []);
});

test('read-after-write: psql scripts run in their own session (not through the balancer): no finding', () => {
  assert.deepEqual(sqlFindings(`\\set ON_ERROR_STOP 1\n${WRITE_THEN_READ}`), []);
});

test('read-after-write quick fix wraps the write and the read in BEGIN … COMMIT, after which nothing is flagged', () => {
  const fixed = applyFix(WRITE_THEN_READ, only(WRITE_THEN_READ, 'read-after-write'));
  assert.equal(fixed, 'BEGIN;\nINSERT INTO orders (id) VALUES (1);\nSELECT * FROM orders WHERE id = 1;\nCOMMIT;');
  assert.deepEqual(sqlFindings(fixed), []);
  const between = 'INSERT INTO t VALUES (1);\nSELECT 1;\nSELECT * FROM t;';
  assert.equal(applyFix(between, only(between, 'read-after-write')), 'BEGIN;\nINSERT INTO t VALUES (1);\nSELECT 1;\nSELECT * FROM t;\nCOMMIT;');
});

test('read-after-write quick fix is not offered where wrapping would break or change the code', () => {
  assert.equal(only('INSERT INTO t VALUES (1);\nVACUUM t;\nSELECT * FROM t;', 'read-after-write').fix, undefined, 'VACUUM cannot run in a block');
  assert.equal(only('INSERT INTO t VALUES (1);\nCREATE INDEX CONCURRENTLY i ON t (x);\nSELECT * FROM t;', 'read-after-write').fix, undefined);
  assert.equal(only('BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\nSELECT * FROM t;', 'read-after-write').fix, undefined, 'already a transaction of its own');
});

test('read-after-write: suppression comments apply', () => {
  assert.deepEqual(sqlFindings('INSERT INTO t VALUES (1);\n-- poolsafe-disable-next-line read-after-write\nSELECT * FROM t;'), []);
});

// --- read-after-write: TS/JS ---

test('read-after-write in TS: pool calls in one function (each may take another connection) are one sequence', () => {
  const code = `import { Pool } from 'pg';
const pool = new Pool();
export async function pay(id: number) {
  await pool.query('UPDATE orders SET paid = true WHERE id = $1', [id]);
  return pool.query('SELECT paid FROM orders WHERE id = $1', [id]);
}`;
  assert.deepEqual(tsFindings(code), [['read-after-write', 'orders']]);
  assert.deepEqual(tsFindings(code, {}), []);
  assert.deepEqual(analyze(code, 'typescript', {}, 'app.ts'), [], 'nothing at all when balancing is off');
});

test('read-after-write in TS: a client sequence and sql`` tags are flagged; no quick fix (it would edit two strings)', () => {
  const code = `export async function f(client, sql, id) {
  await client.query('INSERT INTO orders (id) VALUES ($1)', [id]);
  const rows = await client.query('SELECT * FROM orders WHERE id = $1', [id]);
  await sql\`DELETE FROM carts WHERE id = \${id}\`;
  return [rows, await sql\`SELECT count(*) FROM carts\`];
}`;
  assert.deepEqual(tsFindings(code), [['read-after-write', 'orders'], ['read-after-write', 'carts']]);
  assert.ok(analyze(code, 'typescript', ON, 'app.ts').every((f) => f.fix === undefined));
});

test('read-after-write in TS: not in a transaction callback, not in a multi-statement query string, not across functions', () => {
  assert.deepEqual(tsFindings(`export async function f(db) {
  await db.transaction(async (tx) => {
    await tx.query('INSERT INTO orders (id) VALUES (1)');
    return tx.query('SELECT * FROM orders');
  });
}`), []);
  assert.deepEqual(tsFindings(`export async function f(client) {
  return client.query('INSERT INTO orders (id) VALUES (1); SELECT * FROM orders');
}`), [], 'Pgpool-II sends a multi-statement query to the primary');
  assert.deepEqual(tsFindings(`export async function write(pool) { await pool.query('INSERT INTO orders (id) VALUES (1)'); }
export async function read(pool) { return pool.query('SELECT * FROM orders'); }`), []);
  assert.deepEqual(tsFindings(`export async function f(client) {
  await client.query('BEGIN');
  await client.query('INSERT INTO orders (id) VALUES (1)');
  const r = await client.query('SELECT * FROM orders');
  await client.query('COMMIT');
  return r;
}`), []);
});

// --- write-in-read ---

const STABLE_NEXT_ID = "CREATE FUNCTION next_order_id() RETURNS bigint STABLE LANGUAGE sql AS $$ SELECT nextval('order_ids') $$;";

test('write-in-read: calling a STABLE/IMMUTABLE function that calls nextval/setval is flagged at the call', () => {
  assert.deepEqual(sqlFindings(`${STABLE_NEXT_ID}\nSELECT next_order_id();`), [['write-in-read', 'next_order_id']]);
  const immutable = "CREATE FUNCTION reset_ids() RETURNS bigint IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN RETURN setval('ids', 1); END $$;";
  assert.deepEqual(sqlFindings(`${immutable}\nSELECT reset_ids();`), [['write-in-read', 'reset_ids']]);
  assert.match(only(`${STABLE_NEXT_ID}\nSELECT next_order_id();`, 'write-in-read').message, /STABLE but calls nextval\(\)/);
});

test('write-in-read: through a chain, a STABLE function calling a VOLATILE function that inserts is flagged', () => {
  const sql = `CREATE FUNCTION log_access(who text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN INSERT INTO access_log VALUES (who, now()); END $$;
CREATE FUNCTION whoami() RETURNS text STABLE LANGUAGE plpgsql AS $$ BEGIN PERFORM log_access(current_user); RETURN current_user; END $$;
SELECT whoami();`;
  assert.deepEqual(sqlFindings(sql), [['write-in-read', 'whoami']]);
});

test('write-in-read: a view that calls a writing function is flagged where it is read', () => {
  assert.deepEqual(sqlFindings("CREATE VIEW fresh_ids AS SELECT nextval('ids') AS id;\nSELECT id FROM fresh_ids;"), [['write-in-read', 'fresh_ids']]);
});

test('write-in-read: what Pgpool-II sends to the primary is not flagged (nextval, setval, VOLATILE functions, FOR UPDATE, in a writing transaction)', () => {
  assert.deepEqual(sqlFindings("SELECT nextval('ids');\nSELECT setval('ids', 10);"), [], 'VOLATILE: Pgpool-II sends them to the primary');
  assert.deepEqual(sqlFindings("CREATE FUNCTION next_id() RETURNS bigint LANGUAGE sql AS $$ SELECT nextval('ids') $$;\nSELECT next_id();"), [], 'VOLATILE by default');
  assert.deepEqual(sqlFindings(`${STABLE_NEXT_ID}\nSELECT next_order_id() FROM orders FOR UPDATE;`), []);
  assert.deepEqual(sqlFindings(`${STABLE_NEXT_ID}\nSELECT next_order_id(), random();`), [], 'a VOLATILE call sends the whole SELECT to the primary');
  assert.deepEqual(sqlFindings(`${STABLE_NEXT_ID}\nBEGIN;\nINSERT INTO t VALUES (1);\nSELECT next_order_id();\nCOMMIT;`), []);
  assert.deepEqual(sqlFindings("CREATE FUNCTION total() RETURNS bigint STABLE LANGUAGE sql AS $$ SELECT count(*) FROM orders $$;\nSELECT total();"), [], 'a STABLE function that only reads');
  assert.deepEqual(sqlFindings("CREATE VIEW v AS SELECT id FROM orders;\nSELECT * FROM v;"), []);
  assert.deepEqual(sqlFindings(`${STABLE_NEXT_ID}\nSELECT next_order_id();`, {}), [], 'off without loadBalancing');
});

test('write-in-read: functions from the workspace catalog (another file) count; in TS/JS too', () => {
  const catalog = catalogOf([STABLE_NEXT_ID.slice(0, -1)]);
  assert.deepEqual(sqlFindings('SELECT next_order_id();', { loadBalancing: true, catalog }), [['write-in-read', 'next_order_id']]);
  assert.deepEqual(sqlFindings('SELECT next_order_id();', ON), [], 'unknown function without the catalog');
  assert.deepEqual(tsFindings("export const id = (pool) => pool.query('SELECT next_order_id() AS id');", { loadBalancing: true, catalog }), [['write-in-read', 'next_order_id']]);
});

// --- configuration and editor paths ---

test('.poolsafe.json "loadBalancing": true turns the rules on; a non-boolean is reported', () => {
  const loaded = parseConfig('{ "loadBalancing": true }');
  assert.deepEqual(loaded.errors, []);
  assert.deepEqual(sqlFindings(WRITE_THEN_READ, mergeOptions(loaded.options)), [['read-after-write', 'orders']]);
  assert.match(parseConfig('{ "loadBalancing": "yes" }').errors.join(), /loadBalancing must be true or false/);
});

test('the editor analyzers (cached and incremental) report the same load-balancing findings as the CLI', () => {
  const expected = analyzeSql(WRITE_THEN_READ, ON).map((f) => [f.rule, f.start, f.end]);
  assert.deepEqual(new SqlAnalyzer().analyze(WRITE_THEN_READ, ON).map((f) => [f.rule, f.start, f.end]), expected);
  assert.deepEqual(new IncrementalSqlDocument().analyze(WRITE_THEN_READ, ON).map((f) => [f.rule, f.start, f.end]), expected);
});

test('hovers explain the balancer (not the pool mode), name the quick fix and link an existing rule page', () => {
  const docsRoot = join(__dirname, '..', '..', '..', '..');
  const docs = new RuleDocs(docsRoot);
  const text = hoverMarkdown(only(WRITE_THEN_READ, 'read-after-write'), 'transaction', docs);
  assert.match(text, /Why it breaks behind a load balancer/);
  assert.doesNotMatch(text, /pool mode/);
  assert.match(text, /Quick fix available: \*Run the write and the read in one transaction/);
  for (const rule of ['read-after-write', 'write-in-read']) assert.ok(existsSync(fileURLToPath(docs.href(rule)!)), rule);
  assert.match(hoverMarkdown(only(`${STABLE_NEXT_ID}\nSELECT next_order_id();`, 'write-in-read'), 'session', docs), /25006/);
});

test('the editor setting poolsafe.loadBalancing overrides .poolsafe.json; null or a non-boolean leaves the file in charge', () => {
  const file = parseConfig('{ "loadBalancing": true }').options;
  assert.equal(effectiveOptions(file, parseSettings({ loadBalancing: false }).options).loadBalancing, false);
  assert.equal(effectiveOptions({}, parseSettings({ loadBalancing: true }).options).loadBalancing, true);
  assert.equal(effectiveOptions(file, parseSettings({ loadBalancing: null }).options).loadBalancing, true);
  assert.equal(effectiveOptions(file, parseSettings({ loadBalancing: 'yes' }).options).loadBalancing, true);
  assert.deepEqual(sqlFindings(WRITE_THEN_READ, effectiveOptions(file, parseSettings({ loadBalancing: false }).options)), []);
});
