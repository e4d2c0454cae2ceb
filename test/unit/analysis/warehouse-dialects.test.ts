// DDL of warehouse engines (Vertica, Snowflake, Hive/Spark, Teradata, BigQuery) and of Redshift, written in syntax
// PostgreSQL rejects, is known by that syntax with no engine name in the path: no false syntax errors. PostgreSQL text
// that only shares their words keeps its real errors.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, dialectOfStatement, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const rules = (text: string, path = 'db/schema.sql'): string[] => analyzeSql(text, undefined, path).map((f) => f.rule);

test('Vertica projections, segmentation, column encodings and expression partitioning mark a statement as another engine\'s', () => {
  for (const statement of [
    'CREATE PROJECTION sales_p (id, amount) AS SELECT id, amount FROM sales ORDER BY id SEGMENTED BY HASH(id) ALL NODES KSAFE 1',
    'CREATE TABLE IF NOT EXISTS events (id INT, kind VARCHAR(20) ENCODING RLE) ORDER BY id SEGMENTED BY HASH(id) ALL NODES',
    'CREATE TABLE lookup (code INT, label VARCHAR(40)) UNSEGMENTED ALL NODES',
    'CREATE TABLE visits (id INT, seen TIMESTAMP) PARTITION BY seen::DATE GROUP BY calendar_hierarchy_day(seen::DATE, 2, 2)',
    'CREATE TABLE ds.clicks (id INT64, at TIMESTAMP) PARTITION BY DATE(at)',
  ]) {
    assert.equal(dialectOfStatement(statement), 'analytics', statement);
    assert.deepEqual(rules(`${statement};\n`), [], statement);
  }
});

test('a Vertica DDL file (tables PostgreSQL parses beside projections it does not) gets no findings at all', () => {
  const vertica = 'CREATE TABLE staging.orders (id INT NOT NULL, placed TIMESTAMP);\n'
    + 'CREATE PROJECTION staging.orders_p (id, placed) AS SELECT id, placed FROM staging.orders ORDER BY id SEGMENTED BY hash(id) ALL NODES;\n'
    + 'CREATE TABLE dwh.h_orders (hk BIGINT PRIMARY KEY, load_dt DATETIME) ORDER BY load_dt SEGMENTED BY hk ALL NODES PARTITION BY load_dt::date;\n'
    + 'CREATE TABLE dwh.s_orders (hk BIGINT, total NUMERIC(12, 2)) PARTITION BY ((load_dt)::date) GROUP BY (CASE WHEN true THEN 1 END);\n';
  assert.deepEqual(rules(vertica), []);
});

test('Snowflake objects, Hive/Spark storage clauses and Teradata tables mark a statement as another engine\'s', () => {
  for (const statement of [
    "CREATE OR REPLACE STAGE raw_stage URL = 's3://bucket/raw/'",
    "CREATE WAREHOUSE reporting WITH WAREHOUSE_SIZE = 'SMALL'",
    'CREATE OR REPLACE FILE FORMAT csv_fmt TYPE = CSV',
    'CREATE TASK nightly WAREHOUSE = reporting AS CALL refresh()',
    'CREATE TABLE logs (line STRING) STORED AS PARQUET',
    "CREATE TABLE logs (line STRING) PARTITIONED BY (day STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY ','",
    "CREATE TABLE logs (line STRING) TBLPROPERTIES ('retention' = '7')",
    'CREATE MULTISET TABLE sales (id INTEGER) PRIMARY INDEX (id)',
  ]) {
    assert.equal(dialectOfStatement(statement), 'analytics', statement);
    assert.deepEqual(rules(`${statement};\n`), [], statement);
  }
});

test('Redshift distribution and sort keys and ENCODE skip their statement alone: the file keeps its pooling findings', () => {
  for (const statement of [
    'CREATE TABLE facts (id INT ENCODE az64, day DATE) DISTSTYLE KEY DISTKEY (id) SORTKEY (day)',
    'CREATE TABLE dims (id INT) DISTSTYLE ALL',
    'CREATE TABLE hits (id INT, at TIMESTAMP) COMPOUND SORTKEY (at, id)',
    'CREATE TABLE notes (body VARCHAR(200) ENCODE zstd)',
  ]) {
    assert.equal(dialectOfStatement(statement), 'compatible', statement);
    assert.deepEqual(rules(`${statement};\n`), [], statement);
  }
  // Two Redshift tables do not make the file another dialect's, as two Vertica ones would.
  const redshift = 'CREATE TABLE a (id INT) DISTSTYLE EVEN;\nCREATE TABLE b (id INT) DISTKEY (id);\nSET search_path TO app;\n';
  assert.deepEqual(rules(redshift), ['session-set']);
});

test('PostgreSQL that shares these words keeps its real syntax errors: columns named segmented, distkey or encoding, a comment naming Redshift or Vertica, window PARTITION BY, PostgreSQL partitioning', () => {
  for (const text of [
    'CREATE TABLE parts (segmented boolean, distkey int, sortkey int, encoding text,);\n',
    '-- Loaded into Redshift later with DISTKEY (id); Vertica would use SEGMENTED BY\nSELECT id, FROM orders;\n',
    "SELECT 'CREATE PROJECTION p', 'STORED AS PARQUET' FROM t WHERE;\n",
    'SELECT rank() OVER (PARTITION BY region ORDER BY total) FROM sales WHERE;\n',
    'CREATE TABLE measurements (at date, v int) PARTITION BY RANGE (at) WITH;\n',
    "CREATE DATABASE app ENCODING 'UTF8' OWNER;\n",
    'SELECT encode(data, \'hex\'), FROM blobs;\n',
  ]) {
    assert.deepEqual(rules(text), ['syntax-error'], text);
  }
  for (const statement of ['SELECT rank() OVER (PARTITION BY region) FROM sales', 'CREATE TABLE m (at date) PARTITION BY RANGE (at)', 'CREATE TABLE m (k int) PARTITION BY hash (k)', 'SELECT segmented, distkey FROM parts ORDER BY segmented']) {
    assert.equal(dialectOfStatement(statement), undefined, statement);
  }
});

test('a stream engine\'s string-keyed connector options (WITH (\'connector\' = …)) mark its tables and views as another engine\'s', () => {
  const pipeline = "CREATE TABLE clicks (user_id INT, url VARCHAR) WITH (\n  'connector' = 'kafka',\n  'topic' = 'clicks'\n);\n"
    + "CREATE MATERIALIZED VIEW clicks_per_user WITH ('connectors' = '[{\"transport\": {\"name\": \"delta_table_output\"}}]')\n"
    + 'AS SELECT user_id, count(*) AS n FROM clicks GROUP BY user_id;\n'
    + 'CREATE INDEX clicks_per_user_idx ON clicks_per_user(user_id);\n';
  assert.deepEqual(rules(pipeline, 'pipelines/clicks.sql'), []);
  assert.equal(dialectOfStatement("CREATE TABLE t (id INT) WITH ('connector' = 'datagen')"), 'analytics');
});

test('PostgreSQL\'s WITH option lists keyed by names, and a string-keyed list inside a string, keep their real syntax errors', () => {
  for (const text of [
    'CREATE TABLE hot (id int) WITH (fillfactor = 70),;\n',
    "COPY hot FROM '/tmp/hot.csv' WITH (FORMAT csv, DELIMITER ',') WHERE;\n",
    "SELECT 'CREATE TABLE t (id int) WITH (''connector'' = ''kafka'')' FROM t WHERE;\n",
  ]) {
    assert.deepEqual(rules(text), ['syntax-error'], text);
  }
  assert.equal(dialectOfStatement('CREATE TABLE hot (id int) WITH (fillfactor = 70)'), undefined);
});
