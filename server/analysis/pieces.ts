// SQL pieces that run in sequence on one connection, analysed as one file would be.
import { DEFAULT_OPTIONS, type AnalysisOptions, type Finding } from './types';
import { analyzeFragment, type StatementFacts } from './detect';
import { applyContext, type PlacedFacts } from './context';
import { LineIndex } from './positions';
import { splitStatements } from './splitter';
import { Suppressions } from './suppression';

export function resolveOptions(options?: Partial<AnalysisOptions>): AnalysisOptions {
  return { ...DEFAULT_OPTIONS, ...options, rules: { ...DEFAULT_OPTIONS.rules, ...options?.rules } };
}

const EMPTY_FACTS: StatementFacts = { transaction: 'none', candidates: [], nextvals: [] };

/**
 * Analyses SQL pieces that run one after another on one connection (e.g. the queries of one TS/JS
 * function) as one sequence, so `BEGIN` in one piece and `SET LOCAL` in the next are seen together.
 * Each piece is split on its own, so an unterminated quote in one never swallows the next.
 * Offsets are into `pieces.join('\n')`. `inTransaction`: the pieces run inside a transaction opened
 * by code we cannot see (e.g. a `db.transaction(async (tx) => …)` callback).
 */
export function analyzeSqlPieces(pieces: string[], options: Partial<AnalysisOptions> | undefined, inTransaction: boolean, cache = new Map<string, StatementFacts>()): Finding[] {
  const placed: PlacedFacts[] = [];
  if (inTransaction) placed.push({ start: 0, end: 0, facts: { ...EMPTY_FACTS, transaction: 'begin' } });
  let base = 0;
  for (const piece of pieces) {
    for (const span of splitStatements(piece)) {
      let facts = cache.get(span.text);
      if (!facts) {
        facts = analyzeFragment(span.text, 0);
        cache.set(span.text, facts);
      }
      placed.push({ start: base + span.start, end: base + span.end, facts });
    }
    base += piece.length + 1;
  }
  const text = pieces.join('\n');
  const findings = applyContext(placed, resolveOptions(options), new Suppressions(text, new LineIndex(text)));
  // The invisible BEGIN of a transaction callback has no place in the file.
  return inTransaction ? findings.filter((f) => f.end > 0) : findings;
}

