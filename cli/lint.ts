// `poolsafe lint`: analyses files and directories and prints findings; exit 0 none, 1 findings, 2 usage/IO error.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initAnalysis, type AnalysisOptions, type PoolMode, type PreparedStatementSupport } from '../server/analysis/index';
import { stateFunctionIndex } from '../server/analysis/stateFunctions';
import { closingRoutineIndex } from '../server/analysis/routineConnections';
import { sourceRoutineNames } from '../server/analysis/schemaSnapshots';
import { isScriptFile, mayDefineRoutine } from '../server/analysis/embeddedRoutines';
import { mayHandOnPostgresJs } from '../server/analysis/postgresJsModules';
import { collectFiles, languageOf } from './files';
import { formatJson, formatSarif, formatText, type FileFinding } from './format';
import { ConfigResolver, FileLinter, prepareLintRun, type FileResult, type LintSettings } from './lintFile';
import { saveCodeCaches } from './codeCache';
import { lintInWorkers, threadCount } from './lintWorkers';

export const LINT_USAGE = `usage: poolsafe lint <files|dirs...> [--format text|json|sarif] [--pool-mode transaction|session|statement]
                     [--prepared-statements unsupported|supported] [--config .poolsafe.json] [--no-default-ignore] [--jobs N]
Directories are searched for .sql .pgsql .psql .ts .tsx .js .jsx .mjs .cjs .mts .cts files, skipping node_modules and git-ignored paths,
and by default vendored folders (.yarn, vendor, ...) and minified or bundled JavaScript (--no-default-ignore lints them).
Settings come from the nearest .poolsafe.json (or --config); flags override it.
--jobs N (-j N) lints in N threads (default 1): less wall time on idle cores, more CPU time and memory; the output is the same.
Exit status: 0 no findings, 1 findings, 2 usage or I/O error.`;

const FORMATS = ['text', 'json', 'sarif'] as const;
const POOL_MODES: readonly PoolMode[] = ['transaction', 'session', 'statement'];
const PREPARED: readonly PreparedStatementSupport[] = ['unsupported', 'supported'];

export class UsageError extends Error {}

interface LintRequest {
  paths: string[];
  format: (typeof FORMATS)[number];
  flags: Partial<AnalysisOptions>;
  configPath?: string;
  /** False when --no-default-ignore was given; otherwise .poolsafe.json decides (default on). */
  defaultIgnore?: false;
  /** --jobs: threads to lint in (undefined: one, this thread; see threadCount). */
  jobs?: number;
}

function parseLintArgs(argv: string[]): LintRequest {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f', default: 'text' },
        'pool-mode': { type: 'string' },
        'prepared-statements': { type: 'string' },
        config: { type: 'string' },
        'no-default-ignore': { type: 'boolean' },
        jobs: { type: 'string', short: 'j' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const format = values.format as LintRequest['format'];
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${format}")`);
  const flags: Partial<AnalysisOptions> = {};
  const poolMode = values['pool-mode'];
  if (poolMode !== undefined) {
    if (!POOL_MODES.includes(poolMode as PoolMode)) throw new UsageError(`--pool-mode must be one of ${POOL_MODES.join(', ')} (got "${poolMode}")`);
    flags.poolMode = poolMode as PoolMode;
  }
  const prepared = values['prepared-statements'];
  if (prepared !== undefined) {
    if (!PREPARED.includes(prepared as PreparedStatementSupport)) throw new UsageError(`--prepared-statements must be unsupported or supported (got "${prepared}")`);
    flags.preparedStatements = prepared as PreparedStatementSupport;
  }
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new UsageError(`--jobs must be a positive integer (got "${values.jobs}")`);
  if (positionals.length === 0) throw new UsageError('no files or directories given');
  return { paths: positionals, format, flags, configPath: values.config, jobs, ...(values['no-default-ignore'] && { defaultIgnore: false as const }) };
}

export interface LintIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  version: string;
}

/**
 * The .sql files' texts, and those of the TS/JS files whose string literals define routines (embeddedRoutines.ts),
 * each also kept in `read` (path -> text) so that linting it does not read it again. The TS/JS files that may hand on
 * postgres.js's factory (postgresJsModules.ts) are noted in `postgresJsModules` from the same read. The other TS/JS files are read
 * again when linted, on purpose: keeping every text until it is linted holds the whole tree's text at once (measured
 * on the 31 MB generated tree of bench/lint.mjs: peak RSS +28–46 MB, CPU time unchanged; reading all of it again
 * costs 50–70 ms of CPU).
 */
function* readSqlFiles(files: readonly string[], read: Map<string, string>, postgresJsModules: Set<string>): Generator<{ path: string; text: string }> {
  for (const path of files) {
    const sql = languageOf(path) === 'sql';
    if (!sql && !isScriptFile(path)) continue;
    try {
      const text = readFileSync(path, 'utf8');
      if (!sql && mayHandOnPostgresJs(text)) postgresJsModules.add(resolve(path));
      if (!sql && !mayDefineRoutine(text)) continue;
      read.set(path, text);
      yield { path, text };
    } catch {
      // reported when the file is linted
    }
  }
}

export async function runLint(argv: string[], io: LintIo): Promise<number> {
  const request = parseLintArgs(argv);
  let ioErrors = 0;
  const reportError = (message: string): void => {
    ioErrors++;
    io.stderr(`poolsafe: ${message}\n`);
  };
  const configs = new ConfigResolver(reportError, request.configPath);
  const skipGenerated = (dir: string): boolean => request.defaultIgnore ?? configs.defaultIgnore(dir);
  prepareLintRun();
  const { files, named, problems } = collectFiles(request.paths, skipGenerated);
  problems.forEach((p) => reportError(`${p.path}: ${p.message}`));
  await initAnalysis();
  const sqlTexts = new Map<string, string>();
  const postgresJsModules = new Set<string>();
  const sqlDocuments = [...readSqlFiles(files, sqlTexts, postgresJsModules)];
  const settings: LintSettings = {
    flags: request.flags,
    configPath: request.configPath,
    ...(request.defaultIgnore === false && { defaultIgnore: false as const }),
    // Calls of functions whose bodies (in the .sql files linted) create session state are findings too.
    stateFunctions: stateFunctionIndex(sqlDocuments),
    // A schema snapshot's copies of these routines report nothing (schemaSnapshots.ts).
    sourceRoutines: sourceRoutineNames(sqlDocuments),
    // A call of one of them after a call of a routine leaving a dblink connection open may close it (routineConnections.ts).
    closingRoutines: closingRoutineIndex(sqlDocuments),
    // A call of a factory one of them hands on needs none of the gate's words (embeddedGate.ts).
    postgresJsModules,
  };
  const threads = threadCount(files.length, request.jobs);
  // Config errors are reported below, in file order, however many threads linted.
  // Worker threads read their files themselves.
  if (threads > 1) sqlTexts.clear();
  const results = threads > 1
    ? await lintInWorkers(files, named, settings, threads)
    : lintHere(files, named, new FileLinter(settings, new ConfigResolver(() => undefined, request.configPath)), sqlTexts);
  const findings: FileFinding[] = [];
  results.forEach((result, i) => {
    if ('readError' in result) reportError(`${files[i]}: ${result.readError}`);
    else {
      configs.load(files[i]);
      findings.push(...result.findings);
    }
  });
  if (request.format === 'json') io.stdout(formatJson(findings));
  else if (request.format === 'sarif') io.stdout(formatSarif(findings, io.version));
  else io.stdout(formatText(findings));
  // After the output: the cache then holds what this run compiled, and the user saw the findings first.
  saveCodeCaches();
  if (ioErrors > 0) return 2;
  return findings.length > 0 ? 1 : 0;
}

/** Lints the files in this thread; `read`: texts already read (each dropped once linted, so it can be freed). */
function lintHere(files: readonly string[], named: ReadonlySet<string>, linter: FileLinter, read: Map<string, string>): FileResult[] {
  return files.map((file) => {
    const text = read.get(file);
    read.delete(file);
    return linter.lint(file, named.has(file), text);
  });
}
