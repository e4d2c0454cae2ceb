// A .sql file that holds the body of a PL/pgSQL block (`begin … end`), which the program running it wraps as
// `DO $$ … $$` first, and a `$name$` template placeholder that the program replaces before sending: neither is a
// whole statement as written, so neither gets a syntax error; the statements of the body are read as a DO block's.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, SqlAnalyzer } from '../../../server/analysis/index';

before(() => initAnalysis());

const rules = (text: string) => analyzeSql(text).map((f) => f.rule);

const BODY = [
  'begin',
  '  -- take the lock before copying the rows',
  '  lock table old_items;',
  '  create table items as select * from old_items;',
  '  grant select, insert on items to $role_prefix$_service;',
  '  drop table old_items;',
  '  revoke select on items from $role_prefix$_reader;',
  'end',
  '',
].join('\n');

test('a file holding a block body (begin, statements ending with ;, end) gets no syntax error', () => {
  assert.deepEqual(rules(BODY), []);
  assert.deepEqual(rules(BODY.replace('\nend\n', '\nend;\n')), []);
  assert.deepEqual(new SqlAnalyzer().analyze(BODY), [], 'the language server reads it the same way');
});

test('a body with a declare section before its begin is read as a block body too', () => {
  const declared = 'declare\n  total integer;\nbegin\n  select count(*) into total from items;\n  update stats set n = total;\nend\n';
  assert.deepEqual(rules(declared), []);
});

test('a session SET inside a block-body file is reported as it is inside a DO block, at its place in the file', () => {
  const body = 'begin\n  set search_path to app;\n  insert into audit values (1);\nend\n';
  const asDo = analyzeSql(`DO $$\n${body}$$;\n`);
  assert.ok(asDo.length > 0, 'the DO block is reported');
  const found = analyzeSql(body);
  assert.deepEqual(found.map((f) => f.rule), asDo.map((f) => f.rule));
  assert.equal(body.slice(found[0].start, found[0].end).toLowerCase().startsWith('set search_path'), true, 'the finding points at the SET');
});

test('statements between two uses of a $name$ placeholder are still read (the placeholder opens no string)', () => {
  const body = 'begin\n  grant select on items to $role_prefix$_service;\n  set search_path to app;\n  grant select on stats to $role_prefix$_service;\nend\n';
  const found = analyzeSql(body);
  assert.deepEqual(found.map((f) => f.rule), ['session-set']);
  assert.ok(body.slice(found[0].start, found[0].end).startsWith('set search_path'));
});

test('a transaction written with BEGIN; (or BEGIN WORK, BEGIN TRANSACTION) keeps its real syntax errors', () => {
  assert.deepEqual(rules('BEGIN;\nSELECT FROM WHERE;\nEND;\n'), ['syntax-error']);
  assert.deepEqual(rules('BEGIN TRANSACTION\n  ISOLATION LEVEL SERIALIZABLE;\nSELEC 1;\nCOMMIT;\n'), ['syntax-error']);
  assert.deepEqual(rules('begin work;\nselect 1 from;\nend;\n'), ['syntax-error']);
});

test('a begin whose last statement before end has no ; is no block body, nor is one without an end: both keep their syntax error', () => {
  // A transaction written without semicolons is broken SQL, and no PL/pgSQL body either (a body's statements end with ;).
  assert.deepEqual(rules('BEGIN\nDECLARE c CURSOR FOR select * from pg_database\nFETCH ALL in c\nEND\n'), ['syntax-error']);
  assert.deepEqual(rules('begin\n  update items set n = 1;\n  delete from stats;\n'), ['syntax-error']);
});

test('a dollar quote is a string, not a placeholder, when its closing tag ends a text (a routine body keeps its checks)', () => {
  // `$q$select` opens a string glued to its first word; the closing `$q$` follows a name character: a real quote.
  const routine = 'CREATE FUNCTION f() RETURNS void AS $fn$BEGIN SET search_path TO app; END$fn$ LANGUAGE plpgsql;\nSELECT f();\n';
  assert.deepEqual(rules(routine), rules(routine.replace('$fn$BEGIN', '$fn$ BEGIN')));
  assert.deepEqual(rules("SELECT $q$a string$q$ FROM;\n"), ['syntax-error']);
});
