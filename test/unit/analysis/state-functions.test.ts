// Functions whose bodies create session state: their calls, in SQL files and in SQL embedded in TS/JS,
// get the body's finding with related information pointing at the body; functions whose state ends
// with the transaction do not propagate. Also dynamic EXECUTE in PL/pgSQL bodies.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyze, analyzeSql, initAnalysis, withWorkspaceCatalog, type AnalysisOptions } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { IncrementalSqlDocument } from '../../../server/incrementalSql';
import { runLint } from '../../../cli/lint';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { RuleDocs, toDiagnostic } from '../../../server/diagnostics';
import { scratchRepository } from '../../helpers/scratch';


const DEFINITIONS = String.raw`create function tenant_enter(t text) returns void language plpgsql as $$
begin
  perform set_config('app.tenant', t, false);
end $$;
create function tenant_enter_local(t text) returns void language plpgsql as $$ begin perform set_config('app.tenant', t, true); end $$;
create function work_mem_local() returns void language plpgsql as $$ begin set local work_mem = '8MB'; end $$;
create function take_lock() returns void language sql as $$ select pg_advisory_lock(7) $$;
create function take_xact_lock() returns void language sql as $$ select pg_advisory_xact_lock(7) $$;
create function listen_on(ch text) returns void language plpgsql as $$ begin execute 'LISTEN ' || quote_ident(ch); end $$;
create function notify_on(ch text) returns void language plpgsql as $$ begin execute 'NOTIFY ' || quote_ident(ch); end $$;
create procedure scratch() language plpgsql as $$ begin execute format('CREATE TEMP TABLE %I (id int)', 'scratch'); end $$;
create procedure scratch_dropped() language plpgsql as $$ begin execute 'CREATE TEMP TABLE s (id int) ON COMMIT DROP'; end $$;
`;
const FILE = '/work/db/functions.sql';
let INDEX: ReturnType<typeof stateFunctionIndex>;
let OPTIONS: Partial<AnalysisOptions>;
before(async () => {
  await initAnalysis();
  INDEX = stateFunctionIndex([{ path: FILE, text: DEFINITIONS }]);
  OPTIONS = { stateFunctions: INDEX };
});

/** [rule, the called name] of the call findings (those with related information in another file). */
function calls(findings: ReturnType<typeof analyzeSql>, text: string): [string, string][] {
  return findings.filter((f) => f.related?.some((r) => r.location)).map((f) => [f.rule, text.slice(f.start, f.end)]);
}

test('the index holds functions whose bodies leave session state, including dynamic EXECUTE, and not the transaction-scoped ones', () => {
  assert.deepEqual([...INDEX.keys()].sort(), ['listen_on', 'scratch', 'take_lock', 'tenant_enter']);
  const site = INDEX.get('tenant_enter')!;
  assert.equal(site.rule, 'session-set');
  assert.deepEqual(site.range.start, { line: 2, character: 10 }, 'points at set_config in the body');
});

test('calls in a .sql file get the body finding, with related information at the body', () => {
  const sql = "select tenant_enter('acme');\nselect app.take_lock();\ncall scratch();\nselect listen_on('jobs');\n";
  const findings = analyzeSql(sql, OPTIONS, '/work/db/seed.sql');
  assert.deepEqual(calls(findings, sql), [['session-set', 'tenant_enter'], ['advisory-lock', 'take_lock'], ['temp-table', 'scratch'], ['listen', 'listen_on']]);
  const related = findings[0].related![0];
  assert.equal(related.location!.file, FILE);
  assert.equal(related.location!.range.start.line, 2);
});

test('no finding for transaction-scoped functions, comments, definitions and DROP FUNCTION, nor without an index', () => {
  const sql = [
    "select tenant_enter_local('acme');", 'select work_mem_local();', 'select take_xact_lock();', "select notify_on('jobs');",
    'call scratch_dropped();', "-- select tenant_enter('x');", 'drop function tenant_enter(text);',
    "comment on function take_lock() is 'x';", "select 'tenant_enter' as name, my_tenant_enter(1);",
  ].join('\n');
  assert.deepEqual(calls(analyzeSql(sql, OPTIONS), sql), []);
  assert.deepEqual(calls(analyzeSql("select tenant_enter('acme');"), "select tenant_enter('acme');"), []);
});

test('statements that only name a routine as their object (DROP … IF EXISTS, lists of them, GRANT/REVOKE, ALTER, SECURITY LABEL, ALTER EXTENSION) call nothing', () => {
  const sql = [
    'DROP FUNCTION IF EXISTS tenant_enter(text);', 'drop function if exists public.tenant_enter(uuid), take_lock();',
    'DROP ROUTINE listen_on(text), tenant_enter(text) CASCADE;', 'GRANT EXECUTE ON FUNCTION take_lock(), tenant_enter(text) TO web_user;',
    'revoke all on function tenant_enter(text) from public;', 'ALTER FUNCTION tenant_enter(text) OWNER TO admin;',
    'alter procedure scratch() set search_path = app;', "SECURITY LABEL FOR selinux ON FUNCTION tenant_enter(text) IS 'x';",
    'ALTER EXTENSION tenancy ADD FUNCTION tenant_enter(text);', '/* cleanup */ DROP FUNCTION IF EXISTS "tenant_enter"(text);',
  ].join('\n');
  assert.deepEqual(calls(analyzeSql(sql, OPTIONS, '/work/db/cleanup.sql'), sql), []);
});

test('a call beside such a statement, or inside a statement that grants on a table, is still a call', () => {
  const sql = "DROP FUNCTION IF EXISTS old_helper(text);\nSELECT tenant_enter('acme');\nGRANT SELECT ON TABLE accounts TO web_user;\nSELECT take_lock() FROM accounts;\n";
  assert.deepEqual(calls(analyzeSql(sql, OPTIONS, '/work/db/cleanup.sql'), sql), [['session-set', 'tenant_enter'], ['advisory-lock', 'take_lock']]);
  // The keywords inside a routine body do not hide the body's own calls.
  const body = "CREATE FUNCTION reset_all() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  DROP FUNCTION IF EXISTS tmp_helper();\n  PERFORM tenant_enter('x');\nEND $$;\n";
  assert.deepEqual(calls(analyzeSql(body, OPTIONS, '/work/db/cleanup.sql'), body), [['session-set', 'tenant_enter']]);
});

test('a table that shares a stateful routine\'s name (CREATE TABLE scratch (…), REFERENCES scratch(id), INSERT INTO scratch (…), COPY) is no call of it', () => {
  const sql = [
    'create table scratch (id int primary key, tenant text);', 'create table if not exists public.take_lock (id int);',
    'create table child (id int, parent int references scratch(id) on delete cascade);',
    'alter table child add other int references "scratch" (id);', "insert into scratch (id, tenant) values (1, 'a');",
    'copy scratch (id, tenant) from stdin;', '\\.',
  ].join('\n');
  assert.deepEqual(calls(analyzeSql(sql, OPTIONS, '/work/db/tables.sql'), sql), []);
  // A call in the same statements is still one: a default, a select feeding the insert.
  const called = "create table audit (id int, t text default tenant_enter('x'));\ninsert into scratch (id) select 1 from take_lock();\n";
  assert.deepEqual(calls(analyzeSql(called, OPTIONS, '/work/db/tables.sql'), called), [['session-set', 'tenant_enter'], ['advisory-lock', 'take_lock']]);
});

test('calls in SQL embedded in TypeScript get the finding; a JS function of the same name does not', () => {
  const code = [
    "import pg from 'pg';",
    'export async function run(client: pg.Client) {',
    "  await client.query('select tenant_enter($1)', ['acme']);",
    "  await client.query('select tenant_enter_local($1)', ['acme']);",
    "  tenant_enter('not sql');",
    '}',
    'function tenant_enter(_: string) {}',
  ].join('\n');
  assert.deepEqual(calls(analyze(code, 'typescript', OPTIONS, 'app.ts'), code), [['session-set', 'tenant_enter']]);
});

test('suppression and rule severity apply to the call like to any finding', () => {
  const suppressed = "-- poolsafe-disable-next-line session-set\nselect tenant_enter('acme');";
  assert.deepEqual(calls(analyzeSql(suppressed, OPTIONS), suppressed), []);
  const off = "select tenant_enter('acme');";
  assert.deepEqual(calls(analyzeSql(off, { ...OPTIONS, rules: { 'session-set': 'off' } }), off), []);
});

test('a later definition without state replaces the function (a migration that fixes it)', () => {
  const fixed = stateFunctionIndex([
    { path: '/w/db/002_fix.sql', text: "create or replace function tenant_enter(t text) returns void language plpgsql as $$ begin perform set_config('app.tenant', t, true); end $$;" },
    { path: '/w/db/001_init.sql', text: DEFINITIONS },
  ]);
  assert.equal(fixed.has('tenant_enter'), false);
  assert.equal(fixed.has('take_lock'), true);
});

test('functions a pgTAP test defines exist in its test database only: they neither add to the index nor replace an application function', () => {
  const testScript = "SELECT plan(1);\ncreate or replace function tenant_enter(t text) returns void language sql as $$ select 1 $$;\n"
    + "create function as_admin() returns void language plpgsql as $$ begin set role admin; end $$;\n";
  const index = stateFunctionIndex([{ path: '/w/db/001_init.sql', text: DEFINITIONS }, { path: '/w/tests/tenant.sql', text: testScript }]);
  assert.equal(index.has('tenant_enter'), true);
  assert.equal(index.has('as_admin'), false);
  // The same definitions in an application file do count.
  const app = stateFunctionIndex([{ path: '/w/db/001_init.sql', text: DEFINITIONS }, { path: '/w/db/002_more.sql', text: testScript.replace('SELECT plan(1);\n', '') }]);
  assert.equal(app.has('tenant_enter'), false);
  assert.equal(app.has('as_admin'), true);
});

test('the editor: the workspace .sql files are indexed, and the incremental SQL document reports calls', (t) => {
  const repo = scratchRepository('state', t);
  const definitions = repo.write('db/functions.sql', DEFINITIONS);
  const options = withWorkspaceCatalog({}, repo.root);
  assert.equal(options.stateFunctions?.get('tenant_enter')?.file, definitions);
  const text = "select 1;\nselect tenant_enter('acme');\n";
  const findings = new IncrementalSqlDocument(repo.path('seed.sql')).analyze(text, options);
  assert.deepEqual(calls(findings, text), [['session-set', 'tenant_enter']]);
});

test('poolsafe lint indexes the .sql files it lints: a TS call of a function defined in one is reported', async (t) => {
  const root = scratchRepository('state', t).writeAll({
    'functions.sql': DEFINITIONS,
    'app.ts': "export const go = (db: { query(s: string): void }) => db.query('select tenant_enter(1)');\n",
  });
  let out = '';
  const code = await runLint([root, '--format', 'json'], { stdout: (text) => (out += text), stderr: () => {}, version: 'test' });
  assert.equal(code, 1);
  const findings = JSON.parse(out).findings as { file: string; rule: string; line: number }[];
  assert.ok(findings.some((f) => f.file.endsWith('app.ts') && f.rule === 'session-set'), JSON.stringify(findings));
});

test('poolsafe lint reads the text of each .sql file once, for the index and the lint, and reports its own findings from it', async (t) => {
  const root = scratchRepository('state', t).writeAll({
    'functions.sql': `${DEFINITIONS}select tenant_enter('acme');\n`,
    'app.ts': "export const go = (db: { query(s: string): void }) => db.query('select tenant_enter(1)');\n",
  });
  const functions = join(root, 'functions.sql');
  const textReads: string[] = [];
  // Only whole-text reads count (readFileSync(path, 'utf8')); folder checks read bounded bytes of sibling scripts.
  // The module object itself (an ES import is a copy whose members cannot be replaced).
  const fs = require('node:fs') as typeof import('node:fs');
  const original = fs.readFileSync;
  t.mock.method(fs, 'readFileSync', function (this: unknown, ...args: Parameters<typeof fs.readFileSync>) {
    if (args[0] === functions && args[1] === 'utf8') textReads.push(String(args[0]));
    return original.apply(this, args as never);
  });
  let out = '';
  const code = await runLint([root, '--format', 'json'], { stdout: (text) => (out += text), stderr: () => {}, version: 'test' });
  assert.equal(code, 1);
  const findings = JSON.parse(out).findings as { file: string; rule: string }[];
  assert.ok(findings.some((f) => f.file.endsWith('functions.sql') && f.rule === 'session-set'), JSON.stringify(findings));
  assert.ok(findings.some((f) => f.file.endsWith('app.ts') && f.rule === 'session-set'), JSON.stringify(findings));
  assert.equal(textReads.length, 1);
});

test('poolsafe lint parses each function definition once, for the index and the lint', async (t) => {
  // Definitions no other test parses (parsed facts are kept per statement text for the whole process).
  const definitions = String.raw`create function region_enter(r text) returns void language plpgsql as $$
begin
  perform set_config('app.region', r, false);
end $$;
create procedure region_scratch() language plpgsql as $$ begin execute 'CREATE TEMP TABLE region_rows (id int)'; end $$;
`;
  const root = scratchRepository('state', t).writeAll({
    'regions.sql': `${definitions}select region_enter('north');\n`,
    'app.ts': "export const go = (db: { query(s: string): void }) => db.query('call region_scratch()');\n",
  });
  const parsed: string[] = [];
  // The module object detect.ts calls the parser through (an ES import is a copy whose members cannot be replaced).
  const parser = require('libpg-query') as typeof import('libpg-query');
  const original = parser.parseSync;
  t.mock.method(parser, 'parseSync', function (this: unknown, text: string) {
    parsed.push(text);
    return original.call(this, text);
  });
  let out = '';
  const code = await runLint([root, '--format', 'json'], { stdout: (text) => (out += text), stderr: () => {}, version: 'test' });
  assert.equal(code, 1);
  const findings = JSON.parse(out).findings as { file: string; rule: string; line: number }[];
  assert.deepEqual(findings.map((f) => [f.file.replace(/^.*[\\/]/, ''), f.rule, f.line]).sort(), [
    ['app.ts', 'temp-table', 1], ['regions.sql', 'session-set', 3], ['regions.sql', 'session-set', 6], ['regions.sql', 'temp-table', 5],
  ]);
  const times = (start: string) => parsed.filter((text) => text.trimStart().startsWith(start)).length;
  assert.equal(times('create function region_enter(r text)'), 1);
  assert.equal(times('create procedure region_scratch()'), 1);
});

test('the language server turns the related body into a location in the other file', () => {
  const text = "select tenant_enter('acme');";
  const finding = analyzeSql(text, OPTIONS).find((f) => f.related?.length)!;
  const document = TextDocument.create('file:///work/db/seed.sql', 'sql', 1, text);
  const diagnostic = toDiagnostic(finding, document, new RuleDocs('/nonexistent'));
  assert.deepEqual(diagnostic.relatedInformation?.[0].location, { uri: 'file:///work/db/functions.sql', range: INDEX.get('tenant_enter')!.range });
});

test('a definition among other statements is indexed by its own body: a transaction block, a broken statement and a large file around it change nothing, a suppression comment around it still applies', () => {
  const definition = "create function enter(t text) returns void language sql as $$ select set_config('app.t', t, false) $$;";
  const filler = Array.from({ length: 200 }, (_, n) => `update accounts set balance = ${n} where id = ${n};`).join('\n');
  const surrounded = `${filler}\nbegin;\nselect from from;\n${definition}\ncommit;\n${filler}\n`;
  const site = stateFunctionIndex([{ path: FILE, text: surrounded }]).get('enter');
  assert.equal(site?.rule, 'session-set');
  assert.equal(site.range.start.line, 202, 'the body, on the definition line');
  const suppressed = `${filler}\n/* poolsafe-disable session-set */\n${definition}\n/* poolsafe-enable session-set */\n`;
  assert.equal(stateFunctionIndex([{ path: FILE, text: suppressed }]).get('enter'), undefined);
});

test('a command string handed to a job scheduler (pg_cron, pg_timetable) runs later on the scheduler\'s own connection: its calls are no finding', () => {
  const sql = [
    "select cron.schedule('tenants', '*/10 * * * *', $job$ select tenant_enter('acme'); $job$);",
    "select cron.schedule_in_database('locks', '0 * * * *', $$call scratch()$$, 'app');",
    "select cron.alter_job(42, command := $cmd$select take_lock()$cmd$);",
    "select timetable.add_job('listen', '@every 1 minute', $sql$select listen_on('jobs')$sql$);",
    "select cron.schedule('quoted', '0 4 * * *', 'select tenant_enter(''acme'')');",
  ].join('\n');
  assert.deepEqual(calls(analyzeSql(sql, OPTIONS, '/work/db/jobs.sql'), sql), []);
  // The same inside a function body that schedules the job (its own dollar quotes around the command).
  const body = `create function schedule_jobs() returns void language plpgsql as $body$
begin
  perform cron.schedule('scratch', '0 * * * *', $cmd$ call scratch(); $cmd$);
end $body$;
`;
  assert.deepEqual(calls(analyzeSql(body, OPTIONS, '/work/db/jobs.sql'), body), []);
});

test('a call beside a scheduler call, or a scheduler argument computed by a call now, is still a call', () => {
  const sql = [
    "select cron.schedule('tenants', '*/10 * * * *', $job$ select 1; $job$), tenant_enter('acme');",
    "select cron.schedule('x', '0 * * * *', 'select 1');\nselect take_lock();",
    // A scheduler-like name of the application's own schema is not pg_cron.
    "select app.schedule('later', $$select 1$$); call scratch();",
  ].join('\n');
  assert.deepEqual(calls(analyzeSql(sql, OPTIONS, '/work/db/jobs.sql'), sql), [['session-set', 'tenant_enter'], ['advisory-lock', 'take_lock'], ['temp-table', 'scratch']]);
});

test('a script that defines its own version of a routine and then calls it reaches that version, not the stateful one another file defines', () => {
  const sql = `create or replace function tenant_enter(t text) returns void language sql
set search_path = app
as $$ select 1 $$;
select tenant_enter('acme');
`;
  assert.deepEqual(calls(analyzeSql(sql, OPTIONS, '/work/db/upgrade.sql'), sql), []);
});

test('a call before the script\'s own definition, in a body that runs later, or of a stateful local definition is still a finding', () => {
  const before = `select tenant_enter('acme');
create or replace function tenant_enter(t text) returns void language sql as $$ select 1 $$;
`;
  assert.deepEqual(calls(analyzeSql(before, OPTIONS, '/work/db/upgrade.sql'), before), [['session-set', 'tenant_enter']]);
  // A body runs after every script has run: the last definition of all (the index's) is the one it reaches.
  const body = `create or replace function take_lock() returns void language sql as $$ select 1 $$;
create function nightly() returns void language plpgsql as $$ begin perform take_lock(); end $$;
`;
  assert.deepEqual(calls(analyzeSql(body, OPTIONS, '/work/db/upgrade.sql'), body), [['advisory-lock', 'take_lock']]);
  // The script's own definition leaves state too.
  const stateful = `create or replace function tenant_enter(t text) returns void language plpgsql as $$ begin perform set_config('app.tenant', t, false); end $$;
select tenant_enter('acme');
`;
  assert.deepEqual(calls(analyzeSql(stateful, OPTIONS, '/work/db/upgrade.sql'), stateful), [['session-set', 'tenant_enter']]);
});

test('in a script run in its own session, a routine it creates that calls a stateful function is still a finding; its own statements are not', () => {
  const script = [
    "select tenant_enter('setup');",
    'create procedure run_batch(b int) language plpgsql as $$',
    'begin',
    '  if not take_lock() is null then null; end if;',
    '  commit;',
    'end $$;',
    "create function enter_and_count(t text) returns bigint language sql as $$ select tenant_enter(t); select count(*) from jobs $$;",
    'call scratch();',
  ].join('\n');
  const expected = [['advisory-lock', 'take_lock'], ['session-set', 'tenant_enter']];
  // Marked as its own session by the caller (a psql-run file), or by its own meta-commands.
  assert.deepEqual(calls(analyzeSql(script, { ...OPTIONS, ownSession: true }, '/work/db/install.sql'), script), expected);
  const withMeta = `${script}\n\\echo installed\n`;
  assert.deepEqual(calls(analyzeSql(withMeta, OPTIONS, '/work/db/install.sql'), withMeta), expected);
  // A test script's routines live in its test database: nothing.
  assert.deepEqual(calls(analyzeSql(script, { ...OPTIONS, ownSession: true, testScript: true }, '/work/db/install.sql'), script), []);
  // A DO block runs now, in the script's session: no finding either.
  const block = "do $$ begin perform take_lock(); end $$;\n\\echo done\n";
  assert.deepEqual(calls(analyzeSql(block, OPTIONS, '/work/db/install.sql'), block), []);
  // Nor does a routine the script creates in pg_temp: only the script's own session can call it.
  const seed = "\\set ON_ERROR_STOP true\ncreate function pg_temp.seed() returns void language plpgsql as $$\nbegin\n  perform tenant_enter('seed');\nend $$;\nselect pg_temp.seed();\n";
  assert.deepEqual(calls(analyzeSql(seed, OPTIONS, '/work/db/seed.sql'), seed), []);
  // The same routine in a file sent through the application's pool keeps the call's finding.
  const sent = seed.replace('\\set ON_ERROR_STOP true\n', '');
  assert.deepEqual(calls(analyzeSql(sent, OPTIONS, '/work/db/seed.sql'), sent), [['session-set', 'tenant_enter']]);
});

test('a routine calling its own name in its body (recursion, or the built-in it shadows and wraps) gets only the body\'s own finding', () => {
  const wrapper = "create function set_config(k text, v text) returns void language plpgsql as $$ begin perform set_config(k, v, false); end $$;\n";
  const index = stateFunctionIndex([{ path: FILE, text: wrapper }]);
  const findings = analyzeSql(wrapper, { stateFunctions: index }, '/work/db/rpc.sql');
  assert.deepEqual(findings.map((f) => [f.rule, wrapper.slice(f.start, f.end), f.related?.some((r) => r.location) ?? false]), [['session-set', 'set_config', false]]);
  // Another routine's body calling the wrapper is still a call finding.
  const caller = "create function enter(t text) returns void language sql as $$ select set_config('app.t', t) $$;\n";
  assert.deepEqual(calls(analyzeSql(caller, { stateFunctions: index }, '/work/db/enter.sql'), caller), [['session-set', 'set_config']]);
});

test('a call with the built-in\'s argument count reaches the built-in, not a project routine of that name; another count or the project\'s schema reaches the routine', () => {
  const wrapper = "create function public.set_config(k text, v text, is_local boolean default false) returns text language plpgsql as $$ begin perform pg_catalog.set_config(k, v, is_local); return v; end $$;\n";
  const index = stateFunctionIndex([{ path: FILE, text: wrapper }]);
  const local = "create function enter_local(t text) returns void language plpgsql as $$ begin perform set_config('app.t', t, true); end $$;\n";
  assert.deepEqual(calls(analyzeSql(local, { stateFunctions: index }, '/work/db/local.sql'), local), []);
  const catalog = "select pg_catalog.set_config('app.t', '1', true);\n";
  assert.deepEqual(calls(analyzeSql(catalog, { stateFunctions: index }, '/work/db/local.sql'), catalog), []);
  const twoArguments = "select set_config('app.t', '1');\nselect public.set_config('app.t', '2', false);\n";
  assert.deepEqual(calls(analyzeSql(twoArguments, { stateFunctions: index }, '/work/db/rpc.sql'), twoArguments), [['session-set', 'set_config'], ['session-set', 'set_config']]);
});

test('a call qualified with another schema than the one the state-creating definition names is another routine; unqualified calls and calls of unqualified definitions still count', () => {
  const index = stateFunctionIndex([{ path: FILE, text: String.raw`create function secure.user_id(school bigint, login text) returns int language plpgsql as $$
begin
  set "request.jwt.claim.group" to 'admin';
  return 1;
end $$;
create function enter(t text) returns void language sql as $$ select set_config('app.tenant', t, false) $$;
` }]);
  const options = { stateFunctions: index };
  const sql = 'select request.user_id();\nselect secure.user_id(1, $1);\nselect user_id(1, $1);\nselect app.enter($1);\n';
  assert.deepEqual(calls(analyzeSql(sql, options), sql), [
    ['session-set', 'user_id'], // secure.user_id: the definition's own schema
    ['session-set', 'user_id'], // unqualified: search_path may reach it
    ['session-set', 'enter'], // the definition names no schema: app.enter may be it
  ]);
});

test('a call between BEGIN and ROLLBACK: the rollback undoes the temporary table and the SET its body made, not a session lock', () => {
  const sql = [
    'BEGIN;',
    'call scratch();',
    "select tenant_enter('trial');",
    'select take_lock();',
    'ROLLBACK;',
    '',
  ].join('\n');
  assert.deepEqual(calls(analyzeSql(sql, OPTIONS, '/work/db/try.sql'), sql), [['advisory-lock', 'take_lock']]);
});

test('a call in a block that commits, after the rollback, or rolled back only to a savepoint keeps its finding', () => {
  const committed = 'BEGIN;\ncall scratch();\nCOMMIT;\n';
  assert.deepEqual(calls(analyzeSql(committed, OPTIONS, '/work/db/try.sql'), committed), [['temp-table', 'scratch']]);
  const after = 'BEGIN;\nselect 1;\nROLLBACK;\ncall scratch();\n';
  assert.deepEqual(calls(analyzeSql(after, OPTIONS, '/work/db/try.sql'), after), [['temp-table', 'scratch']]);
  const savepoint = 'BEGIN;\nSAVEPOINT s;\ncall scratch();\nROLLBACK TO SAVEPOINT s;\nCOMMIT;\n';
  assert.deepEqual(calls(analyzeSql(savepoint, OPTIONS, '/work/db/try.sql'), savepoint), [['temp-table', 'scratch']]);
  // Embedded: a ROLLBACK on another path than the call (the else of its if) does not undo it.
  const code = [
    "import pg from 'pg';",
    'export async function run(client: pg.Client, dryRun: boolean) {',
    "  await client.query('BEGIN');",
    "  await client.query('call scratch()');",
    "  if (dryRun) await client.query('ROLLBACK'); else await client.query('COMMIT');",
    '}',
  ].join('\n');
  assert.deepEqual(calls(analyze(code, 'typescript', OPTIONS, 'app.ts'), code), [['temp-table', 'scratch']]);
});

test('a body making several kinds of session state gives its call one finding per kind, not one per statement', () => {
  const definitions = String.raw`create procedure worker_setup(ch text) language plpgsql as $$
begin
  perform set_config('worker.round', '1', false);
  perform set_config('worker.name', ch, false);
  create temporary table worker_seen (id int);
  execute 'LISTEN ' || quote_ident(ch);
end $$;
create function note_user(u text, is_local boolean default false) returns void language plpgsql as $$
begin
  perform set_config('app.user', u, is_local);
  create temp table user_notes (n text);
end $$;
create function one_kind() returns void language plpgsql as $$
begin
  set work_mem = '64MB';
  set statement_timeout = '5s';
end $$;
`;
  const index = stateFunctionIndex([{ path: '/srv/db/worker.sql', text: definitions }]);
  assert.deepEqual(index.get('worker_setup')?.otherRules?.map((site) => site.rule), ['temp-table', 'listen']);
  const options = { stateFunctions: index };
  const sql = "call worker_setup('jobs');\nselect one_kind();\nselect note_user('ann', true);\nselect note_user('bob');\n";
  const found = analyzeSql(sql, options, '/srv/db/seed.sql').filter((f) => f.related?.some((r) => r.location))
    .map((f) => [sql.slice(0, f.start).split('\n').length, f.rule, f.related![0].location!.range.start.line]);
  assert.deepEqual(found, [
    [1, 'session-set', 2], [1, 'temp-table', 4], [1, 'listen', 5],
    [2, 'session-set', 14],
    // is_local passed true: the set_config is the transaction's, the temporary table still the session's.
    [3, 'temp-table', 10],
    [4, 'session-set', 9], [4, 'temp-table', 10],
  ]);
  // A rule turned off drops only its own finding at the call.
  const offSql = "call worker_setup('jobs');";
  assert.deepEqual(calls(analyzeSql(offSql, { ...options, rules: { 'temp-table': 'off' } }), offSql), [['session-set', 'worker_setup'], ['listen', 'worker_setup']]);
});

// A deploy file that a program formats before sending (Python str.format): every routine is named `{schema}.name`.
const TEMPLATED_ROUTINES = String.raw`CREATE OR REPLACE PROCEDURE {target}.fill_scratch()
LANGUAGE plpgsql AS $$
BEGIN
    DROP TABLE IF EXISTS scratch_rows;
    CREATE TEMP TABLE scratch_rows AS SELECT id FROM {target}.source_rows;
END $$;

COMMENT ON PROCEDURE {target}.fill_scratch() IS 'Leaves scratch_rows for the caller.';

CREATE OR REPLACE PROCEDURE {target}.rebuild()
LANGUAGE plpgsql AS $$
BEGIN
    CALL {target}.fill_scratch();
    INSERT INTO {target}.results SELECT id FROM scratch_rows;
END $$;
`;

test('a template names its routines and calls them by a {schema} placeholder: the index holds them, and a call through the placeholder reaches them', () => {
  const index = stateFunctionIndex([{ path: '/work/db/deploy/routines.sql', text: TEMPLATED_ROUTINES }]);
  assert.deepEqual([...index.keys()], ['fill_scratch']);
  assert.equal(index.get('fill_scratch')!.schema, undefined, 'the placeholder names no known schema');
  const options = { stateFunctions: index };
  const found = analyzeSql(TEMPLATED_ROUTINES, options, '/work/db/deploy/routines.sql');
  assert.deepEqual(calls(found, TEMPLATED_ROUTINES), [['temp-table', 'fill_scratch']]);
  assert.equal(found.find((f) => f.related?.some((r) => r.location))!.start, TEMPLATED_ROUTINES.indexOf('fill_scratch();'), 'at the CALL in rebuild(), not at the COMMENT ON');
  // A call through the placeholder reaches a definition of any schema, as an unqualified one does; a named schema still decides.
  const named = stateFunctionIndex([{ path: FILE, text: "create procedure ops.fill_scratch() language sql as $$ create temp table s (id int) $$;\n" }]);
  const sql = 'CALL {target}.fill_scratch();\nCALL archive.fill_scratch();\n';
  assert.deepEqual(calls(analyzeSql(sql, { stateFunctions: named }, '/work/db/run.sql'), sql), [['temp-table', 'fill_scratch']]);
});

test('braces that are no schema placeholder before a name ({fill_scratch}(), a string) are no call', () => {
  const index = stateFunctionIndex([{ path: FILE, text: "create procedure fill_scratch() language sql as $$ create temp table s (id int) $$;\n" }]);
  const sql = "SELECT '{target}.fill_scratch()' AS doc;\nSELECT {fill_scratch}();\n";
  assert.deepEqual(calls(analyzeSql(sql, { stateFunctions: index }, '/work/db/run.sql'), sql), []);
});
