// One routine name defined in two schemas, in two files: PostgreSQL keeps `ledger.stage()` and `audit.stage()` side by
// side, so a later file's definition in one schema replaces nothing of the other's. A call qualified with a schema
// reaches that schema's definition only; an unqualified call keeps the reading it had (the last definition of the
// name: search_path may pick either). Also through `poolsafe lint` on a scratch repository (the routines' own bodies
// calling their schema's routine).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { runLint } from '../../../cli/lint';
import { scratchRepository } from '../../helpers/scratch';

before(async () => {
  await initAnalysis();
});

/** A procedure `<schema>.stage(batch int)` whose body makes a temporary table it keeps (or, `keeps` false, one its transaction drops). */
function stage(schema: string, keeps: boolean): string {
  return [
    `create or replace procedure ${schema}.stage(batch int) language plpgsql as $body$`,
    'begin',
    `  create temporary table staged_rows (id int)${keeps ? '' : ' on commit drop'};`,
    '  insert into staged_rows select batch;',
    'end $body$;',
    '',
  ].join('\n');
}

/** [the called text with its qualifier, the line of the body the finding points at, the body's file] of each call finding. */
function calls(sql: string, files: { path: string; text: string }[]): [string, string][] {
  const findings = analyzeSql(sql, { stateFunctions: stateFunctionIndex(files) }, '/srv/db/run.sql');
  return findings.filter((f) => f.rule === 'temp-table' && f.related?.some((r) => r.location))
    .map((f) => [sql.slice(sql.lastIndexOf('\n', f.start) + 1, f.end), f.related![0].location!.file]);
}

const CALLS = 'call ledger.stage(1);\ncall audit.stage(2);\ncall archive.stage(3);\ncall stage(4);\n';

test('a call qualified with a schema reaches that schema\'s definition, though another schema defines the name in a later file', () => {
  // Both keep their table: each qualified call is reported, pointing at its own schema's body.
  assert.deepEqual(calls(CALLS, [{ path: '/srv/db/a/ledger.sql', text: stage('ledger', true) }, { path: '/srv/db/b/audit.sql', text: stage('audit', true) }]), [
    ['call ledger.stage', '/srv/db/a/ledger.sql'],
    ['call audit.stage', '/srv/db/b/audit.sql'],
    ['call stage', '/srv/db/b/audit.sql'],
  ]);
  // Only the earlier file's schema keeps its table: its call alone is reported; the unqualified call reaches the last definition, as before.
  assert.deepEqual(calls(CALLS, [{ path: '/srv/db/a/ledger.sql', text: stage('ledger', true) }, { path: '/srv/db/b/audit.sql', text: stage('audit', false) }]), [
    ['call ledger.stage', '/srv/db/a/ledger.sql'],
  ]);
  // Only the later file's schema keeps it: the call of the other schema's routine stays silent.
  assert.deepEqual(calls(CALLS, [{ path: '/srv/db/a/ledger.sql', text: stage('ledger', false) }, { path: '/srv/db/b/audit.sql', text: stage('audit', true) }]), [
    ['call audit.stage', '/srv/db/b/audit.sql'],
    ['call stage', '/srv/db/b/audit.sql'],
  ]);
});

test('a later definition in the same schema, or one naming no schema, still replaces the earlier one', () => {
  assert.deepEqual(calls(CALLS, [{ path: '/srv/db/1_stage.sql', text: stage('ledger', true) }, { path: '/srv/db/2_audit.sql', text: stage('audit', true) },
    { path: '/srv/db/3_fix.sql', text: stage('ledger', false) }]), [
    ['call audit.stage', '/srv/db/2_audit.sql'],
  ]);
  const unqualified = 'create procedure stage(batch int) language sql as $$ select batch $$;\n';
  assert.deepEqual(calls(CALLS, [{ path: '/srv/db/1_stage.sql', text: stage('ledger', true) }, { path: '/srv/db/2_audit.sql', text: stage('audit', true) },
    { path: '/srv/db/3_fix.sql', text: unqualified }]), []);
});

test('poolsafe lint: each schema\'s routine calling its own schema\'s stage() is reported, in both schemas\' folders', async (t) => {
  const caller = (schema: string) => `create or replace procedure ${schema}.load(batch int) language plpgsql as $body$\nbegin\n  call ${schema}.stage(batch);\nend $body$;\n`;
  const root = scratchRepository('schemas', t).writeAll({
    'db/ledger/routines.sql': stage('ledger', true) + caller('ledger'),
    'db/reports/routines.sql': stage('reports', true) + caller('reports'),
  });
  let out = '';
  await runLint([root, '--format', 'json'], { stdout: (text) => (out += text), stderr: () => {}, version: 'test' });
  const findings = JSON.parse(out).findings as { file: string; rule: string; line: number }[];
  const atCalls = findings.filter((f) => f.rule === 'temp-table' && f.line === 8).map((f) => f.file.replace(/\\/g, '/').replace(/^.*\/db\//, ''));
  assert.deepEqual(atCalls.sort(), ['ledger/routines.sql', 'reports/routines.sql'], JSON.stringify(findings));
});
