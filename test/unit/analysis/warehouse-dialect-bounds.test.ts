// Where warehouse markers stop: a PostgreSQL user's own mistakes in partitioning, a comment inside valid partitioning,
// Redshift's keys (which never speak for a whole file, folder or application file) and psql's meta-commands.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, dialectOfStatement, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';

before(() => initAnalysis());

const rules = (text: string, path = 'db/schema.sql'): string[] => analyzeSql(text, undefined, path).map((f) => f.rule);

test('a partition strategy left out or misspelt is a PostgreSQL mistake: its syntax error stays, and two of them do not silence the file', () => {
  for (const statement of [
    'CREATE TABLE bookings (id bigint, booked_on date) PARTITION BY (booked_on)',
    'CREATE TABLE bookings (id bigint, booked_on date) PARTITION BY booked_on',
    'CREATE TABLE bookings (id bigint, booked_on date) PARTITION BY RANGES (booked_on)',
    'CREATE TABLE bookings (id bigint, booked_on date) PARTITION BY LISTS (booked_on)',
  ]) {
    assert.equal(dialectOfStatement(statement), undefined, statement);
    assert.deepEqual(rules(`${statement};\n`), ['syntax-error'], statement);
  }
  const schema = 'SET search_path = shop;\n'
    + 'CREATE TABLE orders (id bigint, placed date) PARTITION BY (placed);\n'
    + 'CREATE TABLE refunds (id bigint, issued date) PARTITION BY issued;\n'
    + 'CREATE TEMP TABLE work_rows (id int);\n';
  assert.deepEqual(rules(schema), ['session-set', 'syntax-error', 'syntax-error', 'temp-table']);
});

test('Vertica and BigQuery partition expressions (a cast, a date function, _PARTITIONDATE) still mark the statement', () => {
  for (const statement of [
    'CREATE TABLE hits (id INT, seen TIMESTAMP) PARTITION BY seen::DATE',
    'CREATE TABLE hits (id INT, seen TIMESTAMP) PARTITION BY ((hits.seen)::date) GROUP BY ((hits.seen)::date)',
    'CREATE TABLE hits (id INT, seen TIMESTAMP) PARTITION BY EXTRACT(year FROM seen)',
    'CREATE TABLE ds.hits (id INT64, seen TIMESTAMP) PARTITION BY TIMESTAMP_TRUNC(seen, DAY)',
    'CREATE TABLE ds.hits (id INT64) PARTITION BY _PARTITIONDATE',
  ]) assert.equal(dialectOfStatement(statement), 'analytics', statement);
});

test('a comment between PARTITION BY and its strategy is valid PostgreSQL: no mark, so the file\'s real error is reported', () => {
  for (const statement of [
    'CREATE TABLE readings (at timestamptz) PARTITION BY /* one per month */ RANGE (at)',
    'CREATE TABLE readings (at timestamptz) PARTITION BY -- one per month\n  RANGE (at)',
  ]) assert.equal(dialectOfStatement(statement), undefined, statement);
  assert.deepEqual(rules('CREATE TABLE readings (at timestamptz) PARTITION BY /* monthly */ RANGE (at);\nSELEC 1;\n'), ['syntax-error']);
});

/** The rules a file with a real error gets as the last file of a fresh folder holding `others`. */
function erroneousFileRulesAmong(t: Cleanup, others: readonly string[]): string[] {
  const folder = scratchRepository('warehouse-folder', t);
  others.forEach((text, k) => folder.write(`00${k}_step.sql`, text));
  const broken = 'SELECT name, FROM customers;\nSET search_path TO shop;\n';
  return analyzeSql(broken, undefined, folder.write('009_last.sql', broken)).map((f) => f.rule);
}

test('a folder of valid PostgreSQL files with a comment inside their partitioning keeps another file\'s real syntax error', (t) => {
  const commented = (k: number): string => `CREATE TABLE m${k} (at date) PARTITION BY /* yearly */ RANGE (at);\n`;
  assert.deepEqual(erroneousFileRulesAmong(t, [commented(1), commented(2), commented(3)]), ['syntax-error', 'session-set']);
});

test('a folder of Redshift DDL is not another dialect\'s: its other file keeps its real syntax error, as in a file', (t) => {
  const redshift = (k: number): string => `CREATE TABLE f${k} (id int ENCODE az64, day date) DISTSTYLE KEY DISTKEY (id) SORTKEY (day);\n`;
  assert.deepEqual(erroneousFileRulesAmong(t, [redshift(1), redshift(2), redshift(3)]), ['syntax-error', 'session-set']);
});

test('psql meta-commands are not SQL: `\\echo Create stage tables` marks no file Snowflake\'s, so the folder keeps its errors', (t) => {
  // (Its SET is no finding: a folder of psql scripts runs each in a session of its own, scriptFolder.ts.)
  const script = (k: number): string => `\\echo Create stage tables\nCREATE TABLE stage_${k} (id int);\n`;
  assert.deepEqual(erroneousFileRulesAmong(t, [script(1), script(2), script(3)]), ['syntax-error']);
  // Snowflake's own statements in a folder still make its unmarked files that engine's.
  const stage = (k: number): string => `CREATE STAGE raw_${k} URL = 's3://bucket/raw/';\n`;
  assert.deepEqual(erroneousFileRulesAmong(t, [stage(1), stage(2), stage(3)]), ['session-set']);
});

test('Redshift keys are table options only after a column list or a table name: sortkey(title) is a function call', () => {
  for (const statement of ['SELECT sortkey(title) FROM books ORDER BY sortkey(title) LIMT 10', 'SELECT distkey(id), FROM facts']) {
    assert.equal(dialectOfStatement(statement), undefined, statement);
  }
  for (const statement of ['CREATE TABLE facts (id int, d date) DISTKEY(id) SORTKEY(d)', 'CREATE TABLE facts SORTKEY (d) AS SELECT * FROM staging']) {
    assert.equal(dialectOfStatement(statement), 'compatible', statement);
  }
});

test('an application file sending Redshift DDL, or calling a sortkey() function, keeps its other texts\' syntax errors', () => {
  const file = (first: string): string => `import { Pool } from 'pg';\nconst pool = new Pool();\nexport const first = () => pool.query('${first}');\nexport const totals = () => pool.query('SELECT region, FROM sales');\n`;
  for (const first of ['CREATE TABLE facts (id int ENCODE zstd, d date) DISTKEY(id) SORTKEY(d)', 'SELECT * FROM books ORDER BY sortkey(title)']) {
    assert.deepEqual(embeddedFindings(file(first), 'src/report.ts'), [['syntax-error', 'FROM']], first);
  }
  // Another engine's text in the file still makes its statements that engine's (a multi-dialect suite).
  assert.deepEqual(embeddedFindings(file('CREATE TABLE t (id INT) ENGINE = InnoDB'), 'src/report.ts'), []);
});
