// The load-balancing rules, as Pgpool-II routes (streaming replication mode, default settings:
// disable_load_balance_on_write = transaction, empty read_only/write_function_list so a function's
// volatility decides). A statement goes to a replica when it is a SELECT by shape, outside an explicit
// transaction or before the transaction's first write, not SERIALIZABLE, not part of a multi-statement
// query string, and calling no VOLATILE function. Then:
// - read-after-write: it reads a table this sequence wrote and committed just before: a stale read;
// - write-in-read: it calls a function declared STABLE/IMMUTABLE, or reads a view, that still writes
//   (nextval/setval, a writing VOLATILE function): Pgpool-II cannot see it, the replica refuses (25006).
// Statements whose facts are unknown (syntax errors, other dialects) never produce findings.
import type { AnalysisOptions, CatalogFunction, CatalogView, DocumentText, Finding, Severity, SqlCatalog, TextEdit } from './types';
import { balancingFacts, type BalancingFacts, type NamedSpan } from './balancingFacts';
import { runsInOwnSession, severityFor, type PlacedFacts } from './context';
import type { Suppressions } from './suppression';
import { splitStatements } from './splitter';
import { holdsNamedQueries } from './namedQueries';

/** One statement of the sequence, as context.ts places it. */
export interface SequencedStatement {
  start: number;
  end: number;
  text?: string;
  transaction: 'begin' | 'end' | 'none';
  /** The query message it is sent in (SQL embedded in code); undefined in a script, sent statement by statement. */
  message?: number;
  unknown: boolean;
}

export interface BalancingSeverities {
  readAfterWrite?: Severity;
  writeInRead?: Severity;
}

/** Built-in functions that write and fail on a hot standby (Pgpool-II sends callers to the primary: they are VOLATILE). */
const WRITING_BUILTINS = new Set(['nextval', 'setval', 'txid_current', 'pg_current_xact_id', 'lo_create', 'lo_creat', 'lo_import', 'lo_from_bytea', 'lo_unlink', 'lo_put', 'pg_notify']);

/**
 * Common built-in functions that are STABLE or IMMUTABLE in pg_proc, so Pgpool-II still balances a SELECT
 * calling them. A call of any function not known to be non-volatile keeps the SELECT on the primary (no finding).
 */
const NON_VOLATILE_BUILTINS = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg',
  'bool_and', 'bool_or', 'every', 'row_number', 'rank', 'dense_rank', 'lag', 'lead', 'first_value', 'last_value', 'ntile',
  'lower', 'upper', 'length', 'char_length', 'substring', 'substr', 'trim', 'btrim', 'ltrim', 'rtrim', 'replace', 'concat',
  'concat_ws', 'format', 'left', 'right', 'lpad', 'rpad', 'initcap', 'split_part', 'strpos', 'position', 'md5', 'encode',
  'decode', 'regexp_replace', 'regexp_matches', 'regexp_match', 'to_char', 'to_date', 'to_timestamp', 'to_number',
  'date_trunc', 'date_part', 'extract', 'now', 'age', 'make_interval', 'abs', 'round', 'floor', 'ceil', 'ceiling', 'trunc',
  'mod', 'power', 'sqrt', 'unnest', 'generate_series', 'array_length', 'cardinality', 'array_position', 'array_to_string',
  'string_to_array', 'to_json', 'to_jsonb', 'row_to_json', 'json_build_object', 'jsonb_build_object', 'json_build_array',
  'jsonb_build_array', 'jsonb_set', 'jsonb_array_elements', 'json_array_elements', 'jsonb_array_elements_text',
  'jsonb_each', 'json_each', 'jsonb_extract_path_text', 'json_extract_path_text', 'jsonb_array_length', 'coalesce',
  'nullif', 'greatest', 'least', 'current_setting',
]);

interface Written {
  table: NamedSpan;
  /** Index of the writing statement. */
  at: number;
  /** Committed on its own (autocommit), not by a later COMMIT: the quick fix may wrap it. */
  autocommit: boolean;
}

/**
 * The load-balancing findings of a file's (or a query sequence's) statements, with context.ts's
 * placement; none unless `loadBalancing` is on. Kept out of context.ts so the TS/JS extractor's bundle,
 * which uses context.ts but must not load the parser, stays without it.
 */
export function applyBalancing(statements: readonly PlacedFacts[], options: AnalysisOptions, suppressions: Suppressions, documentText: DocumentText): Finding[] {
  // A script in its own session talks to the primary directly, not through the application's balancer.
  if (!options.loadBalancing || runsInOwnSession(statements, options)) return [];
  const severities = { readAfterWrite: severityFor('read-after-write', options), writeInRead: severityFor('write-in-read', options) };
  const sequence = statements.map(({ start, end, facts, text, message }) => ({
    start, end, text, message, transaction: facts.transaction, unknown: facts.dialect !== undefined || facts.syntaxError !== undefined,
  }));
  if (!sentAsQueryMessages(sequence) && holdsNamedQueries(documentText)) severities.readAfterWrite = undefined;
  return balancingFindings(sequence, options, severities).filter((f) => !suppressions.isSuppressed(f.rule, f.start));
}

export function balancingFindings(statements: readonly SequencedStatement[], options: AnalysisOptions, severities: BalancingSeverities): Finding[] {
  if (!severities.readAfterWrite && !severities.writeInRead) return [];
  const facts = statements.map((s) => (s.unknown || s.text === undefined ? undefined : balancingFacts(s.text)));
  const catalog = withLocalDefinitions(options.catalog, facts);
  const script = !sentAsQueryMessages(statements);
  const multiStatementMessages = messagesWithSeveralStatements(statements);
  // A .sql file whose statements take $1 parameters holds queries a program sends one by one, in any order.
  if (script && facts.some((f) => f?.hasParameters)) severities = { ...severities, readAfterWrite: undefined };
  const findings: Finding[] = [];
  let inBlock = false;
  let blockWrote = false;
  let blockWrites: Written[] = [];
  let committed: Written[] = [];
  const temporary = new Set<string>();
  statements.forEach((statement, index) => {
    const f = withoutTemporaryTables(facts[index], temporary);
    if (statement.transaction === 'begin') {
      inBlock = true;
      blockWrote = f?.serializable === true;
      blockWrites = [];
    }
    // Pgpool-II sends a multi-statement query message to the primary.
    const inMultiStatement = statement.message !== undefined && multiStatementMessages.has(statement.message);
    const toReplica = f !== undefined && f.kind === 'select' && !inMultiStatement && !(inBlock && blockWrote) && callsOnlyNonVolatile(f.calls, catalog);
    if (toReplica) {
      const stale = severities.readAfterWrite && staleRead(f, committed);
      if (stale) {
        findings.push(readAfterWriteFinding(statements, facts, index, stale, severities.readAfterWrite!, script && !inBlock));
        committed = committed.filter((w) => w !== stale.write);
      }
      if (severities.writeInRead) findings.push(...hiddenWrites(f, statement.start, catalog, severities.writeInRead));
    }
    if (inBlock && (f === undefined || f.serializable || (f.kind !== 'neutral' && !toReplica))) blockWrote = true;
    for (const table of f?.writes ?? []) (inBlock ? blockWrites : committed).push({ table, at: index, autocommit: !inBlock });
    if (statement.transaction === 'end') {
      if (!f?.rollback) committed.push(...blockWrites);
      inBlock = false;
      blockWrites = [];
    }
  });
  return findings;
}

/** A statement's facts without the temporary tables created earlier in the sequence (their statements stay on the primary). */
function withoutTemporaryTables(f: BalancingFacts | undefined, temporary: Set<string>): BalancingFacts | undefined {
  if (!f) return f;
  if (f.createsTemporary) temporary.add(f.createsTemporary);
  const isTemporary = (t: NamedSpan) => t.schema === 'pg_temp' || (!t.schema && temporary.has(t.name));
  if (!f.writes.some(isTemporary) && !f.reads.some(isTemporary)) return f;
  // A SELECT touching a temporary table is sent to the primary; a write to one leaves nothing to replicate.
  return { ...f, kind: f.reads.some(isTemporary) && f.kind === 'select' ? 'write' : f.kind, writes: f.writes.filter((t) => !isTemporary(t)), reads: f.reads.filter((t) => !isTemporary(t)) };
}

function sameTable(a: NamedSpan, b: NamedSpan): boolean {
  return a.name === b.name && (!a.schema || !b.schema || a.schema === b.schema);
}

function staleRead(f: BalancingFacts, committed: readonly Written[]): { read: NamedSpan; write: Written } | undefined {
  for (const read of f.reads) {
    for (let k = committed.length - 1; k >= 0; k--) if (sameTable(committed[k].table, read)) return { read, write: committed[k] };
  }
  return undefined;
}

function readAfterWriteFinding(
  statements: readonly SequencedStatement[], facts: readonly (BalancingFacts | undefined)[], index: number,
  stale: { read: NamedSpan; write: Written }, severity: Severity, fixable: boolean,
): Finding {
  const read = statements[index];
  const write = statements[stale.write.at];
  const table = stale.read.schema ? `${stale.read.schema}.${stale.read.name}` : stale.read.name;
  const finding: Finding = {
    rule: 'read-after-write', severity, start: read.start + stale.read.start, end: read.start + stale.read.end,
    message: `reads ${table} right after this code wrote it, outside one transaction: a load balancer (Pgpool-II) sends this SELECT to a read replica, which may not have replayed the write yet (a stale read).`,
    related: [{ message: `${table} is written here`, start: write.start + stale.write.table.start, end: write.start + stale.write.table.end }],
  };
  // Only in a script: in code, the write and the read are two calls, which one string edit cannot join.
  if (fixable && stale.write.autocommit && canWrap(statements, facts, stale.write.at, index)) {
    const edits: TextEdit[] = [{ start: write.start, end: write.start, newText: 'BEGIN;\n' }, { start: read.end, end: read.end, newText: ';\nCOMMIT' }];
    finding.fix = { title: 'Run the write and the read in one transaction (BEGIN … COMMIT)', edits };
  }
  return finding;
}

/** Wrapping statements from..to in BEGIN/COMMIT is safe: all known, no transaction control, none refused in a block. */
function canWrap(statements: readonly SequencedStatement[], facts: readonly (BalancingFacts | undefined)[], from: number, to: number): boolean {
  for (let k = from; k <= to; k++) {
    const f = facts[k];
    if (!f || f.outsideTransactionOnly || statements[k].transaction !== 'none' || f.rollback !== undefined) return false;
  }
  return true;
}

function callsOnlyNonVolatile(calls: readonly NamedSpan[], catalog: SqlCatalog): boolean {
  return calls.every((call) => {
    const defined = catalog.functions.get(call.name);
    return defined ? defined.volatility !== 'volatile' : NON_VOLATILE_BUILTINS.has(call.name);
  });
}

/** The first function (by name) through which `name` writes, when called; undefined when it does not write. */
function writerThrough(name: string, catalog: SqlCatalog, seen: Set<string>): string | undefined {
  if (WRITING_BUILTINS.has(name)) return name;
  const fn = catalog.functions.get(name);
  if (!fn || seen.has(name)) return undefined;
  seen.add(name);
  // A STABLE/IMMUTABLE function's own INSERT fails on the primary too: only what it calls can hide a write.
  if (fn.volatility === 'volatile' && fn.modifiesTables) return name;
  for (const callee of fn.calls) if (writerThrough(callee, catalog, seen)) return callee;
  return undefined;
}

function hiddenWrites(f: BalancingFacts, base: number, catalog: SqlCatalog, severity: Severity): Finding[] {
  const findings: Finding[] = [];
  for (const call of f.calls) {
    const fn = catalog.functions.get(call.name);
    if (!fn || fn.volatility === 'volatile') continue;
    const writer = fn.calls.map((callee) => (writerThrough(callee, catalog, new Set([call.name])) ? callee : undefined)).find(Boolean);
    if (writer) findings.push(writeInReadFinding(call, base, severity,
      `${call.name}() is declared ${fn.volatility.toUpperCase()} but calls ${writer}(), which writes: Pgpool-II treats this SELECT as a read and may send it to a read replica, where it fails with "cannot execute … in a read-only transaction" (25006).`));
  }
  for (const read of f.reads) {
    const view = catalog.views.get(read.name);
    const writer = view?.calls.find((callee) => writerThrough(callee, catalog, new Set()));
    if (writer) findings.push(writeInReadFinding(read, base, severity,
      `view ${read.name} calls ${writer}(), which writes; Pgpool-II sees only a SELECT from a view and may send it to a read replica, where it fails with "cannot execute … in a read-only transaction" (25006).`));
  }
  return findings;
}

function writeInReadFinding(span: NamedSpan, base: number, severity: Severity, message: string): Finding {
  return { rule: 'write-in-read', severity, start: base + span.start, end: base + span.end, message };
}

/** SQL embedded in code: each statement belongs to a query message (a script's are sent one by one). */
function sentAsQueryMessages(statements: readonly SequencedStatement[]): boolean {
  return statements.some((s) => s.message !== undefined);
}

function messagesWithSeveralStatements(statements: readonly SequencedStatement[]): Set<number> {
  const counts = new Map<number, number>();
  for (const s of statements) if (s.message !== undefined && s.text !== undefined) counts.set(s.message, (counts.get(s.message) ?? 0) + 1);
  return new Set([...counts].filter(([, n]) => n > 1).map(([message]) => message));
}

/** The workspace catalog with this sequence's own CREATE FUNCTION / CREATE VIEW definitions over it. */
function withLocalDefinitions(workspace: SqlCatalog | undefined, facts: readonly (BalancingFacts | undefined)[]): SqlCatalog {
  const functions = new Map<string, CatalogFunction>(workspace?.functions);
  const views = new Map<string, CatalogView>(workspace?.views);
  for (const f of facts) {
    if (f?.definesFunction) functions.set(f.definesFunction.name, f.definesFunction.fn);
    if (f?.definesView) views.set(f.definesView.name, f.definesView.view);
  }
  return { functions, views };
}

/** The functions and views that SQL texts (a workspace's .sql files) define, for `AnalysisOptions.catalog`. */
export function catalogOf(statementTexts: Iterable<string>): SqlCatalog {
  const facts: BalancingFacts[] = [];
  for (const text of statementTexts) if (/\bcreate\b[\s\S]*\b(?:function|view)\b/i.test(text)) facts.push(balancingFacts(text));
  return withLocalDefinitions(undefined, facts);
}

/** The catalog of whole SQL documents (split into statements; documents without CREATE FUNCTION/VIEW skipped cheaply). */
export function catalogOfDocuments(documents: Iterable<string>): SqlCatalog {
  const statements: string[] = [];
  for (const text of documents) {
    if (!/\bcreate\b/i.test(text) || !/\b(?:function|view)\b/i.test(text)) continue;
    for (const span of splitStatements(text)) statements.push(span.text);
  }
  return catalogOf(statements);
}
