// Public entry points of the SQL analysis (used by the language server, the CLI and the pooler).
import { loadModule } from 'libpg-query';
import type { AnalysisOptions, DocumentLanguage, Finding } from './types';
import type { StatementFacts } from './detect';
import { analyzeQueryMessages, analyzeSqlPieces, oneShotFacts, parseFacts, syntaxErrorOffset, type FactsSource } from './pieces';
import { mostlyOtherDialect, withAttachedDatabaseUses } from './dialect';
import { dialectOfSqlFile } from './sqlcConfig';
import { isContextOnlySchema } from './contextOnlySchemas';
import { withoutOtherDialectFolderErrors } from './dialectFolder';
import { withoutMysqlIntervalErrors } from './mysqlProjects';
import { foldRepeatedSyntaxErrors } from './repeatedSyntaxErrors';
import { matchesSessionScripts, sqlFileOptions } from './ownSession';
import { withoutUnlocksOfTransactionKeys } from './transactionLockKeys';
import { keepFolderListings as keepListingsOfThisBundle, keptListings } from './folderEntries';
import { nodeHeredocPrograms } from './nodeHeredocs';
import { PRISMA_MIGRATE_MESSAGE, containerMigrateDeploys, shellMigrateDeploys } from './prismaMigrate';
import { POSTGRAPHILE_WATCH_MESSAGE, shellPostgraphileWatches } from './postgraphileWatch';
import type { TextRange } from './blankedRanges';
import { severityFor } from './context';
import { resolveOptions } from './types';
import { findingsInFile, textAsRun } from './blockBodyFiles';

export * from './types';
export { RULES, getRule } from './rules/index';
export { LineIndex, offsetToPosition } from './positions';
export { splitStatements, type StatementSpan } from './splitter';
export { analyzeSqlPieces } from './pieces';
export { dialectOfPath, dialectOfStatement, mostlyOtherDialect, surelyPostgresStatement, type OtherDialect } from './dialect';
export { looksLikePgDump, matchesSessionScripts } from './ownSession';
export { dialectOfSqlFile } from './sqlcConfig';
export { withoutOtherDialectFolderErrors } from './dialectFolder';
export { foldRepeatedSyntaxErrors } from './repeatedSyntaxErrors';
export type { StatementFacts } from './detect';

let loaded: Promise<void> | undefined;

/** Loads the libpg-query WASM once; await before calling the synchronous functions. */
export function initAnalysis(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

/**
 * Analyses SQL and keeps a per-statement cache, so re-analysing after a small edit only re-parses the
 * statements whose text changed (facts are relative to the statement start, so moving is free).
 */
export class SqlAnalyzer {
  private cache = new Map<string, StatementFacts>();

  analyze(text: string, options?: Partial<AnalysisOptions>, fileName?: string): Finding[] {
    if ((fileName !== undefined && dialectOfSqlFile(fileName)) || isContextOnlySchema(text)) return [];
    // Statements of this run form the next cache, so edited-away statements are dropped.
    const previous = this.cache;
    const next = new Map<string, StatementFacts>();
    const run = textAsRun(text);
    const findings = analyzeSqlPieces([run.text], sqlFileOptions(text, options, fileName), false, (statement) => {
      const facts = next.get(statement) ?? previous.get(statement) ?? parseFacts(statement);
      next.set(statement, facts);
      return facts;
    });
    this.cache = next;
    if (mostlyOtherDialect(withAttachedDatabaseUses([...next]))) return [];
    return findingsInFile(withoutMysqlIntervalErrors(run.text, withoutOtherDialectFolderErrors(withoutUnlocksOfTransactionKeys(run.text, findings), fileName), fileName), run, text.length);
  }
}

/**
 * Findings for a whole SQL document; offsets are UTF-16 offsets into `text`. With `fileName`, a dialect
 * name in the path (mysql/, *.sqlite.sql, …) or a sqlc config's engine means "not PostgreSQL" and sessionScripts globs apply.
 * A Supabase schema export whose header says it is not meant to be run has none (contextOnlySchemas.ts).
 */
export function analyzeSql(text: string, options?: Partial<AnalysisOptions>, fileName?: string): Finding[] {
  // Another database's file, or a schema export written to be read and never run (contextOnlySchemas.ts).
  if ((fileName !== undefined && dialectOfSqlFile(fileName)) || isContextOnlySchema(text)) return [];
  // One-shot (CLI, pooler): nothing to cache, so no hashing of every statement's text.
  const statements: [string, StatementFacts][] = [];
  const parse = oneShotFacts();
  const factsOf: FactsSource = (statement) => {
    const facts = parse(statement);
    statements.push([statement, facts]);
    return facts;
  };
  factsOf.prepare = parse.prepare;
  // Read as it runs: placeholders filled in, a PL/pgSQL block body as its DO block (blockBodyFiles.ts).
  const run = textAsRun(text);
  const findings = analyzeSqlPieces([run.text], sqlFileOptions(text, options, fileName), false, factsOf);
  if (mostlyOtherDialect(withAttachedDatabaseUses(statements))) return [];
  return findingsInFile(foldRepeatedSyntaxErrors(withoutMysqlIntervalErrors(run.text, withoutOtherDialectFolderErrors(withoutUnlocksOfTransactionKeys(run.text, findings), fileName), fileName)), run, text.length);
}

/**
 * Findings for a document of any supported language; TS/JS documents are analysed through their embedded SQL, a shell
 * script through the programs it hands to node on here-documents, each read as a JavaScript file at the script's offsets,
 * through the `prisma migrate deploy` runs and the PostGraphile watch-mode servers it starts; a compose file, Kubernetes
 * YAML or a Dockerfile through the `prisma migrate deploy` runs in its containers' commands, a Procfile or a Fly.io
 * config (`toml`) through those in the commands the hosting platform runs.
 */
export function analyze(text: string, language: DocumentLanguage, options?: Partial<AnalysisOptions>, fileName?: string): Finding[] {
  if (language === 'sql') return analyzeSql(text, options, fileName);
  if (language === 'shellscript') return [...nodeHeredocPrograms(text).flatMap((program) => analyzeCode(program, options, fileName)), ...migrateFindings(shellMigrateDeploys(text, fileName), options, fileName), ...watchFindings(text, options, fileName)];
  if (language === 'yaml' || language === 'dockerfile' || language === 'procfile' || language === 'toml') return migrateFindings(containerMigrateDeploys(text, fileName), options, fileName);
  return analyzeCode(text, options, fileName);
}

/** A file's runs of `prisma migrate deploy` whose session lock may be taken through a pooler (prismaMigrate.ts), as findings. */
function migrateFindings(runs: readonly TextRange[], options: Partial<AnalysisOptions> | undefined, fileName: string | undefined): Finding[] {
  return commandFindings('advisory-lock', PRISMA_MIGRATE_MESSAGE, runs, options, fileName);
}

/** A shell script's starts of PostGraphile's CLI in watch mode, whose LISTEN may go through a pooler (postgraphileWatch.ts). */
function watchFindings(text: string, options: Partial<AnalysisOptions> | undefined, fileName: string | undefined): Finding[] {
  const watches = shellPostgraphileWatches(text, fileName).map(({ start, end }): TextRange => [start, end]);
  return commandFindings('listen', POSTGRAPHILE_WATCH_MESSAGE, watches, options, fileName);
}

/** The findings of `rule` at the commands read in a script or container file; none where the file runs in a session of its own. */
function commandFindings(rule: Finding['rule'], message: string, ranges: readonly TextRange[], options: Partial<AnalysisOptions> | undefined, fileName: string | undefined): Finding[] {
  if (ranges.length === 0) return [];
  const resolved = resolveOptions(options);
  const severity = severityFor(rule, resolved);
  if (!severity || resolved.ownSession || matchesSessionScripts(resolved.sessionScripts, fileName)) return [];
  return ranges.map(([start, end]) => ({ rule, severity, start, end, message }));
}

/** Findings for TS/JS code: the SQL it sends. */
function analyzeCode(text: string, options: Partial<AnalysisOptions> | undefined, fileName: string | undefined): Finding[] {
  // A TS/JS file listed in sessionScripts (e.g. a maintenance script with its own connection) runs in its own session too.
  if (matchesSessionScripts(options?.sessionScripts, fileName)) options = { ...options, ownSession: true };
  return withoutUnlocksOfTransactionKeys(text, embeddedAnalysis().analyzeEmbedded(text, fileName, options, { analyzeQueryMessages, syntaxErrorOffset }));
}

type EmbeddedModule = typeof import('./embedded');
// Loaded on first use: the TypeScript compiler is large, and SQL-only runs (the CLI on .sql files) never need it.
// esbuild.mjs keeps './embedded' out of the bundles and ships it as dist/embedded.js beside them.
let loadEmbedded = (): EmbeddedModule => require('./embedded') as EmbeddedModule;
let embedded: EmbeddedModule | undefined;
/** Whether keepFolderListings was called: the TS/JS analysis, loaded later, keeps its listings too. */
let keepingListings = false;

function embeddedAnalysis(): EmbeddedModule {
  if (!embedded) {
    embedded = loadEmbedded();
    if (keepingListings) embedded.keepFolderListings(keptListings());
  }
  return embedded;
}

/**
 * Has folder listings kept, once read, for the rest of the process (folderEntries.ts): for a one-shot run over a tree
 * that does not change under it (`poolsafe lint`; the language server never calls it). Both copies of folderEntries.ts
 * keep them: this bundle's and the TS/JS analysis's (dist/embedded.js has its own copy of every module it imports),
 * whether that is loaded already or later, in one store (this bundle's), so that a folder is listed once for both.
 */
export function keepFolderListings(): void {
  keepingListings = true;
  keepListingsOfThisBundle();
  embedded?.keepFolderListings(keptListings());
}

/**
 * Loads the TS/JS analysis with `load` instead of require() (the CLI loads dist/embedded.js through its code
 * cache, cli/codeCache.ts). Takes effect only before the first TS/JS document is analysed.
 */
export function setEmbeddedLoader(load: () => EmbeddedModule): void {
  loadEmbedded = load;
}
export { withWorkspaceCatalog } from './workspaceCatalog';
export { CONFIG_FILE_NAME, findConfigFile, loadConfigFile, parseConfig, mergeOptions, type LoadedConfig } from './config';
