// psql scripts: meta-commands, variables, COPY … FROM stdin data. None of them is a syntax error or a
// pooling finding by itself, and what follows them keeps its exact position.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, LineIndex, splitStatements, type Finding } from '../../../server/analysis/index';

before(() => initAnalysis());

/** [line, column] (1-based) and rule of each finding, as the CLI prints them. */
function placed(text: string, findings: Finding[] = analyzeSql(text)): [number, number, string][] {
  const lines = new LineIndex(text);
  return findings.map((f) => {
    const at = lines.positionAt(f.start);
    return [at.line + 1, at.character + 1, f.rule];
  });
}

test('meta-commands of every kind are neither syntax errors nor findings', () => {
  const script = [
    '\\set ON_ERROR_STOP on', '\\set who \'ops\'', '\\echo starting', '\\connect app', '\\c app admin', '\\timing on',
    '\\pset format unaligned', '\\ir lib/common.sql', '\\i /srv/seed.sql', '\\copy jobs TO \'/tmp/jobs.csv\' CSV',
    '\\if :is_prod', '\\echo prod', '\\elif :is_test', '\\echo test', '\\else', '\\echo dev', '\\endif', '\\dt+ public.*', '\\x auto',
    '\\restrict abc123', '\\unrestrict abc123',
  ].join('\n');
  assert.deepEqual(analyzeSql(script), []);
  assert.deepEqual(splitStatements(script), []);
});

test('a syntax error after meta-commands is still reported at its own line and column', () => {
  const script = '\\set x 1\n\\echo :x\nSELECT 1;\n\\timing on\n  SELECT id, FROM t;\n';
  assert.deepEqual(placed(script), [[5, 14, 'syntax-error']]);
});

test('the \\g family ends a statement like a semicolon; other meta-commands inside a statement are left out of it', () => {
  const texts = splitStatements('SELECT 1 \\g\nSELECT 2 AS n \\gset\nSELECT 3\n\\echo inside\nFROM t;\nSELECT 4 \\gx\nSELECT 5\\;SELECT 6;').map((s) => s.text.replace(/\s+/g, ' '));
  assert.deepEqual(texts, ['SELECT 1', 'SELECT 2 AS n', 'SELECT 3 FROM t', 'SELECT 4', 'SELECT 5', 'SELECT 6']);
  assert.deepEqual(analyzeSql('SELECT format(\'SELECT %L\', x) FROM t \\gexec\nSELECT 1;'), []);
});

test('a \\\\ inside a quoted meta-command argument is text, not the end of the meta-command; outside quotes it still ends it', () => {
  // A variable holding a whole command (a \\copy) for psql to run where :name stands alone.
  const script = [
    "\\set data_file :abs_srcdir '/data/rows.csv'",
    "\\set load_rows '\\\\copy events FROM ' :'data_file' ' WITH CSV;'",
    ':load_rows',
    "\\set quoted \"a \\\\ b\" `echo \\\\`",
    "\\set escaped 'it''s \\' not over \\\\ yet'",
    'SELECT count(*) FROM events;',
  ].join('\n');
  assert.deepEqual(analyzeSql(script), []);
  // The quoted arguments are not SQL: the only SQL text is the :load_rows statement and the SELECT.
  assert.deepEqual(splitStatements(script).map((s) => s.text.replace(/\s+/g, ' ').trim()), ['load_rows SELECT count(*) FROM events']);
  // Unquoted, \\\\ separates the meta-command from SQL on the same line, which is read (and checked) as SQL.
  assert.deepEqual(splitStatements("\\set n 1 \\\\ SELECT 1;").map((s) => s.text.trim()), ['SELECT 1']);
  assert.deepEqual(placed("\\echo 'done' \\\\ SELECT id, FROM t;"), [[1, 28, 'syntax-error']]);
});

test('psql variables parse as names and literals; casts, := and array slices are untouched', () => {
  const sql = 'SELECT :one, :\'two\', x::int, a[1:2], a[lo:hi] FROM :"schema".t WHERE y = :v; SELECT f(p := 1);';
  assert.deepEqual(analyzeSql(sql), []);
  const texts = splitStatements(sql).map((s) => s.text);
  assert.equal(texts[0], 'SELECT  one,  \'two\', x::int, a[1:2], a[lo:hi] FROM  "schema".t WHERE y =  v');
  assert.equal(texts[1], 'SELECT f(p := 1)');
});

test('psql\'s :{?name} test (is the variable set) reads as a value, and marks a psql script; a mistake beside it is still reported', () => {
  assert.deepEqual(analyzeSql('\\set ready 1\nSELECT :{?ready} AS is_set, NOT :{?missing} AS unset;\n\\if :{?ready}\n\\echo yes\n\\endif\n'), []);
  assert.equal(splitStatements('SELECT :{?ready} AS is_set')[0].text, 'SELECT    ready  AS is_set');
  // Not the test's shape (no ?, no name, no closing brace): left as it is.
  assert.equal(splitStatements("SELECT '{a}'::text[], x FROM t WHERE y = :{ready}")[0].text, "SELECT '{a}'::text[], x FROM t WHERE y = :{ready}");
  assert.deepEqual(placed('SELECT :{?ready} AS is_set;\nSELECT id, FROM t;\n'), [[2, 12, 'syntax-error']]);
});

test('a psql variable glued to the end of a name becomes part of that identifier; slices, casts and spaced mistakes are not', () => {
  const sql = 'CREATE TABLE audit.events_:run_id (n int, tag kind_:run_id);\nINSERT INTO audit.events_:run_id VALUES (1);';
  assert.deepEqual(analyzeSql(sql), []);
  assert.equal(splitStatements(sql)[1].text, 'INSERT INTO audit.events__run_id VALUES (1)');
  // An array slice with names as bounds, a cast and a := keep their colon.
  assert.equal(splitStatements('SELECT v[first:last], w::text FROM t')[0].text, 'SELECT v[first:last], w::text FROM t');
  // Without the variable the same broken statement (a name followed by another word) is still reported.
  assert.deepEqual(analyzeSql('CREATE TABLE audit.events_ run_id (n int);').map((f) => f.rule), ['syntax-error']);
});

test('a statement psql changes with variables never gets a syntax error, even when the substitute does not parse', () => {
  assert.deepEqual(analyzeSql('SELECT * FROM t :where_clause;\nSELECT * FROM t WHERE x IN :list;'), []);
  // Without variables the same mistake is reported.
  assert.deepEqual(analyzeSql('SELECT * FROM t WHERE x IN 1;').map((f) => f.rule), ['syntax-error']);
});

test('bare :name variables (also drivers\' named placeholders) do not make a query file a psql script: its pooling findings stay, at the right place', () => {
  const sql = 'SELECT * FROM orders WHERE id = :id AND owner = :owner;\nSET search_path TO :schema;\n  LISTEN :channel;';
  assert.deepEqual(placed(sql), [[2, 1, 'session-set'], [3, 3, 'listen']]);
  // Without any variable, the same.
  assert.deepEqual(placed("SELECT set_config('app.key', 'k', false);\nLISTEN jobs;").map(([, , rule]) => rule), ['session-set', 'listen']);
});

test(':\'name\' and :"name" (psql-only interpolation) make the file a psql script run in its own session: its settings are for its own later statements', () => {
  assert.deepEqual(analyzeSql("SELECT set_config('ai.openai_api_key', :'OPENAI_API_KEY', false);\nSELECT ai.embed('text');"), []);
  assert.deepEqual(analyzeSql('SET search_path TO :"schema";\nCREATE TABLE t (id int);\nLISTEN jobs;'), []);
  // The same file still gets syntax errors.
  assert.deepEqual(analyzeSql("SELECT :'key';\nSELECT id, FROM t;").map((f) => f.rule), ['syntax-error']);
});

test('COPY … FROM stdin data rows up to \\. are skipped, whatever they hold', () => {
  const script = 'COPY jobs (id, note) FROM stdin;\n1\tit\'s; LISTEN x\n2\t\\N\n3\t$$ open\n\\.\nSELECT id, FROM jobs;\n';
  assert.deepEqual(splitStatements(script).map((s) => s.text), ['COPY jobs (id, note) FROM stdin', 'SELECT id, FROM jobs']);
  assert.deepEqual(placed(script), [[6, 12, 'syntax-error']]);
  // \copy … from stdin reads its rows from the script too.
  assert.deepEqual(analyzeSql('\\copy jobs from stdin\n1\tSELECT; broken (\n\\.\nSELECT 1;'), []);
});

test('COPY … FROM stdin without a \\. line (SQL an application sends) skips nothing', () => {
  assert.deepEqual(analyzeSql('COPY jobs FROM STDIN; LISTEN x;').map((f) => f.rule), ['listen']);
});

test('without semicolons, a blank line inside a statement (before a CTE body or subquery SELECT, or between WITH … (…) and its query) does not cut it in two', () => {
  const lab = [
    'CREATE TYPE season_stats AS (season int, points real)',
    '',
    '',
    'WITH last_year AS (',
    '',
    '    SELECT * FROM stats WHERE season = 2023',
    '),',
    '     this_year AS (',
    '',
    '    SELECT * FROM stats WHERE season = 2024',
    '     )',
    '',
    '',
    'SELECT * FROM (',
    '    SELECT * FROM last_year',
    '',
    '    UNION ALL',
    '',
    '    SELECT * FROM this_year',
    ') merged',
  ].join('\n');
  assert.deepEqual(analyzeSql(lab), []);
  // A LISTEN after such a statement, in its own part, is still found; a CTE list with no query after it is still an error.
  assert.deepEqual(analyzeSql('WITH a AS (\n\n  SELECT 1\n)\n\nSELECT * FROM a\n\nLISTEN audit').map((f) => f.rule), ['listen']);
  assert.deepEqual(analyzeSql('SELECT 1\n\nWITH a AS (\n\n  SELECT 1\n)').map((f) => f.rule), ['syntax-error']);
});

test('a file with meta-commands or inline COPY data is a psql script: it runs in its own session, so no pooling findings', () => {
  assert.deepEqual(analyzeSql('\\set ON_ERROR_STOP on\nSET search_path TO app;\nLISTEN jobs;'), []);
  assert.deepEqual(analyzeSql('COPY t FROM stdin;\n1\n\\.\nSET search_path TO app;'), []);
  // Without them, the same statements are findings.
  assert.deepEqual(analyzeSql('SET search_path TO app;\nLISTEN jobs;').map((f) => f.rule), ['session-set', 'listen']);
});

test('a query log (statements separated by blank lines, no semicolons) is read statement by statement, not as one broken statement', () => {
  const log = 'begin\n\nselect set_config(k, v, true) from settings\n\nselect id\nfrom users\nwhere id = $1\n\nLISTEN audit\n\ncommit';
  assert.deepEqual(placed(log), [[9, 1, 'listen']]);
  // A real mistake is still one: inside the first statement, or in a part of the log.
  assert.deepEqual(analyzeSql('select 1 from\n\nselect 2').map((f) => f.rule), ['syntax-error']);
  assert.deepEqual(placed('select 1 from t\n\nselect id, from u'), [[3, 12, 'syntax-error']]);
  // Every statement an application sends may open a part, not only the common ones (SHOW, TABLE, UNLISTEN…).
  assert.deepEqual(analyzeSql('select current_user\n\nshow search_path\n\ntable audit_log\n\nunlisten audit'), []);
  assert.deepEqual(placed('select 1\n\nshow search_path,'), [[3, 17, 'syntax-error']]);
});
