// SQL pieces that run in sequence on one connection, analysed as one file would be.
import { resolveOptions, type AnalysisOptions, type Finding } from './types';
import { analyzeFragment, needsOnlySyntaxCheck, type Candidate, type StatementFacts } from './detect';
import type { SettingRestore } from './settingRestores';
import { addStatementsThatParse } from './syntaxCheck';
import { applyContext, withMigrationTransactions, type PlacedFacts } from './context';
import { applyBalancing } from './balancing';
import { applyStateFunctionCalls } from './stateFunctionCalls';
import { splitStatements, type StatementSpan } from './splitter';
import { Suppressions } from './suppression';

// Statement facts depend only on the statement text: keep them across calls (bounded) so re-analysing
// a TS/JS file after a keystroke re-parses only the statements that changed.
const sharedFacts = new Map<string, StatementFacts>();
const SHARED_FACTS_LIMIT = 20_000;

/**
 * How a statement's facts are obtained: parsed each time, or from a cache. `prepare`, when present, is
 * given a text's terminated statements before their facts are asked for.
 */
export interface FactsSource {
  (statement: string): StatementFacts;
  prepare?: (statements: readonly string[]) => void;
}

export const parseFacts: FactsSource = (statement) => analyzeFragment(statement, 0);

/**
 * Parses every statement, nothing cached (one pass over a file: the CLI). The statements that need only
 * a syntax check are checked several to a parser call first (syntaxCheck.ts). A statement whose facts an
 * earlier analysis kept is not parsed again: the CLI's index of state functions (stateFunctions.ts) parses
 * each function definition of the .sql files before they are linted.
 */
export function oneShotFacts(): FactsSource {
  const parsing = new Set<string>();
  const source: FactsSource = (statement) => sharedFacts.get(statement) ?? analyzeFragment(statement, 0, false, parsing.has(statement));
  source.prepare = (statements) => addStatementsThatParse(statements.filter((statement) => needsOnlySyntaxCheck(statement) && !sharedFacts.has(statement)), parsing);
  return source;
}

export function cachedFacts(cache: Map<string, StatementFacts>, limit = Infinity): FactsSource {
  return (statement) => {
    let facts = cache.get(statement);
    if (!facts) {
      if (cache.size >= limit) cache.clear();
      facts = analyzeFragment(statement, 0);
      cache.set(statement, facts);
    }
    return facts;
  };
}

const sharedFactsSource = cachedFacts(sharedFacts, SHARED_FACTS_LIMIT);

/**
 * Facts of the statements `parsed` accepts (cached as usual); every other statement counts as one
 * that does nothing (no parse). For callers that read only those statements' findings: a statement's
 * candidates are its own, so the others matter only through transaction state, which they then lack.
 */
export function factsOfOnly(parsed: (statement: string) => boolean): FactsSource {
  return (statement) => (parsed(statement) ? sharedFactsSource(statement) : EMPTY_FACTS);
}

/** Where one statement stops parsing (statement-relative offset), or undefined when it parses; cached. */
export function syntaxErrorOffset(statement: string): number | undefined {
  return sharedFactsSource(statement).syntaxError?.offset;
}

/**
 * A span's facts. When psql substituted variables or meta-commands into it, the text PostgreSQL receives
 * is not known exactly, so a parse error says nothing about the script: it is dropped.
 */
export function spanFacts(span: StatementSpan, factsOf: FactsSource): StatementFacts {
  const facts = factsOf(span.text);
  return span.psqlSubstituted && facts.syntaxError ? { ...facts, syntaxError: undefined } : facts;
}

const EMPTY_FACTS: StatementFacts = { transaction: 'none', candidates: [], nextvals: [] };

/**
 * A session SET whose value puts its setting back to what the connection had, read as a RESET of it: no finding of its
 * own, and it undoes an earlier SET of the setting in the same transaction or query string (context.ts). The facts are
 * shared by every statement of the same text, so a restore gets a copy.
 */
function asRestore(facts: StatementFacts, restore: SettingRestore | undefined): StatementFacts {
  if (!restore) return facts;
  const isRestoredSet = (candidate: Candidate) => candidate.rule === 'session-set'
    && (candidate.setting === restore.setting || (restore.nameBound === true && candidate.setting === undefined));
  if (!facts.candidates.some(isRestoredSet)) return facts;
  return { ...facts, candidates: facts.candidates.filter((candidate) => !isRestoredSet(candidate)), resets: [...(facts.resets ?? []), restore.setting] };
}

/**
 * Whether SQL pieces start inside a transaction opened by code we cannot see (true: a transaction
 * callback), outside one (false), or either ('unknown': a client the caller passed in); 'rolledBack':
 * inside one that the code we cannot see also ends with ROLLBACK after the last piece (a test helper's
 * callback, rolledBackCallbacks.ts).
 */
export type TransactionStart = boolean | 'unknown' | 'rolledBack';

/**
 * Analyses SQL pieces that run one after another on one connection (e.g. the queries of one TS/JS
 * function) as one sequence, so `BEGIN` in one piece and `SET LOCAL` in the next are seen together.
 * Each piece is split on its own, so an unterminated quote in one never swallows the next.
 * Offsets are into `pieces.join('\n')`. `inTransaction`: the pieces run inside a transaction opened
 * by code we cannot see (e.g. a `db.transaction(async (tx) => …)` callback).
 */
export function analyzeSqlPieces(pieces: string[], options: Partial<AnalysisOptions> | undefined, inTransaction: boolean, factsOf: FactsSource = sharedFactsSource): Finding[] {
  return analyzePlaced(pieces, options, inTransaction, factsOf, false);
}

/**
 * The same for the query strings an application sends (embedded SQL): each piece is one query message,
 * so the statements of a multi-statement string run together on one server connection.
 */
export function analyzeQueryMessages(pieces: string[], options: Partial<AnalysisOptions> | undefined, inTransaction: TransactionStart, mayOpenBefore?: ReadonlySet<number>, branches?: readonly (readonly number[] | undefined)[], restores?: readonly (readonly SettingRestore[] | undefined)[], leavesBefore?: LeavesBefore, mayAdvanceBefore?: ReadonlySet<number>, simpleQueries?: ReadonlySet<number>): Finding[] {
  return analyzePlaced(pieces, options, inTransaction, sharedFactsSource, true, mayOpenBefore, branches, restores, leavesBefore, mayAdvanceBefore, simpleQueries);
}

/** Indices of pieces before which the code may leave (a `return`), each with the paths of that return (PlacedFacts.leaves). */
export type LeavesBefore = ReadonlyMap<number, readonly (readonly number[] | undefined)[]>;

/**
 * `mayOpenBefore`: indices of pieces before which code we cannot see may have begun a transaction (a test helper's hook).
 * `branches`: per piece, the conditional paths of the code that sends it (PlacedFacts.branches).
 * `restores`: per piece, the SETs whose value puts the setting back to what the connection had (settingRestores.ts).
 * `mayAdvanceBefore`: indices of pieces before which code we cannot see, in the same transaction on the same connection,
 * may have drawn from any sequence (a test's request to the application its helper built on the test's transaction,
 * testTransactionCallbacks.ts): read as an INSERT there would be, for currval/lastval.
 * `simpleQueries`: indices of pieces sent as one simple-protocol Query with no values (PlacedFacts.simpleQuery).
 */
function analyzePlaced(pieces: string[], options: Partial<AnalysisOptions> | undefined, inTransaction: TransactionStart, factsOf: FactsSource, messages: boolean, mayOpenBefore?: ReadonlySet<number>, branches?: readonly (readonly number[] | undefined)[], restores?: readonly (readonly SettingRestore[] | undefined)[], leavesBefore?: LeavesBefore, mayAdvanceBefore?: ReadonlySet<number>, simpleQueries?: ReadonlySet<number>): Finding[] {
  const placed: PlacedFacts[] = [];
  const invisibleBegin = inTransaction === true || inTransaction === 'rolledBack';
  if (invisibleBegin) placed.push({ start: 0, end: 0, facts: { ...EMPTY_FACTS, transaction: 'begin' } });
  let base = 0;
  for (const [index, piece] of pieces.entries()) {
    if (mayOpenBefore?.has(index)) placed.push({ start: base, end: base, facts: EMPTY_FACTS, mayOpenTransaction: true });
    if (mayAdvanceBefore?.has(index)) placed.push({ start: base, end: base, facts: { ...EMPTY_FACTS, mayAdvanceSequences: true } });
    for (const paths of leavesBefore?.get(index) ?? []) placed.push({ start: base, end: base, facts: EMPTY_FACTS, leaves: true, branches: paths });
    const spans = splitStatements(piece);
    // Not an unterminated last statement: its open quote or comment would run into the statements joined after it.
    factsOf.prepare?.(spans.filter((span) => span.resume !== undefined).map((span) => span.text));
    for (const span of spans) {
      const facts = asRestore(spanFacts(span, factsOf), restores?.[index]?.find((restore) => span.start <= restore.at && restore.at < span.end));
      placed.push({ start: base + span.start, end: base + span.end, facts, psqlScript: span.afterMetaCommand || (!messages && span.quotedPsqlVariable), message: messages ? index : undefined, text: span.text, branches: branches?.[index], ...(messages && simpleQueries?.has(index) && { simpleQuery: true }) });
    }
    base += piece.length + 1;
  }
  const text = pieces.length === 1 ? pieces[0] : pieces.join('\n');
  if (inTransaction === 'rolledBack') placed.push({ start: text.length, end: text.length, facts: { ...EMPTY_FACTS, transaction: 'end', rollsBack: true } });
  const resolved = resolveOptions(options);
  const suppressions = new Suppressions(text);
  const sequence = withMigrationTransactions(placed, resolved.migrationSections, resolved.migrationBlocks);
  const findings = [...applyContext(sequence, resolved, suppressions, inTransaction === 'unknown', text), ...applyBalancing(sequence, resolved, suppressions, text), ...applyStateFunctionCalls(sequence, resolved, suppressions)];
  // The invisible BEGIN of a transaction callback has no place in the file.
  return invisibleBegin ? findings.filter((f) => f.end > 0) : findings;
}

