// Asking the server. The analysis reads statement texts, but session state is also created where no
// text shows it: inside a PL/pgSQL or SQL function, a DO block, a procedure, dynamic SQL. After a
// transaction that ran such code (runsHiddenCode, a cheap byte scan of the wire text) the pooler
// asks the server connection in one query what session state it really carries (AUDIT_SQL) before
// the connection goes back to the pool; hazards.ts turns what it did not know into hazards.
import { TRACKED_PARAMETER_NAMES } from '../../server/analysis/vocabulary';
import type { StateKind } from './sessionState';
import { WORD_BYTES, commentEnd, equalsFolded, mayStartComment } from './wireText';

/** How a hazard's detail says the state was found by the audit (the editor marks such hazards). */
export const ASKED_THE_SERVER = 'found by asking the server';

/** One piece of session state the server reported. */
export interface FoundState {
  kind: StateKind;
  name: string;
  rule: string;
}

/**
 * Words that are followed by `(` without calling a function: SQL syntax, type names with a modifier,
 * and the word before a column list (INSERT INTO t (…), CREATE TABLE t (…), REFERENCES t (…)).
 */
const NOT_A_CALL = new Set([
  'in', 'values', 'exists', 'any', 'all', 'some', 'cast', 'coalesce', 'nullif', 'greatest', 'least', 'row', 'array',
  'over', 'filter', 'group', 'as', 'using', 'on', 'and', 'or', 'not', 'when', 'then', 'else', 'select', 'from', 'where',
  'by', 'join', 'lateral', 'set', 'returning', 'having', 'limit', 'offset', 'case', 'distinct', 'is', 'like', 'ilike',
  'between', 'to', 'except', 'union', 'intersect', 'extract', 'overlay', 'position', 'substring', 'trim', 'grouping',
  'cube', 'rollup', 'with', 'into', 'table', 'references', 'conflict', 'index', 'char', 'character', 'varchar', 'decimal',
  'dec', 'numeric', 'float', 'precision', 'interval', 'time', 'timestamp', 'varying', 'bit', 'nchar', 'window', 'partition',
  'return', 'do', 'update', 'key', 'unique', 'check', 'primary', 'foreign', 'default', 'include', 'tablesample', 'only',
  'xmlelement', 'xmlforest', 'xmlattributes', 'xmlconcat', 'xmlparse', 'xmlpi', 'xmlroot', 'xmlserialize', 'xmlexists', 'xmltable',
]);
/** Words before `(` that name the table or column list that follows, not a function. */
const NAMES_FOLLOW = new Set(['into', 'table', 'references', 'exists', 'index', 'with', 'as', 'function', 'procedure']);
/** Statements that run code the text does not show. */
const HIDDEN_CODE_STATEMENTS = new Set(['do', 'call', 'execute']);
/** Their lengths: a statement's first word of another length (SELECT, INSERT…) is not decoded. */
const HIDDEN_CODE_LENGTHS = new Set([...HIDDEN_CODE_STATEMENTS].map((word) => word.length));
const HIDDEN_CODE_STATEMENT_BYTES = [...HIDDEN_CODE_STATEMENTS].map((word) => Buffer.from(word));
/** Built-in functions that run SQL given as text. */
const RUNS_SQL_TEXT = new Set(['query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema', 'cursor_to_xml', 'ts_stat']);

const OPEN_PAREN = 0x28;
const SEMICOLON = 0x3b;
const QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;

/**
 * Whether the wire text [start, end) may run code whose statements the analysis cannot see: a call
 * of a function that is not built in (`builtins` null: not known yet, so any call), a quoted
 * function name, DO, CALL, EXECUTE. A text without `(` calls nothing: only its first word counts
 * (two native searches and a word), unless more statements follow; then, as for any text with `(`,
 * every word is read.
 */
export function runsHiddenCode(buf: Buffer, start: number, end: number, builtins: ReadonlySet<string> | null): boolean {
  const paren = buf.indexOf(OPEN_PAREN, start);
  if (paren >= 0 && paren < end) return scanForHiddenCode(buf, start, end, builtins);
  const first = firstWordStart(buf, start, end);
  if (first === QUOTED) return scanForHiddenCode(buf, start, end, builtins);
  if (first >= 0 && startsHiddenCodeStatement(buf, first, end)) return true;
  const semicolon = buf.indexOf(SEMICOLON, start);
  if (semicolon < 0 || semicolon >= end || onlySpaceOrSemicolons(buf, semicolon + 1, end)) return false;
  return scanForHiddenCode(buf, start, end, builtins); // more statements: the full scan knows quotes and comments
}

const QUOTED = -2;

/** Where the text's first word starts (spaces, comments and punctuation skipped), -1 without one, QUOTED at a quote first. */
function firstWordStart(buf: Buffer, start: number, end: number): number {
  let i = start;
  let skip: number;
  while (i < end) {
    const b = buf[i];
    if (WORD_BYTES[b] === 1) return i;
    if (b === QUOTE || b === DOUBLE_QUOTE) return QUOTED;
    i = mayStartComment(b) && (skip = commentEnd(buf, i, end)) >= 0 ? skip : i + 1;
  }
  return -1;
}

/** The word at `at` is DO, CALL or EXECUTE (any case), compared in place. */
function startsHiddenCodeStatement(buf: Buffer, at: number, end: number): boolean {
  let j = at + 1;
  while (j < end && WORD_BYTES[buf[j]] === 1) j++;
  for (const word of HIDDEN_CODE_STATEMENT_BYTES) if (word.length === j - at && equalsFolded(buf, at, word)) return true;
  return false;
}

/** Only white space and semicolons from `from` to `end` (a text's trailing `;`). */
function onlySpaceOrSemicolons(buf: Buffer, from: number, end: number): boolean {
  for (let i = from; i < end; i++) {
    const b = buf[i];
    if (b !== 0x20 && b !== 0x0a && b !== 0x09 && b !== 0x0d && b !== SEMICOLON) return false;
  }
  return true;
}

function scanForHiddenCode(buf: Buffer, start: number, end: number, builtins: ReadonlySet<string> | null): boolean {
  let i = start;
  let atStatementStart = true;
  let skip: number;
  // The word before the current one (only spaces or '.' between), decoded only when a call needs it.
  let previousStart = 0;
  let previousEnd = 0;
  while (i < end) {
    const b = buf[i];
    if (WORD_BYTES[b] === 1) {
      let j = i + 1;
      while (j < end && WORD_BYTES[buf[j]] === 1) j++;
      const next = nextSignificant(buf, j, end);
      if ((atStatementStart && HIDDEN_CODE_LENGTHS.has(j - i)) || next === OPEN_PAREN) {
        const word = lowerWord(buf, i, j);
        if (atStatementStart && HIDDEN_CODE_STATEMENTS.has(word)) return true;
        if (next === OPEN_PAREN && isCall(word, lowerWord(buf, previousStart, previousEnd), builtins)) return true;
      }
      previousStart = i;
      previousEnd = j;
      atStatementStart = false;
      i = j;
    } else if (b === QUOTE) {
      i = skipQuoted(buf, i + 1, end, QUOTE);
      previousEnd = previousStart;
    } else if (b === DOUBLE_QUOTE) {
      const close = skipQuoted(buf, i + 1, end, DOUBLE_QUOTE);
      if (nextSignificant(buf, close, end) === OPEN_PAREN && !NAMES_FOLLOW.has(lowerWord(buf, previousStart, previousEnd))) return true; // "MyFunction"(…)
      previousEnd = previousStart;
      i = close;
    } else if (mayStartComment(b) && (skip = commentEnd(buf, i, end)) >= 0) {
      i = skip;
    } else {
      if (b === SEMICOLON) atStatementStart = true;
      if (b !== 0x20 && b !== 0x0a && b !== 0x09 && b !== 0x0d && b !== 0x2e) previousEnd = previousStart; // '.' keeps schema.name
      i++;
    }
  }
  return false;
}

/** The ASCII-lower-cased word at [start, end) ('' when empty); a function, not a closure per scan. */
function lowerWord(buf: Buffer, start: number, end: number): string {
  return end > start ? buf.toString('latin1', start, end).toLowerCase() : '';
}

function isCall(word: string, previousWord: string, builtins: ReadonlySet<string> | null): boolean {
  if (NOT_A_CALL.has(word) || NAMES_FOLLOW.has(previousWord)) return false;
  if (RUNS_SQL_TEXT.has(word)) return true;
  return builtins === null || !builtins.has(word);
}

function nextSignificant(buf: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x09 || buf[i] === 0x0d)) i++;
  return i < end ? buf[i] : -1;
}

function skipQuoted(buf: Buffer, from: number, end: number, quote: number): number {
  let i = from;
  while (i < end) {
    if (buf[i] === quote) {
      if (buf[i + 1] !== quote) return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  return end;
}

// ---------------------------------------------------------------------------------------------
// The question: one query, rows of (kind, name)

/**
 * Custom settings (`app.tenant`) are placeholders that pg_settings never lists: their candidate names
 * come from the bodies of the database's own functions (set_config('x.y', …) and SET x.y). Scanning
 * the bodies is the dearest part of the question, so it runs only now and then (customSettingsSql's
 * `discover`); a candidate counts when it has a value (after SET LOCAL or set_config(…, true) it is
 * back to ''). Names with a database or role default are left out: their value is not this session's doing.
 */
const CANDIDATES_SQL = String.raw`SELECT DISTINCT lower(m[1]) AS n
  FROM pg_proc p, regexp_matches(p.prosrc, '(?:set_config\s*\(\s*''|\mset\s+(?:session\s+)?)([a-z_][a-z0-9_$]*\.[a-z_][a-z0-9_$]*)', 'gi') m
  WHERE p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace) AND p.prolang NOT IN (12, 13)`;
const HAS_SESSION_VALUE = String.raw`coalesce(current_setting(n, true), '') <> ''
  AND n NOT IN (SELECT lower(split_part(s, '=', 1)) FROM pg_db_role_setting, unnest(setconfig) s)`;

function customSettingsSql(candidates: readonly string[] | null): string | undefined {
  if (candidates === null) {
    return `SELECT tag, n FROM (WITH c AS (${CANDIDATES_SQL}) SELECT 'candidate' AS tag, n FROM c UNION ALL SELECT 'setting', n FROM c WHERE ${HAS_SESSION_VALUE}) found`;
  }
  if (candidates.length === 0) return undefined;
  const list = candidates.map((name) => `'${name.replace(/'/g, "''")}'`).join(', ');
  return `SELECT 'setting', n FROM unnest(ARRAY[${list}]::text[]) n WHERE ${HAS_SESSION_VALUE}`;
}

/**
 * One pass over pg_settings (it is built row by row, so the costliest part): settings changed at
 * session level; the prefixes of loaded libraries' parameters (auto_explain.*); the preload lists.
 * Prefixes of languages and extensions are listed so readAudit can leave them out.
 */
const SETTINGS_SQL = String.raw`SELECT DISTINCT CASE WHEN source = 'session' THEN 'setting' WHEN name LIKE '%.%' THEN 'library' ELSE 'preload' END,
  CASE WHEN source = 'session' THEN name WHEN name LIKE '%.%' THEN split_part(name, '.', 1) ELSE setting END
FROM pg_settings WHERE source = 'session' OR name LIKE '%.%' OR name IN ('shared_preload_libraries', 'session_preload_libraries', 'local_preload_libraries')
UNION ALL SELECT 'not-library', lanname::text FROM pg_language
UNION ALL SELECT 'not-library', extname::text FROM pg_extension`;

/** Session advisory locks, named as the analysis names them: exclusive(42), shared(1,2). */
const LOCKS_SQL = String.raw`SELECT 'lock', CASE WHEN mode = 'ShareLock' THEN 'shared' ELSE 'exclusive' END || '(' ||
  CASE WHEN objsubid = 1 THEN ((classid::int8 << 32) | objid::int8)::text
       ELSE classid::int4::text || ',' || objid::int4::text END || ')'
FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`;

const STATE_SQL = [
  SETTINGS_SQL,
  `SELECT CASE WHEN from_sql THEN 'prepared-sql' ELSE 'prepared' END, name FROM pg_prepared_statements`,
  `SELECT 'listen', pg_listening_channels()`,
  `SELECT 'cursor', name FROM pg_cursors WHERE is_holdable`,
  LOCKS_SQL,
  // The constant test first: a session without a temporary schema skips the scan of pg_class.
  `SELECT 'temp', relname::text FROM pg_class WHERE pg_my_temp_schema() <> 0 AND relnamespace = pg_my_temp_schema() AND relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`,
].join('\nUNION ALL ');

/** Built-in function names: calls of anything else may hide session state. Asked for once. */
export const BUILTINS_SQL = `SELECT 'builtin', proname::text FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace GROUP BY proname`;

/**
 * The audit query. `customSettings`: the candidate names known, or null to look for them in the
 * function bodies; `builtins`: also list the built-in function names.
 */
export function auditSql(customSettings: readonly string[] | null, builtins: boolean): string {
  const parts = [STATE_SQL];
  const custom = customSettingsSql(customSettings);
  if (custom) parts.push(custom);
  if (builtins) parts.push(BUILTINS_SQL);
  return parts.join('\nUNION ALL ');
}

const RULE_OF: Record<string, { kind: StateKind; rule: string }> = {
  setting: { kind: 'setting', rule: 'session-set' },
  'prepared-sql': { kind: 'prepared', rule: 'prepared-statement' },
  prepared: { kind: 'prepared', rule: 'protocol-prepared-statement' },
  listen: { kind: 'listen', rule: 'listen' },
  cursor: { kind: 'cursor', rule: 'cursor-with-hold' },
  lock: { kind: 'lock', rule: 'advisory-lock' },
  temp: { kind: 'temp', rule: 'temp-table' },
  library: { kind: 'library', rule: 'load' },
};

/** Parameters the pooler itself keeps in step on every server (client.ts): never a finding. */
const POOLER_SYNCED = TRACKED_PARAMETER_NAMES;
/** The pooler's own statement names under max_prepared_statements > 0 (prepared.ts). */
const POOLER_STATEMENT = /^POOLSAFE_/;

export interface AuditAnswer {
  found: FoundState[];
  /** Custom setting names the function bodies mention, when looked for. */
  candidates?: string[];
  /** Built-in function names, when asked for. */
  builtins?: Set<string>;
}

/**
 * Reads the audit's rows. `pooler` names what the pooler itself put on the connection: settings it
 * synced for the client, and whether its own prepared statements are there.
 */
export function readAudit(rows: readonly (readonly (string | null)[])[], pooler: { appliedSettings: ReadonlySet<string>; ownStatements: boolean }, asked = false): AuditAnswer {
  const found: FoundState[] = [];
  const notLibraries = new Set<string>();
  const libraries: string[] = [];
  let builtins: Set<string> | undefined;
  let candidates: string[] | undefined;
  for (const [tag, name] of rows) {
    if (tag === null || name === null) continue;
    if (tag === 'builtin') (builtins ??= new Set()).add(name);
    else if (tag === 'candidate') (candidates ??= []).push(name);
    else if (tag === 'not-library') notLibraries.add(name);
    else if (tag === 'preload') for (const library of name.split(',')) notLibraries.add(libraryName(library));
    else if (tag === 'library') libraries.push(name);
    else addFound(found, tag, name, pooler);
  }
  for (const library of libraries) if (!notLibraries.has(library)) addFound(found, 'library', library, pooler);
  return { found, builtins, candidates: candidates ?? (asked ? [] : undefined) };
}

function addFound(found: FoundState[], tag: string, name: string, pooler: { appliedSettings: ReadonlySet<string>; ownStatements: boolean }): void {
  const meaning = RULE_OF[tag];
  if (!meaning) return;
  if (meaning.kind === 'setting' && (POOLER_SYNCED.has(name) || pooler.appliedSettings.has(name))) return;
  if (meaning.kind === 'prepared' && pooler.ownStatements && POOLER_STATEMENT.test(name)) return;
  found.push({ ...meaning, name });
}

/** '$libdir/plugins/auto_explain.so' → 'auto_explain' (the prefix of the library's parameters). */
export function libraryName(path: string): string {
  return (path.trim().split('/').pop() ?? '').replace(/\.(so|dll|dylib)$/i, '').toLowerCase();
}
