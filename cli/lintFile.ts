// One file of `poolsafe lint`: read, skipped when generated, analysed with its folder's settings, its
// findings placed. Shared by the serial run (lint.ts) and the worker threads (lintWorker.ts), so both
// lint a file the same way.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  analyze, LineIndex, findConfigFile, keepFolderListings, loadConfigFile, mergeOptions, setEmbeddedLoader, withWorkspaceCatalog,
  type AnalysisOptions, type ClosingRoutine, type LoadedConfig, type StateFunction,
} from '../server/analysis/index';
import { requireWithCodeCache } from './codeCache';
import { isGeneratedText } from '../server/generatedFiles';
import { languageOf } from './files';
import { placeFinding, type FileFinding } from './format';

/** The TS/JS analysis bundle beside the CLI's (dist/embedded.js); absent where the sources run unbundled (out/, tests). */
const EMBEDDED_BUNDLE = join(__dirname, 'embedded.js');

/**
 * Prepares the analysis for one run of `poolsafe lint` (the serial run and each worker thread): the TS/JS analysis
 * loads through the user's code cache (cli/codeCache.ts) when it is first needed, and folder listings, read once, are
 * kept for the run (folderEntries.ts: nothing changes under a one-shot lint; the language server reads them afresh).
 */
export function prepareLintRun(): void {
  if (existsSync(EMBEDDED_BUNDLE)) setEmbeddedLoader(() => requireWithCodeCache(EMBEDDED_BUNDLE) as typeof import('../server/analysis/embedded'));
  keepFolderListings();
}

/** Loads each folder's nearest .poolsafe.json once; a broken config is an I/O-class error (exit 2). */
export class ConfigResolver {
  private readonly byDir = new Map<string, LoadedConfig>();
  /** Each folder's nearest config file, as found (shared by the folders under it). */
  private readonly configFiles = new Map<string, string | undefined>();
  constructor(private readonly report: (message: string) => void, private readonly explicit?: string) {}

  forFile(file: string): Partial<AnalysisOptions> {
    const loaded = this.forDirectory(dirname(file));
    return withWorkspaceCatalog(loaded.options, loaded.root);
  }

  /** Loads the config `file` is linted with (reporting its errors the first time). */
  load(file: string): void {
    this.forDirectory(dirname(file));
  }

  /** Whether vendored and generated files under `dir` are skipped (on unless the config says false). */
  defaultIgnore(dir: string): boolean {
    return this.forDirectory(dir).defaultIgnore ?? true;
  }

  private forDirectory(directory: string): LoadedConfig {
    const dir = this.explicit ? '' : directory;
    let loaded = this.byDir.get(dir);
    if (!loaded) {
      const path = this.explicit ?? findConfigFile(dir, this.configFiles);
      loaded = path ? loadConfigFile(path) : { options: {}, errors: [] };
      loaded.errors.forEach(this.report);
      this.byDir.set(dir, loaded);
    }
    return loaded;
  }
}

/** What every file of one run is linted with (plain data: worker threads receive it as it is). */
export interface LintSettings {
  flags: Partial<AnalysisOptions>;
  configPath?: string;
  /** False when --no-default-ignore was given; otherwise .poolsafe.json decides (default on). */
  defaultIgnore?: false;
  /** Functions of the linted .sql files whose bodies create session state (their calls are findings too). */
  stateFunctions: ReadonlyMap<string, StateFunction>;
  /** Routines the linted .sql files other than pg_dump output define (schemaSnapshots.ts). */
  sourceRoutines: ReadonlySet<string>;
  /** Routines of the linted .sql files that surely close a dblink connection (routineConnections.ts). */
  closingRoutines: ReadonlyMap<string, ClosingRoutine>;
  /** The linted scripts that may hand on postgres.js's factory (postgresJsModules.ts), for the TS/JS gate. */
  postgresJsModules: ReadonlySet<string>;
}

/** A file's findings (none when skipped as generated), or why it could not be read. */
export type FileResult = { findings: FileFinding[] } | { readError: string };

export class FileLinter {
  constructor(private readonly settings: LintSettings, private readonly configs: ConfigResolver) {}

  /** Whether vendored and generated files under `dir` are skipped. */
  skipGenerated(dir: string): boolean {
    return this.settings.defaultIgnore ?? this.configs.defaultIgnore(dir);
  }

  /** Lints one file; `named`: given on the command line, so linted even when it looks generated; `read`: its text when already read. */
  lint(file: string, named: boolean, read?: string): FileResult {
    let text: string;
    try {
      text = read ?? readFileSync(file, 'utf8');
    } catch (error) {
      return { readError: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
    }
    const language = languageOf(file)!;
    if (!named && this.skipGenerated(dirname(file)) && isGeneratedText(text, language)) return { findings: [] };
    const options = mergeOptions(this.configs.forFile(file), { stateFunctions: this.settings.stateFunctions, sourceRoutines: this.settings.sourceRoutines, closingRoutines: this.settings.closingRoutines, postgresJsModules: this.settings.postgresJsModules }, this.settings.flags);
    const found = analyze(text, language, options, file);
    if (found.length === 0) return { findings: [] }; // most files: no line index needed
    const lines = new LineIndex(text);
    return { findings: found.map((finding) => placeFinding(file, finding, (offset) => lines.positionAt(offset))) };
  }
}
