// A query file written for several server versions keeps each version's lines in tagged line comments
// (`-- 13_AND_LATER …`, `-- 12_AND_EARLIER …`) that its loader uncomments: the text sent parses, so no
// syntax error; a mistake no variant repairs, or a lone tagged comment, is still reported.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { versionVariant } from '../../../server/analysis/versionComments';

before(() => initAnalysis());

const rules = (sql: string): string[] => analyzeSql(sql).map((f) => f.rule);

// The select list ends in a comma: one of the tagged lines below completes it.
const TEMPLATE = [
  'SELECT c.relname,',
  '  c.relkind,',
  '  -- 13_AND_LATER c.relrewrite AS rewritten',
  '  -- 12_AND_EARLIER 0::oid AS rewritten',
  'FROM pg_class c',
  'WHERE c.relnamespace = 2200;',
].join('\n');

test('a query whose version-tagged comment lines complete it gets no syntax error', () => {
  assert.deepEqual(rules(TEMPLATE), []);
});

test('the variant keeps every offset and uncomments only the first tag that parses', () => {
  const statement = TEMPLATE.slice(0, -1);
  const variant = versionVariant(statement, (text) => !text.includes('-- 13_AND_LATER') && text.includes('relrewrite AS'));
  assert.ok(variant);
  assert.equal(variant.length, statement.length);
  assert.match(variant, /^\s+c\.relrewrite AS rewritten$/m);
  assert.match(variant, /-- 12_AND_EARLIER 0::oid/);
  assert.equal(versionVariant(statement, () => false), undefined);
});

test('hazards in the uncommented variant are still found', () => {
  const sql = [
    'SELECT id,',
    '  -- PG_14_PLUS pg_advisory_lock(id) AS locked',
    '  -- PG_13_MINUS pg_advisory_lock(id::bigint) AS locked',
    'FROM jobs;',
  ].join('\n');
  assert.deepEqual(rules(sql), ['advisory-lock']);
});

test('a mistake no variant repairs is still reported', () => {
  // The misspelt FORM is outside the tagged lines: neither variant parses.
  assert.deepEqual(rules(TEMPLATE.replace('FROM pg_class', 'FORM pg_class')), ['syntax-error']);
});

test('a lone tagged comment, or prose comments, are no template: a trailing comma before them is reported', () => {
  const lone = 'SELECT a,\n  -- 13_AND_LATER b\nFROM t;';
  assert.deepEqual(rules(lone), ['syntax-error']);
  const prose = 'SELECT a,\n  -- TODO: b is gone\n  -- Keep in sync with the view\nFROM t;';
  assert.deepEqual(rules(prose), ['syntax-error']);
  // Upper-case words without an underscore (a shouted note) are no tag either.
  const shouted = 'SELECT a,\n  -- IMPORTANT b\n  -- IMPORTANT c\nFROM t;';
  assert.deepEqual(rules(shouted), ['syntax-error']);
});
