// Databases and files that are not PostgreSQL statements, found in multi-database tools (migration
// runners, query compilers): Spanner/GoogleSQL and other engines named by path or by their syntax, a sqlc
// config's engine, and `.sql` files that hold no statement at all. Each with the PostgreSQL case that
// must keep its findings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, dialectOfPath, dialectOfStatement, initAnalysis } from '../../../server/analysis/index';
import { dialectOfSqlcProject } from '../../../server/analysis/sqlcConfig';
import { opensLikeStatement } from '../../../server/analysis/statementStart';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const UNSAFE = 'SET search_path TO app;\nLISTEN jobs;\n';
const rules = (sql: string, path?: string): string[] => analyzeSql(sql, undefined, path).map((f) => f.rule);

test('Spanner, GoogleSQL, BigQuery, ClickHouse, Cassandra, Firebird, DuckDB and SQLite variants (sqlcipher, rqlite) named in a path are not PostgreSQL', () => {
  for (const path of ['drivers/spanner/migrations/3_orders.up.sql', 'testdata/lint/googlesql/schema.sql', 'warehouse/bigquery/views.sql',
    'db/clickhouse/001_events.sql', 'cassandra/keyspace.sql', 'firebird/init.sql', 'analytics/duckdb/load.sql', 'sqlcipher/x.sql', 'store/cloudspanner/schema.sql']) {
    assert.ok(dialectOfPath(path), path);
    assert.deepEqual(rules(UNSAFE, path), [], path);
  }
  // A word that only contains such a name is no dialect: these stay PostgreSQL.
  for (const path of ['db/spanners/x.sql', 'migrations/firebirds_table.sql', 'src/googlesqlish/x.sql']) {
    assert.equal(dialectOfPath(path), undefined, path);
    assert.deepEqual(rules(UNSAFE, path), ['session-set', 'listen'], path);
  }
});

test("Spanner DDL (the primary key after the column list, STRING(n), INTERLEAVE IN PARENT) gets no syntax error; a PostgreSQL table's typo still does", () => {
  const spanner = 'CREATE TABLE Accounts (\n  AccountId INT64 NOT NULL,\n  Owner STRING(64),\n) PRIMARY KEY (AccountId);\n'
    + 'CREATE TABLE Entries (\n  AccountId INT64 NOT NULL,\n  EntryId INT64 NOT NULL\n) PRIMARY KEY (AccountId, EntryId),\n  INTERLEAVE IN PARENT Accounts;\n';
  assert.equal(dialectOfStatement('CREATE TABLE a (id INT64) PRIMARY KEY (id)'), 'analytics');
  assert.deepEqual(rules(spanner), []);
  assert.deepEqual(rules('CREATE TABLE accounts (\n  id bigint PRIMARY KEY,\n  owner text,\n  flag bool NOT NULL,\n) ;'), ['syntax-error']);
  assert.equal(dialectOfStatement('CREATE TABLE a (id numeric(10,2) PRIMARY KEY, ok bool NOT NULL, CHECK (id > 0))'), undefined);
});

test('a .sql file holding no statement (a placeholder line, notes) gets no syntax error; a mistyped keyword still does', () => {
  assert.deepEqual(rules('2 down\n'), []);
  assert.deepEqual(rules('placeholder content for the loader test\n'), []);
  assert.deepEqual(rules('-- fixture\n42\n'), []);
  for (const typo of ['SELEC id FROM t;', 'selectt * from t;', 'CRAETE TABLE t (id int);', 'UPDTE t SET a = 1;', 'INSERT t VALUES (1);', '/* note */ DELETE t;']) {
    assert.deepEqual(rules(typo), ['syntax-error'], typo);
  }
  assert.equal(opensLikeStatement('(SELECT 1) UNION (SELECT 2'), true);
  assert.equal(opensLikeStatement('-- header\n/* block */\n  vacuum full x y'), true);
  assert.equal(opensLikeStatement('7 up'), false);
  assert.equal(opensLikeStatement('tbl id'), false);
});

test('a parenthesised expression (a query tool\'s test input) is no statement; a parenthesised query, even mistyped, is', () => {
  assert.deepEqual(rules('(A OR B) AND (B OR C);\n(x AND y) OR z;\n(1);\n'), []);
  assert.deepEqual(rules('((SELECT id FROM t) UNION (SELECT id FROM u) ORDER;\n'), ['syntax-error']);
  assert.deepEqual(rules('(SELEC id FROM t);\n'), ['syntax-error']);
  assert.deepEqual(rules('( -- first branch\n  WITH a AS (SELECT 1) SELECT * FROM a WHERE);\n'), ['syntax-error']);
  assert.equal(opensLikeStatement('(a OR b) AND c'), false);
  assert.equal(opensLikeStatement('((VALUES (1)))'), true);
});

const project = scratchRepository('sqlc', { after });

function sqlcProject(folder: string, config: string, configName: string): string {
  project.mkdir(`${folder}/queries`);
  project.write(`${folder}/${configName}`, config);
  return project.path(folder, 'queries', 'query.sql');
}

test("a sqlc config whose packages all use MySQL or SQLite makes the project's .sql files that dialect (JSON and YAML)", () => {
  const mysqlJson = sqlcProject('a', '{"version": "1", "packages": [{"engine": "mysql", "schema": "schema.sql", "queries": "queries/"}]}', 'sqlc.json');
  const sqliteYaml = sqlcProject('b', 'version: "2"\nsql:\n  - engine: sqlite\n    schema: schema.sql\n    queries: queries\n', 'sqlc.yaml');
  assert.equal(dialectOfSqlcProject(mysqlJson), 'mysql');
  assert.equal(dialectOfSqlcProject(sqliteYaml), 'sqlite');
  // MySQL's multi-table UPDATE, which PostgreSQL cannot parse, and a SET that PostgreSQL would flag.
  const mysqlQueries = '-- name: MoveRows :exec\nUPDATE a INNER JOIN b ON b.id = a.id SET a.x = b.x;\n-- name: Lock :exec\nSET search_path TO app;\n';
  assert.deepEqual(analyzeSql(mysqlQueries, undefined, mysqlJson), []);
  assert.deepEqual(analyzeSql(UNSAFE, undefined, sqliteYaml), []);
});

test('a PostgreSQL sqlc config, one mixing engines, or none at all leaves the files PostgreSQL', () => {
  const pg = sqlcProject('c', 'version: "2"\nsql:\n  - engine: "postgresql"\n    queries: "queries"\n', 'sqlc.yml');
  const mixed = sqlcProject('d', '{"packages": [{"engine": "postgresql"}, {"engine": "mysql"}]}', 'sqlc.json');
  project.mkdir('e');
  const none = project.path('e', 'query.sql');
  for (const file of [pg, mixed, none]) {
    assert.equal(dialectOfSqlcProject(file), undefined, file);
    assert.deepEqual(analyzeSql(UNSAFE, undefined, file).map((f) => f.rule), ['session-set', 'listen'], file);
  }
});

test('a .sql file that is a piece of a PL/pgSQL body (top-level IF … THEN … ELSE … END IF, included into a function by a template) gets no syntax error for its END IF', () => {
  const piece = [
    "if current_setting('server_version_num')::int >= 150000 then",
    'create view unique_keys as select indexrelid from pg_index where indisunique and not indnullsnotdistinct;',
    'else',
    'create view unique_keys as select indexrelid from pg_index where indisunique;',
    'end if;',
    'create view primary_keys as select indexrelid from pg_index where indisprimary;',
    'for r in select relname from pg_class loop',
    '  perform 1;',
    'end loop;',
    '',
  ].join('\n');
  assert.deepEqual(rules(piece), []);
  for (const end of ['end if', 'END LOOP', 'End Case', 'end  if  -- done']) assert.equal(opensLikeStatement(end), false, end);
});

test("PostgreSQL's own END (END, END WORK, END TRANSACTION AND CHAIN) is still a statement, and a mistake after it or in a piece's plain SQL is still reported", () => {
  for (const end of ['END', 'end work', 'END TRANSACTION AND NO CHAIN', 'end iff']) assert.equal(opensLikeStatement(end), true, end);
  assert.deepEqual(rules('BEGIN;\nUPDATE t SET a = 1;\nEND WORKS;\n'), ['syntax-error']);
  assert.deepEqual(rules('end if;\ncreate view v as select a, from t;\n'), ['syntax-error']);
});
