import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository, type ScratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** The findings of a program written into the repository, as `rule line`. */
function lint(repo: ScratchRepository, path: string, lines: readonly string[], options = {}): string[] {
  const text = lines.join('\n');
  return analyze(text, 'javascript', options, repo.write(path, text)).map((f) => ruleLine(text, f));
}

function project(name: string, t: { after(fn: () => void): void }): ScratchRepository {
  const repo = scratchRepository(name, t);
  repo.mkdir('.git');
  return repo;
}

test("a program running node-pg-migrate's CLI (up/down/redo) through child_process on DATABASE_URL is flagged at the call", (t) => {
  const repo = project('npm-cli', t);
  repo.write('.env.example', 'DATABASE_URL=postgres://owner:secret@HOST:5432/app\n');
  // The command's words come from a const list of the file spread into the argument list, the action from argv.
  const wrapper = [
    "import { spawnSync } from 'node:child_process';",
    "const which = process.argv[2] ?? 'up';",
    "const SQL_DIR = 'db/sql-migrations';",
    "const common = ['node-pg-migrate', '-m', SQL_DIR, '--migrations-table', 'schema_log'];",
    "const plan = which === 'redo' ? [['down', '1'], ['up', '1']] : [[which]];",
    'for (const [step, n] of plan) {',
    '  const words = [...common, step, ...(n ? [n] : [])];',
    "  const done = spawnSync('yarn', ['exec', ...words], { stdio: 'inherit' });",
    '  if (done.status) process.exit(done.status);',
    '}',
  ];
  const found = analyze(wrapper.join('\n'), 'javascript', {}, repo.write('tools/migrate-db.mjs', wrapper.join('\n')));
  assert.deepEqual(found.map((f) => ruleLine(wrapper.join('\n'), f)), ['advisory-lock 8']);
  assert.match(found[0].message, /^node-pg-migrate's command-line tool \(up, down, redo\) takes a session advisory lock/);
  // The command written out: a shell string, an argument list, a path to the package's bin, a promisified exec.
  assert.deepEqual(lint(repo, 'ops/release.js', [
    "const { execSync } = require('child_process');",
    "execSync('npx node-pg-migrate up -m migrations', { stdio: 'inherit' });",
  ]), ['advisory-lock 2']);
  assert.deepEqual(lint(repo, 'ops/release-list.mjs', [
    "import { execFileSync } from 'node:child_process';",
    "execFileSync('node', ['node_modules/.bin/node-pg-migrate', 'down', '--database-url-var', 'OPS_DB_URL']);",
  ]), ['advisory-lock 2']);
  assert.deepEqual(lint(repo, 'ops/release-async.cjs', [
    "const cp = require('node:child_process');",
    "const util = require('node:util');",
    'const sh = util.promisify(cp.exec);',
    "module.exports = async (dir) => sh(`pnpm exec node-pg-migrate redo -m ${dir}`);",
  ]), ['advisory-lock 4']);
  // Session mode keeps the lock on the CLI's own server connection.
  assert.deepEqual(lint(repo, 'ops/release-session.js', ["const { execSync } = require('child_process');", "execSync('npx node-pg-migrate up');"], { poolMode: 'session' }), []);
});

test("node-pg-migrate's CLI without its lock, creating a file, on a direct, local or test URL, or in test and development code gives nothing", (t) => {
  const repo = project('npm-cli-quiet', t);
  const run = (command: string): string[] => ["const { execSync } = require('child_process');", `execSync(${JSON.stringify(command)});`];
  assert.deepEqual(lint(repo, 'ops/a.js', run('npx node-pg-migrate up --no-lock')), []);
  assert.deepEqual(lint(repo, 'ops/b.js', run('npx node-pg-migrate up --lock false')), []);
  assert.deepEqual(lint(repo, 'ops/c.js', run('npx node-pg-migrate create add-orders -j sql')), []);
  assert.deepEqual(lint(repo, 'ops/d.js', run('npx node-pg-migrate up -d DIRECT_DATABASE_URL')), []);
  assert.deepEqual(lint(repo, 'ops/e.js', run('DATABASE_URL=postgres://me@localhost:5432/app npx node-pg-migrate up')), []);
  assert.deepEqual(lint(repo, 'ops/f.js', run('DATABASE_URL=$MIGRATE_DIRECT_URL npx node-pg-migrate up')), []);
  // A config file names the connection (not read), and a run in a compose service (the compose file's URL).
  assert.deepEqual(lint(repo, 'ops/g.js', run('npx node-pg-migrate up -f config/migrate.json')), []);
  assert.deepEqual(lint(repo, 'ops/h.js', run('docker compose exec api npx node-pg-migrate up')), []);
  // The child's environment or the program sets the variable to a direct URL first.
  assert.deepEqual(lint(repo, 'ops/i.mjs', [
    "import { spawn } from 'node:child_process';",
    "spawn('npx', ['node-pg-migrate', 'up'], { env: { ...process.env, DATABASE_URL: process.env.DATABASE_DIRECT_URL } });",
  ]), []);
  assert.deepEqual(lint(repo, 'ops/j.mjs', [
    "import { spawn } from 'node:child_process';",
    "process.env.DATABASE_URL = 'postgres://app@127.0.0.1:5432/app';",
    "spawn('npx', ['node-pg-migrate', 'up']);",
  ]), []);
  // A pooled sibling of DATABASE_URL documented in the env example makes it the direct one.
  const sibling = project('npm-cli-sibling', t);
  sibling.write('.env.example', 'DATABASE_URL=postgres://app@db:5432/app\nDATABASE_POOLED_URL=postgres://app@bouncer:6432/app\n');
  assert.deepEqual(lint(sibling, 'ops/release.js', run('npx node-pg-migrate up')), []);
  // A computed command in a program that spells no migrating one, and a hole that is an option's value.
  assert.deepEqual(lint(repo, 'ops/k.mjs', [
    "import { spawnSync } from 'node:child_process';",
    "spawnSync('npx', ['node-pg-migrate', process.argv[2]]);",
  ]), []);
  assert.deepEqual(lint(repo, 'ops/l.mjs', [
    "import { spawnSync } from 'node:child_process';",
    "const mode = 'up';",
    "spawnSync('npx', ['node-pg-migrate', '-m', process.env.MIGRATIONS]);",
  ]), []);
  // Test code and scripts named for development; a helper of the project that runs what it is given.
  assert.deepEqual(lint(repo, 'test/global-setup.js', run('npx node-pg-migrate up')), []);
  assert.deepEqual(lint(repo, 'scripts/dev-db.js', run('npx node-pg-migrate up')), []);
  assert.deepEqual(lint(repo, 'ops/m.js', [
    "const { execSync } = require('child_process');",
    'const sh = (line) => execSync(line);',
    "sh('npx node-pg-migrate up');",
  ]), []);
});

/** A back end whose migrate program hands node-pg-migrate's bin the arguments it is run with, and the scripts running it. */
function argvForwarder(t: { after(fn: () => void): void }, name: string, scripts: Record<string, string>, env = 'DATABASE_URL: databaseUrl'): { repo: ScratchRepository; lines: string[] } {
  const repo = project(name, t);
  repo.write('api/package.json', JSON.stringify({ name: 'api', scripts }, null, 2));
  const lines = [
    "const { execFileSync } = require('child_process');",
    "const path = require('path');",
    'const databaseUrl = `postgresql://${process.env.DB_USER}@${process.env.DB_HOST}:5432/${process.env.DB_NAME}`;',
    "const bin = path.join(__dirname, '..', 'node_modules', '.bin', 'node-pg-migrate');",
    "const dir = path.join(__dirname, '..', 'db', 'migrations');",
    `execFileSync(bin, ['--migrations-dir', dir, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, ${env} } });`,
  ];
  return { repo, lines };
}

test("a program passing its own arguments to node-pg-migrate's bin is flagged where its package's scripts run it with up, down or redo first", (t) => {
  // The action and the migrations folder's option both come from values the program computes: the option's value is no action.
  const { repo, lines } = argvForwarder(t, 'npm-cli-argv', {
    'migrate:up': 'node scripts/migrate.js up',
    'migrate:down': 'node scripts/migrate.js down 1',
    'migrate:create': 'node scripts/migrate.js create',
  });
  assert.deepEqual(lint(repo, 'api/scripts/migrate.js', lines), ['advisory-lock 6']);
  // A runtime's options before the path, a path written from the package's folder with `./`, a script's chained command.
  const other = argvForwarder(t, 'npm-cli-argv-options', { 'db:migrate': 'npm run build && node -r dotenv/config ./scripts/migrate.js redo' });
  assert.deepEqual(lint(other.repo, 'api/scripts/migrate.js', other.lines), ['advisory-lock 6']);
  // The bin's path built in the call, the action written out; a path to another package's bin is not the CLI.
  assert.deepEqual(lint(repo, 'api/scripts/release.js', [
    "const { execFileSync } = require('child_process');",
    "const { join } = require('path');",
    "execFileSync(join(__dirname, '../node_modules/.bin/node-pg-migrate'), ['up']);",
    "execFileSync(join(__dirname, '../node_modules/.bin/node-pg-migrate-helper'), ['up']);",
  ]), ['advisory-lock 3']);
});

test("the program's arguments say no lock through a pooler where its scripts only create, pass --no-lock or a config file, run it for tests, or run another file", (t) => {
  const quiet = (name: string, scripts: Record<string, string>, env?: string): string[] => {
    const { repo, lines } = argvForwarder(t, name, scripts, env);
    return lint(repo, 'api/scripts/migrate.js', lines);
  };
  assert.deepEqual(quiet('argv-create', { 'migrate:create': 'node scripts/migrate.js create' }), []);
  assert.deepEqual(quiet('argv-no-lock', { 'migrate:up': 'node scripts/migrate.js up --no-lock' }), []);
  assert.deepEqual(quiet('argv-config', { 'migrate:up': 'node scripts/migrate.js up -f config/db.json' }), []);
  assert.deepEqual(quiet('argv-test', { 'migrate:test': 'node scripts/migrate.js up' }), []);
  assert.deepEqual(quiet('argv-other', { 'seed:up': 'node scripts/seed.js up' }), []);
  // A direct URL given in the child's environment, and a variable the script names that is direct.
  assert.deepEqual(quiet('argv-direct', { 'migrate:up': 'node scripts/migrate.js up' }, 'DATABASE_URL: process.env.DATABASE_DIRECT_URL'), []);
  assert.deepEqual(quiet('argv-url-var', { 'migrate:up': 'node scripts/migrate.js up -d DIRECT_DATABASE_URL' }), []);
  // A program that does not read its command line computes the word otherwise: its scripts' arguments do not reach it.
  const { repo, lines } = argvForwarder(t, 'argv-unread', { 'migrate:up': 'node scripts/migrate.js up' });
  assert.deepEqual(lint(repo, 'api/scripts/migrate.js', lines.map((line) => line.replace('...process.argv.slice(2)', '...JSON.parse(process.env.MIGRATE_ARGS)'))), []);
});
