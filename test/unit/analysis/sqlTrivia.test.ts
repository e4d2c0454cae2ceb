// The one pattern of the blanks and comments before a SQL statement (sqlTrivia.ts), and the expressions built on it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LEADING_SQL_TRIVIA, leadingTrivia } from '../../../server/analysis/sqlTrivia';
import { dialectOfStatement, initAnalysis, looksLikePgDump } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { runNodeWithCpuBudget } from '../../helpers/cpuDeadline';

before(() => initAnalysis());

test('leading trivia covers blanks, line comments to their newline and block comments to their first end', () => {
  const cases: [string, string][] = [
    ['  \n\t', 'SELECT 1'],
    ['-- first\n--\n-----------\n', 'DELETE FROM t'],
    ['/* one */ /** two **/\n/*\n * three\n */', 'SELECT 1'],
    ['-- a -- b /* not a block */\n/* x -- not a line */ ', 'UPDATE t SET a = 1'],
    ['', 'SELECT 1'],
  ];
  for (const [trivia, statement] of cases) assert.equal(leadingTrivia(trivia + statement), trivia.length, JSON.stringify(trivia));
  // A line comment at the very end of the text, with no newline, is trivia too.
  assert.equal(leadingTrivia('  -- only a comment'), '  -- only a comment'.length);
});

test('what is no trivia stops it: an unterminated block comment, a statement word, a lone dash or slash', () => {
  assert.equal(leadingTrivia('/* never closed\nSELECT 1'), 0);
  assert.equal(leadingTrivia('  /* closed */ /* open\nSELECT 1'), '  /* closed */ '.length);
  assert.equal(leadingTrivia('- 1'), 0);
  assert.equal(leadingTrivia('/ 2'), 0);
  // A block comment ends at its first `*/`: what follows is not inside it.
  assert.equal(leadingTrivia('/* a */ SELECT 1 /* b */'), '/* a */ '.length);
});

test('the spliced pattern keeps its meaning under the multiline flag: a line comment ends at its newline, not before it', () => {
  const underM = new RegExp(`^${LEADING_SQL_TRIVIA}SELECT`, 'm');
  assert.ok(underM.test('-- c\nSELECT 1'));
  assert.ok(!underM.test('-- c\nDELETE FROM t'));
});

test('the expressions spliced from it: function definitions, pg_dump preambles and other engines\' SET still read after comments', () => {
  const defined = stateFunctionIndex([{ path: '/w/db/f.sql', text: '/* setup */\n-- the tenant\nCREATE FUNCTION set_tenant(t text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM set_config(\'app.tenant\', t, false); END $$;\n' }]);
  assert.deepEqual([...defined.keys()], ['set_tenant']);
  // A statement that is no definition, after the same comments, defines nothing.
  assert.equal(stateFunctionIndex([{ path: '/w/db/g.sql', text: '/* setup */\n-- x\nSELECT set_config(\'app.tenant\', \'a\', false);\n' }]).size, 0);
  assert.ok(looksLikePgDump("-- exported\n\n/* schema */\nSET statement_timeout = 0;\n\n\nSET client_encoding = 'UTF8';\nCREATE TABLE t (id int);\n"));
  assert.ok(!looksLikePgDump("-- exported\n\nSET statement_timeout = 0;\nCREATE TABLE t (id int);\nSET client_encoding = 'UTF8';\n"));
  assert.equal(dialectOfStatement("-- step\n/* vars */\nSET total = price * 2"), 'analytics');
  assert.equal(dialectOfStatement("-- step\n/* vars */\nSET search_path = app"), undefined);
});

test('every expression built on the trivia pattern is linear in long runs of blanks, dashes and block comments', async () => {
  // A child with a CPU budget: an exponential backtrack never yields to a timer in-process.
  const out = join(__dirname, '..', '..', '..', 'server');
  const script = [
    `const { initAnalysis, dialectOfStatement, looksLikePgDump } = require(${JSON.stringify(join(out, 'analysis', 'index.js'))});`,
    `const { stateFunctionIndex } = require(${JSON.stringify(join(out, 'analysis', 'stateFunctions.js'))});`,
    `const { leadingTrivia } = require(${JSON.stringify(join(out, 'analysis', 'sqlTrivia.js'))});`,
    "const runs = ['/**/'.repeat(5000), '-'.repeat(20000) + '\\n', ' \\n'.repeat(20000), '/* a */ -- b\\n'.repeat(3000), '\\n'.repeat(4000)];",
    '(async () => {',
    '  await initAnalysis();',
    '  const started = Date.now();',
    '  for (const run of runs) {',
    "    dialectOfStatement(run + 'DELETE FROM t');",
    "    looksLikePgDump(run + 'SET statement_timeout = 0;\\n' + run + 'SELECT 1;');",
    "    stateFunctionIndex([{ path: '/w/f.sql', text: run + 'select 1;' }]);",
    "    leadingTrivia(run + '/* open');",
    '  }',
    '  console.log(Date.now() - started);',
    '})();',
  ].join('\n');
  const run = await runNodeWithCpuBudget(['-e', script], { cpuMs: 60_000 });
  assert.equal(run.killed, undefined, 'the child finished within its CPU budget');
  assert.equal(run.status, 0, run.stderr);
});
