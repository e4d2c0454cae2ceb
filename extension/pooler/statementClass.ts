// What a load balancer needs to know about one Query text, classified as Pgpool-II does it
// (docs: "Load Balancing", "Writing queries may affect Load Balancing"; its send_to_where and
// is_select_query): is it a plain read that may run on a replica, a transaction command, a command
// sent to every node (SET, DISCARD, SAVEPOINT…), or one the primary must run. A token scan, no parse:
// quoted text, quoted identifiers, dollar quotes and comments are skipped, so words inside them count
// for nothing. The function names it lists are judged by the caller (function lists or pg_proc).
import { skipNonCode } from '../../server/analysis/splitter';

export type StatementKind =
  /** Pgpool-II's is_select_query: SELECT/WITH/TABLE without INTO, FOR UPDATE/SHARE or a DML CTE; COPY … TO STDOUT. */
  | 'read'
  | 'begin'
  /** COMMIT, ROLLBACK, END, ABORT (not ROLLBACK TO SAVEPOINT, not the 2PC commands). */
  | 'end'
  /** Sent to the primary and to the replica a transaction holds (SET, DISCARD, SAVEPOINT, RELEASE, weak LOCK). */
  | 'both'
  /** Everything else: the primary runs it, and it counts as a write. */
  | 'write';

export interface StatementClass {
  kind: StatementKind;
  /** More than one statement in the text (Pgpool-II sends those to the primary). */
  multiStatement: boolean;
  /** Names of the functions called (`name(` or `schema.name(`), lower-cased, in order, no duplicates. */
  functions: string[];
  /** A relation named pg_* or pg_catalog.* is read (Pgpool-II sends system catalog reads to the primary). */
  systemCatalog: boolean;
  /** Tables written: INSERT INTO / UPDATE / DELETE FROM / TRUNCATE / MERGE INTO / COPY … FROM (unqualified, lower-cased). */
  writes: string[];
  /** Tables read: after FROM / JOIN (unqualified, lower-cased). */
  reads: string[];
  /** BEGIN … ISOLATION LEVEL SERIALIZABLE or SET TRANSACTION … SERIALIZABLE. */
  serializable: boolean;
  /** SET TRANSACTION READ ONLY and its variants: not a write even though not a SELECT. */
  readOnlySetting: boolean;
  /** The text starts with a comment (Pgpool-II with allow_sql_comments = off does not balance it). */
  leadingComment: boolean;
}

type Token = { word: string; quoted: boolean } | { punct: string };

/** Splits SQL into lower-cased words, quoted identifiers and single punctuation characters. */
export function tokenize(sql: string, limit = 4000): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n && tokens.length < limit) {
    const c = sql.charCodeAt(i);
    if (c <= 0x20) {
      i++;
      continue;
    }
    // Quotes, quoted names, dollar quotes and comments: skipped as the analysis' splitter skips them.
    const next = c === 0x27 || c === 0x22 || c === 0x2d || c === 0x2f || c === 0x24 ? skipNonCode(sql, i) : -1;
    if (next >= 0) {
      if (c === 0x22) tokens.push({ word: sql.slice(i + 1, next - 1).replace(/""/g, '"'), quoted: true });
      else if (c === 0x27 || c === 0x24) tokens.push({ punct: "'" });
      i = next;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(sql.charCodeAt(j))) j++;
      tokens.push({ word: sql.slice(i, j).toLowerCase(), quoted: false });
      i = j;
    } else if (c >= 0x30 && c <= 0x39) {
      let j = i + 1;
      while (j < n && (isWordPart(sql.charCodeAt(j)) || sql.charCodeAt(j) === 0x2e)) j++;
      tokens.push({ punct: '0' });
      i = j;
    } else {
      tokens.push({ punct: sql[i] });
      i++;
    }
  }
  return tokens;
}

function isWordStart(c: number): boolean {
  const lower = c | 0x20;
  return (lower >= 0x61 && lower <= 0x7a) || c === 0x5f || c >= 0x80;
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24;
}

const word = (t: Token | undefined): string | undefined => (t && 'word' in t && !t.quoted ? t.word : undefined);
const name = (t: Token | undefined): string | undefined => (t && 'word' in t ? t.word : undefined);
const punct = (t: Token | undefined): string | undefined => (t && 'punct' in t ? t.punct : undefined);

/** Words that are followed by "(" without being a function call. */
const NOT_FUNCTIONS = new Set([
  'in', 'exists', 'any', 'all', 'some', 'values', 'as', 'on', 'using', 'over', 'filter', 'within', 'and', 'or', 'not',
  'from', 'where', 'select', 'into', 'join', 'lateral', 'with', 'when', 'then', 'else', 'is', 'by', 'like', 'ilike',
  'between', 'returning', 'union', 'intersect', 'except', 'array', 'row', 'case', 'set', 'table', 'grouping', 'rollup',
  'cube', 'sets', 'materialized', 'recursive', 'cast', 'limit', 'offset', 'having', 'distinct', 'window', 'partition',
]);

const TABLE_WRITE_INTRO: Record<string, string[] | undefined> = {
  insert: ['into'],
  update: [],
  delete: ['from'],
  truncate: [],
  merge: ['into'],
};

/**
 * Texts differing only in plain literals ('…' without backslashes, numbers) classify alike: cached by
 * the text with those replaced, when nothing in it (comments, dollar or escape strings, quoted names)
 * could make that replacement change the tokens. Drivers' parameterised texts repeat exactly anyway.
 */
const cache = new Map<string, StatementClass>();
const MAX_CACHED = 2000;
const UNSAFE_FOR_CACHE = /[\\$"]|--|\/\*/;
const PLAIN_LITERALS = /'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b/g;

/** Classifies one Query text (which may hold several statements); the result is shared: do not change it. */
export function classifyStatement(sql: string): StatementClass {
  if (sql.length > 2000 || UNSAFE_FOR_CACHE.test(sql)) return classifyUncached(sql);
  const key = sql.replace(PLAIN_LITERALS, '0');
  let found = cache.get(key);
  if (!found) {
    found = classifyUncached(sql);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, found);
  }
  return found;
}

function classifyUncached(sql: string): StatementClass {
  const tokens = tokenize(sql);
  const result: StatementClass = {
    kind: 'write', multiStatement: false, functions: [], systemCatalog: false, writes: [], reads: [],
    serializable: false, readOnlySetting: false, leadingComment: /^\s*(--|\/\*)/.test(sql),
  };
  const statements = splitTokens(tokens);
  result.multiStatement = statements.length > 1;
  for (const statement of statements) scanTables(statement, result);
  const first = statements[0] ?? [];
  result.kind = statements.length === 1 ? kindOf(first, result) : 'write';
  return result;
}

/** Statements separated by ";" (empty ones dropped). */
function splitTokens(tokens: Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  for (const t of tokens) {
    if (punct(t) === ';') {
      if (current.length > 0) statements.push(current);
      current = [];
    } else {
      current.push(t);
    }
  }
  if (current.length > 0) statements.push(current);
  return statements;
}

function kindOf(tokens: Token[], result: StatementClass): StatementKind {
  let start = 0;
  while (punct(tokens[start]) === '(') start++;
  const head = word(tokens[start]);
  const next = word(tokens[start + 1]);
  const words = new Set(tokens.map(word).filter((w): w is string => w !== undefined));
  switch (head) {
    case 'select':
    case 'table':
    case 'with':
      if (head === 'with' && (words.has('insert') || words.has('update') || words.has('delete') || words.has('merge'))) return 'write';
      return hasIntoOrLocking(tokens) ? 'write' : 'read';
    case 'copy':
      return words.has('to') && words.has('stdout') && !words.has('from') ? 'read' : 'write';
    case 'begin':
    case 'start':
      result.serializable = words.has('serializable');
      return 'begin';
    case 'commit':
    case 'end':
    case 'abort':
      return next === 'prepared' ? 'write' : 'end';
    case 'rollback':
      if (next === 'prepared') return 'write';
      return words.has('to') ? 'both' : 'end';
    case 'savepoint':
    case 'release':
    case 'discard':
      return 'both';
    case 'deallocate':
      return words.has('all') ? 'both' : 'write';
    case 'lock':
      return isWeakLock(words) ? 'both' : 'write';
    case 'set':
    case 'reset':
      return setKind(tokens.slice(start), words, result);
    default:
      return 'write';
  }
}

/** Pgpool-II: LOCK weaker than ROW EXCLUSIVE goes to every node; the default ACCESS EXCLUSIVE to the primary. */
function isWeakLock(words: Set<string>): boolean {
  if (!words.has('mode')) return false;
  return (words.has('access') && words.has('share') && !words.has('exclusive')) || (words.has('row') && words.has('share') && !words.has('exclusive'));
}

function setKind(tokens: Token[], words: Set<string>, result: StatementClass): StatementKind {
  const target = word(tokens[1]);
  const characteristics = target === 'transaction' || (target === 'session' && word(tokens[2]) === 'characteristics');
  if (words.has('serializable') && (characteristics || target === 'transaction_isolation' || target === 'default_transaction_isolation')) {
    result.serializable = true;
    return 'write';
  }
  if (characteristics && words.has('read') && words.has('write')) return 'write';
  if (target === 'transaction_read_only' && (words.has('off') || words.has('false') || words.has('f') || tokens.some((t) => punct(t) === '0' || punct(t) === "'"))) return 'write';
  if (characteristics && words.has('read') && words.has('only')) result.readOnlySetting = true;
  return 'both';
}

/** SELECT … INTO (outside a parenthesised sub-select is enough: INTO cannot appear elsewhere in a SELECT) or FOR UPDATE/SHARE. */
function hasIntoOrLocking(tokens: Token[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const w = word(tokens[i]);
    if (w === 'into') return true;
    if (w === 'for') {
      const after = word(tokens[i + 1]);
      if (after === 'update' || after === 'share' || after === 'no' || after === 'key') return true;
    }
  }
  return false;
}

/** Function calls, tables read (FROM/JOIN) and tables written (INSERT INTO, UPDATE, …) of one statement. */
function scanTables(tokens: Token[], result: StatementClass): void {
  const intro = TABLE_WRITE_INTRO[word(tokens[0]) ?? ''];
  if (intro) {
    let at = 1;
    for (const expected of intro) if (word(tokens[at]) === expected) at++;
    if (word(tokens[at]) === 'table' || word(tokens[at]) === 'only') at++;
    addName(result.writes, qualifiedAt(tokens, at));
  }
  if (word(tokens[0]) === 'copy' && tokens.some((t) => word(t) === 'from')) addName(result.writes, qualifiedAt(tokens, 1));
  for (let i = 0; i < tokens.length; i++) {
    const w = word(tokens[i]);
    if ((w === 'from' || w === 'join') && name(tokens[i + 1]) !== undefined) {
      let at = i + 1;
      if (word(tokens[at]) === 'only' || word(tokens[at]) === 'lateral') at++;
      const relation = qualifiedAt(tokens, at);
      if (relation && punct(tokens[at + relation.parts]) !== '(') {
        addName(result.reads, relation);
        if (relation.last.startsWith('pg_') || relation.schema === 'pg_catalog') result.systemCatalog = true;
      }
    }
    if (punct(tokens[i]) === '(' && i > 0) {
      const fn = functionNameBefore(tokens, i);
      if (fn && !result.functions.includes(fn)) result.functions.push(fn);
    }
  }
}

function qualifiedAt(tokens: Token[], at: number): { schema?: string; last: string; parts: number } | undefined {
  const first = name(tokens[at]);
  if (first === undefined) return undefined;
  if (punct(tokens[at + 1]) === '.' && name(tokens[at + 2]) !== undefined) return { schema: first, last: name(tokens[at + 2])!, parts: 3 };
  return { last: first, parts: 1 };
}

function addName(list: string[], relation: { last: string } | undefined): void {
  if (relation && !list.includes(relation.last)) list.push(relation.last);
}

/** `name(` or `schema.name(` before the "(" at `paren`, unless the word is a keyword that takes parentheses. */
function functionNameBefore(tokens: Token[], paren: number): string | undefined {
  const fn = name(tokens[paren - 1]);
  if (fn === undefined) return undefined;
  const quoted = 'word' in tokens[paren - 1] && (tokens[paren - 1] as { quoted: boolean }).quoted;
  if (!quoted && NOT_FUNCTIONS.has(fn)) return undefined;
  // INSERT INTO t (a, b) / CREATE TABLE t (…) / a table alias's column list: not calls.
  const before = word(tokens[paren - 2]);
  if (before === 'into' || before === 'table' || before === 'as' || before === 'exists') return undefined;
  if (punct(tokens[paren - 2]) === '.' && name(tokens[paren - 3]) !== undefined) {
    const beforeSchema = word(tokens[paren - 4]);
    if (beforeSchema === 'into' || beforeSchema === 'table') return undefined;
    return `${name(tokens[paren - 3])}.${fn}`;
  }
  return fn;
}
