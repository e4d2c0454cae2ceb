// PL/pgSQL dynamic SQL: `EXECUTE 'LISTEN ' || channel` runs in the caller's session like the statement
// it builds. The built text is not known, but its leading string literal says what kind of statement
// it is; that is enough for the session-state rules (never for a prepared statement: PL/pgSQL's
// EXECUTE itself is not one).
import type { RuleId } from './types';
import { leadingTrivia } from './sqlTrivia';
import { parameterName, restoredSetting } from './restoredSettings';
import { afterBlockWordsAndHead } from './plpgsqlPieces';
import { replaceLiteralsAndComments } from './templatePlaceholders';
import type { SessionFlags } from './sessionFlags';
import { DOLLAR_QUOTE_TAG, dollarQuoteOpening } from './splitter';

export interface DynamicStatement {
  rule: RuleId;
  message: string;
  /** The string literal, relative to the PL/pgSQL statement. */
  start: number;
  end: number;
  /** The setting a dynamic `SET name …` sets (lower case), when the literal names it. */
  setting?: string;
  /** The table (view, sequence, pg_temp routine) a dynamic `CREATE TEMP TABLE|VIEW|SEQUENCE` (`CREATE FUNCTION pg_temp.f`) makes, as its name is written (objectNamed), which a later dynamic DROP may undo. */
  temporary?: string;
}


/** Where a string literal opens: at its quote (after an `E`), or at a dollar quote's tag (`$$`, `$q$`; not `$1`). */
const OPENS_LITERAL = String.raw`(?:E?(?=')|(?=${DOLLAR_QUOTE_TAG}))`;
/**
 * `EXECUTE 'literal…'`, `EXECUTE format('literal…'`, also with the expression in parentheses (`EXECUTE ('DROP …; CREATE
 * …')`) or a dollar-quoted literal (`EXECUTE format($$CREATE TEMP TABLE %I …$$, name)`), up to the literal's quote.
 */
const EXECUTE_WORD = new RegExp(String.raw`^execute(?:\s+|\s*\(\s*)(?:format\s*\(\s*)?${OPENS_LITERAL}`, 'i');
/** Bound on the words, comments and conditions skipped before EXECUTE. */
const MAX_PREFIX_PARTS = 16;

/**
 * `EXECUTE 'literal…'` or `EXECUTE format('literal…', …)`, possibly after comments, block words and
 * conditions (`IF … THEN`) that the statement splitter leaves in front: where the literal's quote is
 * (a linear scan: a regex for this backtracks badly on long conditions).
 */
function executeLiteralStart(text: string): number | undefined {
  const at = statementStart(text);
  const execute = EXECUTE_WORD.exec(text.slice(at));
  return execute ? at + execute[0].length : undefined;
}

/**
 * Where a PL/pgSQL statement's own first word is, after the comments, block words, labels and condition or loop heads
 * (`IF … THEN`, `FOR i IN 1..9 LOOP`, `WHILE … LOOP`) that the statement splitter leaves in front of it: the same
 * words plpgsqlPieces.ts cuts a parsed statement's heads at, so dynamic SQL in a loop is read as a written statement is.
 */
export function statementStart(text: string): number {
  let at = leadingTrivia(text);
  for (let part = 0; part < MAX_PREFIX_PARTS; part++) {
    const next = afterBlockWordsAndHead(text, at);
    if (next === undefined) return at;
    at = next + leadingTrivia(text.slice(next));
  }
  return at;
}

/**
 * `CREATE [OR REPLACE] FUNCTION|PROCEDURE pg_temp.`, up to the routine's name: a routine in the session's temporary
 * schema lives as long as the server connection, as a temporary table does.
 */
const CREATES_TEMPORARY_ROUTINE = /^\s*create\s+(?:or\s+replace\s+)?(?:function|procedure)\s+pg_temp\s*\.\s*/i;

/** Leading words of a built statement → the rule it trips (SET LOCAL and ON COMMIT DROP are transaction-scoped). */
const KINDS: { pattern: RegExp; rule: RuleId; what: string }[] = [
  { pattern: /^\s*set\s+(?!local\b|transaction\b|constraints\b)/i, rule: 'session-set', what: 'a session-level SET' },
  { pattern: /^\s*(?:select|perform)\b[^;]*\bset_config\s*\([^;]*,\s*false\s*\)/i, rule: 'session-set', what: 'set_config(…, false)' },
  { pattern: /^\s*listen\b/i, rule: 'listen', what: 'LISTEN' },
  { pattern: /^\s*prepare\b/i, rule: 'prepared-statement', what: 'PREPARE' },
  { pattern: /^\s*create\s+(?:(?:global|local)\s+)?temp(?:orary)?\s+(?![^;]*\bon\s+commit\s+drop\b)/i, rule: 'temp-table', what: 'a temporary table' },
  { pattern: CREATES_TEMPORARY_ROUTINE, rule: 'temp-table', what: 'a function in pg_temp' },
  { pattern: /^\s*load\b/i, rule: 'load', what: 'LOAD' },
  { pattern: /^\s*declare\b[^;]*\bwith\s+hold\b/i, rule: 'cursor-with-hold', what: 'a WITH HOLD cursor' },
  { pattern: /^\s*(?:select|perform)\b[^;]*\bpg_(?:try_)?advisory_lock(?:_shared)?\s*\(/i, rule: 'advisory-lock', what: 'a session advisory lock' },
];

/**
 * `CASE WHEN [NOT] <flag> THEN '…' ELSE '…' END` in a statement: the flag (a parameter's name or `$n`) and the two
 * literal arms. A linear pattern: each part is bounded by the next keyword or quote.
 */
const FLAG_CHOICE = /\bcase\s+when\s+(not\s+)?(\$\d+|[A-Za-z_][\w$]*)\s+then\s+'((?:[^']|'')*)'\s+else\s+'((?:[^']|'')*)'\s+end\b/gi;

/**
 * Whether a dynamic CREATE TEMP statement drops its table at commit unless the caller asks otherwise: the statement
 * chooses `ON COMMIT DROP` with a CASE on one of the routine's parameters that default to false (sessionFlags.ts), in
 * the arm the default takes (`CASE WHEN preserve THEN 'ON COMMIT PRESERVE ROWS' ELSE 'ON COMMIT DROP' END`). The
 * routine's ordinary call leaves nothing behind; keeping the table is the caller's explicit choice.
 */
export function dropsAtCommitByDefault(plpgsql: string, flags: SessionFlags | undefined): boolean {
  if (!flags || flags.size === 0 || !/\bcase\b/i.test(plpgsql)) return false;
  for (const [, negated, flag, whenTrue, whenFalse] of plpgsql.matchAll(FLAG_CHOICE)) {
    if (!flags.has(flag.toLowerCase())) continue;
    if (ON_COMMIT_DROP.test(negated ? whenTrue : whenFalse)) return true;
  }
  return false;
}

/** The session state a PL/pgSQL `EXECUTE` statement's literal announces, if any. */
export function dynamicStatement(plpgsql: string): DynamicStatement | undefined {
  const start = executeLiteralStart(plpgsql);
  return start === undefined ? undefined : literalStatement(plpgsql, start);
}

/**
 * The session state the statement built from the string literal whose quote is at `start` creates, if any: the
 * literal's own leading words, or, when they announce nothing, a later statement of the built text (after a `;`
 * in a literal of the same `||` chain: `'DROP TABLE IF EXISTS t; CREATE TEMP TABLE t AS …'`), found where its first
 * word is written. A temporary table that a later statement of the same text drops is undone in that one message.
 */
function literalStatement(plpgsql: string, start: number): DynamicStatement | undefined {
  const literal = literalAt(plpgsql, start);
  const end = literal.end;
  const written = plpgsql.slice(literal.textStart, literal.textEnd);
  const leading = statementKind(literal.doubledQuotes ? written.replace(/''/g, "'") : written);
  const built = builtText(plpgsql, start);
  const statements = builtStatements(built.text);
  const droppedAfter = (index: number): boolean => statements.slice(index + 1).some((piece) => DROPS_TEMPORARY.test(withoutTrivia(piece.text)));
  const named = (kind: Omit<DynamicStatement, 'start' | 'end'>, index: number): Omit<DynamicStatement, 'start' | 'end'> => {
    if (kind.rule !== 'temp-table') return kind;
    const temporary = objectNamed(CREATES_TEMPORARY, plpgsql, start, built, statements[index])
      ?? objectNamed(CREATES_TEMPORARY_ROUTINE, plpgsql, start, built, statements[index]);
    return temporary === undefined ? kind : { ...kind, temporary };
  };
  // Comments or line breaks before the first word: the finding is where that word is written (as for a later
  // statement's below), on the line that holds it; blanks on the quote's own line leave it at the quote.
  const lead = leadingTrivia(written);
  const wordStart = lead > 0 && /[^\t ]/.test(written.slice(0, lead)) ? literal.textStart + lead : start;
  // A table the built statement drops at commit is gone with its transaction, wherever in the `||` chain ON COMMIT DROP is
  // written (`'CREATE TEMP TABLE t_' || n || ' (id int) ON COMMIT DROP'`; a CASE's arms are holes, so a choice of it is not).
  const droppedAtCommit = (): boolean => ON_COMMIT_DROP.test(replaceLiteralsAndComments(statements[0]?.text ?? ''));
  if (leading) return leading.rule === 'temp-table' && (droppedAfter(0) || droppedAtCommit()) ? undefined : { ...named(leading, 0), start: wordStart, end };
  for (let index = 1; index < statements.length; index++) {
    const kind = statementKind(statements[index].text);
    if (!kind || (kind.rule === 'temp-table' && droppedAfter(index))) continue;
    const wordAt = statements[index].from + leadingTrivia(statements[index].text);
    const source = built.sourceAt[wordAt];
    const literal = built.literals.find(([from, to]) => source > from && source < to);
    if (literal) return { ...named(kind, index), start: source, end: literal[1] };
  }
  return undefined;
}

/**
 * `CREATE [GLOBAL|LOCAL] TEMP[ORARY] [UNLOGGED] TABLE [IF NOT EXISTS]`, `CREATE TEMP[ORARY] [RECURSIVE] VIEW` or
 * `CREATE TEMP[ORARY] SEQUENCE [IF NOT EXISTS]`, up to the object's name (the temporary objects DROPS_NAMED drops).
 */
export const CREATES_TEMPORARY = /^\s*create\s+(?:(?:global|local)\s+)?temp(?:orary)?\s+(?:(?:unlogged\s+)?table|(?:recursive\s+)?view|sequence)\s+(?:if\s+not\s+exists\s+)?/i;
/** `DROP TABLE|VIEW|SEQUENCE|FUNCTION|PROCEDURE [IF EXISTS]`, up to the first name (a routine's `pg_temp.` counts as its schema). */
const DROPS_NAMED = /^\s*drop\s+(?:table|view|sequence|function|procedure|routine)\s+(?:if\s+exists\s+)?/i;
/** A name as written: `"Quoted"`, `plain`, or `schema.name` (its last part counts). */
export const WRITTEN_NAME = /^(?:(?:"[^"]+"|[A-Za-z_][\w$]*)\s*\.\s*)?(?:"([^"]+)"|([A-Za-z_][\w$]*))/;
/** The schema a WRITTEN_NAME match names, without its dot (`archive` of `archive.scratch`, `"Archive"` of `"Archive".t`). */
const WRITTEN_SCHEMA = /^("[^"]+"|[A-Za-z_][\w$]*)\s*\./;

/**
 * The name a WRITTEN_NAME match gives a temporary object, as PostgreSQL names it (lower case unless quoted): an
 * unqualified name (the session's temporary schema comes first on the search path) or one in `pg_temp`; undefined for
 * another schema's (`archive.scratch`), which no temporary table, view, sequence or routine is.
 */
export function temporaryObjectName(written: RegExpExecArray): string | undefined {
  const schema = WRITTEN_SCHEMA.exec(written[0])?.[1];
  const named = schema?.startsWith('"') ? schema.slice(1, -1) : schema?.toLowerCase();
  if (named !== undefined && named !== 'pg_temp') return undefined;
  return written[1] ?? written[2].toLowerCase();
}
/** A format() specifier that takes an argument: `%I`, `%s`, `%L`, `%2$I`, `%-10s`; or `%%`, which takes none. */
const FORMAT_SPECIFIER = /%(?:%|(?:(\d+)\$)?-?\d*([sIL]))/g;

/**
 * The name of the object a built statement (`statement`, of `built`) makes or drops right after `head`, as the code
 * writes it, so that the statement that makes a table and the one that drops it can be paired: a literal name as
 * PostgreSQL reads it (lower case unless quoted; none for another schema's than `pg_temp`: temporaryObjectName), or the variable or expression that fills a `format()` specifier
 * (`%I` with `l_name` → `arg:l_name`) or a `||` operand (`'… TABLE ' || l_name` → `arg:l_name`). Undefined when the
 * head does not open the statement or the name is none of these.
 */
function objectNamed(head: RegExp, plpgsql: string, start: number, built: BuiltText, statement: { text: string; from: number }): string | undefined {
  const lead = leadingTrivia(statement.text);
  const opened = head.exec(statement.text.slice(lead));
  if (!opened) return undefined;
  const at = statement.from + lead + opened[0].length;
  const hole = built.holes.find((h) => h.at === at || h.at + 1 === at);
  if (hole) return argumentKey(hole.text);
  const rest = built.text.slice(at);
  if (rest.startsWith('%')) return formatArgument(plpgsql, start, built, at);
  const name = WRITTEN_NAME.exec(rest);
  return name ? temporaryObjectName(name) : undefined;
}

/** An operand's text as a key: the same variable written twice gives the same key. */
function argumentKey(text: string): string {
  return `arg:${text.replace(/\s+/g, '').toLowerCase()}`;
}

/**
 * The argument of `format('literal', a, b, …)` that fills the specifier at `at` of the built text: only for one literal
 * (no `||`) handed to format, the arguments counted as format does (`%%` takes none, `%2$I` picks the second).
 */
function formatArgument(plpgsql: string, start: number, built: BuiltText, at: number): string | undefined {
  if (built.literals.length !== 1 || built.holes.length > 0 || !/format\s*\(\s*E?$/i.test(plpgsql.slice(Math.max(0, start - 40), start))) return undefined;
  let next = 0;
  let index: number | undefined;
  for (const specifier of built.text.matchAll(FORMAT_SPECIFIER)) {
    if (specifier[0] === '%%') continue;
    const position = specifier[1] !== undefined ? Number(specifier[1]) - 1 : next;
    next = position + 1;
    if (specifier.index === at) {
      index = position;
      break;
    }
    if (specifier.index! > at) return undefined;
  }
  if (index === undefined) return undefined;
  const args = formatArguments(plpgsql, built.literals[0][1]);
  return args[index] !== undefined ? argumentKey(args[index]) : undefined;
}

/** The arguments after format's first one, whose literal ends at `from`: each operand's text, up to the closing `)`. */
function formatArguments(plpgsql: string, from: number): string[] {
  const args: string[] = [];
  let at = from + leadingTrivia(plpgsql.slice(from));
  while (plpgsql[at] === ',') {
    at += 1 + leadingTrivia(plpgsql.slice(at + 1));
    const end = operandEnd(plpgsql, at);
    if (end === at) break;
    args.push(plpgsql.slice(at, end).trim());
    at = end + leadingTrivia(plpgsql.slice(end));
  }
  return args;
}

/**
 * The objects a PL/pgSQL `EXECUTE` statement drops (`EXECUTE format('DROP TABLE %I', l_name)`, `EXECUTE 'DROP TABLE '
 * || l_name`), named as objectNamed names them: a temporary table a dynamic statement made under the same name is
 * undone there. Undefined when it drops nothing so named.
 */
export function dynamicDrops(plpgsql: string): string[] | undefined {
  const start = executeLiteralStart(plpgsql);
  if (start === undefined) return undefined;
  const built = builtText(plpgsql, start);
  const names = builtStatements(built.text).map((statement) => objectNamed(DROPS_NAMED, plpgsql, start, built, statement)).filter((name): name is string => name !== undefined);
  return names.length > 0 ? names : undefined;
}

/**
 * A SET's setting as PostgreSQL names the parameter, as a static SET's is named (detect.ts): SET's own spellings
 * without TO (`SET SESSION AUTHORIZATION x` → session_authorization, `SET TIME ZONE x` → timezone, `SET ROLE x`) or
 * `SET name TO|= …`; a setting named by a hole (`'SET ' || name || ' = 1'`) is none.
 */
const SET_SETTING = /^\s*set\s+(?:session\s+)?(?:(session\s+authorization|time\s+zone|role)\b|([\w.]+)\s*(?:to\b|=))/i;

/**
 * The settings a PL/pgSQL `EXECUTE` statement puts back to their default (`EXECUTE format('RESET default_tablespace')`,
 * `EXECUTE 'SET search_path TO DEFAULT'`), named by its literal text (`*` for RESET ALL), as a static RESET names them:
 * a session SET of the same body is undone there. A setting a variable fills (`'RESET ' || name`) names none.
 */
export function dynamicResets(plpgsql: string): string[] | undefined {
  const start = executeLiteralStart(plpgsql);
  if (start === undefined) return undefined;
  const built = builtText(plpgsql, start);
  const settings: string[] = [];
  for (const statement of builtStatements(built.text)) {
    const name = restoredSetting(statement.text);
    if (name === undefined || name === HOLE.trim()) continue;
    // `SET all TO DEFAULT` is no statement PostgreSQL takes; `all` is RESET ALL's.
    settings.push(name === 'all' ? '*' : name);
  }
  return settings.length > 0 ? settings : undefined;
}

/**
 * The rule a statement's leading words trip, its message and the setting a `SET` names. The words are read after the
 * blanks and comments the text opens with (`EXECUTE format('\n  -- make the work table\n  CREATE TEMP TABLE …')`).
 */
function statementKind(text: string): Omit<DynamicStatement, 'start' | 'end'> | undefined {
  const statement = withoutTrivia(text);
  const kind = KINDS.find(({ pattern }) => pattern.test(statement));
  // `SET name TO DEFAULT` puts the default back, as RESET does (dynamicResets): it leaves nothing behind.
  if (!kind || restoredSetting(statement) !== undefined) return undefined;
  const written = kind.rule === 'session-set' ? SET_SETTING.exec(statement) : undefined;
  const setting = written ? parameterName(written[1] ?? written[2]) : undefined;
  return {
    rule: kind.rule, setting,
    message: `dynamic SQL builds ${kind.what}: it runs in the caller's session and outlives the transaction behind a transaction pooler.`,
  };
}

/** A statement that drops temporary objects (`DROP TABLE …`, `DISCARD TEMP`): it undoes a table made before it in the same text. */
const DROPS_TEMPORARY = /^\s*(?:drop\s+(?:table|view|sequence)\b|discard\s+(?:temp|temporary|all)\b)/i;
/** What stands for an operand that is not a literal (a variable, a call) in a built text. */
const HOLE = ' poolsafe_hole ';

interface BuiltText {
  /** The literals' text (quotes undoubled), other operands as a hole. */
  text: string;
  /** Per character of `text`: its offset in the PL/pgSQL statement, or -1 in a hole. */
  sourceAt: number[];
  /** Each literal's [quote, after its closing quote) in the statement. */
  literals: [number, number][];
  /** Each operand that is not a literal: where its HOLE starts in `text`, and its source text. */
  holes: { at: number; text: string }[];
}

/**
 * The text a `||` chain builds, from its first literal (quote at `start`) to the operand after which no `||`
 * follows; other operands (`name`, `f(x)`, `CASE … END`) are holes. Linear: each character is read once.
 */
function builtText(plpgsql: string, start: number): BuiltText {
  const built: BuiltText = { text: '', sourceAt: [], literals: [], holes: [] };
  let at = start;
  for (;;) {
    const quote = literalQuoteAt(plpgsql, at);
    const literal = quote >= 0 ? literalAt(plpgsql, quote) : undefined;
    if (literal) {
      built.literals.push([quote, literal.end]);
      for (let i = literal.textStart; i < literal.textEnd; i++) {
        built.text += plpgsql[i];
        built.sourceAt.push(i);
        if (literal.doubledQuotes && plpgsql[i] === "'") i++;
      }
      at = literal.end;
    } else {
      const end = operandEnd(plpgsql, at);
      if (end === at) break;
      built.holes.push({ at: built.text.length, text: plpgsql.slice(at, end).trim() });
      built.text += HOLE;
      for (let i = 0; i < HOLE.length; i++) built.sourceAt.push(-1);
      at = end;
    }
    at += leadingTrivia(plpgsql.slice(at));
    if (!plpgsql.startsWith('||', at)) break;
    at += 2;
    at += leadingTrivia(plpgsql.slice(at));
  }
  return built;
}

/** Where an operand that is not a literal ends: before a `||`, `,`, `;` or unmatched `)` outside parentheses and strings. */
function operandEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (opensLiteral(text, i)) i = literalAt(text, i).end - 1;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) return i;
      depth--;
    } else if (depth === 0 && (c === ',' || c === ';' || (c === '|' && text[i + 1] === '|'))) return i;
  }
  return text.length;
}

/** The statements of a built text, split at each `;` outside quotes. */
function builtStatements(text: string): { text: string; from: number }[] {
  const statements: { text: string; from: number }[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "'") {
      const close = text.indexOf("'", i + 1);
      i = close < 0 ? text.length : close;
    } else if (text.startsWith('--', i) || text.startsWith('/*', i)) {
      // A comment's quote opens no string and its `;` ends no statement (`-- don't; keep going`).
      const close = text.startsWith('--', i) ? text.indexOf('\n', i) : text.indexOf('*/', i + 2) + 1;
      i = close <= 0 ? text.length : close;
    } else if (text[i] === ';') {
      statements.push({ text: text.slice(from, i), from });
      from = i + 1;
    }
  }
  statements.push({ text: text.slice(from), from });
  return statements;
}

/** A built statement from its first word on: the blanks and comments before it skipped (sqlTrivia.ts). */
function withoutTrivia(text: string): string {
  return text.slice(leadingTrivia(text));
}

/** A string literal's text (between its quotes) and where it ends; `doubledQuotes`: a quote in it is written twice. */
interface LiteralSpan {
  textStart: number;
  textEnd: number;
  /** After the closing quote or tag. */
  end: number;
  doubledQuotes: boolean;
}

/**
 * Whether a string literal's opening quote is at `at`: `'`, or a dollar-quote tag (`$$`, `$body$`). A positional
 * parameter (`$1`) opens none.
 */
function opensLiteral(text: string, at: number): boolean {
  return text[at] === "'" || (text[at] === '$' && dollarQuoteOpening(text, at) !== undefined);
}

/** The opening quote of the literal an operand at `at` starts with (`'…'`, `E'…'`, `$tag$…$tag$`), or -1 when it is no literal. */
function literalQuoteAt(text: string, at: number): number {
  if (opensLiteral(text, at)) return at;
  return /[eE]/.test(text[at] ?? '') && text[at + 1] === "'" ? at + 1 : -1;
}

/**
 * The literal whose opening quote is at `quote`: `'…'` (a quote in it doubled) or dollar-quoted, `$tag$…$tag$` (its text
 * as written, nothing escaped). Unclosed: it runs to the end of the text.
 */
function literalAt(text: string, quote: number): LiteralSpan {
  const tag = text[quote] === '$' ? dollarQuoteOpening(text, quote) : undefined;
  if (tag === undefined) {
    const end = literalEnd(text, quote + 1);
    return { textStart: quote + 1, textEnd: Math.max(quote + 1, text[end - 1] === "'" ? end - 1 : end), end, doubledQuotes: true };
  }
  const close = text.indexOf(tag, quote + tag.length);
  return close < 0
    ? { textStart: quote + tag.length, textEnd: text.length, end: text.length, doubledQuotes: false }
    : { textStart: quote + tag.length, textEnd: close, end: close + tag.length, doubledQuotes: false };
}

/** The offset after the closing quote of a literal whose text starts at `from`. */
function literalEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    if (text[i] !== "'") {
      i++;
      continue;
    }
    if (text[i + 1] !== "'") return i + 1;
    i += 2;
  }
  return text.length;
}

/** The target of a PL/pgSQL assignment (`name :=`, or `name =`). */
const ASSIGNED_VARIABLE = /^([A-Za-z_][\w$]*)\s*:?=/;
/** An assigned value that is one whole constant string. */
const CONSTANT_VALUE = /^\s*'((?:[^']|'')*)'\s*(?:;\s*)?$/;
/** `EXECUTE name;` or `EXECUTE 'text';` ending the statement: dynamic SQL whose whole text is one value (no `||`, INTO or USING). */
const EXECUTE_ONE_VALUE = /\bexecute\s+(?:([A-Za-z_][\w$]*)|'((?:[^']|'')*)')\s*(?:;\s*)?$/i;

/**
 * The PL/pgSQL variables of one body known to hold a constant string, read statement by statement in
 * order, and the whole text an `EXECUTE` of one of them (or of a literal) runs: `sql := 'DROP TABLE t';
 * EXECUTE sql;` drops what `EXECUTE 'DROP TABLE t'` does.
 */
export class ConstantStrings {
  private readonly values = new Map<string, string>();

  /** Reads one statement of the body: an assignment records the variable's value, or forgets it when not constant. */
  read(statement: string): void {
    const text = statement.slice(leadingTrivia(statement));
    const target = ASSIGNED_VARIABLE.exec(text);
    if (!target) return;
    const constant = CONSTANT_VALUE.exec(text.slice(target[0].length));
    if (constant) this.values.set(target[1].toLowerCase(), unquote(constant[1]));
    else this.values.delete(target[1].toLowerCase());
  }

  /** The SQL text the statement runs with EXECUTE, when it is one known constant. */
  executed(statement: string): string | undefined {
    const match = EXECUTE_ONE_VALUE.exec(statement);
    if (!match) return undefined;
    return match[2] !== undefined ? unquote(match[2]) : this.values.get(match[1].toLowerCase());
  }
}

function unquote(literalBody: string): string {
  return literalBody.replace(/''/g, "'");
}

/** `name := format('literal…', …)` or `name := 'literal…' || …` (or `$$literal…$$`): the variable and where the literal's quote is. */
const ASSIGNED_TEXT = new RegExp(String.raw`^([A-Za-z_][\w$]*)\s*:?=\s*(?:format\s*\(\s*)?${OPENS_LITERAL}`, 'i');
/** `SELECT format('literal…', …) INTO name`, also after a WITH: where the literal's quote is. */
const SELECTED_TEXT = new RegExp(String.raw`^(?:with\b[\s\S]*?\b)?select\s+(?:format\s*\(\s*)?${OPENS_LITERAL}`, 'i');
const SELECT_INTO = /\binto\s+(?:strict\s+)?([A-Za-z_][\w$]*)/i;
/** `EXECUTE name` (with USING or INTO after it): dynamic SQL whose text a variable holds. */
const EXECUTE_VARIABLE = /^execute(?:\s+([A-Za-z_][\w$]*)|\s*\(\s*([A-Za-z_][\w$]*)\s*\))\s*(?:;|$|using\b|into\b)/i;
/** A text that may end with ON COMMIT DROP (in a later literal of the same expression): not surely a lasting table. */
const ON_COMMIT_DROP = /\bon\s+commit\s+drop\b/i;

/**
 * The PL/pgSQL variables of one body that hold a statement built from a literal (`sql := format('CREATE TEMP
 * TABLE %I (…)', name)`, `SELECT format(…) INTO sql`), read statement by statement in order, and the session
 * state an `EXECUTE` of one of them creates: the finding is on the literal where the statement was built.
 * An assignment that opens a branch or a loop body (`IF … THEN sql := …`, `ELSE sql := …`) may not run, so it adds a
 * text the variable may hold rather than replacing the others (`IF detail THEN sql := 'CREATE TEMP TABLE r AS …';
 * ELSE sql := 'CREATE TEMP TABLE r AS …'; END IF; EXECUTE sql;` runs one of both); one that appends to the variable
 * itself (`sql := sql || ', total'`) keeps what it holds, unless the appended text drops or says ON COMMIT DROP.
 */
export class BuiltStatements {
  private readonly built = new Map<string, DynamicStatement[]>();
  /** The literals already reported at an EXECUTE (a second EXECUTE of the same text adds no finding). */
  private readonly reported = new Set<number>();

  /** Reads one statement at `base`: an assignment of a built statement records it; any other assignment forgets the variable. */
  read(statement: string, base: number): void {
    const lead = statementStart(statement);
    const text = statement.slice(lead);
    const assigned = ASSIGNED_TEXT.exec(text);
    const selected = assigned ? undefined : SELECTED_TEXT.exec(text);
    const match = assigned ?? selected;
    const quote = match ? match.index + match[0].length : -1;
    const name = (assigned ? assigned[1] : selected ? SELECT_INTO.exec(text.slice(literalAt(text, quote).end))?.[1] : ASSIGNED_VARIABLE.exec(text)?.[1])?.toLowerCase();
    if (!name) return;
    const appended = SELF_APPEND.exec(text);
    if (!match && appended && appended[1].toLowerCase() === name && appended[2].toLowerCase() === name) {
      const rest = text.slice(appended[0].length);
      if (ON_COMMIT_DROP.test(rest) || DROPS_ANYWHERE.test(rest)) this.built.delete(name);
      return;
    }
    const branch = OPENS_BRANCH.test(replaceLiteralsAndComments(statement.slice(0, lead)));
    const kind = match && !ON_COMMIT_DROP.test(text) ? literalStatement(text, quote) : undefined;
    const held = branch ? this.built.get(name) ?? [] : [];
    if (kind) this.built.set(name, [...held, { ...kind, start: base + lead + kind.start, end: base + lead + kind.end }]);
    else if (!branch) this.built.delete(name);
  }

  /** What an `EXECUTE name` statement may run, when the variable holds built statements: positioned in the file. */
  executed(statement: string): DynamicStatement[] {
    const match = EXECUTE_VARIABLE.exec(statement.slice(statementStart(statement)));
    const held = match ? this.built.get((match[1] ?? match[2]).toLowerCase()) ?? [] : [];
    const fresh = held.filter((built) => !this.reported.has(built.start));
    for (const built of fresh) this.reported.add(built.start);
    return fresh;
  }
}

/** `name := name || …`: the variable extended with more text. */
const SELF_APPEND = /^([A-Za-z_][\w$]*)\s*:?=\s*([A-Za-z_][\w$]*)\s*\|\|/;
/** Appended text that drops something (a table made by the text before it may be gone). */
const DROPS_ANYWHERE = /\b(?:drop\s+(?:table|view|sequence)|discard\s+(?:temp|temporary|all))\b/i;
/** Words before a statement that open a branch or a loop body: the statement may not run. */
const OPENS_BRANCH = /\b(?:then|else|loop)\b/i;
