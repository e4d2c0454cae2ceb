// Placeholders of templates and drivers in SQL files: `${schema}`, `$SCHEMA`, `{{ table }}`, `#{id}`, `%(name)s`,
// `%s`, Python str.format's `{channel}`, `?`/`??`, sqlc's `@name`, pg-promise's `$(name)` (and `$<name>`,
// `$[name]`, `$/name/`), goyesql's `%name%`, xo's `%%name type%%`, extension scripts' `@extschema@`
// (CREATE/ALTER EXTENSION substitutes it), and `<OWNER>`-style capitalised names in angle brackets, which
// tests substitute into expected SQL before comparing, and `tenant_<id>.orders`, `<schema>.orders`-style names of docs and
// reference templates. Text holding them is a template, not the statement PostgreSQL
// runs: its parse error says nothing (dialect.ts), but what the statement does once filled in still matters
// (`LISTEN {channel}` is a LISTEN). templateRepair fills each placeholder with an identifier or a number of
// the same length, so the repaired text parses with every offset in place.

/** Quoted strings, dollar quotes and comments hold any text (a `{a}` array literal is no placeholder). */
export const LITERALS_AND_COMMENTS = /'(?:[^']|'')*'|\$(\w*)\$[\s\S]*?\$\1\$|--[^\n]*|\/\*[\s\S]*?\*\//g;

/** Markers seen anywhere in the text (cheap; the forms nothing in PostgreSQL's own syntax looks like). The
 *  last one is a block comment standing where a schema name goes, the dot glued to it (`ON /* SCHEMA *⁠/."users"`):
 *  a migration runner replaces the comment before sending; PostgreSQL has no name that starts with a dot. */
const TEMPLATE_MARKERS = /(?:^|[\s(,=])\/\*[^*]*\*\/\.(?=["A-Za-z_])|@\w+(?::\w+)?@|\$\{|\{\{|\{%|<%|#\{|%\(\w+\)s|%s\b|(?:^|[\s(,=<>])\?{1,2}(?=$|[\s),;:])|(?:^|[\s(,=<>])@[A-Za-z_]\w*/;
/** Python str.format fields (`{name}`, `{0}`, `{}`): PostgreSQL has no `{` outside strings, so only there. */
const FORMAT_FIELD = /\{\w*\}/;

/**
 * Shell-style variables (`$TABLE_NAME`), which envsubst and goose's `-- +goose ENVSUB ON` fill in before
 * the SQL is sent: outside strings PostgreSQL has no `$name` (`$1` is a parameter, `$tag$` opens a string).
 */
const SHELL_VARIABLE = /(?<![\w$])\$[A-Za-z_]\w*(?![\w$])/;

/**
 * pg-promise's other bracket forms, `$(name)`, `$<name>`, `$[name]`, `$/name/`, with its `^`, `~`, `:raw`… modifiers,
 * and its numbered variables with a filter (`$1:name`, `$1^`, `LISTEN $1~`; a `~` before an operand is the regex operator).
 */
const PG_PROMISE_VARIABLE = String.raw`\$\d+(?::[a-z]+|\^|~(?![\w'"$(:]))|`
  + String.raw`\$\([\w.]+(?:\^|~|:\w+)?\)|\$<[\w.]+(?:\^|~|:\w+)?>|\$\[[\w.]+(?:\^|~|:\w+)?\]|\$\/[\w.]+(?:\^|~|:\w+)?\/`;
/**
 * `%name%` (goyesql, replaced by Go code before sending) and `%%name type%%` (xo's query parameters, with an
 * optional Go type: `%%ids []int64%%`): PostgreSQL's `%` is modulo, never glued to a name on both sides.
 */
const PERCENT_NAME = String.raw`(?<![\w%])%[A-Za-z_]\w*%(?![\w%])|(?<![\w%])%%[A-Za-z_]\w*(?:[ \t]+[\w.*\[\]]+)?%%(?![\w%])`;
/**
 * `<OWNER>`, `<TEST_DB_NAME>`: a capitalised name between angle brackets, glued to both. As SQL it would be
 * `(x < NAME) > y`, a boolean compared again, which nobody writes that way. A lower-case `<name>` only where it
 * stands for (part of) a name: glued after a name's letter or underscore (`tenant_<id>.orders`, `CREATE SCHEMA
 * org_<slug>;`) and followed by a dot, a blank, `;`, `,`, `(` or the end, or standing before a dot and a name
 * (`<schema>.orders`). A comparison `a<b` never closes with `>` that way (`(a<b)>.x` is not SQL anyone writes).
 */
const ANGLE_NAME = String.raw`(?<![<\w])<[A-Z][A-Z0-9_]*>(?![>=])|(?<=[A-Za-z_])<[a-z][a-z0-9_]*>(?=[.\s;,(]|$)|(?<![<\w])<[a-z][a-z0-9_]*>(?=\.[A-Za-z_"])`;
/** Placeholders looked for in code only (a `'%abc%'` LIKE pattern is data). */
const CODE_PLACEHOLDER = new RegExp(`${PG_PROMISE_VARIABLE}|${PERCENT_NAME}|${ANGLE_NAME}`);

/** Whether the text holds template or driver placeholders (`${schema}`, `{{ table }}`, `{name}`, `$NAME`, `$(name)`, `%name%`, `<NAME>`, `?`, `%s`, `@name`). */
export function hasTemplateMarkers(statement: string): boolean {
  if (TEMPLATE_MARKERS.test(statement)) return true;
  const mayHold = statement.includes('{') || statement.includes('$') || statement.includes('%') || statement.includes('<');
  if (!mayHold) return false;
  const code = statement.replace(LITERALS_AND_COMMENTS, "''");
  return FORMAT_FIELD.test(code) || SHELL_VARIABLE.test(code) || CODE_PLACEHOLDER.test(code);
}

/** Placeholders that stand for one value or name (control blocks such as `{% if %}` cannot be filled in). */
const PLACEHOLDER = new RegExp(String.raw`${PG_PROMISE_VARIABLE}|${PERCENT_NAME}|${ANGLE_NAME}|` + /@\w+(?::\w+)?@|(?<![\w$])\$[A-Za-z_]\w*(?![\w$])|\$\{[^}\n]*\}|\{\{[^}\n]*\}\}|#\{[^}\n]*\}|%\(\w+\)s|%s\b|\{\w*\}|(?<=^|[\s(,=<>])(?:\?{1,2}(?=$|[\s),;:])|@[A-Za-z_]\w*)/.source, 'g');

/** Where the parser stops on a text (code-point offset as libpg-query reports it), or undefined when it parses. */
export type ParseErrorAt = (text: string) => number | undefined;

/** The placeholders of a text outside strings and comments, as [start, end) ranges. */
function placeholderSpans(text: string): [number, number][] {
  const literals: [number, number][] = [];
  for (const match of text.matchAll(LITERALS_AND_COMMENTS)) literals.push([match.index!, match.index! + match[0].length]);
  const spans: [number, number][] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const start = match.index!;
    if (!literals.some(([from, to]) => start >= from && start < to)) spans.push([start, start + match[0].length]);
  }
  return spans;
}

const identifierOfLength = (n: number): string => `z${'_'.repeat(n - 1)}`;
/** The prefix of the identifiers embedded SQL's `${…}` holes are filled with (embeddedText.ts). */
export const HOLE_IDENTIFIER_PREFIX = 'poolsafe_';
/** Whether a name in filled-in text stands for a hole or placeholder (whose real name is unknown). */
export const isFilledPlaceholder = (name: string): boolean => /^z_*$/.test(name) || name.startsWith(HOLE_IDENTIFIER_PREFIX);
const numberOfLength = (n: number): string => '0'.repeat(n);

/** At most this many placeholders turned into numbers per statement (each costs a parse). */
const MAX_NUMBER_ROUNDS = 8;

/**
 * The text with its placeholders filled so that it parses, each by an identifier (a name, or a column
 * where a value goes) or, where the parser stops at or after one, a number; undefined when it still does
 * not parse. Same lengths, so offsets into the repaired text are offsets into the original. Bounded: one
 * parse per placeholder turned into a number (at most MAX_NUMBER_ROUNDS), plus one.
 */
export function templateRepair(text: string, errorAt: ParseErrorAt): string | undefined {
  const spans = placeholderSpans(text);
  if (spans.length === 0) return undefined;
  const asNumber = spans.map(() => false);
  for (let round = 0; round <= Math.min(spans.length, MAX_NUMBER_ROUNDS); round++) {
    let repaired = '';
    let at = 0;
    spans.forEach(([start, end], i) => {
      repaired += text.slice(at, start) + (asNumber[i] ? numberOfLength : identifierOfLength)(end - start);
      at = end;
    });
    repaired += text.slice(at);
    const error = errorAt(repaired);
    if (error === undefined) return repaired;
    // The placeholder nearest before the error (or holding it) that is still an identifier.
    let culprit = spans.length - 1;
    while (culprit >= 0 && (spans[culprit][0] > error || asNumber[culprit])) culprit--;
    if (culprit < 0) return undefined;
    asNumber[culprit] = true;
  }
  return undefined;
}
