// Code for other databases (MySQL, SQLite, SQL Server, Oracle) gets no PostgreSQL findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';

before(() => initAnalysis());

const rules = (text: string, file = 'src/db.ts') => embeddedRules(text, file);
const body = "\nawait conn.query('SET NAMES utf8mb4');\nawait conn.query('SELECT * FROM `t` WHERE id = ?', [1]);\n";

test('a file importing only a MySQL/SQLite/SQL Server/Oracle driver gets no findings', () => {
  for (const line of [
    "import mysql from 'mysql2/promise';", "const mysql = require('mysql');", "import Database from 'better-sqlite3';",
    "import sqlite3 from 'sqlite3';", "import { open } from 'sqlite';", "import sql from 'mssql';", "import { Connection } from 'tedious';",
    "import oracledb from 'oracledb';", "import { drizzle } from 'drizzle-orm/mysql2';",
  ]) assert.deepEqual(rules(line + body), [], line);
  // In-app SQLite and DuckDB, whose APIs share names with SQL runners (executeSql, all): a temp table there is theirs.
  const temp = "\nawait tx.executeSql('CREATE TEMP TABLE scratch (id int)');\nawait db.all('CREATE TEMP TABLE seen (id int)');\n";
  for (const line of [
    "import * as SQLite from 'expo-sqlite';", "import SQLite from 'react-native-sqlite-storage';", "import { open } from '@op-engineering/op-sqlite';",
    "import duckdb from 'duckdb';", "import { DuckDBInstance } from '@duckdb/node-api';",
  ]) assert.deepEqual(rules(line + temp), [], line);
  assert.deepEqual(rules("import { Pool } from 'pg';" + temp), ['temp-table', 'temp-table']);
});

test('the same code with a PostgreSQL driver (or no known driver) is analysed', () => {
  assert.deepEqual(rules("import { Pool } from 'pg';" + "\nawait conn.query('SET search_path TO app');"), ['session-set']);
  assert.deepEqual(rules("import { db } from './db';" + "\nawait conn.query('SET search_path TO app');"), ['session-set']);
});

test('files under another dialect\'s folder or named after it are left alone; PostgreSQL folders are not', () => {
  const text = "await this.query('SET search_path TO app');";
  assert.deepEqual(rules(text, 'src/dialects/mysql/query.ts'), []);
  assert.deepEqual(rules(text, 'lib/dialects/sqlite3/index.js'), []);
  assert.deepEqual(rules(text, 'src/driver/sqlserver/SqlServerQueryRunner.ts'), []);
  assert.deepEqual(rules(text, 'src/driver/mysql-like/MysqlDriver.ts'), []);
  assert.deepEqual(rules(text, 'src/driver/aurora-mysql/AuroraQueryRunner.ts'), []);
  assert.deepEqual(rules(text, 'packages/snowflake/src/query.js'), []);
  assert.deepEqual(rules(text, 'src/dialects/postgres/query.ts'), ['session-set']);
  assert.deepEqual(rules(text, 'src/mysqlish-names-do-not-count/query.ts'), ['session-set']);
});

test('a file named for another database that imports a PostgreSQL driver talks to PostgreSQL: its pg queries are analysed', () => {
  // A one-off copy from the old SQLite file into PostgreSQL: both drivers, both names in the path.
  const copier = [
    "import Database from 'better-sqlite3';",
    "import { Pool } from 'pg';",
    'const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
    "const old = new Database('legacy.db');",
    'const target = await pool.connect();',
    "old.exec('PRAGMA foreign_keys = OFF');",
    "await target.query(\"SELECT set_config('app.tenant', $1, false)\", ['1']);",
  ].join('\n');
  assert.deepEqual(rules(copier, 'scripts/copy-sqlite-to-postgres.ts'), ['session-set']);
  assert.deepEqual(rules(copier, 'tools/sqlite/import.ts'), ['session-set']);
  // Without the PostgreSQL driver the name still speaks for the file.
  const sqliteOnly = copier.replace("import { Pool } from 'pg';", "import { Pool } from './pool';");
  assert.deepEqual(rules(sqliteOnly, 'scripts/copy-sqlite-to-postgres.ts'), []);
  assert.deepEqual(rules("await this.query('SET search_path TO app');", 'scripts/copy-sqlite-to-postgres.ts'), []);
});

test('a file named for another database importing both drivers: only connections known to be PostgreSQL\'s are analysed', () => {
  // A one-off move from MySQL: the MySQL side comes from a helper the file imports, the PostgreSQL side is made here.
  const mover = [
    "import mysql from 'mysql2/promise';",
    "import pg from 'pg';",
    "import { openSource } from './connections';",
    'const target = new pg.Client({ connectionString: process.env.TARGET_URL });',
    'const source = await openSource();',
    "await source.query(\"SET NAMES 'utf8mb4'\");",
    "await target.query(\"SET search_path = staging\");",
  ].join('\n');
  assert.deepEqual(rules(mover, 'scripts/move-mysql-into-postgres.ts'), ['session-set']);
  // Only the MySQL statement: nothing, wherever its connection was made.
  const sourceOnly = mover.replace('await target.query("SET search_path = staging");', '');
  assert.deepEqual(rules(sourceOnly, 'scripts/move-mysql-into-postgres.ts'), []);
  assert.deepEqual(rules(sourceOnly.replace("import { openSource } from './connections';", "const openSource = () => mysql.createConnection(process.env.SOURCE_URL);"), 'scripts/move-mysql-into-postgres.ts'), []);
  // A connection declared with a pg type is PostgreSQL's; an untyped parameter is not known to be.
  const typed = [
    "import mysql from 'mysql2/promise';",
    "import type { PoolClient } from 'pg';",
    "import pg from 'pg';",
    "export async function prepare(into: PoolClient, from) {",
    "  await from.query(\"SET SESSION sql_mode = 'ANSI_QUOTES'\");",
    "  await into.query(\"SET search_path = staging\");",
    '}',
  ].join('\n');
  assert.deepEqual(rules(typed, 'tools/mysql/prepare.ts'), ['session-set']);
  assert.deepEqual(rules(typed.replace('into: PoolClient', 'into'), 'tools/mysql/prepare.ts'), []);
  // A path naming PostgreSQL only: every receiver counts, as before.
  assert.deepEqual(rules(sourceOnly, 'scripts/load-into-postgres.ts'), ['session-set']);
});

test('every database name a SQL file\'s path may carry also marks CamelCase TS/JS file names; a longer word does not', () => {
  const text = "await this.query('SET search_path TO app');";
  for (const name of ['Mysql', 'Mariadb', 'Sqlite', 'Mssql', 'Sqlserver', 'Tsql', 'Oracle', 'Clickhouse', 'Spanner', 'Bigquery', 'Duckdb', 'Starrocks', 'Turso', 'Libsql']) {
    assert.deepEqual(rules(text, `src/driver/${name}QueryRunner.ts`), [], name);
  }
  assert.deepEqual(rules(text, 'src/driver/OraclesHelper.ts'), ['session-set']);
  assert.deepEqual(rules(text, 'src/driver/PostgresQueryRunner.ts'), ['session-set']);
});

test('a file importing both pg and mysql: queries on the MySQL connection are skipped, those on pg are analysed', () => {
  const text = [
    "import mysql from 'mysql2/promise';",
    "import { Pool } from 'pg';",
    'const pg = new Pool();',
    'const conn = await mysql.createConnection(url);',
    'const inner = await conn.getConnection();',
    "await conn.query('SET NAMES utf8mb4');",
    "await inner.query('SET autocommit = 0');",
    "await pg.query('SET search_path TO app');",
  ].join('\n');
  assert.deepEqual(analyze(text, 'typescript', {}, 'a.ts').map((f) => [f.rule, text.slice(f.start, f.end)]), [['session-set', 'SET search_path TO app']]);
});

test("a file importing both: a parameter typed with the MySQL driver's pool type sends MySQL, one typed pg.Pool (same name, another function) PostgreSQL", () => {
  const text = [
    "import { createPool, Pool as MysqlPool } from 'mysql2/promise';",
    "import pg from 'pg';",
    'async function mysqlTables(pool: MysqlPool) {',
    "  await pool.query('SHOW TABLES WHERE Table_type = \\'BASE TABLE\\'');",
    '  return Promise.all(names.map(async (name) => {',
    "    await pool.query(`SET search_path TO ${name}`);",
    '  }));',
    '}',
    'async function postgresTables(pool: pg.Pool) {',
    "  await pool.query('SET search_path TO app');",
    '}',
    'async function closeAny(pool: MysqlPool | pg.Pool) {',
    "  await pool.query('SET search_path TO other');",
    '}',
  ].join('\n');
  assert.deepEqual(analyze(text, 'typescript', {}, 'a.ts').map((f) => [f.rule, text.slice(f.start, f.end)]),
    [['session-set', 'SET search_path TO app'], ['session-set', 'SET search_path TO other']]);
  // Without the MySQL import the type name says nothing: the same text is read as PostgreSQL's (its SET, sent to
  // MySQL above, is a session SET of PostgreSQL's here).
  const alone = text.replace("import { createPool, Pool as MysqlPool } from 'mysql2/promise';", "import { MysqlPool } from './types';");
  assert.deepEqual(analyze(alone, 'typescript', {}, 'a.ts').map((f) => f.rule), ['syntax-error', 'session-set', 'session-set', 'session-set']);
});

test('MySQL variables (SET @v, SET SESSION @v, @@system) are MySQL statements in a multi-dialect file, not placeholders to fill', () => {
  const text = (statement: string) => `import { Pool } from 'pg';\nasync function merge(query) {\n  await query(${JSON.stringify(statement)});\n}\n`;
  assert.deepEqual(rules(text('SET @autocommit = 0')), []);
  assert.deepEqual(rules(text('SET SESSION @tx_mode = 1')), []);
  assert.deepEqual(rules(text('SET @@session.sql_mode = 0')), []);
  // A named placeholder as the value of a PostgreSQL SET is still a value: the SET is a finding.
  assert.deepEqual(rules(text('SET search_path = @schema')), ['session-set']);
  assert.deepEqual(rules(text('SELECT * FROM t WHERE id = @id')), []);
});

test('PGlite runs PostgreSQL inside the process, one session and no pooler: session state there is no finding, but its SQL still gets syntax errors', () => {
  const session = "\nconst db = new PGlite();\nawait db.exec('SET search_path TO app');\nawait db.query('LISTEN jobs');\nawait db.exec('CREATE TEMP TABLE scratch (id int)');\n";
  for (const line of ["import { PGlite } from '@electric-sql/pglite';", "import { PGlite } from '@electric-sql/pglite/worker';", "import { drizzle } from 'drizzle-orm/pglite';\nimport { PGlite } from '@electric-sql/pglite';"]) {
    assert.deepEqual(rules(line + session), [], line);
    assert.deepEqual(rules(line + "\nconst db = new PGlite();\nawait db.query('SELECT * FROM WHERE id = 1');\n"), ['syntax-error'], line);
  }
  // A file that also imports a pooled driver keeps every finding: which client sends what is not followed.
  const pooled = "\nconst pool = new Pool();\nawait pool.query('SET search_path TO app');\nawait pool.query('LISTEN jobs');\n";
  assert.deepEqual(rules("import { PGlite } from '@electric-sql/pglite';\nimport { Pool } from 'pg';" + pooled), ['session-set', 'listen']);
  assert.deepEqual(rules("import { Pool } from 'pg';" + pooled), ['session-set', 'listen']);
});

test('a report query written with ClickHouse functions and sent over HTTP from a PostgreSQL script is not a PostgreSQL syntax error; a broken PostgreSQL query beside it still is', () => {
  const script = [
    "import { createPool, sql } from 'slonik';",
    "import got from 'got';",
    'async function run(body: string) { return got.post(analyticsUrl, { body, searchParams: { default_format: "JSON" } }); }',
    'export async function activeTenants() {',
    '  return run(`SELECT tenant FROM usage_by_month WHERE month >= toDate(toStartOfQuarter(now() - INTERVAL 3 MONTH)) GROUP BY tenant`);',
    '}',
    'export async function dailyVisitors() {',
    '  return run(`SELECT uniqExact(visitor) AS visitors, toYYYYMMDD(at) AS day FROM visits WHERE at > now() - INTERVAL 1 DAY GROUP BY day`);',
    '}',
    '',
  ].join('\n');
  assert.deepEqual(rules(script, 'tools/scripts/backfill.ts'), []);
  // The same mistake (an unquoted interval) without any ClickHouse function is PostgreSQL as far as anyone can tell.
  const broken = "import { Pool } from 'pg';\nconst pool = new Pool();\nawait pool.query(`SELECT tenant FROM usage WHERE at >= now() - INTERVAL 3 MONTH`);\n";
  assert.deepEqual(rules(broken, 'tools/scripts/backfill.ts'), ['syntax-error']);
});

// crowd.dev's deps.dev export: a builder returns a BigQuery script (backquoted `project.dataset.table` names, CREATE TEMP
// TABLE … CLUSTER BY, INT64, FARM_FINGERPRINT) that another module sends to BigQuery. Some of its statements parse as
// PostgreSQL (CREATE TEMP TABLE names AS SELECT …); the script as a whole is BigQuery's, so none of them is reported.
test('a query text with another engine\'s syntax in one statement (backquoted names, CLUSTER BY, INT64) is not PostgreSQL as a whole', () => {
  const script = (extra: string) => `export function buildClosureSql(day: string): string {
  return \`
DECLARE new_pairs INT64 DEFAULT 1;
CREATE TEMP TABLE names AS
SELECT DISTINCT FARM_FINGERPRINT(name) AS fp, name FROM edges;
${extra}
\`
}`;
  // Each marker alone, in a statement of its own, is enough (the backquotes escaped as the template writes them).
  for (const extra of [
    'CREATE TEMP TABLE reach AS SELECT * FROM \\`bigquery-public-data.deps_dev_v1.Dependents\\`;',
    'CREATE TEMP TABLE fe CLUSTER BY subj AS SELECT dep, subj FROM names;',
    'SELECT CAST(fp AS INT64) FROM names;',
    'SELECT ARRAY<STRING>[\'a\'] AS xs;',
  ]) assert.deepEqual(rules(script(extra)), [], extra);
  // Without them (DECLARE … INT64 is a marker too, so it goes), the CREATE TEMP TABLE is read as PostgreSQL's.
  assert.deepEqual(rules(script('SELECT 1;').replace('DECLARE new_pairs INT64 DEFAULT 1;', '')), ['temp-table']);
});

test('a backquote or an engine word inside a string, a comment or a quoted name is no marker: the text stays PostgreSQL', () => {
  const text = `import { Pool } from 'pg';
const pool = new Pool();
export async function load() {
  await pool.query(\`
    -- rows come from \\\`project.dataset.table\\\` (see the export); cluster by day there
    CREATE TEMP TABLE staging AS SELECT 'a \\\`b\\\` c' AS note, "x\\\`y" AS "cluster by";
    /* DECLARE n INT64; END WHILE */
    INSERT INTO staging SELECT 'CAST(x AS INT64)', 'array<int>', "array<" FROM src;
  \`);
}`;
  assert.deepEqual(rules(text), ['temp-table']);
});

test('a PostgreSQL column alias named bytes closing a subquery is no engine marker: the text keeps its findings', () => {
  const text = `import { Pool } from 'pg';
const pool = new Pool();
export async function sizes() {
  await pool.query(\`SET search_path TO app; WITH s AS (SELECT pg_database_size(current_database()) AS bytes) SELECT * FROM s\`);
}`;
  assert.deepEqual(rules(text), ['session-set']);
});
