// `poolsafe lint`: analyses files and directories and prints findings; exit 0 none, 1 findings, 2 usage/IO error.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import {
  initAnalysis, analyze, LineIndex, findConfigFile, loadConfigFile, mergeOptions, withWorkspaceCatalog,
  type AnalysisOptions, type LoadedConfig, type PoolMode, type PreparedStatementSupport,
} from '../server/analysis/index';
import { isGeneratedText } from '../server/generatedFiles';
import { stateFunctionIndex } from '../server/analysis/stateFunctions';
import { collectFiles, languageOf } from './files';
import { formatJson, formatSarif, formatText, placeFinding, type FileFinding } from './format';

export const LINT_USAGE = `usage: poolsafe lint <files|dirs...> [--format text|json|sarif] [--pool-mode transaction|session|statement]
                     [--prepared-statements unsupported|supported] [--config .poolsafe.json] [--no-default-ignore]
Directories are searched for .sql .ts .tsx .js .jsx .mjs .cjs .mts .cts files, skipping node_modules and git-ignored paths,
and by default vendored folders (.yarn, vendor, ...) and minified or bundled JavaScript (--no-default-ignore lints them).
Settings come from the nearest .poolsafe.json (or --config); flags override it.
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
  if (positionals.length === 0) throw new UsageError('no files or directories given');
  return { paths: positionals, format, flags, configPath: values.config, ...(values['no-default-ignore'] && { defaultIgnore: false as const }) };
}

/** Loads each folder's nearest .poolsafe.json once; a broken config is an I/O-class error (exit 2). */
class ConfigResolver {
  private readonly byDir = new Map<string, LoadedConfig>();
  constructor(private readonly report: (message: string) => void, private readonly explicit?: string) {}

  forFile(file: string): Partial<AnalysisOptions> {
    const loaded = this.forDirectory(dirname(file));
    return withWorkspaceCatalog(loaded.options, loaded.root);
  }

  /** Whether vendored and generated files under `dir` are skipped (on unless the config says false). */
  defaultIgnore(dir: string): boolean {
    return this.forDirectory(dir).defaultIgnore ?? true;
  }

  private forDirectory(directory: string): LoadedConfig {
    const dir = this.explicit ? '' : directory;
    let loaded = this.byDir.get(dir);
    if (!loaded) {
      const path = this.explicit ?? findConfigFile(dir);
      loaded = path ? loadConfigFile(path) : { options: {}, errors: [] };
      loaded.errors.forEach(this.report);
      this.byDir.set(dir, loaded);
    }
    return loaded;
  }
}

export interface LintIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  version: string;
}

function* readSqlFiles(files: readonly string[]): Generator<{ path: string; text: string }> {
  for (const path of files) {
    if (languageOf(path) !== 'sql') continue;
    try {
      yield { path, text: readFileSync(path, 'utf8') };
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
  const { files, named, problems } = collectFiles(request.paths, skipGenerated);
  problems.forEach((p) => reportError(`${p.path}: ${p.message}`));
  await initAnalysis();
  // Calls of functions whose bodies (in the .sql files linted) create session state are findings too.
  const stateFunctions = stateFunctionIndex(readSqlFiles(files));
  const findings: FileFinding[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      reportError(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      continue;
    }
    const language = languageOf(file)!;
    if (!named.has(file) && skipGenerated(dirname(file)) && isGeneratedText(text, language)) continue;
    const options = mergeOptions(configs.forFile(file), { stateFunctions }, request.flags);
    const found = analyze(text, language, options, file);
    if (found.length === 0) continue; // most files: no line index needed
    const lines = new LineIndex(text);
    for (const finding of found) findings.push(placeFinding(file, finding, (offset) => lines.positionAt(offset)));
  }
  if (request.format === 'json') io.stdout(formatJson(findings));
  else if (request.format === 'sarif') io.stdout(formatSarif(findings, io.version));
  else io.stdout(formatText(findings));
  if (ioErrors > 0) return 2;
  return findings.length > 0 ? 1 : 0;
}
