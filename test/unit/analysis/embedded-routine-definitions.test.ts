// A TS/JS file whose string literals create a routine (a setup script sending `CREATE OR REPLACE FUNCTION
// set_org(…)` through a pool) defines it for the index of routines whose bodies create session state, as a .sql
// file does: a call elsewhere (`SELECT set_org($1)`) gets the body's finding, in `poolsafe lint` and in the editor's
// workspace index. A body whose state ends with the transaction, or a definition in test code, passes nothing on.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis, withWorkspaceCatalog } from '../../../server/analysis/index';
import { embeddedRoutineText } from '../../../server/analysis/embeddedRoutines';
import { runLint } from '../../../cli/lint';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const setup = (isLocal: 'true' | 'false'): string => [
  "const { Pool } = require('pg');",
  'const pool = new Pool();',
  "const schema = process.env.SCHEMA || 'public';",
  'async function main() {',
  '  await pool.query(`',
  '    CREATE OR REPLACE FUNCTION ${schema}.set_org(org uuid) RETURNS void AS $$',
  '    BEGIN',
  `      PERFORM set_config('app.current_org', org::text, ${isLocal});`,
  '    END;',
  '    $$ LANGUAGE plpgsql;',
  '  `);',
  '}',
  'main();',
  '',
].join('\n');

const middleware = [
  "const { pool } = require('../db');",
  'module.exports = async (req, res, next) => {',
  '  const client = await pool.connect();',
  "  await client.query('SELECT set_org($1)', [req.headers['x-org']]);",
  '  req.db = client;',
  '  next();',
  '};',
  '',
].join('\n');

async function lint(root: string): Promise<{ file: string; rule: string; line: number }[]> {
  let out = '';
  await runLint([root, '--format', 'json'], { stdout: (text) => (out += text), stderr: () => {}, version: 'test' });
  return JSON.parse(out).findings;
}

test('a routine a JS string literal creates passes its session state on to a call in another file (CLI and editor index)', async (t) => {
  const repo = scratchRepository('embedded-routines', t);
  const root = repo.writeAll({ 'scripts/setup-rls.js': setup('false'), 'server/middleware/org.js': middleware });
  const findings = await lint(root);
  assert.deepEqual(findings.filter((f) => f.file.endsWith('org.js')).map((f) => `${f.rule}:${f.line}`), ['session-set:4']);
  // The body's own finding stays on its line of the script.
  assert.ok(findings.some((f) => f.file.endsWith('setup-rls.js') && f.rule === 'session-set' && f.line === 8), JSON.stringify(findings));
  const site = withWorkspaceCatalog({}, root).stateFunctions?.get('set_org');
  assert.equal(site?.file, repo.path('scripts', 'setup-rls.js'));
  assert.equal(site?.range.start.line, 7);
});

test('a transaction-local body, a definition in test code, or a file without one defines nothing that reaches the call', async (t) => {
  const local = scratchRepository('embedded-routines', t).writeAll({ 'scripts/setup-rls.js': setup('true'), 'server/middleware/org.js': middleware });
  assert.deepEqual((await lint(local)).filter((f) => f.file.endsWith('org.js')), []);
  const inTests = scratchRepository('embedded-routines', t).writeAll({ 'test/setup-rls.js': setup('false'), 'server/middleware/org.js': middleware });
  assert.deepEqual((await lint(inTests)).filter((f) => f.file.endsWith('org.js')), []);
  assert.equal(embeddedRoutineText("const help = 'see how to create a function in the docs';\n", 'src/help.js'), undefined);
  assert.equal(embeddedRoutineText(setup('false'), 'src/db.test.js'), undefined);
});

test('a TS/JS literal never clears a routine a .sql file defines with session state', async (t) => {
  const sqlDefinition = "CREATE FUNCTION set_org(org uuid) RETURNS void LANGUAGE sql AS $$ SELECT set_config('app.current_org', org::text, false) $$;\n";
  // Sorted after the .sql file, the script's transaction-local version would replace it if it counted as a .sql file does.
  const root = scratchRepository('embedded-routines', t).writeAll({
    'db/a-functions.sql': sqlDefinition, 'db/z-setup.js': setup('true'), 'server/middleware/org.js': middleware,
  });
  assert.deepEqual((await lint(root)).filter((f) => f.file.endsWith('org.js')).map((f) => f.rule), ['session-set']);
});
