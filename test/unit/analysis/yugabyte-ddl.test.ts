// YugabyteDB's YSQL is PostgreSQL's grammar with a few DDL clauses of its own (tablet splitting, hash and range
// sharded keys, tablegroups). A statement using them is no PostgreSQL mistake wherever it is; the rest of that
// statement is still PostgreSQL's, so a real mistake beside such a clause keeps its syntax error, and the file's other
// statements keep all their findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, dialectOfStatement, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const findings = (text: string, path = 'scripts/demo.sql') => analyzeSql(text, undefined, path);
const rules = (text: string, path?: string): string[] => findings(text, path).map((f) => f.rule);

test('YugabyteDB tablet splitting, hash and range key columns and tablegroups get no syntax error', () => {
  for (const statement of [
    'CREATE TABLE metrics (id bigint PRIMARY KEY, v int) SPLIT INTO 8 TABLETS',
    'create table region (id smallint primary key, label text)\n  split into 1 tablets',
    'CREATE INDEX metrics_v ON metrics (v) SPLIT INTO 4 TABLETS',
    'CREATE INDEX IF NOT EXISTS orders_by_place ON public.orders ((tenant, region) HASH, id ASC)',
    "CREATE TABLE events (day date, id int, PRIMARY KEY (day ASC, id)) SPLIT AT VALUES (('2024-01-01'), ('2024-07-01'))",
    'CREATE TABLE snaps (host text, at timestamptz, PRIMARY KEY (at ASC, host))',
    'CREATE TABLE log (at timestamptz, seq int, CONSTRAINT log_pk PRIMARY KEY (at DESC, seq ASC))',
    'create table p (schemaname text, constraint p_pk primary key ( schemaname hash ))',
    'CREATE TABLE orders (tenant int, region int, id int, PRIMARY KEY ((tenant, region) HASH, id ASC))',
    'CREATE TABLE codes (code text, UNIQUE (code HASH)) SPLIT INTO 2 TABLETS',
    'CREATE TABLE grouped (id int PRIMARY KEY) TABLEGROUP small_tables',
  ]) {
    assert.equal(dialectOfStatement(statement), 'compatible', statement);
    assert.deepEqual(rules(`${statement};\n`), [], statement);
  }
});

test('a YugabyteDB statement keeps the real mistake beside its own clause, at that mistake', () => {
  const text = 'create table node (\n  host text primary key\n, cpus integer\n, mem_mb\n, disk_mb\n) split into 3 tablets;\n';
  const found = findings(text);
  assert.deepEqual(found.map((f) => f.rule), ['syntax-error']);
  assert.equal(text.slice(0, found[0].start).split('\n').length, 5, 'after the column left without a type, not at the SPLIT clause');
  assert.deepEqual(rules('CREATE TABLE t (id int, PRIMARY KEY (id ASC)) SPLIT INTO 3 TABLETS WHERE;\n'), ['syntax-error']);
});

test('YugabyteDB statements do not make the file another dialect\'s: its other statements keep their findings, and their own', () => {
  const text = 'CREATE TABLE a (id int PRIMARY KEY) SPLIT INTO 3 TABLETS;\n'
    + 'CREATE TABLE b (id int, PRIMARY KEY (id ASC));\n'
    + 'SET search_path TO app;\n'
    + 'SELECT id, FROM a;\n';
  assert.deepEqual(rules(text), ['session-set', 'syntax-error']);
  // YSQL's temporary table is a session's table as PostgreSQL's is: read past its own clause, it stays a finding.
  assert.deepEqual(rules('CREATE TEMP TABLE scratch (id int, PRIMARY KEY (id ASC)) SPLIT INTO 2 TABLETS;\n', 'db/migrations/001.sql'), ['temp-table']);
});

test('PostgreSQL that only shares these words keeps its syntax errors: a column named tablets or hash, a key list with a real mistake, a comment naming YugabyteDB', () => {
  for (const text of [
    'CREATE TABLE shards (tablets int, hash text,);\n',
    'CREATE TABLE t (a int, b int, PRIMARY KEY (a b));\n',
    'CREATE TABLE t (a int, PRIMARY KEY (a ASC,));\n',
    '-- on YugabyteDB this would say SPLIT INTO 3 TABLETS\nSELECT id, FROM t;\n',
    "SELECT 'split into 3 tablets' FROM t WHERE;\n",
    'CREATE TABLE t (id int) SPLIT INTO many TABLETS;\n',
  ]) {
    assert.deepEqual(rules(text), ['syntax-error'], text);
  }
  for (const statement of ['SELECT hash, tablets FROM shards ORDER BY hash ASC', 'CREATE INDEX i ON t (a DESC)', 'CREATE TABLE t (a int, PRIMARY KEY (a))']) {
    assert.equal(dialectOfStatement(statement), undefined, statement);
  }
});
