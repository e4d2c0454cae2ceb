// The three places node-postgres-suite.sh points node-postgres's integration tests at: a throwaway
// PostgreSQL (cli/throwawayPostgres.ts, the npm binaries), and in front of it real PgBouncer
// (test/helpers/pgbouncer.ts) and PoolSafe's `pooler --config` reading the same kind of ini (`* =` the
// cluster, pool_mode = session, scram-sha-256 with a userlist): one configuration, two poolers;
// `poolsafe-target` is PoolSafe's quick start (`--target URL --pool-mode session`) instead. Uses the
// repository's built out/ and dist/ (npm run build); POOLSAFE_REPO names another checkout's pooler.
//
//   node node-postgres-targets.mjs <work folder> <side>...      (sides: direct poolsafe pgbouncer poolsafe-target)
//
// All sides alike: TLS offered (a self-signed certificate; clients choose), logins given up after 10 s
// (PostgreSQL's authentication_timeout, the poolers' client_login_timeout: node-postgres's SCRAM test
// leaves a login half done), and a second role whose password needs SASLprep
// (SCRAM_TEST_PGUSER_UNICODE / SCRAM_TEST_PGPASSWORD_UNICODE from the environment).
// Writes <work folder>/targets (one `side port` line each) once every side accepts connections, then
// runs until SIGTERM/SIGINT, when it stops them all. Logs: <work folder>/<side>-server.log.
import { spawn } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The checkout whose pooler runs (POOLSAFE_REPO: e.g. an older commit for before/after counts). */
const poolerRepo = process.env.POOLSAFE_REPO || repo;
const require = createRequire(import.meta.url);
const { startThrowawayCluster, freePort } = require(join(repo, 'out/cli/throwawayPostgres.js'));
const { startPgBouncer, writePgBouncerConfig } = require(join(repo, 'out/test/helpers/pgbouncer.js'));
const { peerStopper, waitForPort } = require(join(repo, 'out/test/helpers/childProcess.js'));
const { selfSignedCertificate } = require(join(repo, 'out/test/helpers/certificate.js'));
const pg = require(join(repo, 'node_modules/pg'));

/** Server connections a pooler may open per pool: enough that no test waits for one (PostgreSQL allows 200). */
const POOL_SIZE = 150;
const START_TIMEOUT_MS = 30_000;
const LOGIN_TIMEOUT_S = 10;

const [work, ...sides] = process.argv.slice(2);
if (!work || sides.length === 0) {
  console.error('usage: node-postgres-targets.mjs <work folder> <direct|poolsafe|pgbouncer|poolsafe-target>...');
  process.exit(2);
}
const unicodeUser = process.env.SCRAM_TEST_PGUSER_UNICODE;
const unicodePassword = process.env.SCRAM_TEST_PGPASSWORD_UNICODE;

/** Folder of the TLS key and certificate: PostgreSQL and PgBouncer run as `postgres` under root and must reach it. */
const tlsDir = mkdtempSync(join(tmpdir(), 'nps-tls-'));
chmodSync(tlsDir, 0o755);
const tls = selfSignedCertificate(tlsDir);

/** One ini for both poolers: PgBouncer's test helper writes it (`* =` the cluster, session mode). */
function iniOptions(cluster, extra = {}) {
  const users = [{ name: cluster.user, password: cluster.password }];
  if (unicodeUser) users.push({ name: unicodeUser, password: unicodePassword });
  return {
    targetPort: cluster.port,
    poolMode: 'session',
    poolSize: POOL_SIZE,
    users,
    binary: process.env.PGBOUNCER || undefined,
    startTimeoutMs: START_TIMEOUT_MS,
    extra: {
      client_login_timeout: String(LOGIN_TIMEOUT_S),
      client_tls_sslmode: 'allow',
      client_tls_key_file: tls.key,
      client_tls_cert_file: tls.cert,
      ...extra,
    },
  };
}

/** `poolsafe pooler` with these arguments; resolves once it accepts connections on `port`. */
async function startPooler(side, port, args, dir) {
  mkdirSync(dir, { recursive: true });
  const log = createWriteStream(join(work, `${side}-server.log`));
  const child = spawn(process.execPath, [join(poolerRepo, 'dist/cli.js'), 'pooler', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const stop = peerStopper(child, dir, 'SIGTERM', (signal) => child.kill(signal));
  await waitForPort(side, port, Date.now() + START_TIMEOUT_MS, child, () => `see ${join(work, `${side}-server.log`)}`);
  return { port, stop };
}

/** PoolSafe reading the ini PgBouncer gets (its log lines go to stderr, not to a logfile). */
async function startPoolSafe(cluster) {
  const port = await freePort();
  const dir = join(work, 'poolsafe');
  mkdirSync(dir, { recursive: true });
  const ini = writePgBouncerConfig(dir, port, iniOptions(cluster, { logfile: '' }));
  return startPooler('poolsafe', port, ['--config', ini, '--pool-mode', 'session'], dir);
}

/** PoolSafe's quick start (`--target URL`): the target's database and user only, no TLS towards clients. */
async function startPoolSafeTarget(cluster) {
  const port = await freePort();
  return startPooler('poolsafe-target', port, ['--target', cluster.url(), '--listen', `127.0.0.1:${port}`,
    '--pool-mode', 'session', '--pool-size', String(POOL_SIZE)], join(work, 'poolsafe-target'));
}

async function startBouncer(cluster) {
  const bouncer = await startPgBouncer(iniOptions(cluster));
  const stop = async () => {
    writeFileSync(join(work, 'pgbouncer-server.log'), bouncer.log());
    await bouncer.stop();
  };
  return { port: bouncer.port, stop };
}

async function createUnicodeRole(cluster) {
  if (!unicodeUser) return;
  const client = new pg.Client({ connectionString: cluster.url() });
  await client.connect();
  try {
    await client.query(`CREATE ROLE ${client.escapeIdentifier(unicodeUser)} LOGIN PASSWORD ${client.escapeLiteral(unicodePassword)}`);
  } finally {
    await client.end();
  }
}

const cluster = await startThrowawayCluster({
  password: process.env.PGPASSWORD || 'node-postgres-suite-pw',
  settings: { ssl: 'on', ssl_cert_file: `'${tls.cert}'`, ssl_key_file: `'${tls.key}'`, authentication_timeout: `${LOGIN_TIMEOUT_S}s` },
});
const started = { direct: { port: cluster.port, stop: async () => {} } };
const stopAll = async (exitCode) => {
  for (const side of Object.values(started)) await side.stop().catch(() => undefined);
  cluster.stop();
  rmSync(tlsDir, { recursive: true, force: true });
  process.exit(exitCode);
};
process.once('SIGTERM', () => stopAll(0));
process.once('SIGINT', () => stopAll(0));
try {
  await createUnicodeRole(cluster);
  if (sides.includes('poolsafe')) started.poolsafe = await startPoolSafe(cluster);
  if (sides.includes('poolsafe-target')) started['poolsafe-target'] = await startPoolSafeTarget(cluster);
  if (sides.includes('pgbouncer')) started.pgbouncer = await startBouncer(cluster);
} catch (error) {
  console.error(String(error?.stack ?? error));
  await stopAll(1);
}
writeFileSync(join(work, 'targets'), sides.map((side) => `${side} ${started[side].port}\n`).join(''));
setInterval(() => undefined, 1 << 30);
