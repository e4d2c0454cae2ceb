// Long runs of blank lines are read in linear time. A multiline expression (`m` flag) that opens with `^\s*` tries
// every line start of a blank run and runs to its end from each: quadratic. The other-dialect test reads whole
// files (each .sql file of a folder when one of them has a syntax error, up to 256 KB each), where a file of
// blank lines cost minutes; such an expression now takes a line's own blanks only (`^[^\S\n]*`).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, dialectOfStatement, initAnalysis } from '../../../server/analysis/index';
import { statementsAfterBlankLine } from '../../../server/analysis/statementStart';
import { scratchRepository } from '../../helpers/scratch';
import { runNodeWithCpuBudget } from '../../helpers/cpuDeadline';

before(() => initAnalysis());

test("line-anchored marks of other dialects are still found after blank lines: SQL Server's GO and [names], Oracle's /, MySQL's DELIMITER and DROP INDEX … ON", () => {
  const blanks = '\n\n  \n\t\n';
  assert.equal(dialectOfStatement(`SELECT 1${blanks}  GO  ${blanks}SELECT 2`), 'sqlserver');
  assert.equal(dialectOfStatement(`SELECT 1\r\n\r\nGO\r\nSELECT 2`), 'sqlserver');
  assert.equal(dialectOfStatement(`SELECT 1\r\rGO\rSELECT 2`), 'sqlserver');
  assert.equal(dialectOfStatement(`CREATE TABLE t (${blanks}  [id] int${blanks})`), 'sqlserver');
  assert.equal(dialectOfStatement(`BEGIN NULL; END;${blanks} /${blanks}`), 'oracle');
  assert.equal(dialectOfStatement(`${blanks}  DELIMITER $$${blanks}`), 'mysql');
  assert.equal(dialectOfStatement(`${blanks}DROP INDEX idx_a ON items`), 'mysql');
});

test('the same words not alone on their line, or not opening it, mark no other dialect', () => {
  assert.equal(dialectOfStatement('SELECT 1\nGO home\nSELECT 2'), undefined);
  assert.equal(dialectOfStatement('SELECT a / b\nFROM t'), undefined);
  assert.equal(dialectOfStatement('SELECT 1 -- GO\n'), undefined);
  assert.equal(dialectOfStatement('SELECT 1;\nx DELIMITER $$'), undefined);
  assert.equal(dialectOfStatement('DROP INDEX idx_a;\n'), undefined);
});

test('a PostgreSQL folder whose files hold long blank runs still reports a real syntax error', (t) => {
  const folder = scratchRepository('blank-runs', t);
  folder.write('001_blank.sql', `${'\n'.repeat(2000)}CREATE TABLE a (id int);\n`);
  folder.write('002_blank.sql', `CREATE TABLE b (id int);\n${' \n'.repeat(2000)}`);
  const broken = 'CREATE TABLE c (id int,, name text);\nSET search_path TO app;\n';
  assert.deepEqual(analyzeSql(broken, undefined, folder.write('003_broken.sql', broken)).map((f) => f.rule), ['syntax-error', 'session-set']);
});

test('other-dialect tests over whole files of blank lines or ruled comment lines finish in linear time (a child with a CPU budget)', async () => {
  const index = join(__dirname, '..', '..', '..', 'server', 'analysis', 'index.js');
  const script = [
    `const { analyzeSql, dialectOfStatement, initAnalysis } = require(${JSON.stringify(index)});`,
    "const { mkdtempSync, writeFileSync } = require('node:fs');",
    "const { join } = require('node:path');",
    "const { tmpdir } = require('node:os');",
    '(async () => {',
    '  await initAnalysis();',
    "  const runs = ['\\n'.repeat(120000), '\\r\\n'.repeat(60000), '\\r'.repeat(120000), ' \\t\\n'.repeat(40000)];",
    "  for (const run of runs) dialectOfStatement(run + 'SELECT 1');",
    // A file with a syntax error makes its folder's other files read whole.
    "  const folder = mkdtempSync(join(tmpdir(), 'poolsafe-blank-runs-'));",
    "  writeFileSync(join(folder, 'a.sql'), '\\n'.repeat(200000) + 'SELECT 1;\\n');",
    // A migration that opens with ruled comment lines (a line of dashes under and over a title) and no SET.
    "  writeFileSync(join(folder, 'c.sql'), ('-- ' + '-'.repeat(70) + '\\n-- Accounts\\n').repeat(30) + 'CREATE TABLE accounts (id int);\\n');",
    "  const broken = join(folder, 'b.sql');",
    "  console.log(analyzeSql('SELECT (1;\\n', undefined, broken).map((f) => f.rule).join(','));",
    '})();',
  ].join('\n');
  const run = await runNodeWithCpuBudget(['-e', script], { cpuMs: 30_000 });
  assert.equal(run.killed, undefined, 'the child finished within its CPU budget');
  assert.equal(run.stdout.trim(), 'syntax-error');
});

// A bundle wraps a whole program in one function: thousands of `var`s and functions in one scope. The flow read a
// let/var's assignments by walking its whole scope once per use, quadratic in the file's size (a 400 KB bundle took
// a minute); it now walks each scope once.
test('a bundle-shaped file (one wrapper function, thousands of vars read where queries are built) is analysed in linear time (a child with a CPU budget)', async () => {
  const index = join(__dirname, '..', '..', '..', 'server', 'analysis', 'index.js');
  const script = [
    `const { analyze, initAnalysis } = require(${JSON.stringify(index)});`,
    '(async () => {',
    '  await initAnalysis();',
    "  const lines = [\"const pg = require('pg');\", '(function () {', '  var pool = new pg.Pool();'];",
    '  for (let i = 0; i < 3000; i++) {',
    "    lines.push('  var text' + i + \" = 'SELECT id FROM items WHERE a = ' + \" + i + ';');",
    "    lines.push('  function load' + i + '(x) { var q = text' + i + \"; if (x) q += ' AND b = 1'; count\" + (i % 7) + \"++; return pool.query(q + ' LIMIT 10'); }\");",
    '  }',
    // One query whose text does reach a finding through a var and its += (the flow still runs).
    "  lines.push(\"  async function tx() { var s = 'SET search_'; s += 'path TO app'; await pool.query(s); }\", '})();');",
    "  console.log(analyze(lines.join('\\n'), 'javascript', undefined, '/tmp/bundle.js').map((f) => f.rule).join(','));",
    '})();',
  ].join('\n');
  const run = await runNodeWithCpuBudget(['-e', script], { cpuMs: 20_000 });
  assert.equal(run.killed, undefined, 'the child finished within its CPU budget');
  assert.equal(run.stdout.trim(), 'session-set');
});

// A call that takes a callback (`rows.forEach((row) => …)`) is asked whether it is a helper that rolls the
// callback's transaction back (rolledBackCallbacks.ts): the helper was looked for among the file's top-level
// statements once per such call, quadratic in a long flat module (16,000 of each took ~25 s); they are now read once.
test('a long module with thousands of top-level statements and of calls taking a callback is analysed in linear time (a child with a CPU budget)', async () => {
  const index = join(__dirname, '..', '..', '..', 'server', 'analysis', 'index.js');
  const script = [
    `const { analyze, initAnalysis } = require(${JSON.stringify(index)});`,
    '(async () => {',
    '  await initAnalysis();',
    "  const lines = [\"const pg = require('pg');\", 'const pool = new pg.Pool();'];",
    "  for (let i = 0; i < 16000; i++) lines.push('const limit' + i + ' = ' + i + ';');",
    "  lines.push('function load(rows) {');",
    "  for (let i = 0; i < 16000; i++) lines.push('  rows.forEach((row) => row.n' + i + '++);');",
    "  lines.push('}', \"async function tx() { await pool.query('SET search_path TO app'); }\");",
    "  console.log(analyze(lines.join('\\n'), 'javascript', undefined, '/tmp/callbacks.js').map((f) => f.rule).join(','));",
    '})();',
  ].join('\n');
  const run = await runNodeWithCpuBudget(['-e', script], { cpuMs: 12_000 });
  assert.equal(run.killed, undefined, 'the child finished within its CPU budget');
  assert.equal(run.stdout.trim(), 'session-set');
});

test('a statement keyword opening a line counts as a start after a blank line, or after comment lines that follow one; not after a plain line break', () => {
  const starts = (text: string) => statementsAfterBlankLine(text).map((at) => text.slice(at, at + 6));
  assert.deepEqual(starts('SELECT 1\n\nSELECT 2\n  \r\n  LISTEN a\n\n-- name: x\n-- more\nDELETE FROM t'), ['SELECT', 'LISTEN', 'DELETE']);
  assert.deepEqual(starts('SELECT 1\nSELECT 2\n\nx SELECT 3\n\nselector\n\n-- c\ny\nSELECT 4'), []);
  assert.deepEqual(starts('\nSELECT 1'), [], 'a blank first line follows no line');
});

// A statement that does not parse is cut at blank lines before statement keywords (a query log without semicolons): the
// expression that found those lines ran from every line break of a blank run to its end, 12 s for 25 KB of blank lines.
test('a broken statement holding 200 KB of blank lines is read in linear time (a child with a CPU budget)', async () => {
  const index = join(__dirname, '..', '..', '..', 'server', 'analysis', 'index.js');
  const script = [
    `const { analyzeSql, initAnalysis } = require(${JSON.stringify(index)});`,
    '(async () => {',
    '  await initAnalysis();',
    "  const blanks = ['\\n', '\\n \\t', '\\n\\n-- note\\n'].map((unit) => unit.repeat(Math.ceil(200000 / unit.length)));",
    "  console.log(blanks.map((run) => analyzeSql('SELECT (1' + run + 'FROM t;\\n').map((f) => f.rule).join(',')).join(' '));",
    '})();',
  ].join('\n');
  const run = await runNodeWithCpuBudget(['-e', script], { cpuMs: 20_000 });
  assert.equal(run.killed, undefined, 'the child finished within its CPU budget');
  assert.equal(run.stdout.trim(), 'syntax-error syntax-error syntax-error');
});

// A function body's comments are stripped before its calls are read (load balancing): each `/*` with no `*/` after it
// looked for one to the end of the body, quadratic in their number (400 KB of them: ~30 s).
test('a function body full of unclosed /* is read in linear time, closed comments still hide calls (a child with a CPU budget)', async () => {
  const out = join(__dirname, '..', '..', '..', 'server', 'analysis');
  const script = [
    `const { initAnalysis } = require(${JSON.stringify(join(out, 'index.js'))});`,
    `const { balancingFacts } = require(${JSON.stringify(join(out, 'balancingFacts.js'))});`,
    '(async () => {',
    '  await initAnalysis();',
    "  const body = 'SELECT a() /* b() */ ' + '/* '.repeat(140000) + ' c()';",
    "  console.log(balancingFacts('CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ ' + body + ' $$;').definesFunction.fn.calls.join(','));",
    '})();',
  ].join('\n');
  const run = await runNodeWithCpuBudget(['-e', script], { cpuMs: 10_000 });
  assert.equal(run.killed, undefined, 'the child finished within its CPU budget');
  assert.equal(run.stdout.trim(), 'a,c');
});

// Whether a query's receiver is a client of a server the code started itself (ownServerClients.ts) is asked at each
// named query config; the verdict was cached per use of the name, and each use walked the variable's whole scope
// for its assignments, so a module with one top-level client and thousands of calls on it was quadratic (4,000
// calls took ~24 s). The verdict is now kept per declaration, and the assignments come from the flow's one walk per
// scope. Whether a client's URL is a direct one (directUrls.ts) was likewise read from the whole file per query
// (8,000 calls on a client of `process.env.DATABASE_URL` took ~25 s); it is now answered once per creation.
test('thousands of named query configs on one top-level client, of a pooled server, of one the code started or of a URL setting, are analysed in linear time (a child with a CPU budget)', async () => {
  const index = join(__dirname, '..', '..', '..', 'server', 'analysis', 'index.js');
  const script = [
    `const { analyze, initAnalysis } = require(${JSON.stringify(index)});`,
    '(async () => {',
    '  await initAnalysis();',
    '  const calls = [];',
    "  for (let i = 0; i < 4000; i++) calls.push(\"  await client.query({ name: 'item-\" + i + \"', text: 'SELECT id FROM items WHERE id = $1', values: [id] });\");",
    "  const body = ['async function load(id) {', ...calls, '}'];",
    "  const pooled = [\"const pg = require('pg');\", 'const client = new pg.Client();', ...body].join('\\n');",
    "  const own = [\"import pg from 'pg';\", \"import { PostgreSqlContainer } from '@testcontainers/postgresql';\",",
    "    'const container = await new PostgreSqlContainer().start();',",
    "    'const client = new pg.Client({ connectionString: container.getConnectionUri() });', ...body].join('\\n');",
    // A word of a pooler in the file (here a comment) makes the direct-URL check read the text; twice the calls.
    "  const fromSetting = [own.replace('container.getConnectionUri()', 'process.env.DATABASE_URL'), '// no pooler in front', 'async function more(id) {', ...calls, '}'].join('\\n');",
    "  const count = (findings) => findings.filter((f) => f.rule === 'protocol-prepared-statement').length;",
    "  console.log(count(analyze(pooled, 'javascript', undefined, '/tmp/many-queries.js')), count(analyze(own, 'typescript', undefined, '/tmp/many-queries.test.ts')),",
    "    count(analyze(fromSetting, 'typescript', undefined, '/tmp/many-queries-of-setting.test.ts')));",
    '})();',
  ].join('\n');
  const run = await runNodeWithCpuBudget(['-e', script], { cpuMs: 15_000 });
  assert.equal(run.killed, undefined, 'the child finished within its CPU budget');
  assert.equal(run.stdout.trim(), '4000 0 8000');
});

// Strings and comments are blanked before keywords are read (a function body's flow, placeholders, other dialects):
// the expression that found them looked for the end of each `/*` or `$tag$` to the end of the text when none
// closed it, quadratic in their number (150 KB of unclosed `/* `: 4.3 s; of distinct `$tag$`: 8.9 s).
test('a statement full of unclosed /* or of $tags$ that never close is read in linear time (a child with a CPU budget)', async () => {
  const index = join(__dirname, '..', '..', '..', 'server', 'analysis', 'index.js');
  const script = [
    `const { analyzeSql, initAnalysis } = require(${JSON.stringify(index)});`,
    '(async () => {',
    '  await initAnalysis();',
    "  const head = 'SELECT $x FROM t WHERE a = 1 ';",
    "  const comments = head + '/* '.repeat(100000);",
    "  const tags = head + Array.from({ length: 60000 }, (_, i) => '$' + i.toString(36) + '$ ').join('');",
    "  console.log([comments, tags].map((text) => analyzeSql(text).map((f) => f.rule).join(',') || 'none').join(' '));",
    '})();',
  ].join('\n');
  const run = await runNodeWithCpuBudget(['-e', script], { cpuMs: 10_000 });
  assert.equal(run.killed, undefined, 'the child finished within its CPU budget');
  assert.equal(run.stdout.trim(), 'none none');
});

// A PowerShell script's block comments were blanked by `<#[\s\S]*?#>`, which runs from each `<#` to the text's end when
// no `#>` follows: quadratic (a 256 KB script of `<#` took 15 s). They are now found by one scan (windowsScripts.ts).
test('a PowerShell script of many unclosed block-comment marks is read in linear time (a child with a CPU budget)', async () => {
  const windows = join(__dirname, '..', '..', '..', 'server', 'analysis', 'windowsScripts.js');
  const script = [
    `const { windowsScriptAsShell } = require(${JSON.stringify(windows)});`,
    "const text = '<#'.repeat(128 * 1024) + '\\npsql -f sql\\\\seed.sql\\n';",
    "console.log(windowsScriptAsShell('load.ps1', text).includes('psql -f sql/seed.sql'));",
  ].join('\n');
  const run = await runNodeWithCpuBudget(['-e', script], { cpuMs: 3_000 });
  assert.equal(run.killed, undefined, 'the child finished within its CPU budget');
  assert.equal(run.stdout.trim(), 'true');
});

// Session 36 (mend41a): a program that lists a folder on every line was read as lines × 60 × 60 (each listing scanned
// the 60 lines after it, and for each read there built a pattern and scanned the rest); the reads and sends of a
// program are now read once, and each listing answered from them (programSentDumps.ts).
test('a generated program that lists and reads a dump folder on thousands of lines is read in linear time (a child with a CPU budget)', async (t) => {
  const root = scratchRepository('long-runs-listings', t).writeAll({
    'db/base.sql': '--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n',
    'src/gen.js': [
      "const fs = require('fs');",
      ...Array.from({ length: 3200 }, (_, i) => `const t${i} = fs.readFileSync(fs.readdirSync('db')[${i % 7}]); if (t${i}) log(t${i});`),
      "await pool.query('SELECT 1');",
    ],
  });
  const dumps = join(__dirname, '..', '..', '..', 'server', 'analysis', 'programSentDumps.js');
  const script = `console.log(require(${JSON.stringify(dumps)}).isSentByProgram(${JSON.stringify(join(root, 'db', 'base.sql'))}));`;
  // Under the 256 KB a source is read up to; the old reading took 1.5 s of CPU on it, the new one 0.1 s.
  const run = await runNodeWithCpuBudget(['-e', script], { cpuMs: 800 });
  assert.equal(run.killed, undefined, 'the child finished within its CPU budget');
  assert.equal(run.stdout.trim(), 'false');
});

// Session 37 (mend43a): the two expressions f84889c made linear. A `define` line read blanks with two `[ \t]*` in a row
// (before and after an optional `=`): quadratic in the line's trailing blanks. Cargo.toml's dependency line opened with
// a multiline `^\s*`, which crosses line ends: quadratic in a run of blank lines.
test("a Makefile's define line with a long run of trailing blanks is read in linear time (a child with a CPU budget)", async () => {
  const makefiles = join(__dirname, '..', '..', '..', 'server', 'analysis', 'makefiles.js');
  const line = `define HELP${' '.repeat(60000)}x`;
  const script = `console.log([...require(${JSON.stringify(makefiles)}).variableValues(${JSON.stringify(`${line}\nPGPORT = 6543\n`)}).keys()].join(','));`;
  // The old expression took about 4 s of CPU on this line; the new one a few milliseconds.
  const run = await runNodeWithCpuBudget(['-e', script], { cpuMs: 1000 });
  assert.equal(run.killed, undefined, 'the child finished within its CPU budget');
  assert.equal(run.stdout.trim(), 'PGPORT');
});

test('a Cargo.toml of tens of thousands of blank lines is read for its migrator in linear time (a child with a CPU budget)', async (t) => {
  const root = scratchRepository('long-runs-cargo', t).writeAll({
    'Cargo.toml': `[package]\nname = "billing"\n${'\n'.repeat(80000)}[dependencies]\nserde = "1"\n`,
    'src/main.rs': 'fn main() {}\n',
    'migrations/001_init.sql': 'SET search_path = billing;\n',
  });
  const migrators = join(__dirname, '..', '..', '..', 'server', 'analysis', 'projectMigrators.js');
  const script = `console.log(require(${JSON.stringify(migrators)}).isAppliedByProjectMigrator(${JSON.stringify(join(root, 'migrations', '001_init.sql'))}));`;
  // The old expression took about 9 s of CPU on this file; the new one a few milliseconds.
  const run = await runNodeWithCpuBudget(['-e', script], { cpuMs: 1500 });
  assert.equal(run.killed, undefined, 'the child finished within its CPU budget');
  assert.equal(run.stdout.trim(), 'false');
});
