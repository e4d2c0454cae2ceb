// `poolsafe lint` end to end: the bundled dist/cli.js run as a child process from another directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cliPath, repoRoot } from '../helpers/paths';

function lint(args: string[], cwd: string) {
  const run = spawnSync(process.execPath, [cliPath, 'lint', ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function workspace(t: { after: (fn: () => void) => void }, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'poolsafe-cli-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('JSON output has the stable shape, 1-based positions, and exit code 1 on findings', (t) => {
  const root = workspace(t, { 'a.sql': '-- é 😀\nSET search_path TO app;\n' });
  const run = lint(['a.sql', '--format', 'json'], root);
  assert.equal(run.code, 1, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {
    findings: [{ file: 'a.sql', line: 2, column: 1, endLine: 2, endColumn: 23, rule: 'session-set', severity: 'warning', message: JSON.parse(run.stdout).findings[0].message }],
  });
  assert.match(JSON.parse(run.stdout).findings[0].message, /SET/);
});

test('text output is file:line:col: severity rule message; a clean file exits 0 with no output', (t) => {
  const root = workspace(t, { 'bad.sql': 'SELECT 1;\nLISTEN jobs;\n', 'good.sql': 'BEGIN;\nSET LOCAL search_path TO app;\nCOMMIT;\n' });
  const bad = lint(['bad.sql'], root);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /^bad\.sql:2:1: warning listen .+\n$/);
  const good = lint(['good.sql'], root);
  assert.deepEqual([good.code, good.stdout, good.stderr], [0, '', '']);
});

test('directories are recursed for SQL and TS/JS, skipping node_modules and git-ignored paths', (t) => {
  const root = workspace(t, {
    '.git/HEAD': 'ref: refs/heads/main\n',
    '.gitignore': 'generated/\n*.tmp.sql\n',
    'db/x.sql': 'LISTEN a;',
    'src/app.ts': "await pool.query('LISTEN b');",
    'src/app.mjs': "await pool.query('LISTEN c');",
    'src/types.d.ts': "declare const x: 'LISTEN d';",
    'node_modules/lib/y.sql': 'LISTEN e;',
    'generated/z.sql': 'LISTEN f;',
    'db/scratch.tmp.sql': 'LISTEN g;',
    'README.md': 'LISTEN h;',
  });
  const run = lint(['.', '--format', 'json'], root);
  assert.equal(run.code, 1, run.stderr);
  const files = JSON.parse(run.stdout).findings.map((f: { file: string }) => f.file).sort();
  assert.deepEqual(files, ['db/x.sql', 'src/app.mjs', 'src/app.ts']);
});

test("a shell script's program on a node here-document is linted at the script's lines; its other here-documents are not", (t) => {
  const program = ["const { Client } = require('pg');", 'const c = new Client();', "await c.query('LISTEN jobs');"];
  const root = workspace(t, {
    'docker/entrypoint.sh': ['#!/bin/sh', "node --input-type=module <<'JS'", ...program, 'JS', 'exec node server.js', ''].join('\n'),
    'scripts/notes.sh': ['#!/bin/sh', "cat <<'JS'", ...program, 'JS', ''].join('\n'),
  });
  const run = lint(['.'], root);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /^docker\/entrypoint\.sh:5:\d+: warning listen .+\n$/);
});

test('a named file that cannot be read gets a clear message, the rest is still linted, exit 2; a dangling link found in a folder is skipped', (t) => {
  const root = workspace(t, { 'ok.sql': 'LISTEN a;' });
  symlinkSync(join(root, 'nowhere.sql'), join(root, 'broken.sql'));
  const run = lint(['.', 'missing.sql', '--format', 'json'], root);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /missing\.sql: cannot read: no such file or directory/);
  assert.doesNotMatch(run.stderr, /broken\.sql/, 'a link that leads nowhere holds nothing to lint');
  assert.deepEqual(JSON.parse(run.stdout).findings.map((f: { file: string }) => f.file), ['ok.sql']);
  // Named on the command line, the same link is reported.
  const named = lint(['broken.sql', 'ok.sql', '--format', 'json'], root);
  assert.equal(named.code, 2);
  assert.match(named.stderr, /broken\.sql: cannot read/);
});

test('--jobs N lints in N threads and prints what one thread prints, in the same order, errors included', (t) => {
  assert.ok(existsSync(join(dirname(cliPath), 'lintWorker.js')), 'the worker bundle is built beside cli.js (else --jobs falls back to one thread)');
  const files: Record<string, string> = {
    'db/functions.sql': "create function tenant_enter(t text) returns void language sql as $$ select set_config('app.tenant', t, false) $$;\n",
    'broken/.poolsafe.json': '{"rules":{"listen":"loud"}}',
    'broken/jobs.ts': "await pool.query('LISTEN jobs');\n",
  };
  for (let i = 0; i < 12; i++) {
    files[`src/m${i}/handler.ts`] = `export const run${i} = (client) => client.query("select tenant_enter('t${i}')");\nexport const lock${i} = () => pool.query('SELECT pg_advisory_lock(${i})');\n`;
    files[`src/m${i}/view.tsx`] = `export const View${i} = () => <p>Row ${i}</p>;\n`;
    files[`db/m${i}.sql`] = `SET search_path TO tenant_${i};\nCREATE TEMP TABLE t${i} (a int);\n`;
  }
  const root = workspace(t, files);
  symlinkSync(join(root, 'nowhere.ts'), join(root, 'src', 'gone.ts'));
  const one = lint(['.', '--format', 'json'], root);
  assert.equal(one.code, 2, 'the broken config makes it exit 2');
  assert.doesNotMatch(one.stderr, /gone\.ts/, 'a link that leads nowhere is skipped');
  assert.match(one.stderr, /broken[/\\]\.poolsafe\.json/);
  const findings = JSON.parse(one.stdout).findings as { file: string; rule: string }[];
  assert.equal(findings.filter((f) => f.file.endsWith('handler.ts') && f.rule === 'session-set').length, 12, 'calls of the .sql files\' state function are findings in every thread');
  assert.equal(findings.filter((f) => f.rule === 'temp-table').length, 12);
  for (const jobs of ['2', '3']) {
    const many = lint(['.', '--format', 'json', '--jobs', jobs], root);
    assert.deepEqual([many.code, many.stdout, many.stderr], [one.code, one.stdout, one.stderr], `--jobs ${jobs}`);
  }
  const text = lint(['.', '-j', '2'], root);
  assert.equal(text.stdout, lint(['.'], root).stdout);
});

test('a lint that meets TS/JS saves a V8 code cache in the user\'s cache folder once; later runs use it and print the same; POOLSAFE_CODE_CACHE=off writes none', (t) => {
  const root = workspace(t, { 'src/jobs.ts': "await pool.query('LISTEN jobs');\n", 'db/a.sql': 'LISTEN a;\n' });
  const cacheHome = join(root, 'cache-home');
  const run = (env: NodeJS.ProcessEnv, args = ['.', '--format', 'json']) => spawnSync(process.execPath, [cliPath, 'lint', ...args], { cwd: root, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  const caches = () => (existsSync(join(cacheHome, 'poolsafe')) ? readdirSync(join(cacheHome, 'poolsafe')) : []);

  const off = run({ XDG_CACHE_HOME: cacheHome, POOLSAFE_CODE_CACHE: 'off' });
  assert.equal(off.status, 1, off.stderr);
  assert.deepEqual(caches(), []);
  const sqlOnly = run({ XDG_CACHE_HOME: cacheHome }, ['db/a.sql']);
  assert.equal(sqlOnly.status, 1, sqlOnly.stderr);
  assert.deepEqual(caches(), [], 'a run that never loads the TS/JS analysis writes no cache');

  const first = run({ XDG_CACHE_HOME: cacheHome });
  assert.deepEqual([first.status, first.stdout, first.stderr], [off.status, off.stdout, off.stderr]);
  const written = caches();
  assert.equal(written.length, 1);
  assert.match(written[0], /^embedded-[0-9a-f]{32}\.v8cache$/);
  assert.equal(statSync(join(cacheHome, 'poolsafe')).mode & 0o777, 0o700);
  const { mtimeMs } = statSync(join(cacheHome, 'poolsafe', written[0]));
  const second = run({ XDG_CACHE_HOME: cacheHome });
  assert.deepEqual([second.status, second.stdout, second.stderr], [off.status, off.stdout, off.stderr]);
  assert.equal(statSync(join(cacheHome, 'poolsafe', written[0])).mtimeMs, mtimeMs, 'a cache that was used is not written again');

  // A damaged cache changes nothing the user sees: it is ignored and written again.
  writeFileSync(join(cacheHome, 'poolsafe', written[0]), 'not a cache');
  const damaged = run({ XDG_CACHE_HOME: cacheHome });
  assert.deepEqual([damaged.status, damaged.stdout, damaged.stderr], [off.status, off.stdout, off.stderr]);
  assert.ok(statSync(join(cacheHome, 'poolsafe', written[0])).size > 1000);
});

test('usage errors exit 2 with a message', (t) => {
  const root = workspace(t, { 'a.sql': 'SELECT 1;' });
  for (const args of [[], ['a.sql', '--format', 'xml'], ['a.sql', '--pool-mode', 'tx'], ['a.sql', '--bogus'], ['a.sql', '--jobs', '0'], ['a.sql', '--jobs', 'two']]) {
    const run = lint(args, root);
    assert.equal(run.code, 2, args.join(' '));
    assert.match(run.stderr, /poolsafe lint: .+\nusage: poolsafe lint/);
  }
});

test('--pool-mode and .poolsafe.json change which rules fire; flags override the file', (t) => {
  const root = workspace(t, {
    '.poolsafe.json': '{"rules":{"listen":"off","temp-table":"error"}}',
    'a.sql': 'LISTEN a;\nCREATE TEMP TABLE t (a int);\nBEGIN;\nSELECT 1;\nCOMMIT;\n',
  });
  const file = JSON.parse(lint(['a.sql', '--format', 'json'], root).stdout).findings;
  assert.deepEqual(file.map((f: { rule: string; severity: string }) => [f.rule, f.severity]), [['temp-table', 'error']]);
  const statement = JSON.parse(lint(['a.sql', '--format', 'json', '--pool-mode', 'statement'], root).stdout).findings;
  assert.deepEqual(statement.map((f: { rule: string }) => f.rule), ['temp-table', 'statement-mode-transaction']);
  const session = lint(['a.sql', '--pool-mode', 'session'], root);
  assert.deepEqual([session.code, session.stdout], [0, '']);
});

test('SARIF 2.1.0 names the tool, describes every rule and locates results', (t) => {
  const root = workspace(t, { 'q/a b.sql': "SELECT pg_advisory_lock(1);" });
  const run = lint(['q', '--format', 'sarif'], root);
  assert.equal(run.code, 1);
  const sarif = JSON.parse(run.stdout);
  assert.equal(sarif.version, '2.1.0');
  const [runLog] = sarif.runs;
  assert.equal(runLog.tool.driver.name, 'PoolSafe');
  assert.ok(runLog.tool.driver.rules.some((r: { id: string }) => r.id === 'advisory-lock'));
  const [result] = runLog.results;
  assert.equal(result.ruleId, 'advisory-lock');
  assert.equal(runLog.tool.driver.rules[result.ruleIndex].id, 'advisory-lock');
  assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, 'q/a%20b.sql');
  assert.deepEqual(result.locations[0].physicalLocation.region, { startLine: 1, startColumn: 8, endLine: 1, endColumn: 24 });
});

test('the demo workspace: every rule fires in unsafe.sql, none in safe.sql', () => {
  const demo = join(__dirname, '..', '..', '..', 'demo');
  const unsafe = JSON.parse(lint(['sql/unsafe.sql', '--format', 'json'], demo).stdout).findings;
  const rules = new Set(unsafe.map((f: { rule: string }) => f.rule));
  for (const rule of ['session-set', 'set-local-outside-transaction', 'prepared-statement', 'temp-table', 'currval', 'advisory-lock', 'listen', 'cursor-with-hold', 'load', 'session-extension']) {
    assert.ok(rules.has(rule), `unsafe.sql lacks ${rule}`);
  }
  const statementMode = JSON.parse(lint(['sql/statement-mode.sql', '--format', 'json', '--pool-mode', 'statement'], demo).stdout).findings;
  assert.ok(statementMode.some((f: { rule: string }) => f.rule === 'statement-mode-transaction'));
  const ts = JSON.parse(lint(['src/orders.ts', '--format', 'json'], demo).stdout).findings;
  assert.ok(ts.some((f: { rule: string }) => f.rule === 'protocol-prepared-statement'));
  const safe = lint(['sql/safe.sql'], demo);
  assert.deepEqual([safe.code, safe.stdout], [0, '']);
});

test('poolsafe --version prints the version in package.json', () => {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-v']) {
    const result = spawnSync(process.execPath, [cliPath, flag], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 0);
    assert.equal(result.stdout, `${version}\n`);
  }
});

test('"syntax-error": "off" in .poolsafe.json is accepted (no exit 2) and silences syntax errors only', (t) => {
  const root = workspace(t, { '.poolsafe.json': '{"rules":{"syntax-error":"off"}}', 'a.sql': 'SELECT id, FROM t;\nLISTEN jobs;\n' });
  const run = lint(['a.sql', '--format', 'json'], root);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stderr, '');
  assert.deepEqual(JSON.parse(run.stdout).findings.map((f: { rule: string }) => f.rule), ['listen']);
});

test('poolsafe rules lists syntax-error with its default severity', () => {
  const run = spawnSync(process.execPath, [cliPath, 'rules'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0);
  assert.match(run.stdout, /^syntax-error\s+warning\s+/m);
});

test("linting a package folder with '.' finds what linting it by its absolute path finds: the repository's root above the package is reached either way", (t) => {
  // The root's .env.test points the suite's variable at a transaction pooler: the helper's env branch is then no
  // stand-in for the container it starts otherwise, and its postgres.js client keeps its prepared-statement finding.
  const root = workspace(t, {
    '.git/HEAD': 'ref: refs/heads/main\n',
    'package.json': '{"name":"shop","private":true,"workspaces":["services/*"]}',
    '.env.test': 'LEDGER_TEST_URL=postgres://svc:pw@aws-0-us-east-1.pooler.supabase.com:6543/postgres\n',
    'services/ledger/package.json': JSON.stringify({ name: 'ledger', scripts: { test: 'vitest' }, dependencies: { postgres: '^3.4.0' }, devDependencies: { vitest: '^2.0.0', '@testcontainers/postgresql': '^10.0.0' } }),
    'services/ledger/spec/connect.ts': [
      "import postgres from 'postgres';",
      "import { PostgreSqlContainer } from '@testcontainers/postgresql';",
      '',
      'export async function ledgerDb() {',
      '  if (process.env.LEDGER_TEST_URL) {',
      '    return postgres(process.env.LEDGER_TEST_URL);',
      '  }',
      "  const server = await new PostgreSqlContainer('postgres:16').start();",
      '  return postgres(server.getConnectionUri());',
      '}',
      '',
    ].join('\n'),
    'services/ledger/spec/entries.test.ts': [
      "import { it } from 'vitest';",
      "import { ledgerDb } from './connect';",
      '',
      "it('lists entries', async () => {",
      '  const db = await ledgerDb();',
      "  await db.unsafe('SET search_path TO ledger');",
      '  await db`SELECT * FROM entries WHERE id = ${7}`;',
      '});',
      '',
    ].join('\n'),
  });
  const pkg = join(root, 'services', 'ledger');
  const found = (target: string) => JSON.parse(lint([target, '--format', 'json'], pkg).stdout).findings
    .map((f: { file: string; line: number; rule: string }) => `${f.file.slice(f.file.indexOf('spec'))}:${f.line} ${f.rule}`).sort();
  const expected = ['spec/connect.ts:6 protocol-prepared-statement', 'spec/entries.test.ts:6 session-set'];
  assert.deepEqual(found(pkg), expected);
  assert.deepEqual(found('.'), expected);
  assert.deepEqual(found('spec'), expected);
});
