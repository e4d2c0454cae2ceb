// HypoPG's hypothetical indexes (hypopg_create_index) and hidden indexes (hypopg_hide_index) live in one backend's
// memory: behind a transaction pooler the EXPLAIN of a later transaction may run on another server connection without
// them, and the backend that keeps them shows them in the next client's EXPLAIN. A statement or function body that
// makes them, EXPLAINs and clears them again (hypopg_reset, hypopg_unhide_all_indexes) with no way out between leaves
// nothing, as with dblink's named connections; psql scripts and regression tests run in their own session.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';

before(async () => {
  await initAnalysis();
});

const extensionFindings = (sql: string, file?: string) =>
  analyzeSql(sql, undefined, file).filter((finding) => finding.rule === 'session-extension');

test('a hypothetical index made by a bare pool query is flagged, and so is hiding a real index', () => {
  const text = [
    "import { Pool } from 'pg';",
    'const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
    'export async function planWith(definition: string, query: string) {',
    "  await pool.query('SELECT * FROM hypopg_create_index($1)', [definition]);",
    "  return pool.query('EXPLAIN ' + query);",
    '}',
    'export async function planWithout(indexOid: number) {',
    "  await pool.query('SELECT hypopg_hide_index($1)', [indexOid]);",
    '}',
  ].join('\n');
  assert.deepEqual(embeddedRules(text), ['session-extension', 'session-extension']);
  const [finding] = extensionFindings("SELECT hypopg_create_index('CREATE INDEX ON orders (customer_id)');");
  assert.match(finding.message, /hypopg_create_index \(HypoPG\) changes the indexes plain EXPLAIN sees/);
});

test('a client transaction that makes the index, EXPLAINs and resets keeps its finding: an error before the reset leaves the index', () => {
  const text = [
    "import { Pool } from 'pg';",
    'const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
    'export async function advise(definition: string, query: string) {',
    '  const client = await pool.connect();',
    '  try {',
    "    await client.query('BEGIN');",
    "    await client.query('SELECT hypopg_create_index($1)', [definition]);",
    "    const plan = await client.query('EXPLAIN (FORMAT JSON) ' + query);",
    "    await client.query('SELECT hypopg_reset()');",
    "    await client.query('COMMIT');",
    '    return plan.rows;',
    '  } finally {',
    '    client.release();',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(embeddedRules(text), ['session-extension']);
});

const adviseBody = (between: string, handler = ''): string => `create function advise(definition text, query text) returns setof text language plpgsql as $$
begin
  perform hypopg_create_index(definition);
${between}
  return query execute 'explain ' || query;
  perform hypopg_reset();${handler}
end $$;`;

test('a function body that makes the index, EXPLAINs and resets with no way out between is no finding', () => {
  const body = `create function advise(definition text, query text) returns void language plpgsql as $$
declare line text;
begin
  perform hypopg_create_index(definition);
  for line in execute 'explain ' || query loop
    raise notice '%', line;
  end loop;
  perform hypopg_reset();
end $$;`;
  assert.deepEqual(extensionFindings(body), []);
  assert.deepEqual(extensionFindings("SELECT hypopg_create_index('CREATE INDEX ON t (a)'), hypopg_reset();"), []);
  const hidden = `do $$
begin
  perform hypopg_hide_index('orders_customer_idx'::regclass);
  execute 'explain select * from orders where customer_id = 1';
  perform hypopg_unhide_all_indexes();
end $$;`;
  assert.deepEqual(extensionFindings(hidden), []);
});

test('a body that can leave between the index and its reset is flagged for the error path, unless a handler resets too', () => {
  const found = extensionFindings(adviseBody("  if query = '' then raise exception 'no query'; end if;"));
  assert.equal(found.length, 1);
  assert.match(found[0].message, /undoes it only when it reaches its hypopg_reset/);
  const handler = `
exception when others then
  perform hypopg_reset();
  raise;`;
  assert.deepEqual(extensionFindings(adviseBody("  if query = '' then raise exception 'no query'; end if;", handler)), []);
  // A reset does not show hidden indexes again, nor does unhiding drop hypothetical ones.
  assert.equal(extensionFindings("SELECT hypopg_hide_index(16384), hypopg_reset();").length, 1);
  assert.equal(extensionFindings("SELECT hypopg_create_index('CREATE INDEX ON t (a)'), hypopg_unhide_all_indexes();").length, 1);
});

test('calls that only read or drop HypoPG state are no finding', () => {
  const sql = 'SELECT * FROM hypopg_list_indexes;\nSELECT hypopg_reset();\nSELECT hypopg_drop_index(16384);\nSELECT hypopg_unhide_all_indexes();\nSELECT hypopg_relation_size(16384);\n';
  assert.deepEqual(analyzeSql(sql), []);
});

test('a pg_regress script and a psql script that make hypothetical indexes run in their own session, as with other extension calls', (t) => {
  const script = "CREATE EXTENSION IF NOT EXISTS hypopg;\nSELECT COUNT(*) FROM hypopg_create_index('CREATE INDEX ON hypo (id)');\nSELECT dblink_connect('peer', 'dbname=regression');\n";
  const root = scratchRepository('hypopg-regress', t).writeAll({ 'expected/hypo_index.out': '' });
  assert.deepEqual(analyzeSql(script, undefined, join(root, 'sql', 'hypo_index.sql')), []);
  const psql = `\\set ON_ERROR_STOP on\n${script}\\echo done\n`;
  assert.deepEqual(analyzeSql(psql, undefined, join(root, 'scripts', 'try_indexes.sql')), []);
  // The same calls in application SQL are flagged, both alike.
  assert.deepEqual(extensionFindings(script, join(root, 'db', 'advise.sql')).map((finding) => finding.message.split(' ')[0]), ['hypopg_create_index', 'dblink_connect']);
});

test('each HypoPG finding names the call that undoes what it found: reset for hypothetical indexes, unhide for hidden ones', () => {
  const [created] = extensionFindings("SELECT hypopg_create_index('CREATE INDEX ON orders (customer_id)');");
  assert.match(created.message, /call hypopg_reset\(\) in one statement/);
  const [hidden] = extensionFindings('SELECT hypopg_hide_index(16384);');
  assert.match(hidden.message, /call hypopg_unhide_all_indexes\(\) in one statement/);
  assert.doesNotMatch(hidden.message, /hypopg_reset/);
  // A body that unhides only on its normal path: the error-path message names the unhide too.
  const body = `create function plan_without(idx regclass, query text) returns void language plpgsql as $$
begin
  perform hypopg_hide_index(idx);
  if query = '' then raise exception 'no query'; end if;
  execute 'explain ' || query;
  perform hypopg_unhide_all_indexes();
end $$;`;
  const [errorPath] = extensionFindings(body);
  assert.match(errorPath.message, /reaches its hypopg_unhide_all_indexes\(\)/);
});
