// A TextMate grammar test (vscode-tmgrammar-test: a first line `-- SYNTAX TEST "source.sql" …`, then pieces of SQL with
// `-- ^^^ scope` assertion lines under them) is read by the highlighting test, never sent to PostgreSQL: its fragments
// get no syntax error. The same fragment in any other SQL file is still checked.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const GRAMMAR_TEST = [
  '-- SYNTAX TEST "source.pgsql" "keywords and names"',
  '',
  'select 1;',
  '-- <------ keyword.other.pgsql',
  '',
  'create function x',
  '-- <------ keyword.other.create.pgsql',
  '--              ^ entity.name.function.pgsql',
  '',
].join('\n');

test('a TextMate grammar test file (first line -- SYNTAX TEST "scope") gets no syntax error for its fragments', (t) => {
  const repo = scratchRepository('grammar-test-file', t);
  const file = repo.write('editor/test/syntax/pgsql.test.sql', GRAMMAR_TEST);
  assert.deepEqual(analyzeSql(GRAMMAR_TEST, {}, file).map((f) => f.rule), []);
});

test('the same fragment without that first line, or with the words further down, is still a syntax error', (t) => {
  const repo = scratchRepository('grammar-test-file-plain', t);
  const plain = GRAMMAR_TEST.split('\n').slice(1).join('\n');
  const file = repo.write('editor/test/syntax/plain.sql', plain);
  assert.deepEqual(analyzeSql(plain, {}, file).map((f) => f.rule), ['syntax-error']);
  const later = `select 2;\n${GRAMMAR_TEST}`;
  const other = repo.write('editor/test/syntax/later.sql', later);
  assert.deepEqual(analyzeSql(later, {}, other).map((f) => f.rule), ['syntax-error']);
});
