// SQL that is not PostgreSQL is left alone: no syntax errors, no pooling findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, dialectOfPath, dialectOfStatement, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';
import { runNodeWithCpuBudget } from '../../helpers/cpuDeadline';
import { basename, dirname, join } from 'node:path';

before(() => initAnalysis());

const UNSAFE = 'SET search_path TO app;\nLISTEN jobs;\n';

test('a dialect name in the path (folder or file-name part, or the end of a Go-style package name) marks the file as not PostgreSQL', () => {
  for (const path of ['migrations/mysql/001.sql', 'db/schema.sqlite.sql', 'sql/mssql-init.sql', 'test/fixtures/mariadb10/x.sql', 'oracle/pkg.sql', 'dialects/sqlserver/a.sql', 'tsql/proc.sql', 'mysql8_seed.sql', 'driver/riversqlite/queries/schema.sql', 'internal/gormmysql3/x.sql',
    'internal/clickhouse/migrations/003_add_column.sql', 'db/schema.clickhouse.sql', 'warehouse/bigquery/daily.sql', 'models/snowflake/orders.sql', 'internal/storeduckdb/q.sql']) {
    assert.ok(dialectOfPath(path), path);
    assert.deepEqual(analyzeSql(UNSAFE, undefined, path), [], path);
  }
});

test('migration folders of analytical and other non-PostgreSQL databases (ClickHouse, Spanner, BigQuery, StarRocks, Turso, YDB…) are not PostgreSQL', () => {
  // A ClickHouse dictionary and a Spanner table: neither parses as PostgreSQL, and neither is ours to report.
  // (Int32/Float32 rather than UInt64: an unsigned type alone already marks a statement as ClickHouse.)
  // A table keyed after its column list (`PRIMARY KEY id`), as ClickHouse writes it: PostgreSQL has tables, so only the
  // path says whose it is. (ClickHouse's CREATE DICTIONARY is a kind PostgreSQL has not: read as another tool's DDL
  // whatever the path, other-tool-commands.test.ts.)
  const clickhouse = 'CREATE TABLE rates (id Int32, rate Float32) PRIMARY KEY id ORDER BY id;\nSET max_threads = 8;\n';
  const spanner = 'CREATE TABLE accounts (\n  id INT64 NOT NULL,\n  label STRING(40),\n) PRIMARY KEY (id);\n';
  // (Its SET max_threads is no PostgreSQL parameter, so even read as PostgreSQL it is no session-set.)
  assert.deepEqual(analyzeSql(clickhouse).map((f) => f.rule), ['syntax-error'], 'the same text without a dialect path is read as PostgreSQL');
  // Spanner's DDL is also known by its syntax (the primary key after the column list): no path needed.
  assert.deepEqual(analyzeSql(spanner).map((f) => f.rule), []);
  for (const path of ['db/migrations/clickhouse/0003_views.sql', 'testdata/migrations/clickhouse-replicated/0001_dict.sql', 'schema/spanner/0002.sql', 'warehouse/bigquery/daily.sql',
    'db/starrocks/init.sql', 'migrations/turso/0001.sql', 'migrations/libsql/0001.sql', 'ydb/0004_index.sql', 'duckdb/load.sql', 'internal/goosespanner/x.sql', 'migrations/tidb/1.sql', 'warehouse/db2/0001.sql',
    'queries/athena/daily.sql', 'etl/hive/load.sql', 'etl/spark-sql/load.sql', 'jobs/flink/stream.sql', 'dialects/exasol/x.sql', 'dialects/impala/x.sql', 'dialects/soql/x.sql', 'dialects/doris/x.sql', 'dialects/ansi/select.sql']) {
    assert.ok(dialectOfPath(path), path);
    assert.deepEqual(analyzeSql(clickhouse + spanner, undefined, path), [], path);
  }
});

test('paths that only contain such words (not as a package-name ending), or name them far above the project, stay PostgreSQL', () => {
  for (const path of ['migrations/postgres/001.sql', 'db/mysqlish/x.sql', 'src/my_sql/x.sql', 'db/sqlitely/x.sql', 'db/xtsql/x.sql', 'db/mysqlx/x.sql', 'db/clickhousey/x.sql', 'events/house/x.sql', '/home/oracle/work/app/db/x.sql', 'db/mydb/x.sql', 'db/cockroach/x.sql', 'db/yugabyte/x.sql', 'db/spanners/x.sql', 'apiary/beehive/x.sql', 'db/sparkle/x.sql', 'db/redshifted/x.sql', 'db/from_mysql_to_pg/../x.sql'.replace('/from_mysql_to_pg/..', '')]) {
    assert.equal(dialectOfPath(path), undefined, path);
    assert.deepEqual(analyzeSql(UNSAFE, undefined, path).map((f) => f.rule), ['session-set', 'listen'], path);
  }
});

test('a dialect folder names its files at any depth below the repository root, in any case', (t) => {
  // Oracle's own DDL with no statement mark of Oracle, which PostgreSQL cannot parse: without the folder's word these
  // would be syntax errors.
  const oracle = 'CREATE TABLE profiler_units (line# integer);\nALTER TABLE runs ADD CONSTRAINT runs_pk PRIMARY KEY (id) USING INDEX runs_ix;\n';
  assert.deepEqual(analyzeSql(oracle, undefined, 'notes/tuning/profiler/tables.sql').map((f) => f.rule), ['syntax-error', 'syntax-error']);
  for (const [path, dialect] of [['RDBMS/ORACLE/PLSQL/tuning/profiler/tables.sql', 'oracle'], ['databases/MySQL/admin/users/grants/roles.sql', 'mysql'],
    ['engines/SqlServer/scripts/a/b/c/d/x.sql', 'sqlserver']] as const) {
    assert.equal(dialectOfPath(path), dialect, path);
  }
  assert.deepEqual(analyzeSql(oracle, undefined, 'RDBMS/ORACLE/SQL/DDL/constraint/tables.sql'), []);
  // The editor sees absolute paths: below the repository's root every folder counts, the folders above it do not
  // (this repository's own folder is named `poolsafe-oracle`).
  const repo = scratchRepository('oracle', t);
  repo.mkdir('.git');
  assert.equal(dialectOfPath(repo.write('RDBMS/Oracle/SQL/DDL/constraint/tables.sql', oracle)), 'oracle');
  assert.equal(dialectOfPath(repo.write('RDBMS/PostgreSQL/performance/memory/load-test/x.sql', UNSAFE)), undefined);
  assert.equal(dialectOfPath(repo.write('db/x.sql', UNSAFE)), undefined);
});

test('a deep path naming no other database, or one outside any repository naming one far up, stays PostgreSQL', () => {
  for (const path of ['RDBMS/PostgreSQL/performance/memory/load-test/x.sql', 'a/b/c/d/e/f/g/x.sql', '/no-such-holder/oracle/work/app/db/x.sql']) {
    assert.equal(dialectOfPath(path), undefined, path);
    assert.deepEqual(analyzeSql(UNSAFE, undefined, path).map((f) => f.rule), ['session-set', 'listen'], path);
  }
});

test("Oracle's own statements and SQL*Plus's settings mark Oracle wherever they are; PostgreSQL's lookalikes do not", () => {
  for (const statement of ['SET ECHO OFF', 'SET serveroutput ON SIZE 100000', 'WHENEVER SQLERROR EXIT FAILURE',
    'SELECT id, level FROM staff START WITH boss IS NULL CONNECT BY PRIOR id = boss', 'DROP TABLE staff CASCADE CONSTRAINTS',
    'CREATE SEQUENCE staff_ids START WITH 1 INCREMENT BY 1 NOCACHE NOCYCLE', 'ALTER SESSION SET nls_date_format = \'YYYY-MM-DD\'',
    'ALTER TABLE staff DISABLE CONSTRAINT staff_boss_fk', 'ALTER TABLE staff ENABLE NOVALIDATE CONSTRAINT staff_boss_fk',
    'ALTER INDEX staff_name_ix UNUSABLE', 'ALTER INDEX staff_name_ix REBUILD', 'GRANT SELECT ANY DICTIONARY TO tuner', 'GRANT CREATE ANY TABLE TO builder']) {
    assert.equal(dialectOfStatement(statement), 'oracle', statement);
  }
  assert.deepEqual(analyzeSql('SET ECHO OFF\nSET FEEDBACK OFF;\nDROP TABLE staff CASCADE CONSTRAINTS;\nSET search_path TO app;\n'), []);
  for (const statement of ['ALTER TABLE staff VALIDATE CONSTRAINT staff_boss_fk', 'ALTER TABLE staff ENABLE ROW LEVEL SECURITY', 'ALTER TABLE staff ENABLE TRIGGER audit',
    'CREATE SEQUENCE staff_ids NO CYCLE NO MAXVALUE CACHE 10', "SELECT * FROM connectby('staff', 'id', 'boss', '1', 0) AS t(id int, boss int, level int)",
    'SET timing TO on', 'SET search_path TO app', 'GRANT SELECT ON ALL TABLES IN SCHEMA app TO reader', 'REINDEX INDEX staff_name_ix', 'SET CONSTRAINTS ALL DEFERRED']) {
    assert.equal(dialectOfStatement(statement), undefined, statement);
  }
  // A PostgreSQL mistake beside them is still one.
  assert.deepEqual(analyzeSql('ALTER TABLE staff ENABLE CONSTRAINTS;\n').map((f) => f.rule), ['syntax-error']);
});

test('a MySQL schema (backquotes, ENGINE, AUTO_INCREMENT, SET NAMES, SET @var, SET sql_mode) gets nothing', () => {
  const mysql = 'SET NAMES utf8mb4;\nSET FOREIGN_KEY_CHECKS = 0;\nSET SESSION sql_mode = \'STRICT_ALL_TABLES\';\nSET @old = @@foreign_key_checks;\n'
    + 'CREATE TABLE `users` (\n  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n';
  assert.deepEqual(analyzeSql(mysql), []);
  // Even alone, MySQL-only SETs that PostgreSQL would parse are not session-set findings.
  assert.deepEqual(analyzeSql("SET SESSION sql_mode = 'ANSI';\nSET FOREIGN_KEY_CHECKS = 0;"), []);
});

test('one statement with backquotes among PostgreSQL ones (being typed, or a typo) is skipped alone; the file keeps its findings', () => {
  const typing = 'SET search_path TO app;\nLISTEN jobs;\nSELECT `name` FROM users;\nCREATE TEMP TABLE scratch (id int);\n';
  assert.deepEqual(analyzeSql(typing).map((f) => f.rule), ['session-set', 'listen', 'temp-table']);
  // Two such statements, or half of a file's statements, make it another dialect's file.
  assert.deepEqual(analyzeSql(typing + 'SELECT `id` FROM `users`;\n'), []);
  assert.deepEqual(analyzeSql("SET time_zone = '+00:00';\nCREATE TABLE `t` (id int) ENGINE=InnoDB;"), []);
});

test('T-SQL (GO, [brackets], IDENTITY(1,1), SET NOCOUNT) and SQLite (PRAGMA, AUTOINCREMENT) get nothing', () => {
  assert.deepEqual(analyzeSql('SET NOCOUNT ON;\nCREATE TABLE [dbo].[Users] (\n  [Id] INT IDENTITY(1,1) NOT NULL\n)\nGO\nSET search_path TO x;'), []);
  assert.deepEqual(analyzeSql('PRAGMA foreign_keys = ON;\nCREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);\nLISTEN x;'), []);
  assert.deepEqual(analyzeSql("CREATE TABLE t (name VARCHAR2(20));\nSELECT SYSDATE FROM dual;"), []);
});

test('PostgreSQL that merely looks alike stays PostgreSQL: quotes, comments, tsvector @@, array slices', () => {
  assert.equal(dialectOfStatement("SELECT set_config('x', '`y` ENGINE=InnoDB', false) -- `z`"), undefined);
  assert.equal(dialectOfStatement("SELECT * FROM docs WHERE tsv@@to_tsquery('a') AND b @@ c"), undefined);
  assert.equal(dialectOfStatement('SELECT a[1:2], ARRAY[1] FROM t'), undefined);
  assert.deepEqual(analyzeSql("SELECT set_config('x', '`y`', false);").map((f) => f.rule), ['session-set']);
  assert.deepEqual(analyzeSql('SELECT id, FROM `t`;\nSELECT id, FROM t;').map((f) => f.rule), [], 'one MySQL statement makes the file MySQL');
});

test('templates and placeholders are never syntax errors; a real mistake in plain SQL still is', () => {
  const templated = 'SELECT * FROM ${schema}.users;\nSELECT * FROM {{ table }};\nSELECT * FROM t WHERE a = ? AND b = ?;\nINSERT INTO t VALUES (%s, %(name)s);\nSELECT * FROM <%= tbl %>;';
  assert.deepEqual(analyzeSql(templated), []);
  assert.deepEqual(analyzeSql('SELECT * FROM users WHERE;').map((f) => f.rule), ['syntax-error']);
});

test('ClickHouse statements PostgreSQL cannot parse (ADD COLUMN … AFTER, Nullable types, CODEC) get no syntax errors in a clickhouse folder; elsewhere an unmarked one does', () => {
  const clickhouse = 'ALTER TABLE events ADD COLUMN IF NOT EXISTS region Nullable(String) AFTER id;\nALTER TABLE events MODIFY COLUMN ts DateTime64(3) CODEC(Delta, ZSTD);\n';
  assert.deepEqual(analyzeSql(clickhouse, undefined, 'db/clickhouse/0002_region.sql'), []);
  // Elsewhere, a statement with no other dialect's mark is judged as PostgreSQL (MODIFY is MySQL's mark too).
  const unmarked = 'ALTER TABLE events ADD COLUMN IF NOT EXISTS region String AFTER id;\n';
  assert.deepEqual(analyzeSql(unmarked, undefined, 'db/migrations/0002_region.sql').map((f) => f.rule), ['syntax-error']);
  // With MODIFY, half the file's statements bear another dialect's mark: the file is left alone.
  assert.deepEqual(analyzeSql(clickhouse, undefined, 'db/migrations/0002_region.sql'), []);
});

test('EDB Advanced Server (ppas, epas) and PostgreSQL forks (Greenplum, Redshift, Materialize) keep pooling findings but get no PostgreSQL syntax errors; the same text elsewhere gets both', () => {
  const edb = 'CREATE OR REPLACE TRIGGER audit_trg FOR INSERT ON orders COMPOUND TRIGGER\nAFTER EACH ROW IS\nBEGIN\n  NULL;\nEND;\nEND audit_trg;\nSET search_path TO app;\n';
  for (const path of ['db/ppas/default/create_trigger.sql', 'sql/epas15/create_trigger.sql', 'dialects/greenplum/x.sql', 'warehouse/redshift/x.sql', 'views/materialize/x.sql']) {
    assert.deepEqual(analyzeSql(edb, undefined, path).map((f) => f.rule), ['session-set'], path);
  }
  assert.ok(analyzeSql(edb, undefined, 'tests/pg/default/create_trigger.sql').some((f) => f.rule === 'syntax-error'));
  assert.ok(analyzeSql(edb, undefined, 'tests/pappas/create_trigger.sql').some((f) => f.rule === 'syntax-error'));
});

test('CockroachDB/YugabyteDB files (a folder or file-name part) keep pooling findings but get no PostgreSQL syntax errors; the same text elsewhere gets both', () => {
  const crdb = 'CREATE INDEX ON accounts (email) STORING (name);\nSET search_path TO app;\nSELECT * FROM accounts@accounts_email_idx;\n';
  for (const path of ['migrations/sql/20200101000000_init.cockroach.up.sql', 'db/crdb/schema.sql', 'schema/cockroachdb/001.sql', 'db/yugabyte/x.sql']) {
    assert.deepEqual(analyzeSql(crdb, undefined, path).map((f) => f.rule), ['session-set'], path);
  }
  assert.deepEqual(analyzeSql(crdb, undefined, 'db/migrations/001.sql').map((f) => f.rule), ['syntax-error', 'session-set', 'syntax-error']);
  assert.deepEqual(analyzeSql(crdb, undefined, 'db/cockroaches/001.sql').map((f) => f.rule), ['syntax-error', 'session-set', 'syntax-error']);
});

test('Spark/Hive/DuckDB query syntax (semi and anti joins, LATERAL VIEW, UNION BY NAME) is another dialect; a PostgreSQL mistake is still reported', () => {
  for (const statement of ['SELECT a FROM x LEFT ANTI JOIN y ON x.id = y.id', 'SELECT a FROM x LEFT SEMI JOIN y ON x.id = y.id', 'SELECT c FROM t LATERAL VIEW explode(arr) v AS c', 'SELECT a FROM x UNION BY NAME SELECT a FROM y']) {
    assert.equal(dialectOfStatement(statement), 'analytics', statement);
    assert.deepEqual(analyzeSql(`${statement};\n`), [], statement);
  }
  for (const statement of ['SELECT a FROM x LEFT JOIN y ON x.id = y.id', 'SELECT a FROM x, LATERAL (SELECT 1) v', 'SELECT a FROM x UNION ALL SELECT a FROM y']) {
    assert.equal(dialectOfStatement(statement), undefined, statement);
  }
  assert.deepEqual(analyzeSql('SELECT a FROM x LEFT JOIN y;\n').map((f) => f.rule), ['syntax-error']);
});

test('DuckDB macros and CREATE OR REPLACE TABLE (DuckDB, Snowflake, BigQuery) are another dialect: a DuckDB script gets no syntax errors; PostgreSQL\'s CREATE OR REPLACE forms are not', () => {
  const duckdb = `SET preserve_insertion_order = false;

CREATE OR REPLACE TEMP MACRO clean_text(value) AS
  trim(regexp_replace(lower(strip_accents(value)), '[^a-z0-9]+', ' ', 'g'));

CREATE OR REPLACE TEMP TABLE imported AS
SELECT "Kód"::INTEGER AS code, clean_text("Název") AS name FROM read_csv('addresses.csv', delim = ';', header = true);

CREATE OR REPLACE TABLE address_cache AS SELECT * FROM imported;
`;
  assert.deepEqual(analyzeSql(duckdb, undefined, 'nix/address-cache.sql'), []);
  for (const statement of ['CREATE MACRO add(a, b) AS a + b', 'CREATE OR REPLACE TEMPORARY MACRO m(x) AS x', 'CREATE OR REPLACE TABLE t AS SELECT 1', 'CREATE OR REPLACE TRANSIENT TABLE t (id int)']) {
    assert.equal(dialectOfStatement(statement), 'analytics', statement);
  }
  for (const statement of ['CREATE OR REPLACE VIEW v AS SELECT 1', 'CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql', 'CREATE TEMP TABLE macro AS SELECT 1', 'CREATE TABLE t (macro int)']) {
    assert.equal(dialectOfStatement(statement), undefined, statement);
  }
  // The same file without its DuckDB-only statements is PostgreSQL, and its session SET is a finding.
  assert.deepEqual(analyzeSql('SET search_path = app;\nCREATE TEMP TABLE imported AS SELECT 1;\n', undefined, 'nix/address-cache.sql').map((f) => f.rule), ['session-set', 'temp-table']);
});

test('MySQL-only DDL (ALTER TABLE … MODIFY, DROP INDEX name ON table, CREATE FULLTEXT INDEX) is another dialect even with no dialect name near the file; PostgreSQL DDL that reads alike is not', () => {
  const mysql = 'ALTER TABLE executions MODIFY COLUMN data MEDIUMBLOB;\nDROP INDEX by_type ON visibility;\nCREATE FULLTEXT INDEX by_memo ON visibility (memo);\n';
  assert.deepEqual(analyzeSql(mysql, undefined, 'schema/db/v8/app/versioned/v1.2/alter.sql'), []);
  for (const statement of ['DROP INDEX by_type ON visibility', 'ALTER TABLE t MODIFY c int', 'CREATE FULLTEXT INDEX i ON t (c)']) assert.equal(dialectOfStatement(statement), 'mysql', statement);
  for (const statement of ['DROP INDEX CONCURRENTLY by_type', 'ALTER TABLE t ALTER COLUMN c TYPE bigint', 'CREATE INDEX i ON t USING gin (to_tsvector(\'english\', c))']) assert.equal(dialectOfStatement(statement), undefined, statement);
  // A lone typo-like statement in a PostgreSQL file is still a syntax error.
  assert.deepEqual(analyzeSql('DROP INDEX CONCURRENTLY IF EXISTS by_type ON visibility;\n').map((f) => f.rule), ['syntax-error']);
});

test('MySQL column clauses (ON UPDATE CURRENT_TIMESTAMP, an inline ENUM(…), UNIQUE KEY) mark a table as MySQL\'s; PostgreSQL\'s ON UPDATE of a foreign key or a rule, and its CREATE TYPE … AS ENUM, do not', () => {
  const mysql = [
    'CREATE TABLE rounds (',
    '  id VARCHAR(36) PRIMARY KEY,',
    "  phase ENUM('draft', 'live') DEFAULT 'draft',",
    '  touched DATETIME DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP',
    ');',
    'CREATE TABLE round_tags (',
    '  round_id VARCHAR(36) NOT NULL,',
    '  tag VARCHAR(40) NOT NULL,',
    '  touched DATETIME ON UPDATE NOW(),',
    '  UNIQUE KEY one_tag (round_id, tag)',
    ');',
    '',
  ].join('\n');
  assert.deepEqual(analyzeSql(mysql, undefined, 'service/db/extra-tables.sql'), []);
  for (const statement of ['CREATE TABLE t (at DATETIME ON UPDATE CURRENT_TIMESTAMP(3))', "CREATE TABLE t (s enum ('a','b'))", 'CREATE TABLE t (a int, b int, UNIQUE KEY ab (a, b))']) {
    assert.equal(dialectOfStatement(statement), 'mysql', statement);
  }
  for (const statement of ['CREATE TABLE t (p int REFERENCES parent (id) ON UPDATE CASCADE ON DELETE SET NULL)', "CREATE TYPE phase AS ENUM ('draft', 'live')",
    'CREATE RULE keep AS ON UPDATE TO t DO INSTEAD NOTHING', "SELECT enum_range(NULL::phase), 'ENUM(' AS label", 'CREATE TABLE t (key text UNIQUE, val text)']) {
    assert.equal(dialectOfStatement(statement), undefined, statement);
  }
  // PostgreSQL's own syntax error beside such a clause's look-alike stays reported.
  assert.deepEqual(analyzeSql('CREATE TABLE t (p int REFERENCES parent (id) ON UPDATE CASCADE,);\n').map((f) => f.rule), ['syntax-error']);
});

test('a generic pop/popx migration with a PostgreSQL variant beside it (never run on PostgreSQL) keeps pooling findings but gets no syntax errors; without the variant it gets both', (t) => {
  const folder = scratchRepository('variants', t);
  // CockroachDB/MySQL-style indexes inside CREATE TABLE, and a session SET, in the file every other database runs.
  const generic = 'CREATE TABLE codes (id int, nid uuid,\n  UNIQUE INDEX codes_nid_idx (nid)\n);\nSET search_path TO app;\n';
  const rules = (name: string): string[] => analyzeSql(generic, undefined, folder.write(name, generic)).map((f) => f.rule);
  folder.write('20240101000000_codes.postgres.up.sql', 'CREATE TABLE codes (id int, nid uuid);\n');
  folder.write('20240102000000_flows.postgres.autocommit.down.sql', 'DROP INDEX CONCURRENTLY flows_idx;\n');
  assert.deepEqual(rules('20240101000000_codes.up.sql'), ['session-set']);
  assert.deepEqual(rules('20240101000000_codes.autocommit.up.sql'), ['session-set']);
  assert.deepEqual(rules('20240102000000_flows.down.sql'), ['session-set']);
  // No PostgreSQL variant for this direction or this migration, or not a pop-style name: PostgreSQL runs the file.
  assert.deepEqual(rules('20240101000000_codes.down.sql'), ['syntax-error', 'session-set']);
  assert.deepEqual(rules('20240103000000_other.up.sql'), ['syntax-error', 'session-set']);
  assert.deepEqual(rules('codes.up.sql'), ['syntax-error', 'session-set']);
});


test('an unquoted table named user and SQLite\'s datetime(\'now\') are another dialect\'s: no syntax error; PostgreSQL\'s quoted "user", user columns and roles stay PostgreSQL', () => {
  const sqlite = 'create table user (\n  user_id integer primary key,\n  username text unique not null\n);\n';
  assert.deepEqual(analyzeSql(sqlite), []);
  assert.equal(dialectOfStatement('create table post (id integer, created_at datetime default (datetime(\'now\')))'), 'sqlite');
  for (const statement of ['CREATE TABLE user (id int)', 'create table if not exists user (id int)', 'INSERT INTO user VALUES (1)', 'SELECT * FROM user u JOIN post p ON p.uid = u.id', 'ALTER TABLE post ADD FOREIGN KEY (uid) REFERENCES user (id)']) {
    assert.notEqual(dialectOfStatement(statement), undefined, statement);
  }
  for (const statement of ['CREATE TABLE "user" (id int)', 'SELECT * FROM user_accounts', 'SELECT * FROM users', 'CREATE USER app', 'SELECT user', 'SELECT id FROM t WHERE owner = user', 'ALTER TABLE t ADD COLUMN user_id int', 'SELECT * FROM app.user_roles', "SELECT 'FROM user'"]) {
    assert.equal(dialectOfStatement(statement), undefined, statement);
  }
  // Other PostgreSQL mistakes in the same shape are still reported.
  assert.deepEqual(analyzeSql('CREATE TABLE users (id int,);').map((f) => f.rule), ['syntax-error']);
});

test('ClickHouse-only syntax marks a statement as ClickHouse with no dialect name in the path (engines, wrapper types, codecs, TTL, ORDER BY tuple(), a materialized view TO a table)', () => {
  const path = 'analytics/migrations/20240101_events.sql';
  const marked = [
    'CREATE TABLE hits (day Date, site LowCardinality(String), n UInt64) ENGINE = SummingMergeTree ORDER BY (site, day) TTL day + INTERVAL 90 DAY',
    'CREATE TABLE raw (at DateTime64(3), body String CODEC(ZSTD(3))) ENGINE = MergeTree ORDER BY tuple()',
    'ALTER TABLE hits ADD COLUMN IF NOT EXISTS referrer Nullable(String)',
    'CREATE MATERIALIZED VIEW IF NOT EXISTS hits_daily_mv TO hits_daily AS SELECT toStartOfDay(at) AS day, count() AS n FROM raw GROUP BY day',
  ];
  for (const statement of marked) assert.equal(dialectOfStatement(statement), 'clickhouse', statement);
  // A migration whose one marked statement sits beside an unmarked one (DROP COLUMN IsNull fails in
  // PostgreSQL, where ISNULL is a keyword) is a ClickHouse file: half its statements bear the mark.
  const migration = '-- migrate:up\nALTER TABLE hits ADD COLUMN IF NOT EXISTS IsNull Bool DEFAULT false CODEC(ZSTD(1));\n-- migrate:down\nALTER TABLE hits DROP COLUMN IF EXISTS IsNull;\n';
  assert.deepEqual(analyzeSql(migration, undefined, path), []);
  assert.deepEqual(analyzeSql(`${marked[3]};\nDROP VIEW IF EXISTS hits_daily_mv;\n`, undefined, path), []);
});

test('ClickHouse camelCase functions (conversions, start-of-period, -If and uniq aggregates) mark a statement that PostgreSQL cannot parse as ClickHouse', () => {
  for (const statement of [
    'SELECT org FROM monthly WHERE day >= toDate(toStartOfMonth(now() - INTERVAL 2 MONTH)) GROUP BY org',
    'SELECT countIf(status >= 500) AS failures, toUInt32(sum(bytes)) FROM requests WHERE at > now() - INTERVAL 1 HOUR',
    'SELECT uniqCombined(user_id), toYYYYMM(at) AS month FROM hits GROUP BY month SETTINGS max_threads = 2',
  ]) assert.equal(dialectOfStatement(statement), 'clickhouse', statement);
});

test('PostgreSQL functions whose names resemble ClickHouse ones stay PostgreSQL: to_date, lower-case todate, intarray uniq', () => {
  for (const statement of [
    "SELECT to_date('2024-01-01', 'YYYY-MM-DD') FROM",
    'SELECT todate(created_at) FROM events WHERE',
    'SELECT uniq(sort(tags)) FROM posts WHERE',
  ]) assert.equal(dialectOfStatement(statement), undefined, statement);
});

test('PostgreSQL that shares words with ClickHouse stays PostgreSQL: a ttl column, ORDER BY a tuple of columns, a materialized view with a tablespace; a real mistake there is still reported', () => {
  for (const statement of [
    'CREATE TABLE cache (key text PRIMARY KEY, ttl interval NOT NULL, expires_at timestamptz)',
    "SELECT key FROM cache WHERE expires_at < now() + ttl ORDER BY (key, expires_at)",
    'CREATE MATERIALIZED VIEW IF NOT EXISTS daily TABLESPACE fast AS SELECT 1',
    "SELECT 'ENGINE = MergeTree', 'LowCardinality(String)' -- quoted, CODEC(ZSTD)",
  ]) assert.equal(dialectOfStatement(statement), undefined, statement);
  const path = 'analytics/migrations/20240101_cache.sql';
  assert.deepEqual(analyzeSql('CREATE TABLE cache (key text PRIMARY KEY, ttl interval,);\nSELECT 1;\n', undefined, path).map((f) => f.rule), ['syntax-error']);
  assert.deepEqual(analyzeSql('CREATE MATERIALIZED VIEW daily AS SELECT day, FROM hits;\n', undefined, path).map((f) => f.rule), ['syntax-error']);
});

test('unsigned integer types (BIGINT UNSIGNED, INTEGER(10) UNSIGNED, UNSIGNED BIG INT) are another dialect: an old SQLite/MySQL-era migration gets no syntax errors; unsigned as a PostgreSQL name does not count', () => {
  const delta = [
    'CREATE TABLE IF NOT EXISTS new_sessions(id BIGINT UNSIGNED PRIMARY KEY, owner TEXT NOT NULL, seen_at BIGINT UNSIGNED);',
    'INSERT INTO new_sessions SELECT id, owner, seen_at FROM sessions;',
    'DROP TABLE sessions;',
    'ALTER TABLE new_sessions RENAME TO sessions;',
    'CREATE TABLE IF NOT EXISTS new_counters(name TEXT, hits INTEGER(10) UNSIGNED NOT NULL, total UNSIGNED BIG INT);',
    '',
  ].join('\n');
  assert.deepEqual(analyzeSql(delta, undefined, 'storage/schema/delta/16/sessions.sql'), []);
  for (const statement of ['CREATE TABLE t (id bigint unsigned)', 'CREATE TABLE t (n int(11)unsigned)', 'CREATE TABLE t (n UNSIGNED BIG INT)']) {
    assert.ok(dialectOfStatement(statement), statement);
  }
  // PostgreSQL: a column named unsigned (after its type, or as a name), and a real mistake beside it.
  assert.equal(dialectOfStatement('CREATE TABLE flags (unsigned boolean, n bigint NOT NULL)'), undefined);
  assert.equal(dialectOfStatement('SELECT n::bigint AS unsigned_n FROM t'), undefined);
  assert.deepEqual(analyzeSql('CREATE TABLE flags (unsigned boolean, n bigint NOT NULL,);\n').map((f) => f.rule), ['syntax-error']);
});

test('double-quoted string values with an empty one ("" is MySQL\'s empty string, a zero-length name PostgreSQL rejects) are another dialect: a MySQL seed file gets no syntax error', () => {
  const seed = 'INSERT INTO visits (path, referrer, seen_at) VALUES\n  ("/", "", "2020-01-02 10:00:00"),\n  ("/about", "https://example.org/", "2020-01-02 10:05:00");\n';
  assert.equal(dialectOfStatement(seed), 'mysql');
  assert.deepEqual(analyzeSql(seed, undefined, 'internal/store/seed/visits.sql'), []);
  assert.equal(dialectOfStatement('UPDATE visits SET referrer = "" WHERE referrer IS NULL'), 'mysql');
});

test('PostgreSQL quoted names with doubled quotes inside ("a""b", """x") are not empty strings; a real mistake beside them is still reported', () => {
  for (const statement of ['SELECT "say ""hi""" FROM t', 'CREATE TABLE "odd""name" ("""quoted""" int)', "SELECT '' AS empty, \"\"\"\" AS q"]) {
    assert.equal(dialectOfStatement(statement), undefined, statement);
  }
  assert.deepEqual(analyzeSql('SELECT "say ""hi""", FROM t;\n').map((f) => f.rule), ['syntax-error']);
});

// An INSERT … SELECT with trailing commas in its column lists (ClickHouse accepts them), and a session SET.
const UNMARKED = 'INSERT INTO events_v2 (at, name,)\nSELECT at, name,\nFROM events;\nSET search_path TO app;\n';

/** The rules UNMARKED gets as the last file of a fresh migrations folder holding `others` (removed after the test). */
function unmarkedRulesAmong(t: Cleanup, others: readonly string[]): string[] {
  const folder = scratchRepository('dialect-folder', t);
  others.forEach((text, k) => folder.write(`00${k}_step.sql`, text));
  return analyzeSql(UNMARKED, undefined, folder.write('999_copy.sql', UNMARKED)).map((f) => f.rule);
}

test('a file with no dialect mark in a migrations folder whose files are mostly ClickHouse gets no syntax error; its pooling findings stay', (t) => {
  assert.deepEqual(unmarkedRulesAmong(t, [
    'CREATE TABLE events (at DateTime64(3), name LowCardinality(String)) ENGINE = MergeTree ORDER BY at;\n',
    'CREATE TABLE daily (day Date, n UInt64) ENGINE = SummingMergeTree ORDER BY day;\n',
    'CREATE MATERIALIZED VIEW daily_mv TO daily AS SELECT toDate(at) AS day, count() AS n FROM events GROUP BY day;\n',
  ]), ['session-set']);
});

test('a PostgreSQL migrations folder with two other-dialect files among its own, or as many unmarked files as marked, still reports a real syntax error', (t) => {
  assert.deepEqual(unmarkedRulesAmong(t, [
    'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\n',
    'CREATE TABLE `users` (`id` int(11) unsigned NOT NULL AUTO_INCREMENT) ENGINE=InnoDB;\n',
    'ALTER TABLE `users` ADD COLUMN `name` varchar(40);\n',
  ]), ['syntax-error', 'session-set']);
  assert.deepEqual(unmarkedRulesAmong(t, [
    'CREATE TABLE a (id int) ENGINE = MergeTree ORDER BY id;\n', 'CREATE TABLE b (id UInt32) ENGINE = Log;\n',
    'ALTER TABLE a ADD COLUMN n Nullable(String);\n', 'CREATE TABLE c (id int);\n', 'CREATE TABLE d (id int);\n',
  ]), ['syntax-error', 'session-set']);
});

test('`#` line comments naming a field (`# title: …`, `#dialect: spark`) mark another dialect: PostgreSQL and psql have no such comment', () => {
  for (const statement of [
    '# title: join without a condition\nSELECT * FROM orders JOIN lines WHERE orders.id = 1',
    'SELECT a\n  #dialect: bigquery\nFROM t QUALIFY ROW_NUMBER() OVER () = 1',
    '  # expected-output : none\nCREATE TABLE shop (id int)',
  ]) assert.equal(dialectOfStatement(statement), 'mysql', statement);
  // A `#` before prose is not told from an XOR of a column (`# other_mask FROM t`): it is no mark on its own.
  assert.equal(dialectOfStatement('# Tables of the shop\nCREATE TABLE shop (id int)'), undefined);
  // Two such statements make the file another dialect's: neither its syntax errors nor its SETs are ours.
  const fixture = '# title: cross join\nSELECT * FROM a JOIN b;\n# title: session\nSET sql_big_selects = 1;\n# title: cte then ddl\nWITH c AS (SELECT 1) CREATE TABLE d AS SELECT * FROM c;\n';
  assert.deepEqual(analyzeSql(fixture, undefined, 'tests/fixtures/rewrite.sql'), []);
});

test('PostgreSQL\'s own `#` (XOR, #>> and #- JSON paths, `#` inside strings and PL/Python bodies) is no comment mark; a mistake beside it is still reported', () => {
  for (const statement of [
    'SELECT flags\n  # 4 AS toggled FROM t',
    "SELECT doc\n  #>> '{author,name}' AS author FROM books",
    "UPDATE books SET doc = doc\n  #- '{draft}'",
    "SELECT '\n# not a comment: quoted\n' AS note",
    "CREATE FUNCTION shout(s text) RETURNS text LANGUAGE plpython3u AS $$\n# upper-case the text\nreturn s.upper()\n$$",
    'SELECT mask\n  # other_mask FROM t',
    'SELECT mask\n  # bits::int FROM t',
  ]) assert.equal(dialectOfStatement(statement), undefined, statement);
  const script = "CREATE FUNCTION shout(s text) RETURNS text LANGUAGE plpython3u AS $$\n# upper-case the text\nreturn s.upper()\n$$;\nSELECT doc\n  #>> '{a}' FROM books,;\n";
  assert.deepEqual(analyzeSql(script).map((f) => f.rule), ['syntax-error']);
});

test('a test-fixture folder whose .sql files mostly carry `#` comments is another dialect\'s: its files without one get no syntax error either; two such files among PostgreSQL ones do not count', (t) => {
  const marked = (k: number): string => `# title: case ${k}\nSELECT * FROM t${k} JOIN u;\nSELECT * FROM t${k} CROSS JOIN u;\n`;
  assert.deepEqual(unmarkedRulesAmong(t, [marked(1), marked(2), marked(3)]), ['session-set']);
  assert.deepEqual(unmarkedRulesAmong(t, [marked(1), marked(2), 'CREATE TABLE t (id int);\n', 'CREATE TABLE u (id int);\n']), ['syntax-error', 'session-set']);
});

test("a pooler's own SET command (several words before TO or =) is not PostgreSQL: no syntax error; PostgreSQL's SETs still checked", () => {
  for (const command of ["SET SHARDING KEY TO '17';", "set server role to 'replica';", "SeT PRIMARY READS TO 'on';", "SET SERVER ROLE = 'auto';"]) {
    assert.equal(dialectOfStatement(command), 'pooler', command);
    assert.deepEqual(analyzeSql(`SELECT 1;\n${command}\nSELECT 2;\n`).map((f) => f.rule), [], command);
  }
  // PostgreSQL's own multi-word SETs are not taken for a pooler's, and keep their findings.
  for (const sql of ['SET LOCAL statement_timeout TO 0;', "SET SESSION search_path TO app;", "SET TIME ZONE 'UTC';", 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;', 'SET SESSION AUTHORIZATION alice;', 'SET app.tenant = 1;']) {
    assert.equal(dialectOfStatement(sql), undefined, sql);
  }
  assert.deepEqual(analyzeSql('SET SESSION search_path TO app;\n').map((f) => f.rule), ['session-set']);
  // A typo in a one-word SET is still PostgreSQL's error.
  assert.deepEqual(analyzeSql('SET search_path TOO app;\n').map((f) => f.rule), ['syntax-error']);
});

test("another engine's variable set from an expression (a call, a subquery, a CAST, NULL) is not PostgreSQL: no syntax error; an UPDATE's SET line and PostgreSQL's SETs still checked", () => {
  for (const sql of ["SET greeting = page.fetch_text('hello');", 'set total = (SELECT count(*) FROM orders);', "SET started = CAST('2024-01-01' AS date);", 'SET chosen = NULL;', "-- the page's inputs\nSET who = upper($name);"]) {
    assert.equal(dialectOfStatement(sql), 'analytics', sql);
    assert.deepEqual(analyzeSql(`SELECT 1;\n${sql}\nSELECT 2;\n`).map((f) => f.rule), [], sql);
  }
  // PostgreSQL's SET values are literals and names: those keep their findings.
  for (const sql of ["SET search_path = app, public;", "SET statement_timeout TO '5s';", 'SET app.tenant = 1;']) {
    assert.equal(dialectOfStatement(sql), undefined, sql);
  }
  // An UPDATE whose SET line calls a function is PostgreSQL, and its typo is still reported.
  assert.equal(dialectOfStatement('UPDATE t\nSET touched = now()\nWHERE id = 1;'), undefined);
  assert.deepEqual(analyzeSql('UPDATE t\nSET touched = now()\nWHER id = 1;\n').map((f) => f.rule), ['syntax-error']);
});

test("SQLite's and SQL Server's own syntax marks a statement as theirs: no syntax error (triggers and views IF NOT EXISTS, virtual tables, NOCASE/BINARY collations, FOR JSON, APPLY, TOP)", () => {
  const cases: [string, string][] = [
    ['CREATE TRIGGER IF NOT EXISTS touch_row AFTER UPDATE ON notes BEGIN UPDATE notes SET seen = 1; END;', 'sqlite'],
    ['create temp view if not exists recent as select * from notes;', 'sqlite'],
    ['CREATE VIRTUAL TABLE note_search USING fts5(title, body);', 'sqlite'],
    ['CREATE TABLE login (name TEXT COLLATE NOCASE PRIMARY KEY, secret TEXT COLLATE BINARY NOT NULL);', 'sqlite'],
    ['SELECT id, title FROM notes FOR JSON PATH;', 'sqlserver'],
    ['select n.id, t.tag from notes n cross apply split_tags(n.tags) t;', 'sqlserver'],
    ['SELECT TOP 10 * FROM notes ORDER BY id;', 'sqlserver'],
    ['select distinct top (3) title from notes;', 'sqlserver'],
  ];
  for (const [sql, dialect] of cases) {
    assert.equal(dialectOfStatement(sql), dialect, sql);
    assert.deepEqual(analyzeSql(`SELECT 1;\n${sql}\nSELECT 2;\n`).map((f) => f.rule), [], sql);
  }
  // PostgreSQL's forms: CREATE OR REPLACE TRIGGER/VIEW, a materialized view IF NOT EXISTS, COLLATE "C", FOR UPDATE.
  for (const sql of ['CREATE MATERIALIZED VIEW IF NOT EXISTS recent AS SELECT * FROM notes;', 'CREATE OR REPLACE VIEW recent AS SELECT 1;', 'SELECT title COLLATE "C" FROM notes;', 'SELECT * FROM notes FOR UPDATE;', 'SELECT top FROM ranking;']) {
    assert.equal(dialectOfStatement(sql), undefined, sql);
  }
  assert.deepEqual(analyzeSql('CREATE OR REPLACE VIEW recent AS SELECT 1,;\n').map((f) => f.rule), ['syntax-error']);
});

test("MySQL's and SQLite's group_concat and char(n) function, and a column alias written as a string, are not PostgreSQL; a function body after AS and COPY's DELIMITER AS are", () => {
  for (const sql of ["SELECT group_concat(name, ', ') FROM tags;", "SELECT 'a' || char(10) || 'b';", "select title || CHAR(13) from notes", "SELECT 'Name' AS 'label', id AS value FROM people;", "select count(*) as 'total'\nfrom people;"]) {
    assert.notEqual(dialectOfStatement(sql), undefined, sql);
    assert.deepEqual(analyzeSql(`SELECT 1;\n${sql}\nSELECT 2;\n`).map((f) => f.rule), [], sql);
  }
  for (const sql of ["CREATE FUNCTION one() RETURNS int AS 'SELECT 1' LANGUAGE sql;", "CREATE OR REPLACE FUNCTION add_one(int) RETURNS int AS 'MODULE_PATHNAME', 'add_one' LANGUAGE c STRICT;", "COPY people FROM stdin WITH DELIMITER AS ',' NULL AS '';", "SELECT name::char(10) || '!' FROM people;", "SELECT CAST(name AS char(10)) FROM people;"]) {
    assert.equal(dialectOfStatement(sql), undefined, sql);
  }
  // A typo next to PostgreSQL's char type or a function body is still reported.
  assert.deepEqual(analyzeSql("SELECT name::char(10) || '!' FROM people WHERE;\n").map((f) => f.rule), ['syntax-error']);
  assert.deepEqual(analyzeSql("CREATE FUNCTION one() RETURNS int AS 'SELECT 1' LANGUAGE sql STRICTT;\n").map((f) => f.rule), ['syntax-error']);
});

test("another engine's variable set from a CASE or from an operator expression ('a' || 'b', $x + 1) is not PostgreSQL either; PostgreSQL's SET values still checked", () => {
  for (const sql of ["SET mood = CASE WHEN 1 = 1 THEN 'fine' ELSE 'bad' END;", "set label = 'part ' || 'two';", 'SET next_page = current_page + 1;', "SET greeting = 'hi' || :who;"]) {
    assert.equal(dialectOfStatement(sql), 'analytics', sql);
    assert.deepEqual(analyzeSql(`SELECT 1;\n${sql}\nSELECT 2;\n`).map((f) => f.rule), [], sql);
  }
  for (const sql of ["SET search_path = app, public;", 'SET statement_timeout TO -1;', "SET application_name = 'worker'; -- tagged", "SET work_mem = '64MB' /* for sorts */;"]) {
    assert.equal(dialectOfStatement(sql), undefined, sql);
  }
  assert.deepEqual(analyzeSql("SET application_name = 'worker' 'two';\n").map((f) => f.rule), ['syntax-error']);
});

test('statements after long runs of blanks, dashes and comments are read in a bounded time: no regular expression backtracks over them', async () => {
  // Run in a child with a CPU budget: a regular expression that backtracks exponentially never yields to a timer in-process.
  const analysisModule = join(__dirname, '..', '..', '..', 'server', 'analysis', 'index.js');
  const stateModule = join(__dirname, '..', '..', '..', 'server', 'analysis', 'stateFunctions.js');
  const script = [
    `const { analyzeSql, dialectOfStatement, initAnalysis } = require(${JSON.stringify(analysisModule)});`,
    `const { stateFunctionIndex } = require(${JSON.stringify(stateModule)});`,
    "const blanks = ' \\n'.repeat(60);",
    '(async () => {',
    '  await initAnalysis();',
    "  const results = [dialectOfStatement(blanks + 'DELETE FROM t WHERE id = 1') ?? 'postgres'];",
    "  results.push(dialectOfStatement('/* keep 7 | 8 */ -- -------------\\n'.repeat(40) + 'DELETE FROM t') ?? 'postgres');",
    "  results.push(analyzeSql(blanks + 'SET search_path TO app;\\n' + blanks + 'DELETE FROM t;').map((f) => f.rule).join(','));",
    "  results.push(stateFunctionIndex([{ path: '/w/f.sql', text: blanks + 'select 1;' }]).size);",
    '  console.log(JSON.stringify(results));',
    '})();',
  ].join('\n');
  const run = await runNodeWithCpuBudget(['-e', script], { cpuMs: 60_000 });
  assert.equal(run.killed, undefined, 'the child finished within its CPU budget');
  assert.deepEqual(JSON.parse(run.stdout), ['postgres', 'postgres', 'session-set', 0]);
});

test("a column's bare IDENTITY property (SQL Server's `id INT NOT NULL IDENTITY PRIMARY KEY`) is another dialect's; PostgreSQL's GENERATED … AS IDENTITY and IDENTITY clauses are not", () => {
  for (const sql of ['CREATE TABLE books (\n  id INT NOT NULL IDENTITY PRIMARY KEY,\n  title VARCHAR(100) NOT NULL\n);',
    'create table t (id bigint identity, name text)', 'CREATE TABLE t (n int NULL IDENTITY UNIQUE)']) {
    assert.equal(dialectOfStatement(sql), 'sqlserver', sql);
  }
  for (const sql of ['CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, identity text);', 'ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;',
    'ALTER TABLE t ALTER id DROP IDENTITY IF EXISTS;', 'TRUNCATE t RESTART IDENTITY;', 'ALTER TABLE t REPLICA IDENTITY FULL;', 'SELECT identity, count(*) FROM users GROUP BY identity;']) {
    assert.equal(dialectOfStatement(sql), undefined, sql);
  }
  // A migration of such tables gets no syntax error; a PostgreSQL identity column's typo still does.
  assert.deepEqual(analyzeSql('CREATE TABLE account (\n  id INT NOT NULL IDENTITY PRIMARY KEY,\n  name VARCHAR(100) NOT NULL\n);\n').map((f) => f.rule), []);
  assert.deepEqual(analyzeSql('CREATE TABLE account (id int GENERATED ALWAYS AS IDENTIY PRIMARY KEY);\n').map((f) => f.rule), ['syntax-error']);
});

test("a table named with a leading # (SQL Server's and SAP HANA's local temporary tables) is another dialect's; PostgreSQL's # operators are not", () => {
  for (const sql of ['CREATE LOCAL TEMPORARY TABLE #grants LIKE sys_grants;', 'INSERT INTO #grants (who, what) SELECT who, what FROM defaults;',
    'SELECT * FROM #staging s JOIN #lookup l ON l.id = s.id;', 'DROP TABLE #grants;', 'update #staging set done = 1;']) {
    assert.equal(dialectOfStatement(sql), 'sqlserver', sql);
  }
  // A script of such statements, with a DECLARE the HANA way: the whole file is another dialect's, no syntax error.
  const hana = "DO\nBEGIN\n  DECLARE n INT = 0;\nEND;\nCREATE LOCAL TEMPORARY TABLE #grants LIKE sys_grants;\nINSERT INTO #grants SELECT * FROM defaults;\nDROP TABLE #grants;\nCALL sys.refresh;\n";
  assert.deepEqual(analyzeSql(hana).map((f) => f.rule), []);
  // PostgreSQL's own uses of #: bitwise XOR, path operators, a quoted name, a # inside a string.
  for (const sql of ["SELECT 5 # 3 FROM t;", "SELECT doc #>> '{a,b}' FROM docs;", 'SELECT * FROM "#temp";', "SELECT 'FROM #x' AS label;", 'SELECT a FROM t WHERE (flags # mask) > 0;']) {
    assert.equal(dialectOfStatement(sql), undefined, sql);
  }
  assert.deepEqual(analyzeSql('SELECT doc #>> \'{a}\' FROM docs,;\n').map((f) => f.rule), ['syntax-error']);
});

test('only folders inside the repository name a dialect: the folders the checkout is kept in say nothing of its files', (t) => {
  // A clone kept under a folder named for MySQL: its own db/ files are PostgreSQL, by absolute path as by relative.
  const holder = scratchRepository('dialect-outside', t).writeAll({ 'mysql-clones/app/.git/HEAD': 'ref: refs/heads/main\n', 'mysql-clones/app/db/schema.sql': UNSAFE });
  const file = join(holder, 'mysql-clones', 'app', 'db', 'schema.sql');
  assert.equal(dialectOfPath(file), undefined);
  assert.deepEqual(analyzeSql(UNSAFE, undefined, file).map((f) => f.rule).sort(), ['listen', 'session-set']);
  // A folder of the repository's own still names its files' dialect.
  assert.equal(dialectOfPath(join(holder, 'mysql-clones', 'app', 'db', 'mysql', 'schema.sql')), 'mysql');
  // Without a repository around it, a path is read as given (nothing tells where the project starts).
  assert.equal(dialectOfPath('/srv/mysql/schema.sql'), 'mysql');
});

test('SQL Server names in brackets with blanks ([Order Details]) make a statement SQL Server\'s, not a PostgreSQL syntax error', () => {
  const query = 'SELECT o.OrderID, (SELECT SUM(Quantity) FROM [Order Details] od WHERE od.OrderID = o.OrderID) AS total FROM Orders o;\n';
  assert.equal(dialectOfStatement(query), 'sqlserver');
  assert.deepEqual(analyzeSql(query), []);
  // An array subscript is no bracketed name.
  assert.equal(dialectOfStatement('SELECT tags[1] FROM posts;'), undefined);
});

test('the database name nearest the file decides: a PostgreSQL folder kept under another database\'s folder stays PostgreSQL', () => {
  // A port's PostgreSQL target beside (or under) the source database's folder, read from the file upward.
  for (const path of ['legacy-oracle-port/postgres/schema/functions/refresh.sql', 'notes/mysql-compat/postgresql/migrations/v3/x.sql',
    'sqlite-export/pg/seed/x.sql', '/no-such-holder/app/mssql-bridge/postgres/x.sql']) {
    assert.equal(dialectOfPath(path), undefined, path);
    assert.deepEqual(analyzeSql(UNSAFE + 'CREATE TABLE broken (id int,);\n', undefined, path).map((f) => f.rule), ['session-set', 'listen', 'syntax-error'], path);
  }
  // Another database's name nearer the file than the PostgreSQL folder still wins.
  for (const [path, dialect] of [['postgres/mysql/x.sql', 'mysql'], ['pg/tools/oracle/scripts/x.sql', 'oracle'], ['postgres/seed.sqlite.sql', 'sqlite']] as const) {
    assert.equal(dialectOfPath(path), dialect, path);
  }
});

test("a checkout's own folder name says nothing when the command runs from the folder above it, as in the editor", (t) => {
  // This repository's own folder is `poolsafe-oracle`: linted as `poolsafe lint poolsafe-oracle` from its parent, its
  // relative paths start with that name, which must not count as Oracle's.
  const repo = scratchRepository('oracle', t);
  repo.mkdir('.git');
  repo.write('db/migrations/v1/x.sql', UNSAFE);
  repo.write('db/mysql/y.sql', UNSAFE);
  const cwd = process.cwd();
  t.after(() => process.chdir(cwd));
  process.chdir(dirname(repo.root));
  const fromParent = (path: string) => join(basename(repo.root), path);
  assert.equal(dialectOfPath(fromParent('db/migrations/v1/x.sql')), undefined);
  assert.deepEqual(analyzeSql(UNSAFE, undefined, fromParent('db/migrations/v1/x.sql')).map((f) => f.rule), ['session-set', 'listen']);
  assert.equal(dialectOfPath(fromParent('db/mysql/y.sql')), 'mysql');
  // Run inside the repository, or given the absolute path (the editor), the same file is judged alike.
  assert.equal(dialectOfPath(repo.path('db/migrations/v1/x.sql')), undefined);
  process.chdir(repo.root);
  assert.equal(dialectOfPath('db/migrations/v1/x.sql'), undefined);
});

test("an interval of an unquoted count and a unit word (MySQL's `INTERVAL 8 HOUR`) is another dialect: a MySQL view file gets no syntax error", () => {
  const view = 'CREATE OR REPLACE VIEW recent_readings AS\nSELECT sensor_id, taken_at\nFROM readings\nWHERE taken_at >= DATE_SUB(NOW(), INTERVAL 12 HOUR)\n  AND taken_at < NOW();\n';
  assert.equal(dialectOfStatement(view), 'mysql');
  assert.deepEqual(analyzeSql(view, undefined, 'db/views.sql'), []);
  for (const statement of ['SELECT * FROM jobs WHERE run_at < DATE_SUB(CURDATE(), INTERVAL 3 DAY)', 'DELETE FROM tokens WHERE made < date_sub(now(), interval ? minute)', 'SELECT DATE_ADD(d, INTERVAL 1 YEAR_MONTH) FROM t', 'SELECT ADDDATE(d, INTERVAL -2 WEEK) FROM t']) {
    assert.equal(dialectOfStatement(statement), 'mysql', statement);
  }
});

test("PostgreSQL's own interval forms are not another dialect, nor is an unquoted interval outside MySQL's date functions; a real mistake beside one is still reported", () => {
  for (const statement of ['SELECT * FROM jobs WHERE run_at < now() - INTERVAL 3 DAY', "SELECT now() - INTERVAL '8' HOUR", "SELECT now() - INTERVAL '8 hours'", "SELECT now() - '3 days'::interval", 'SELECT make_interval(hours => 8)', "SELECT interval '1' day AS day_count FROM t"]) {
    assert.equal(dialectOfStatement(statement), undefined, statement);
  }
  assert.deepEqual(analyzeSql("SELECT now() - INTERVAL '8 hours' FROM FROM t;\n").map((f) => f.rule), ['syntax-error']);
});

test("MySQL's date functions mark their statement however deep the calls before the interval nest (DATE_SUB(COALESCE(MAX(d), NOW()), INTERVAL 30 DAY), five levels of time-zone conversion)", () => {
  for (const statement of [
    'CREATE VIEW idle_carts AS SELECT id FROM carts WHERE touched_at < DATE_SUB(COALESCE(MAX(touched_at), NOW()), INTERVAL 30 DAY)',
    'SELECT DATE_ADD(GREATEST(IFNULL(a.seen, a.made), DATE(NOW())), INTERVAL 2 WEEK) FROM accounts a',
    // Five calls deep before the comma (a time-zone conversion): no nesting limit.
    "SELECT id FROM visits WHERE day = DATE_SUB(DATE(CONVERT_TZ(FROM_UNIXTIME(UNIX_TIMESTAMP(NOW())), '+00:00', '+08:00')), INTERVAL 1 DAY)",
    // A string holding parentheses and a comma inside the call is skipped whole.
    "SELECT DATE_ADD(STR_TO_DATE('(1, 2)', '%d'), INTERVAL 3 MONTH) FROM t",
  ]) {
    assert.equal(dialectOfStatement(statement), 'mysql', statement);
  }
  // No date function of MySQL's: a nested call before an unquoted interval is no mark.
  assert.equal(dialectOfStatement('SELECT greatest(coalesce(a, now()), now()) - INTERVAL 30 DAY FROM t'), undefined);
  // The interval is the call's own argument: one after the call has ended is no mark of it.
  assert.equal(dialectOfStatement('SELECT date_add(at, 1), greatest(a, INTERVAL 3 DAY) FROM t'), undefined);
  // An interval quoted as PostgreSQL writes it, and one inside a string of the call, are no mark.
  assert.equal(dialectOfStatement("SELECT date_add(now(), interval '1 day'), date_sub(now(), 'x, INTERVAL 2 DAY') FROM t"), undefined);
});

// Each date_add call of a long statement looks for its interval inside its own parentheses, not on to the statement's
// end: a seed's INSERT of thousands of rows (PostgreSQL's own date_add with a quoted interval) that fails to parse is
// read in about linear time (24000 rows: several times longer when each call scanned the rest).
test('a long statement of date_add calls without an unquoted interval is read in about linear time', () => {
  const rows = Array.from({ length: 24000 }, (_, i) => `(${i}, date_add(now(), interval '${i} minutes'))`);
  // One `)` too many at the end: a syntax error, so the dialect marks are tried.
  const seed = `INSERT INTO events (id, at) VALUES\n${rows.join(',\n')});\n`;
  // Processor time, not wall time: other work on a loaded machine does not count.
  const started = process.cpuUsage();
  const rules = analyzeSql(seed, undefined, 'db/seed.sql').map((f) => f.rule);
  const used = process.cpuUsage(started);
  const seconds = (used.user + used.system) / 1e6;
  assert.deepEqual(rules, ['syntax-error']);
  // About a second and a half here; scanning to the statement's end from each call took about thirteen.
  assert.ok(seconds < 6, `${seconds.toFixed(1)} s`);
});

test("a statement of thousands of date calls left open is read in one pass; a closed call's interval after them still marks it MySQL's", () => {
  const unclosed = 'DATE_ADD('.repeat(10000);
  const started = process.cpuUsage();
  assert.equal(dialectOfStatement(`SELECT ${unclosed}NOW()`), undefined);
  assert.equal(dialectOfStatement(`SELECT ${unclosed}DATE_SUB(NOW(), INTERVAL 2 DAY)`), 'mysql');
  // After a call that closed, the interval is an argument of the date call still open around it; of another call's, none.
  assert.equal(dialectOfStatement(`SELECT ${unclosed}DATE_SUB(NOW(), 1), INTERVAL 2 DAY`), 'mysql');
  assert.equal(dialectOfStatement(`SELECT ${'GREATEST('.repeat(10000)}NOW(), INTERVAL 2 DAY`), undefined);
  const used = process.cpuUsage(started);
  // A few milliseconds in one pass; rescanning to the statement's end from each call took tens of seconds.
  assert.ok((used.user + used.system) / 1e6 < 1.5, `${((used.user + used.system) / 1e6).toFixed(1)} s`);
});

test("a .sql file of a project whose only database drivers are MySQL's reads an unquoted interval (NOW() - INTERVAL 7 DAY) as MySQL's; a project with a PostgreSQL driver, or none, keeps the syntax error", (t) => {
  const view = 'CREATE VIEW fresh_orders AS SELECT id, total FROM orders WHERE placed_at > NOW() - INTERVAL 7 DAY;\n';
  const root = scratchRepository('interval-drivers', t).writeAll({
    'shop/package.json': JSON.stringify({ dependencies: { mysql2: '^3.6.0', express: '^4.19.0' } }),
    'mixed/package.json': JSON.stringify({ dependencies: { mysql2: '^3.6.0', pg: '^8.11.0' } }),
    'pgapp/package.json': JSON.stringify({ dependencies: { pg: '^8.11.0' } }),
    'plain/README.md': 'views\n',
  });
  const rulesIn = (folder: string, text: string) => analyzeSql(text, undefined, join(root, folder, 'db', 'views.sql')).map((f) => f.rule);
  assert.deepEqual(rulesIn('shop', view), []);
  for (const folder of ['mixed', 'pgapp', 'plain']) assert.deepEqual(rulesIn(folder, view), ['syntax-error'], folder);
  // The MySQL project's other mistakes are still reported.
  assert.deepEqual(rulesIn('shop', `${view}SELECT id, FROM orders;\n`), ['syntax-error']);
});

test("a Prisma project whose schema's datasource (or migration lock) says PostgreSQL is PostgreSQL's with a MySQL driver beside it: its migration keeps the interval's syntax error", (t) => {
  const cleanup = 'DELETE FROM "Session" WHERE "createdAt" < NOW() - INTERVAL 7 DAY;\n';
  const manifest = JSON.stringify({ dependencies: { '@prisma/client': '^5.10.0', mysql2: '^3.9.0' }, devDependencies: { prisma: '^5.10.0' } });
  const datasource = (provider: string) => `generator client {\n  provider = "prisma-client-js"\n}\n\ndatasource db {\n  provider = "${provider}"\n  url      = env("DATABASE_URL")\n}\n`;
  const migration = 'prisma/migrations/20240101000000_cleanup/migration.sql';
  const root = scratchRepository('interval-prisma', t).writeAll({
    'schema/package.json': manifest,
    'schema/prisma/schema.prisma': datasource('postgresql'),
    'lock/package.json': manifest,
    'lock/prisma/migrations/migration_lock.toml': '# Please do not edit this file manually\nprovider = "postgresql"\n',
    'split/package.json': manifest,
    'split/prisma/schema/db.prisma': datasource('postgres'),
    'custom/package.json': JSON.stringify({ dependencies: { '@prisma/client': '^5.10.0', mysql2: '^3.9.0' }, prisma: { schema: 'db/main.prisma' } }),
    'custom/db/main.prisma': datasource('postgresql'),
    // A Prisma project on MySQL, and one whose schema is not found: MySQL's still.
    'onmysql/package.json': manifest,
    'onmysql/prisma/schema.prisma': datasource('mysql'),
    'noschema/package.json': manifest,
  });
  const rulesIn = (folder: string, file = migration) => analyzeSql(cleanup, undefined, join(root, folder, file)).map((f) => f.rule);
  for (const folder of ['schema', 'lock', 'split']) assert.deepEqual(rulesIn(folder), ['syntax-error'], folder);
  assert.deepEqual(rulesIn('custom', 'db/migrations/20240101000000_cleanup/migration.sql'), ['syntax-error']);
  for (const folder of ['onmysql', 'noschema']) assert.deepEqual(rulesIn(folder), [], folder);
});

test("a Prisma-on-PostgreSQL project that also lists mysql2 reads its legacy MySQL query files as MySQL's; the files Prisma applies (migrations, the schema folder's .sql) keep the interval's syntax error", (t) => {
  const recent = 'SELECT id, total FROM orders WHERE created_at > NOW() - INTERVAL 7 DAY;\n';
  const root = scratchRepository('interval-prisma-legacy', t).writeAll({
    'package.json': JSON.stringify({ dependencies: { '@prisma/client': '^5.0.0', mysql2: '^3.0.0' }, devDependencies: { prisma: '^5.0.0' } }),
    'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
    'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
  });
  const rulesAt = (path: string) => analyzeSql(recent, undefined, join(root, path)).map((f) => f.rule);
  // The import script's queries for the old MySQL database: what mysql2 is listed for.
  assert.deepEqual(rulesAt('scripts/legacy/recent_orders.sql'), []);
  assert.deepEqual(rulesAt('prisma/migrations/20240101000000_cleanup/migration.sql'), ['syntax-error']);
  assert.deepEqual(rulesAt('prisma/cleanup.sql'), ['syntax-error']);
});

test("Prisma's TypedSQL queries (the `sql/` folder beside a PostgreSQL schema) are PostgreSQL's though the package also lists mysql2; a `sql/` folder elsewhere keeps the MySQL reading", (t) => {
  const lastWeek = 'SELECT id FROM "Order" WHERE "placedAt" > NOW() - INTERVAL 7 DAY;\n';
  const postgres = 'generator client {\n  provider        = "prisma-client-js"\n  previewFeatures = ["typedSql"]\n}\n\ndatasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n';
  const manifest = JSON.stringify({ dependencies: { '@prisma/client': '^5.19.0', mysql2: '^3.9.0' }, devDependencies: { prisma: '^5.19.0' } });
  const root = scratchRepository('interval-prisma-typedsql', t).writeAll({
    'single/package.json': manifest,
    'single/prisma/schema.prisma': postgres,
    'split/package.json': manifest,
    'split/prisma/schema/main.prisma': postgres,
    'onmysql/package.json': manifest,
    'onmysql/prisma/schema.prisma': postgres.replace('postgresql', 'mysql'),
  });
  const rulesAt = (path: string) => analyzeSql(lastWeek, undefined, join(root, path)).map((f) => f.rule);
  assert.deepEqual(rulesAt('single/prisma/sql/ordersLastWeek.sql'), ['syntax-error']);
  assert.deepEqual(rulesAt('split/prisma/sql/ordersLastWeek.sql'), ['syntax-error']);
  // The import script's own `sql/` folder, and TypedSQL on a MySQL schema: MySQL's.
  assert.deepEqual(rulesAt('single/scripts/sql/ordersLastWeek.sql'), []);
  assert.deepEqual(rulesAt('onmysql/prisma/sql/ordersLastWeek.sql'), []);
});

test("SQLite's STRICT and WITHOUT ROWID table options, DuckDB's INSTALL and an ATTACH of a database by a string are another dialect's; PostgreSQL's STRICT routines and ATTACH PARTITION are not", () => {
  const cases: [string, string][] = [
    ['CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT;', 'sqlite'],
    ['create table if not exists tags (name text primary key) strict, without rowid;', 'sqlite'],
    ['CREATE TEMP TABLE pairs (a INT, b INT, PRIMARY KEY (a, b)) WITHOUT ROWID, STRICT; -- typed', 'sqlite'],
    ['INSTALL httpfs;', 'analytics'],
    ['-- the spatial extension\nFORCE INSTALL spatial FROM community;', 'analytics'],
    ["ATTACH 'archive.db' AS archive;", 'sqlite'],
    ["attach if not exists ':memory:' as scratch (type duckdb);", 'sqlite'],
    ["ATTACH DATABASE 'audit.sqlite' AS audit;", 'sqlite'],
  ];
  for (const [sql, dialect] of cases) {
    assert.equal(dialectOfStatement(sql), dialect, sql);
    assert.deepEqual(analyzeSql(`SELECT 1;\n${sql}\nSELECT 2;\n`).map((f) => f.rule), [], sql);
  }
  // A DuckDB script: its INSTALL and ATTACH make the file DuckDB's, so its unquoted LOAD is no PostgreSQL mistake.
  assert.deepEqual(analyzeSql("INSTALL json;\nLOAD json;\nATTACH 'events.duckdb' (READ_ONLY);\nSELECT count(*) FROM events;\n"), []);
  for (const sql of [
    'ALTER TABLE readings ATTACH PARTITION readings_2025 FOR VALUES FROM (1) TO (9);',
    'ALTER FUNCTION add_one(int) STRICT;',
    'CREATE FUNCTION add_one(a int) RETURNS int LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT a + 1 $$;',
    'CREATE TABLE t (a int,) /* STRICT */',
    'INSTALL the extension first',
    'ATTACH archive AS old;',
  ]) assert.equal(dialectOfStatement(sql), undefined, sql);
  // A real PostgreSQL mistake beside ATTACH PARTITION is still reported.
  assert.deepEqual(analyzeSql('ALTER TABLE readings ATTACH PARTITION r1 FOR VALUES IN (1);\nSELECT id, FROM readings;\n').map((f) => f.rule), ['syntax-error']);
});

test('a statement naming a database the file ATTACHed (`CREATE SCHEMA prod.staging` after `ATTACH … AS prod`) is the attaching engine\'s; a dotted name nothing attached is still a mistake', () => {
  const attached = "ATTACH ':memory:' AS warehouse;\nCREATE SCHEMA warehouse.staging;\nCREATE TABLE warehouse.staging.orders (id bigint);\nSELECT id FROM warehouse.staging.orders;\nSELECT 1;\n";
  assert.deepEqual(analyzeSql(attached), []);
  assert.deepEqual(analyzeSql('CREATE SCHEMA warehouse.staging;\nSELECT 1;\nSELECT 2;\n').map((f) => f.rule), ['syntax-error']);
  // Another name attached, or the attached name used before its ATTACH: the mistake stays.
  const other = "ATTACH 'a.db' AS archive;\nCREATE SCHEMA warehouse.staging;\nSELECT 1;\nSELECT 2;\n";
  assert.deepEqual(analyzeSql(other).map((f) => f.rule), ['syntax-error']);
  const before = "CREATE SCHEMA warehouse.staging;\nATTACH ':memory:' AS warehouse;\nSELECT 1;\nSELECT 2;\n";
  assert.deepEqual(analyzeSql(before).map((f) => f.rule), ['syntax-error']);
});
