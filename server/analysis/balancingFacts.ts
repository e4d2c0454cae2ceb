// What a statement means to a read/write-splitting load balancer (Pgpool-II): the tables it writes,
// whether it is a SELECT Pgpool-II may send to a replica, what it reads and calls, and the functions and
// views it defines. Only computed when load balancing is on (the rules in balancing.ts), so the
// analysis's keyword gate stays as cheap as before for everyone else. Offsets are statement-relative.
import { parseSync } from 'libpg-query';
import type { CatalogFunction, CatalogView } from './types';
import { utf8ByteToUtf16 } from './positions';

export interface NamedSpan {
  /** Lower-case, unqualified. */
  name: string;
  schema?: string;
  start: number;
  end: number;
}

export type StatementKind =
  /** A SELECT by Pgpool-II's shape rules (no INTO, no FOR UPDATE/SHARE, no data-modifying WITH). */
  | 'select'
  /** Changes data or schema: Pgpool-II sends it to the primary, and a transaction is "writing" after it. */
  | 'write'
  /** Transaction control, SET, SHOW…: neither reads tables nor writes. */
  | 'neutral';

export interface BalancingFacts {
  kind: StatementKind;
  /** Tables an INSERT/UPDATE/DELETE/MERGE/TRUNCATE/COPY FROM (or a data-modifying WITH) writes. */
  writes: NamedSpan[];
  /** Relations a SELECT reads (CTE names excluded). */
  reads: NamedSpan[];
  /** Functions a SELECT calls. */
  calls: NamedSpan[];
  /** Holds `$1`-style parameters (outside function bodies): a query for a driver, not a script statement. */
  hasParameters?: boolean;
  /** Cannot run inside a transaction block (VACUUM, … CONCURRENTLY): wrapping in BEGIN/COMMIT would break it. */
  outsideTransactionOnly?: boolean;
  /** BEGIN/SET TRANSACTION … SERIALIZABLE: Pgpool-II sends the whole transaction to the primary. */
  serializable?: boolean;
  /** ROLLBACK/ABORT: the transaction's writes never happened. */
  rollback?: boolean;
  /** CREATE TEMP TABLE / SELECT … INTO TEMP: Pgpool-II keeps statements on temporary tables on the primary. */
  createsTemporary?: string;
  definesFunction?: { name: string; fn: CatalogFunction };
  definesView?: { name: string; view: CatalogView };
}

type Json = Record<string, unknown>;

const NEUTRAL_STATEMENTS = new Set(['TransactionStmt', 'VariableSetStmt', 'VariableShowStmt', 'DiscardStmt', 'DeallocateStmt', 'ExplainStmt', 'ListenStmt', 'UnlistenStmt']);
const DML_STATEMENTS = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
/** Words in a function body that change tables (directly or as dynamic SQL). */
const MODIFIES_TABLES = /\b(?:insert\s+into|update\s+(?:only\s+)?[\w."]+\s+(?:(?:as\s+)?\w+\s+)?set|delete\s+from|merge\s+into|truncate|copy\s+[\w."]+(?:\s*\([^)]*\))?\s+from)\b/i;
/** A name followed by `(`, unless it follows a word that makes it a table (INSERT INTO t (…)) or a type. */
const CALLED_NAME = /(?<!\b(?:into|from|update|table|join|references|only|as|returns|setof)\s+)\b([a-z_][a-z0-9_$]*)\s*\(/gi;

const EMPTY: BalancingFacts = { kind: 'write', writes: [], reads: [], calls: [] };
const cache = new Map<string, BalancingFacts>();
const CACHE_LIMIT = 20_000;

/** The statement's balancing facts (cached by text); a statement that does not parse counts as a write. */
export function balancingFacts(text: string): BalancingFacts {
  let facts = cache.get(text);
  if (!facts) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    facts = computeFacts(text);
    cache.set(text, facts);
  }
  return facts;
}

function computeFacts(text: string): BalancingFacts {
  let tree: { stmts?: { stmt?: Json }[] };
  try {
    tree = parseSync(text) as typeof tree;
  } catch {
    return EMPTY;
  }
  const statements = tree.stmts ?? [];
  if (statements.length !== 1 || !statements[0].stmt) return EMPTY;
  const [key, node] = Object.entries(statements[0].stmt)[0] as [string, Json];
  const walker = new Walker(text);
  walker.walk(statements[0].stmt);
  const reads = walker.reads.filter((read) => read.schema || !walker.cteNames.has(read.name));
  const facts: BalancingFacts = { kind: kindOf(key, node, walker), writes: walker.writes, reads, calls: walker.calls };
  if (key === 'TransactionStmt') {
    facts.rollback = node.kind === 'TRANS_STMT_ROLLBACK';
    facts.serializable = /\bserializable\b/i.test(text);
  } else if (key === 'VariableSetStmt' && /\bisolation\s+level\s+serializable\b/i.test(text)) {
    facts.serializable = true;
  }
  if (isOutsideTransactionOnly(key, node)) facts.outsideTransactionOnly = true;
  if (walker.parameters) facts.hasParameters = true;
  const temporary = temporaryRelation(key, node);
  if (temporary) facts.createsTemporary = temporary;
  if (key === 'CreateFunctionStmt') facts.definesFunction = functionDefinition(node, text);
  if (key === 'ViewStmt') facts.definesView = { name: String((node.view as Json).relname).toLowerCase(), view: { calls: walker.calls.map((c) => c.name) } };
  return facts;
}

function kindOf(key: string, node: Json, walker: Walker): StatementKind {
  if (walker.writes.length > 0) return 'write';
  if (NEUTRAL_STATEMENTS.has(key)) return 'neutral';
  if (key !== 'SelectStmt' || node.intoClause || walker.locks) return 'write';
  return 'select';
}

function temporaryRelation(key: string, node: Json): string | undefined {
  const relation = (key === 'CreateStmt' ? node.relation : key === 'CreateTableAsStmt' ? (node.into as Json | undefined)?.rel : key === 'SelectStmt' ? (node.intoClause as Json | undefined)?.rel : undefined) as Json | undefined;
  return relation?.relpersistence === 't' ? String(relation.relname).toLowerCase() : undefined;
}

function isOutsideTransactionOnly(key: string, node: Json): boolean {
  if (key === 'VacuumStmt' || key === 'CreatedbStmt' || key === 'DropdbStmt' || key === 'CreateTableSpaceStmt' || key === 'DropTableSpaceStmt' || key === 'AlterSystemStmt') return true;
  if (key === 'IndexStmt' && node.concurrent) return true;
  if (key === 'ReindexStmt' && JSON.stringify(node.params ?? []).includes('"concurrently"')) return true;
  return key === 'DropStmt' && node.concurrent === true;
}

class Walker {
  readonly writes: NamedSpan[] = [];
  readonly reads: NamedSpan[] = [];
  readonly calls: NamedSpan[] = [];
  locks = false;
  parameters = false;
  /** WITH names: a relation of that name (unqualified) is the CTE, not a table. */
  readonly cteNames = new Set<string>();
  private readonly ascii: boolean;

  constructor(private readonly text: string) {
    this.ascii = !/[^\x00-\x7f]/.test(text);
  }

  walk(value: unknown): void {
    if (Array.isArray(value)) {
      for (const item of value) this.walk(item);
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value as Json)) {
      const node = child as Json;
      if (DML_STATEMENTS.has(key)) {
        this.addRelation(this.writes, node.relation as Json | undefined);
        this.walk({ ...node, relation: undefined });
        continue;
      }
      switch (key) {
        case 'CopyStmt':
          if (node.is_from) this.addRelation(this.writes, node.relation as Json | undefined);
          continue;
        case 'TruncateStmt':
          for (const relation of (node.relations as Json[] | undefined) ?? []) this.addRelation(this.writes, relation.RangeVar as Json);
          continue;
        case 'CreateFunctionStmt': case 'DoStmt':
          continue; // a body's statements run later (functions) or are not a read of this statement
        case 'lockingClause':
          this.locks = true;
          break;
        case 'CommonTableExpr':
          this.cteNames.add(String(node.ctename).toLowerCase());
          break;
        case 'RangeVar':
          this.addRelation(this.reads, node);
          continue;
        case 'FuncCall':
          this.addCall(node);
          break;
        case 'ParamRef':
          this.parameters = true;
          continue;
      }
      this.walk(child);
    }
  }

  private offset(byteLocation: number): number {
    return this.ascii ? byteLocation : utf8ByteToUtf16(this.text, byteLocation);
  }

  private addRelation(list: NamedSpan[], rangeVar: Json | undefined): void {
    if (!rangeVar?.relname) return;
    const name = String(rangeVar.relname).toLowerCase();
    const start = this.offset((rangeVar.location as number | undefined) ?? 0);
    const schema = rangeVar.schemaname ? String(rangeVar.schemaname).toLowerCase() : undefined;
    list.push({ name, schema, start, end: start + nameLength(this.text, start) });
  }

  private addCall(call: Json): void {
    const names = (call.funcname as { String?: { sval?: string } }[] | undefined) ?? [];
    const name = (names[names.length - 1]?.String?.sval ?? '').toLowerCase();
    if (!name) return;
    const start = this.offset((call.location as number | undefined) ?? 0);
    this.calls.push({ name, start, end: start + nameLength(this.text, start) });
  }
}

/** Length of the (possibly qualified, possibly quoted) name at `start`. */
function nameLength(text: string, start: number): number {
  const match = /^(?:"(?:[^"]|"")*"|[\w$]+)(?:\s*\.\s*(?:"(?:[^"]|"")*"|[\w$]+))*/.exec(text.slice(start, start + 200));
  return match ? match[0].length : 1;
}

function functionDefinition(node: Json, text: string): { name: string; fn: CatalogFunction } {
  const names = node.funcname as { String?: { sval?: string } }[];
  const name = (names[names.length - 1]?.String?.sval ?? '').toLowerCase();
  let volatility: CatalogFunction['volatility'] = 'volatile';
  let body: string | undefined;
  for (const option of (node.options as Json[] | undefined) ?? []) {
    const def = option.DefElem as Json | undefined;
    if (def?.defname === 'volatility') volatility = String(((def.arg as Json).String as Json).sval) as CatalogFunction['volatility'];
    if (def?.defname === 'as') body = ((((def.arg as Json).List as Json)?.items as Json[] | undefined) ?? []).map((item) => String((item.String as Json | undefined)?.sval ?? '')).join('\n');
  }
  // BEGIN ATOMIC / RETURN bodies are part of the statement text itself.
  const code = stripComments(body ?? text);
  const calls = new Set<string>();
  for (const match of code.matchAll(CALLED_NAME)) calls.add(match[1].toLowerCase());
  calls.delete(name);
  return { name, fn: { volatility, modifiesTables: MODIFIES_TABLES.test(code), calls: [...calls] } };
}

function stripComments(code: string): string {
  const withoutLineComments = code.replace(/--[^\n]*/g, ' ');
  // A `/*` after the last `*/` ends nowhere: looking for its end from each of them was quadratic (200 KB of `/* `: ~8 s).
  const closed = withoutLineComments.lastIndexOf('*/') + 2;
  if (closed < 2) return withoutLineComments;
  return withoutLineComments.slice(0, closed).replace(/\/\*[\s\S]*?\*\//g, ' ') + withoutLineComments.slice(closed);
}
