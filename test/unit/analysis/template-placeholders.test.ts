// SQL files that are templates (Python str.format, psycopg %(name)s, sqlc @name, `?`): a placeholder makes
// the text unparsable as written, so no syntax error; what the statement does once filled in is still read.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const found = (sql: string): [string, string][] => analyzeSql(sql).map((f) => [f.rule, sql.slice(f.start, f.end)]);

test('a str.format field standing for a name gives no syntax error, and the statement keeps its finding', () => {
  assert.deepEqual(found('-- wait_for_jobs --\nLISTEN {queue_channel};\n'), [['listen', 'LISTEN {queue_channel}']]);
  assert.deepEqual(found('SET search_path TO {tenant_schema}, public;\n'), [['session-set', 'SET search_path TO {tenant_schema}, public']]);
  assert.deepEqual(found('SELECT * FROM {table} WHERE id = {0};\n'), []);
});

test('psycopg %(name)s, sqlc @name and ? placeholders: filled in as a name or a value, whichever parses', () => {
  assert.deepEqual(found('SELECT pg_try_advisory_lock(%(lock_id)s);\n'), [['advisory-lock', 'pg_try_advisory_lock']]);
  assert.deepEqual(found("SELECT set_config('app.user', @user_id, false) LIMIT @n OFFSET ?;\n"), [['session-set', 'set_config']]);
  assert.deepEqual(found('SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = cast(@table AS text));\n'), []);
  // Where only a number parses (a sequence's START), the placeholder is filled with one.
  assert.deepEqual(found('CREATE TEMP SEQUENCE scratch_ids START %(first)s;\n').map(([rule]) => rule), ['temp-table']);
  // A transaction-level lock stays safe once filled in.
  assert.deepEqual(found('SELECT pg_advisory_xact_lock(%(lock_id)s);\n'), []);
});

test('braces inside a string are data, not a placeholder: a real syntax error there is still reported', () => {
  assert.deepEqual(found("SELECT '{a}'::text[] FROM t WHERE;\n").map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found("SELECT '{a,b}'::text[] AS tags;\nLISTEN jobs;\n"), [['listen', 'LISTEN jobs']]);
});

test('a template that still does not parse once filled in (control blocks) gets neither a syntax error nor findings', () => {
  assert.deepEqual(found('{% if tenant %}SET search_path TO {{ tenant }}{% endif %};\n'), []);
});

test("a template's own lines before a statement (a Jinja {% set %}, {% if %}, {# #} or {{ macro() }} alone on its line) do not swallow the statement after them", () => {
  const temp = 'CREATE TEMPORARY TABLE staged_rows (id int, seen_at timestamp)';
  for (const opening of ['{% set target = weekly_table(ds) %}', '{%- if full_refresh -%}', '{# loaded by the nightly task #}', '{{ ensure_schema() }}']) {
    assert.deepEqual(found(`${opening}\n\n${temp};\nINSERT INTO {{ target }} SELECT * FROM staged_rows;\n`), [['temp-table', temp]], opening);
  }
  // Several such lines, with comments between them; and a statement after them that has placeholders of its own.
  assert.deepEqual(found("{% set a = 1 %}\n-- the window\n{% set b = 2 %}\nSET search_path TO {{ params.schema }};\n"), [['session-set', 'SET search_path TO {{ params.schema }}']]);
  // A LOCAL temporary table that is dropped at commit stays safe once read.
  assert.deepEqual(found('{% set week = ds %}\nCREATE TEMP TABLE t (id int) ON COMMIT DROP;\n'), []);
});

// Session 39 (fix47a): a tag written over several lines (a list in a `{% set %}`, a dbt `{{ config(…) }}`) ends at its
// first close as a one-line tag does; the statement after it is read.
test('a template tag written over several lines before a statement does not swallow the statement after it', () => {
  assert.deepEqual(found("{% set tracked = [\n    'orders',\n    'invoices'\n] %}\nSET search_path TO reporting;\nSELECT 1;\n"), [['session-set', 'SET search_path TO reporting']]);
  assert.deepEqual(found("{{ config(\n    materialized='table'\n) }}\n{# the nightly rollup,\n   rebuilt each run #}\nCREATE TEMPORARY TABLE staged_rows (id int);\n"), [['temp-table', 'CREATE TEMPORARY TABLE staged_rows (id int)']]);
  // A tag that goes on after its close on the same line, or never closes, is no line of its own: the statement is not read.
  assert.deepEqual(found("{% set tracked = [\n    'orders'\n] %} SET search_path TO reporting;\n"), []);
  assert.deepEqual(found("{% set tracked = [\n    'orders'\nSET search_path TO reporting;\n"), []);
});

test('a template tag that shares its line with SQL, or one inside the statement, is not read as a line of its own', () => {
  // The tag and the statement on one line: the control block cannot be filled in, so the statement is not read.
  assert.deepEqual(found('{% if weekly %}CREATE TEMPORARY TABLE staged_rows (id int);\n{% endif %}\n'), []);
  // A tag line after the statement's first word: the statement as written, a template that does not parse.
  assert.deepEqual(found('CREATE TEMPORARY TABLE staged_rows (\n{% for c in columns %}\n  {{ c }} text,\n{% endfor %}\n  id int);\n'), []);
});

test('shell-style $NAME variables (envsubst, goose ENVSUB) are placeholders; dollar quotes and $1 parameters are not', () => {
  const envsub = '-- +goose Up\n-- +goose ENVSUB ON\nCREATE TABLE $AUDIT_TABLE (id int);\nGRANT SELECT ON audit TO $READER_ROLE;\nSET search_path TO $APP_SCHEMA;\n-- +goose ENVSUB OFF\n';
  assert.deepEqual(found(envsub), [['session-set', 'SET search_path TO $APP_SCHEMA']]);
  // A `$word` inside a string or a dollar-quoted body is data: a real mistake in that statement is still reported.
  assert.deepEqual(found("SELECT 'costs $amount' FROM t WHERE;\n").map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found('CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1 $body$;\nSELECT $1 FROM WHERE;\n').map(([rule]) => rule), ['syntax-error']);
});

test("pg-promise $(name), $<name>, $[name], $/name/ and goyesql %name% are placeholders in code, not in strings", () => {
  const introspection = "SELECT name FROM pg_proc WHERE CASE WHEN $(allowList) <> '' THEN name = ANY(string_to_array($<allowList>, ',')) ELSE $[deny^] = '' END\nUNION\nSELECT relname FROM pg_class WHERE relname LIKE $/pattern/;\n";
  assert.deepEqual(found(introspection), []);
  const goyesql = "-- name: query-items\nSELECT * FROM items WHERE (CARDINALITY($1) = 0 OR id = ANY($1)) AND %query%\nORDER BY %order% OFFSET $2 LIMIT $3;\n";
  assert.deepEqual(found(goyesql), []);
  // Filled in, what the statement does is still read.
  assert.deepEqual(found("SELECT set_config('app.user', $(user), false);\n"), [['session-set', 'set_config']]);
  assert.deepEqual(found('SET search_path TO %schema%;\n'), [['session-set', 'SET search_path TO %schema%']]);
  // A LIKE pattern is data, and modulo is an operator: real errors in such statements are still reported.
  assert.deepEqual(found("SELECT * FROM t WHERE name LIKE '%abc%' AND;\n").map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found('SELECT a % b % c FROM t WHERE;\n').map(([rule]) => rule), ['syntax-error']);
});

test('an upper-case %NAME% glued to a name is a placeholder a build script fills in, only where the statement does not parse as written', () => {
  // A deploy script seds the stage into the file before psql runs it: the name is whole once filled in.
  assert.deepEqual(found('CREATE DATABASE shop_%STAGE%;\n'), []);
  assert.deepEqual(found('DROP DATABASE IF EXISTS %STAGE%_reports;\nCREATE SCHEMA audit_%TENANT_2%_log AUTHORIZATION app;\n'), []);
  // Filled in, what the statement does is still read.
  assert.deepEqual(found('LISTEN jobs_%STAGE%;\n'), [['listen', 'LISTEN jobs_%STAGE%']]);
  // A mistake beside the placeholder keeps its syntax error.
  assert.deepEqual(found('CREATE TABLE ledger_%REGION% (id int,, total numeric);\n').map(([rule]) => rule), ['syntax-error']);
  // Modulo between names parses as written and is left alone; in a broken statement it is no placeholder.
  assert.deepEqual(found('SELECT price%QTY%total AS rest FROM carts;\n'), []);
  assert.deepEqual(found('SELECT price%QTY%total FROM carts WHERE;\n').map(([rule]) => rule), ['syntax-error']);
  // Lower case, or inside a string, is no such placeholder.
  assert.deepEqual(found('CREATE DATABASE shop_%stage%;\n').map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found("SELECT 'shop_%STAGE%' FROM WHERE;\n").map(([rule]) => rule), ['syntax-error']);
});

test("a code generator's `%%name type%%` parameters (with or without a Go type) are placeholders; `%%` text in a string or a lone modulo is not", () => {
  assert.deepEqual(found('SELECT id FROM books WHERE tags && %%wanted pq.StringArray%%::text[] AND shelf = %%shelf int%%;\n'), []);
  assert.deepEqual(found('SELECT id FROM books WHERE id = ANY(%%ids []int64%%) ORDER BY %%order%%;\n'), []);
  // Filled in, the statement is still read.
  assert.deepEqual(found('SELECT pg_advisory_lock(%%key int64%%);\n').map(([rule]) => rule), ['advisory-lock']);
  // In a string it is data, and `a %% b` has no name glued to both signs: the statements' real errors are still reported.
  assert.deepEqual(found("SELECT '%%done int%%' FROM books WHERE;\n").map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found('SELECT 7 % 3, FROM books;\n').map(([rule]) => rule), ['syntax-error']);
});

test("pg-promise's numbered variables with a filter ($1~, $1^) in a query file are placeholders; the ~ operator before an operand is not", () => {
  assert.deepEqual(found('LISTEN $1~;\n'), [['listen', 'LISTEN $1~']]);
  assert.deepEqual(found('SELECT * FROM $1~ WHERE id = $2;\n'), []);
  // `$1~'^a'` is a regular-expression match on a parameter: a real mistake after it is still reported.
  assert.deepEqual(found("SELECT * FROM t WHERE $1~'^a' AND;\n").map(([rule]) => rule), ['syntax-error']);
});

test("pg-promise's $1:name in a query file is a name placeholder, not a psql variable glued to $1: SET of it is a session SET", () => {
  assert.deepEqual(found('SET search_path TO $1:name, public;\n'), [['session-set', 'SET search_path TO $1:name, public']]);
  assert.deepEqual(found('SELECT * FROM $1:name WHERE id = $2;\n'), []);
  // A psql variable glued to a name still extends that name (no finding, no syntax error).
  assert.deepEqual(found('\\set part 2024\nSELECT count(*) FROM events_:part;\n'), []);
});

test('<NAME> placeholders a test fills into expected SQL are names: no syntax error, and the statement is still read', () => {
  assert.deepEqual(found('ALTER DEFAULT PRIVILEGES FOR ROLE <OWNER> GRANT SELECT ON TABLES TO reporting;\n'), []);
  assert.deepEqual(found('CREATE DATABASE scratch_copy TEMPLATE <SOURCE_DB>;\nSET ROLE <APP_ROLE>;\n'), [['session-set', 'SET ROLE <APP_ROLE>']]);
});

test('comparisons with < and > are not <NAME> placeholders: a real mistake beside them is still reported', () => {
  assert.deepEqual(found('SELECT id FROM t WHERE a <MAX_A AND b> 2 ORDER;\n').map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found('SELECT 1 FROM t WHERE x<y AND z>w AND;\n').map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found('SELECT 1 FROM t WHERE x <> Y AND;\n').map(([rule]) => rule), ['syntax-error']);
});

test('a lower-case <name> glued into a name or before a dot and a name is a placeholder: no syntax error, findings kept', () => {
  assert.deepEqual(found('CREATE TABLE shop_<org>.carts (id int PRIMARY KEY);\nCREATE INDEX carts_id ON shop_<org>.carts(id);\n'), []);
  assert.deepEqual(found('CREATE SCHEMA org_<slug>;\nSELECT count(*) FROM <schema>.carts;\n'), []);
  assert.deepEqual(found('SET search_path TO shop_<org>, public;\n'), [['session-set', 'SET search_path TO shop_<org>, public']]);
});

test('comparisons written without blanks are not lower-case <name> placeholders: a real mistake beside them is still reported', () => {
  assert.deepEqual(found('SELECT 1 FROM t WHERE a<b AND c>d AND;\n').map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found('SELECT 1 FROM t WHERE a<b>c AND;\n').map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found('SELECT 1 FROM t WHERE a<>b AND x<=y AND doc->>k AND tags <@ c ORDER;\n').map(([rule]) => rule), ['syntax-error']);
  // Inside a string or a comment it is data: the broken statement around it is still reported.
  assert.deepEqual(found("SELECT 'shop_<org>.carts' FROM t WHERE;\n").map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found('-- see shop_<org>.carts\nSELECT 1 FROM t WHERE;\n').map(([rule]) => rule), ['syntax-error']);
});

// A template script a person edits before running it: `<app_user>` or `< shop_db >` stands where a name (or a value) goes.
// It is read so only where the parser stops at it and the statement parses once it is filled in.
const ROLE_TEMPLATE = "CREATE ROLE <app_user> WITH LOGIN PASSWORD 'changeme';\nGRANT <app_user> TO ops_admin;\n"
  + 'GRANT ALL ON DATABASE < shop_db > TO < app_user >;\nALTER ROLE <app_user> PASSWORD <new_password>;\nSET ROLE <app_user>;\n';

test('a <name> fill-in placeholder where a name or value goes in a SQL file: no syntax error, the statement still read', (t) => {
  const repo = scratchRepository('fill-in-names', t);
  const file = repo.write('setup/create_roles.sql', ROLE_TEMPLATE);
  const rules = analyzeSql(ROLE_TEMPLATE, {}, file).map((f) => [f.rule, ROLE_TEMPLATE.slice(f.start, f.end)]);
  assert.deepEqual(rules, [['session-set', 'SET ROLE <app_user>']]);
});

// A migration runner sends its files as written, and a pooler's query text is no file: the placeholder is a mistake there.
test('a <name> placeholder in a migrations folder, in a migration tool\'s sectioned file, or in text with no file name keeps its syntax error', (t) => {
  const repo = scratchRepository('fill-in-names-runners', t);
  const grant = 'GRANT ALL ON DATABASE <db_name> TO app;\n';
  for (const name of ['db/migrations/001_roles.sql', 'migrations/20240101_roles/up.sql']) {
    assert.deepEqual(analyzeSql(grant, {}, repo.write(name, grant)).map((f) => f.rule), ['syntax-error'], name);
  }
  const goose = `-- +goose Up\n${grant}-- +goose Down\nREVOKE ALL ON DATABASE shop FROM app;\n`;
  assert.deepEqual(analyzeSql(goose, {}, repo.write('sql/001_roles.sql', goose)).map((f) => f.rule), ['syntax-error']);
  assert.deepEqual(analyzeSql(grant).map((f) => f.rule), ['syntax-error']);
  // The control: the same statement in a SQL file of its own.
  assert.deepEqual(analyzeSql(grant, {}, repo.write('sql/roles.sql', grant)), []);
});

test('a real mistake beside a <name> placeholder, a comparison, or a placeholder in text a program sends keeps its syntax error', () => {
  assert.deepEqual(found("CREATE ROLE <app_user> WITH LOGIN PASSWORD 'changeme' ORDER;\n").map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found('SELECT id FROM t WHERE a <b> c ORDER;\n').map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found('GRANT ALL ON DATABASE shop TO <app user>;\n').map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found("SELECT '<app_user>' FROM t WHERE;\n").map(([rule]) => rule), ['syntax-error']);
  // A program sends its text as written: the placeholder there is a mistake.
  const code = "import pg from 'pg';\nconst pool = new pg.Pool();\nexport const grant = () => pool.query('GRANT ALL ON DATABASE shop TO <app_user>');\n";
  assert.deepEqual(embeddedFindings(code).map(([rule]) => rule), ['syntax-error']);
});

test('a hole where only keywords fit (an isolation level) is filled with one: the statement is still read', () => {
  const text = (sql: string): [string, string][] => embeddedFindings(`import pg from 'pg';\nconst client = new pg.Client();\n${sql}`);
  assert.deepEqual(text('await client.query(`SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL ${level}`);'),
    [['session-set', 'SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL ${level}']]);
  // A BEGIN with the level as a hole still opens the transaction the next SET LOCAL runs in.
  assert.deepEqual(text("await client.query(`BEGIN ISOLATION LEVEL ${level}`);\nawait client.query(\"SET LOCAL lock_timeout = '1s'\");\nawait client.query('COMMIT');"), []);
  // SET TRANSACTION lasts one transaction: no finding, filled or not.
  assert.deepEqual(text('await client.query(`SET TRANSACTION ISOLATION LEVEL ${level}`);'), []);
  // The hole is a statement: nothing to report, and no syntax error.
  assert.deepEqual(text('await client.query(`EXPLAIN ${query}`);'), []);
});

test('a block comment standing for a schema name (the dot glued to it) is a placeholder: no syntax error; a comment before a whole name is not', () => {
  const migration = 'CREATE INDEX orders_by_customer\nON /* SCHEMA_PLACEHOLDER */."Orders" ("customerId");\n';
  assert.deepEqual(analyzeSql(migration).map((f) => f.rule), []);
  assert.deepEqual(analyzeSql('ALTER TABLE /* target */."Users" ADD COLUMN age int;\n').map((f) => f.rule), []);
  // A comment before a full name, then a real typo: still PostgreSQL's error.
  assert.deepEqual(analyzeSql('CREATE INDEX i ON /* app schema */ app."Orders" ("customerId"\n;\n').map((f) => f.rule), ['syntax-error']);
  assert.deepEqual(analyzeSql('SELECT * FROM /* no schema */ ."Orders";\n').map((f) => f.rule), ['syntax-error']);
});

/** A refresh template: its program splices the user's query where `$$query$$` stands, a dollar-quoted string as written. */
const REFRESH_TEMPLATE = [
  '-- wraps the caller query; query and hashParam are filled in before sending',
  'WITH res AS ($$query$$),',
  '  hashed AS (SELECT res.*, md5(CAST(row_to_json(res.*) AS text)) AS h FROM res)',
  'SELECT * FROM hashed WHERE NOT (h = ANY ($$$hashParam$$));',
  "SELECT pg_advisory_lock(hashtext('refresh'));",
  '',
].join('\n');

test('a SQL file named as a template (refresh.tpl.sql, .template.sql, .mustache.sql) gives no syntax error; its other findings stay', (t) => {
  const repo = scratchRepository('template-file-names', t);
  for (const name of ['lib/refresh.tpl.sql', 'lib/refresh.template.sql', 'sql/refresh.Mustache.sql', 'sql/refresh.j2.sql']) {
    const file = repo.write(name, REFRESH_TEMPLATE);
    assert.deepEqual(analyzeSql(REFRESH_TEMPLATE, {}, file).map((f) => f.rule), ['advisory-lock'], name);
  }
});

test('the same text in a file whose name only mentions a template is still checked: its syntax error is reported', (t) => {
  const repo = scratchRepository('template-file-names-plain', t);
  for (const name of ['lib/refresh.sql', 'lib/refresh_tpl.sql', 'templates/refresh.sql', 'lib/template.sql', 'lib/tpl.sql']) {
    const file = repo.write(name, REFRESH_TEMPLATE);
    assert.deepEqual(analyzeSql(REFRESH_TEMPLATE, {}, file).map((f) => f.rule), ['syntax-error', 'advisory-lock'], name);
  }
});

test("a token of non-ASCII symbols between names (a tool's value chips a ▸ b, an arrow, an ellipsis) is not PostgreSQL as written: no syntax error, findings kept", () => {
  const chips = [
    'select *, exists(select 1 from likes l where l.user_id =',
    'currentUser ▸ customProperties ▸ id) as liked',
    'from posts p order by created_at desc;',
    "SELECT set_config('app.user', 'guest', false);",
    '',
  ].join('\n');
  assert.deepEqual(found(chips), [['session-set', 'set_config']]);
  assert.deepEqual(found('SELECT id → name FROM tags;\nSELECT … FROM orders;\nSELECT * FROM t WHERE n ≥ 5;\n'), []);
});

test('non-ASCII text that is a name, a string or a comment, or a mistake beside it, leaves the syntax check as it was', () => {
  // Letters of other scripts are names (PostgreSQL accepts them); a symbol glued to a name is part of that name.
  assert.deepEqual(found('SELECT prénom, 名前 FROM clients WHERE;\n').map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found('SELECT a▸b FROM t WHERE;\n').map(([rule]) => rule), ['syntax-error']);
  // In a string or a comment an arrow is text.
  assert.deepEqual(found("SELECT 'a → b' AS label FROM t WHERE; -- a → b\n").map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found("SELECT 'a ▸ b' AS label;\n/* ▸ */ LISTEN jobs;\n"), [['listen', 'LISTEN jobs']]);
});

test("a migrator's ##NAME## placeholder is a name: no syntax error, and the statement is still read", () => {
  assert.deepEqual(found('ALTER FUNCTION billing.totals OWNER TO ##APP_OWNER##;\n'), []);
  assert.deepEqual(found('GRANT USAGE ON SCHEMA billing TO ##reader_role##;\nALTER TABLE billing.items OWNER TO ##APP_OWNER##;\n'), []);
  assert.deepEqual(found('SET search_path TO ##TENANT_SCHEMA##, public;\n'), [['session-set', 'SET search_path TO ##TENANT_SCHEMA##, public']]);
});

test('the ## operator standing apart, or a mistake beside a ##NAME## placeholder, still gets its syntax error', () => {
  assert.deepEqual(found('SELECT p ## l FROM shapes WHERE;\n').map(([rule]) => rule), ['syntax-error']);
  assert.deepEqual(found("SELECT '##NOT_CODE##' FROM t WHERE;\n").map(([rule]) => rule), ['syntax-error']);
  // The placeholder makes only its own statement a template: a broken statement beside it is still reported.
  assert.deepEqual(found('ALTER TABLE billing.items OWNER TO ##APP_OWNER##;\nSELECT id FROM billing.items WHERE;\n').map(([rule]) => rule), ['syntax-error']);
  // Glued to a name on one side it is no placeholder: the operator expression's mistake is reported.
  assert.deepEqual(found('SELECT a##b## FROM shapes;\n').map(([rule]) => rule), ['syntax-error']);
});

// A routine body of a str.format template: its statements name the schema by the same placeholder as the head does.
// The body's statement is read as it runs once filled in (temporaryRoutine, detect.ts parsePlpgsqlStatement).
const TEMPLATED_PROCEDURE = (statement: string): string => `CREATE OR REPLACE PROCEDURE {app_schema}.stage_orders()
LANGUAGE plpgsql
AS $$
BEGIN
    ${statement}
END $$;
`;

test('a PL/pgSQL body statement naming a {schema} placeholder is read as filled in: its temporary table is found', () => {
  const sql = TEMPLATED_PROCEDURE('CREATE TEMP TABLE staged AS\n    SELECT id, total FROM {app_schema}.orders;');
  assert.deepEqual(found(sql), [['temp-table', 'CREATE TEMP TABLE staged AS\n    SELECT id, total FROM {app_schema}.orders']]);
  const assigned = TEMPLATED_PROCEDURE("v_ok := set_config('app.batch', (SELECT max(id) FROM {app_schema}.orders)::text, false);");
  assert.deepEqual(found(assigned).map(([rule]) => rule), ['session-set']);
  const returned = `CREATE FUNCTION {app_schema}.lock_batch() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    RETURN pg_try_advisory_lock((SELECT id FROM {app_schema}.batches LIMIT 1));
END $$;
`;
  assert.deepEqual(found(returned).map(([rule]) => rule), ['advisory-lock']);
});

test('braces a body holds in strings or array literals are not placeholders; a body with none is read as before', () => {
  assert.deepEqual(found(TEMPLATED_PROCEDURE("CREATE TEMP TABLE staged ON COMMIT DROP AS SELECT '{1,2}'::int[] AS ids, '{\"a\": 1}'::jsonb AS doc;")), []);
  assert.deepEqual(found(TEMPLATED_PROCEDURE("CREATE TEMP TABLE staged AS SELECT '{1,2}'::int[] AS ids;")).map(([rule]) => rule), ['temp-table']);
  // A body statement that does not parse once filled in (a broken one) gives nothing, as a body's unparsable statement does.
  assert.deepEqual(found(TEMPLATED_PROCEDURE('CREATE TEMP TABLE staged AS SELECT FROM WHERE {app_schema}.orders;')), []);
});

// Angle brackets glued to a word are another language's type parameters (`list<text>`, `vector<dim>`), not a fill-in.
test('a <name> glued to the word before it is no fill-in placeholder: the syntax error stays', (t) => {
  const repo = scratchRepository('fill-in-names-glued', t);
  const glued = ['CREATE TABLE notes (tags list<text>);\n', 'CREATE TABLE prices (amount numeric<p>);\n',
    'CREATE TABLE items (embedding vector<dim>);\n', 'SELECT "score"<limit> FROM results;\n'];
  for (const sql of glued) assert.deepEqual(analyzeSql(sql, {}, repo.write('schema/notes.sql', sql)).map((f) => f.rule), ['syntax-error'], sql);
  // The control: standing apart, the same placeholder is a fill-in.
  const apart = 'CREATE TABLE notes (tags <tag_type>);\n';
  assert.deepEqual(analyzeSql(apart, {}, repo.write('schema/notes.sql', apart)), []);
});
