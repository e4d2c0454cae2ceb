// Whether text that failed to parse is meant as a statement at all. A syntax error helps when a
// statement is mistyped (`SELEC id`, `selectt *`), not when a file holds something else under a `.sql`
// name: a migration tool's placeholder fixture (`1 up`), notes, a template's output marker. Such text
// opens with no statement keyword, nor with a near miss of one, and gets no syntax error.
import { LEADING_SQL_TRIVIA, SQL_TRIVIA, leadingTrivia } from './sqlTrivia';

/** Every word a PostgreSQL statement can open with (gram.y's statement rules). */
const STATEMENT_KEYWORDS: readonly string[] = [
  'abort', 'alter', 'analyse', 'analyze', 'begin', 'call', 'checkpoint', 'close', 'cluster', 'comment', 'commit',
  'copy', 'create', 'deallocate', 'declare', 'delete', 'discard', 'do', 'drop', 'end', 'execute', 'explain', 'fetch',
  'grant', 'import', 'insert', 'listen', 'load', 'lock', 'merge', 'move', 'notify', 'prepare', 'reassign', 'refresh',
  'reindex', 'release', 'reset', 'revoke', 'rollback', 'savepoint', 'security', 'select', 'set', 'show', 'start',
  'table', 'truncate', 'unlisten', 'update', 'vacuum', 'values', 'with',
];
const KEYWORDS = new Set(STATEMENT_KEYWORDS);

/**
 * Statement keywords that also open a clause or a fragment of another statement (`SET` of an UPDATE,
 * `VALUES`/`TABLE` lists, `DO` of ON CONFLICT, `FETCH FIRST`, `END` of CASE, `EXECUTE FUNCTION`, `SECURITY
 * DEFINER`, `ANALYZE` of EXPLAIN, `RESET`/`CLOSE`/`MOVE`/`ABORT`/`COMMENT`/`LOAD`), or that applications
 * hardly send (`CHECKPOINT`, `IMPORT FOREIGN SCHEMA`, `REASSIGN OWNED`): text opening with one is not
 * known to be a whole statement written in code (embedded.ts reports syntax errors only for those).
 */
const NOT_SURELY_WHOLE = new Set([
  'abort', 'analyse', 'analyze', 'checkpoint', 'close', 'comment', 'do', 'end', 'execute', 'fetch', 'import', 'load',
  'move', 'reassign', 'reset', 'security', 'set', 'table', 'values',
]);

/**
 * Statement keywords an application hardly sends (`CHECKPOINT`, `IMPORT FOREIGN SCHEMA`, `REASSIGN OWNED`),
 * the British `ANALYSE`, and `SECURITY` (of `SECURITY LABEL`, more often `SECURITY DEFINER`): as a text's
 * first word they do not make it look like a query.
 */
const RARELY_SENT = new Set(['analyse', 'checkpoint', 'import', 'reassign', 'security']);
/** The keywords that open the statements applications and scripts send (every statement keyword but RARELY_SENT). */
const SENT_STATEMENT_KEYWORDS = STATEMENT_KEYWORDS.filter((k) => !RARELY_SENT.has(k)).join('|');

/**
 * Text that looks like SQL sent to PostgreSQL: opening with a sent statement's keyword or `(`, after any blanks and
 * comments (`-- why\nSET search_path …`, `/* lock *\/ SELECT pg_advisory_lock(…)`). A comment once counted only when a
 * word touched its opener (`--x`): `\b` after `--` or `/*` needs one, so a commented statement reached through a name
 * or a `format(…)` was not read.
 */
export const SQL_START = new RegExp(String.raw`^${LEADING_SQL_TRIVIA}(?:\(|${SENT_STATEMENT_KEYWORDS})\b`, 'i');
/** The words a transaction's BEGIN goes on with: `BEGIN [WORK | TRANSACTION] [ISOLATION LEVEL …, READ ONLY, [NOT] DEFERRABLE]`. */
const TRANSACTION_BEGIN_WORDS = 'work|transaction|isolation|read|not|deferrable';
/** A block's BEGIN going on with a statement, where a transaction's BEGIN ends (`;`) or goes on with its modes. */
const BLOCK_BEGIN = String.raw`begin(?:${SQL_TRIVIA})+(?!(?:${TRANSACTION_BEGIN_WORDS})\b)[a-z_]`;
/**
 * Text that opens a piece of a routine or DO block's body (after blanks and comments), which no client sends alone: PL/pgSQL's
 * PERFORM, or a nested block's BEGIN going on with a statement (`BEGIN EXECUTE format(…); EXCEPTION … END;`), where a
 * transaction's BEGIN ends (`;`) or goes on with its modes. A builder returns it to be spliced into such a body.
 */
export const PLPGSQL_FRAGMENT_START = new RegExp(
  String.raw`^${LEADING_SQL_TRIVIA}(?:perform\b|${BLOCK_BEGIN})`,
  'i',
);
/** Text that opens with a PL/pgSQL block's BEGIN going on with a statement (after blanks and comments): blockBodyFiles.ts. */
export const PLPGSQL_BLOCK_BEGIN = new RegExp(String.raw`^${LEADING_SQL_TRIVIA}${BLOCK_BEGIN}`, 'i');
/** A line (after its own blanks) that opens with a sent statement's keyword; lines end at `\n` only. */
const STATEMENT_LINE = new RegExp(String.raw`(?<![^\n])[ \t]*(?=(?:${SENT_STATEMENT_KEYWORDS})\b)`, 'gi');
/** A blank line (its text, without the `\n` that ends it). */
const BLANK_LINE = /^[ \t]*\r?$/;
/**
 * A line that may stand between that blank line and the statement: blank, or a whole-line comment — a `--` comment
 * or a block comment opened and closed on that line (`/* totals per week *\/`, a `/*****…*\/` banner), as scratch
 * files separate their queries.
 */
const BLANK_OR_COMMENT_LINE = /^[ \t]*(?:--[^\n]*|\/\*(?:(?!\*\/)[^\n])*\*\/[ \t]*\r?)?$/;

/**
 * Where a sent statement's keyword opens a line after a blank line, or after whole-line comments that follow one
 * (a query collection's `-- name: …` header): where a statement whose `;` is missing may start. A blank line on
 * the text's first line does not count (it follows no line). Each line is read once, back from a statement's line:
 * one regular expression that ran from every line break of a blank run to the run's end took a minute for 50 KB
 * of blank lines.
 */
export function statementsAfterBlankLine(text: string): number[] {
  const starts: number[] = [];
  for (const match of text.matchAll(STATEMENT_LINE)) {
    for (let end = match.index! - 1; end >= 0;) {
      const start = end === 0 ? 0 : text.lastIndexOf('\n', end - 1) + 1;
      const line = text.slice(start, end);
      if (start > 0 && BLANK_LINE.test(line)) {
        starts.push(match.index! + match[0].length);
        break;
      }
      if (!BLANK_OR_COMMENT_LINE.test(line)) break;
      end = start - 1;
    }
  }
  return starts;
}

/** Where a line after the text's first opens with a sent statement's keyword (past the line's own blanks). */
export function statementLinesAfterFirst(text: string): number[] {
  const firstBreak = text.indexOf('\n');
  if (firstBreak < 0) return [];
  return [...text.matchAll(STATEMENT_LINE)].map((match) => match.index! + match[0].length).filter((start) => start > firstBreak);
}

/**
 * `DROP COLUMN`, `DROP CONSTRAINT`, `ALTER COLUMN`, `ALTER CONSTRAINT` (also `DROP DEFAULT`, `DROP NOT NULL`, `DROP
 * IDENTITY`, `DROP EXPRESSION` of an ALTER COLUMN): actions of an ALTER TABLE, no statement of their own. A text opening
 * with one is the action list a query builder puts after `ALTER TABLE t` (``sql`DROP COLUMN IF EXISTS ${c}, ADD COLUMN
 * ${c} ${type}` ``), whatever its first word.
 */
const ALTER_TABLE_ACTION = String.raw`(?!(?<=drop)\s+(?:column|constraint|default|not\s+null|identity|expression)\b|(?<=alter)\s+(?:column|constraint)\b)`;
/** Text opening with a keyword that only starts whole statements (the statement keywords but NOT_SURELY_WHOLE, not an ALTER TABLE action). */
export const WHOLE_STATEMENT_START = new RegExp(String.raw`^\s*(${STATEMENT_KEYWORDS.filter((k) => !NOT_SURELY_WHOLE.has(k)).join('|')})\b${ALTER_TABLE_ACTION}`, 'i');
/** Shorter words are too easily a near miss of one another (`do`, `end`, `set`): only exact ones count. */
const MIN_TYPO_LENGTH = 4;

/**
 * `END IF`, `END LOOP`, `END CASE`: the close of a PL/pgSQL block, not PostgreSQL's END (which takes only
 * WORK, TRANSACTION or AND [NO] CHAIN). Such text at the top level is a piece of a function body that a
 * template or build step includes into one (its `IF … THEN` opener is no statement either).
 */
const PLPGSQL_BLOCK_END = /^end\s+(?:if|loop|case)\b/i;

/** The opening word, or else the opening character. */
const OPENING = /^(?:[A-Za-z_]+|[\s\S]?)/;

/** How many opening parentheses are looked through (`((SELECT …))`). */
const MAX_OPENING_PARENS = 8;

/**
 * Whether the text opens as a statement: with a statement keyword, a near miss of one (one letter added,
 * dropped, changed or two swapped: a typo the user wants to hear about), or `(` before one (`(SELECT …)
 * UNION …`). A parenthesised expression (`(a OR b) AND c`, a query tool's test input) is no statement.
 */
export function opensLikeStatement(text: string, parens = 0): boolean {
  const rest = text.slice(leadingTrivia(text));
  const opening = OPENING.exec(rest)![0];
  if (opening === '(') return parens < MAX_OPENING_PARENS && opensLikeStatement(rest.slice(1), parens + 1);
  const word = opening.toLowerCase();
  if (!/^[a-z_]/.test(word)) return false;
  if (word === 'end') return !PLPGSQL_BLOCK_END.test(rest);
  if (KEYWORDS.has(word)) return true;
  return word.length >= MIN_TYPO_LENGTH && STATEMENT_KEYWORDS.some((k) => k.length >= MIN_TYPO_LENGTH && withinOneEdit(word, k));
}

/** Whether `a` becomes `b` by one insertion, deletion, substitution or swap of adjacent letters. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution (or equal)
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * Every word PostgreSQL's grammar reads after CREATE, ALTER or DROP (gram.y: the object kinds, TABLE to VIEW, and the
 * words before one: OR REPLACE, TEMP, UNLOGGED, UNIQUE, MATERIALIZED, FOREIGN, TEXT SEARCH…). The parser itself decides
 * that a word is not one (it fails right at it); this list only tells a near miss of one (`CREATE TABEL`) from another
 * tool's object kind. A unit test checks that the parser reads past each of them after one of the three verbs.
 */
const OBJECT_KIND_WORDS: readonly string[] = [
  'access', 'aggregate', 'cast', 'collation', 'constraint', 'conversion', 'database', 'default', 'domain', 'event',
  'extension', 'foreign', 'function', 'global', 'group', 'index', 'language', 'large', 'local', 'materialized',
  'operator', 'or', 'owned', 'policy', 'procedural', 'procedure', 'publication', 'recursive', 'role', 'routine', 'rule',
  'schema', 'sequence', 'server', 'statistics', 'subscription', 'system', 'table', 'tablespace', 'temp', 'temporary',
  'text', 'transform', 'trigger', 'trusted', 'type', 'unique', 'unlogged', 'user', 'view',
];
const OBJECT_KINDS = new Set(OBJECT_KIND_WORDS);
/** The grammar's object-kind words, for the unit test that holds this list to the parser. */
export const POSTGRES_OBJECT_KIND_WORDS = OBJECT_KIND_WORDS;

/**
 * `CREATE|ALTER|DROP <word> <name or word>` after any blanks and comments, with `<word>` captured and where it starts
 * (the `d` flag). A kind is followed by the object's name (`CREATE DISTRIBUTION ds1 …`) or by a second word of the kind
 * (`CREATE KEY RANGE krid1 …`, `DROP DISTRIBUTION ALL`): a word, a double-quoted name or a string (`DROP DISTRIBUTION 'x'`).
 * Not an ALTER TABLE action standing alone (`DROP COLUMN x`, `ALTER COLUMN x TYPE int`: ALTER_TABLE_ACTION): PostgreSQL's
 * words, its `ALTER TABLE t` line lost.
 */
const DDL_OPENING = new RegExp(String.raw`^${LEADING_SQL_TRIVIA}(?:create|alter|drop)${ALTER_TABLE_ACTION}(?:${SQL_TRIVIA})+([A-Za-z_][\w$]*)(?:${SQL_TRIVIA})+(?=[A-Za-z_"'])`, 'id');

/**
 * Whether a statement that failed to parse is DDL of an object kind PostgreSQL does not have, so another tool's command
 * written in SQL's shape: a sharding router's or pooler's console (`CREATE DISTRIBUTION ds1 COLUMN TYPES integer`,
 * `CREATE KEY RANGE kr1 FROM 1 ROUTE TO sh1`, `ALTER DISTRIBUTION ds1 ATTACH RELATION t …`), a streaming engine's
 * `CREATE SOURCE`/`CREATE SINK`. The parser fails right at the word after CREATE, ALTER or DROP (`errorAt`, an offset into
 * the text): PostgreSQL's grammar has no such kind. Still PostgreSQL's, and kept: a near miss of one of its kinds (a
 * typo, `CREATE TABEL t`: one letter added, dropped, changed or two swapped, as opensLikeStatement reads statement
 * keywords), IF (`DROP IF EXISTS t`, the kind forgotten), and a word followed by no name (`DROP users;`,
 * `CREATE users (id int)`). A kind forgotten before a name and an action (`ALTER users ADD COLUMN x int`) is read as
 * another tool's: PoolSafe is not a SQL compiler, and the server reports it when it runs.
 */
export function opensWithOtherToolsObjectKind(text: string, errorAt: number): boolean {
  const match = DDL_OPENING.exec(text);
  if (!match || match.indices![1][0] !== errorAt) return false;
  const word = match[1].toLowerCase();
  if (word === 'if' || OBJECT_KINDS.has(word)) return false;
  return !(word.length >= MIN_TYPO_LENGTH && OBJECT_KIND_WORDS.some((kind) => kind.length >= MIN_TYPO_LENGTH && withinOneEdit(word, kind)));
}
