// Public entry points of the SQL analysis (used by the language server, the CLI and the pooler).
import { loadModule } from 'libpg-query';
import { resolveOptions, type AnalysisOptions, type DocumentLanguage, type Finding } from './types';
import { analyzeFragment, type StatementFacts } from './detect';
import { applyContext, type PlacedFacts } from './context';
import { LineIndex } from './positions';
import { splitStatements } from './splitter';
import { Suppressions } from './suppression';
import { analyzeSqlPieces, hasSyntaxError } from './pieces';

export * from './types';
export { RULES, getRule } from './rules/index';
export { LineIndex, offsetToPosition } from './positions';
export { splitStatements, type StatementSpan } from './splitter';
export { analyzeSqlPieces } from './pieces';
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

  analyze(text: string, options?: Partial<AnalysisOptions>): Finding[] {
    const resolved = resolveOptions(options);
    const next = new Map<string, StatementFacts>();
    const placed: PlacedFacts[] = splitStatements(text).map((span) => {
      const facts = this.cache.get(span.text) ?? next.get(span.text) ?? analyzeFragment(span.text, 0);
      next.set(span.text, facts);
      return { start: span.start, end: span.end, facts };
    });
    this.cache = next;
    const index = new LineIndex(text);
    return applyContext(placed, resolved, new Suppressions(text, index));
  }
}

/** Findings for a whole SQL document; offsets are UTF-16 offsets into `text`. */
export function analyzeSql(text: string, options?: Partial<AnalysisOptions>): Finding[] {
  // One-shot (CLI, pooler): no cache to fill, so no hashing of every statement's text.
  const placed: PlacedFacts[] = splitStatements(text).map((span) => ({ start: span.start, end: span.end, facts: analyzeFragment(span.text, 0) }));
  return applyContext(placed, resolveOptions(options), new Suppressions(text, new LineIndex(text)));
}

/** Findings for a document of any supported language; TS/JS documents are analysed through their embedded SQL. */
export function analyze(text: string, language: DocumentLanguage, options?: Partial<AnalysisOptions>, fileName?: string): Finding[] {
  if (language === 'sql') return analyzeSql(text, options);
  // Loaded on first use: the TypeScript compiler is large, and SQL-only runs (the CLI on .sql files) never need it.
  // esbuild.mjs keeps './embedded' out of the bundles and ships it as dist/embedded.js beside them.
  const embedded = require('./embedded') as typeof import('./embedded');
  return embedded.analyzeEmbedded(text, fileName, options, { analyzeSqlPieces, hasSyntaxError });
}
export { CONFIG_FILE_NAME, findConfigFile, loadConfigFile, parseConfig, mergeOptions, type LoadedConfig } from './config';
