// Placeholders of templates and drivers in SQL files: `${schema}`, `$SCHEMA`, `{{ table }}`, `#{id}`, `%(name)s`,
// `%s`, Python str.format's `{channel}`, `?`/`??`, sqlc's `@name`, pg-promise's `$(name)` (and `$<name>`,
// `$[name]`, `$/name/`), goyesql's `%name%`, a build script's `%NAME%` glued to a name (`app_%ENV%`), xo's `%%name type%%`, extension scripts' `@extschema@`
// (CREATE/ALTER EXTENSION substitutes it), a migrator's `##NAME##`, and `<OWNER>`-style capitalised names in angle brackets, which
// tests substitute into expected SQL before comparing, and `tenant_<id>.orders`, `<schema>.orders`-style names of docs and
// reference templates. Text holding them is a template, not the statement PostgreSQL
// runs: its parse error says nothing (dialect.ts), but what the statement does once filled in still matters
// (`LISTEN {channel}` is a LISTEN). templateRepair fills each placeholder with an identifier or a number of
// the same length, so the repaired text parses with every offset in place.

import { leadingTrivia } from './sqlTrivia';
import { identChar } from './splitter';

/** Where a quoted string, dollar quote or comment may open: `'`, `$`, `--`, `/*`. */
const LITERAL_OPENER = /['$]|--|\/\*/g;
/** A dollar quote's opening tag, `$tag$` or `$$` (sticky: read where a `$` stands). */
const DOLLAR_TAG = /\$(\w*)\$/y;
/** Every `$tag$` of a text, by tag: where each stands, in order. */
function dollarTagsByName(text: string): Map<string, number[]> {
  const byName = new Map<string, number[]>();
  for (let at = text.indexOf('$'); at >= 0; at = text.indexOf('$', at + 1)) {
    DOLLAR_TAG.lastIndex = at;
    const tag = DOLLAR_TAG.exec(text);
    if (!tag) continue;
    const places = byName.get(tag[1]);
    if (places) places.push(at);
    else byName.set(tag[1], [at]);
  }
  return byName;
}

/**
 * Quoted strings, dollar quotes and comments hold any text (a `{a}` array literal is no placeholder): their
 * [start, end) spans, left to right, as the expression `'(?:[^']|'')*'|\$(\w*)\$[\s\S]*?\$\1\$|--[^\n]*|\/\*[\s\S]*?\*\/`
 * matches them (a string left open at the end of the text ends at the first quote of its last `''`; a `/*` or
 * `$tag$` never closed is no span, and what follows it is read as code). Linear: that expression looked for the
 * end of each unclosed `/*` and `$tag$` to the end of the text from every one of them (200 KB: minutes).
 */
export function literalAndCommentSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  // Where the last `*/` search started and what it found (-1: none after it), reused while it stays ahead.
  let commentEndFrom = -1;
  let commentEnd = -1;
  let dollarTags: Map<string, number[]> | undefined;
  /** Per tag, how many of its places lie before the last search (searches only move forward). */
  const dollarTagsPassed = new Map<string, number>();
  LITERAL_OPENER.lastIndex = 0;
  for (let opener = LITERAL_OPENER.exec(text); opener; opener = LITERAL_OPENER.exec(text)) {
    const start = opener.index;
    let end = -1;
    const first = text.charCodeAt(start);
    if (first === 0x27 /* ' */) {
      // `''` inside is a quote; at the end of an unclosed string the expression backs off to the last `''`.
      let lastPair = -1;
      for (let at = text.indexOf("'", start + 1); ; at = text.indexOf("'", at + 2)) {
        if (at < 0) {
          if (lastPair >= 0) end = lastPair + 1;
          break;
        }
        if (text.charCodeAt(at + 1) !== 0x27) {
          end = at + 1;
          break;
        }
        lastPair = at;
      }
    } else if (first === 0x24 /* $ */) {
      DOLLAR_TAG.lastIndex = start;
      const tag = DOLLAR_TAG.exec(text);
      if (tag) {
        const from = start + tag[0].length;
        dollarTags ??= dollarTagsByName(text);
        const places = dollarTags.get(tag[1])!;
        let passed = dollarTagsPassed.get(tag[1]) ?? 0;
        while (passed < places.length && places[passed] < from) passed++;
        dollarTagsPassed.set(tag[1], passed);
        if (passed < places.length) end = places[passed] + tag[0].length;
      }
    } else if (first === 0x2d /* - */) {
      const newline = text.indexOf('\n', start + 2);
      end = newline < 0 ? text.length : newline;
    } else {
      const from = start + 2;
      if (!(commentEndFrom >= 0 && commentEndFrom <= from && (commentEnd < 0 || commentEnd >= from))) {
        commentEndFrom = from;
        commentEnd = text.indexOf('*/', from);
      }
      if (commentEnd >= 0) end = commentEnd + 2;
    }
    if (end < 0) LITERAL_OPENER.lastIndex = start + 1;
    else {
      spans.push([start, end]);
      LITERAL_OPENER.lastIndex = end;
    }
  }
  return spans;
}

/** The text with each quoted string, dollar quote and comment replaced (by default with blanks of its length, so offsets stay). */
export function replaceLiteralsAndComments(text: string, replacement?: string): string {
  const spans = literalAndCommentSpans(text);
  if (spans.length === 0) return text;
  let replaced = '';
  let at = 0;
  for (const [start, end] of spans) {
    replaced += text.slice(at, start) + (replacement ?? ' '.repeat(end - start));
    at = end;
  }
  return replaced + text.slice(at);
}

/**
 * A file named as a template of a template engine or a library's own (`refresh.tpl.sql`, `report.template.sql`,
 * `seed.j2.sql`, `view.mustache.sql`): a text its program fills in before sending — with a query, a name, a count — in
 * placeholders of its own syntax, which PostgreSQL's lexer may take for something else (`res AS ($$query$$)`, a
 * dollar-quoted string) or not accept at all. It is not surely a whole PostgreSQL statement: no syntax errors; what the
 * statements do once filled in still counts.
 */
export function namedAsTemplate(fileName: string): boolean {
  return TEMPLATE_FILE_NAME.test(fileName);
}
const TEMPLATE_FILE_NAME = /\.(?:tpl|tmpl|template|templ|j2|jinja2?|mustache|hbs|handlebars|ejs|njk|liquid|eta|erb|gotmpl|mako|twig)\.sql$/i;

/** Markers seen anywhere in the text (cheap; the forms nothing in PostgreSQL's own syntax looks like). The
 *  last one is a block comment standing where a schema name goes, the dot glued to it (`ON /* SCHEMA *⁠/."users"`):
 *  a migration runner replaces the comment before sending; PostgreSQL has no name that starts with a dot. */
const TEMPLATE_MARKERS = /(?:^|[\s(,=])\/\*[^*]*\*\/\.(?=["A-Za-z_])|@\w+(?::\w+)?@|\$\{|\{\{|\{%|\{#|<%|#\{|%\(\w+\)s|%s\b|(?:^|[\s(,=<>])\?{1,2}(?=$|[\s),;:])|(?:^|[\s(,=<>])@[A-Za-z_]\w*/;
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
/**
 * `##NAME##`: a name between double hashes, which a migrator replaces before sending (`OWNER TO ##APP_USER##`). As
 * SQL it would be the `##` operator (closest point) glued to a bare name on both sides, which no geometric query
 * writes that way; a `##` standing apart from a name (`p ## l`) is left as the operator.
 */
const HASH_NAME = String.raw`(?<![#\w])##[A-Za-z_]\w*##(?![#\w])`;
/** Placeholders looked for in code only (a `'%abc%'` LIKE pattern is data). */
const CODE_PLACEHOLDER = new RegExp(`${PG_PROMISE_VARIABLE}|${PERCENT_NAME}|${ANGLE_NAME}|${HASH_NAME}`);

/**
 * A token of code made of non-ASCII symbols or punctuation alone, standing apart from names and numbers: a tool's
 * notation (Plasmic's dynamic-value chips `currentUser ▸ customProperties ▸ id`), an arrow or an ellipsis of notes
 * (`a → b`, `SELECT … FROM t`), a mathematician's `≥`. PostgreSQL's lexer takes any non-ASCII character for part of a
 * name, but no name is written that way: the text is a template or pseudo-SQL, not a statement as sent.
 */
const SYMBOL_TOKEN = /(?<![\p{L}\p{N}\p{M}_$"])(?:(?![\x00-\x7F])[\p{S}\p{P}])+(?![\p{L}\p{N}\p{M}_$"])/u;
const NON_ASCII = /[^\x00-\x7F]/;

/** Whether the text holds template or driver placeholders (`${schema}`, `{{ table }}`, `{% … %}`, `{# … #}`, `{name}`, `$NAME`, `$(name)`, `%name%`, `<NAME>`, `?`, `%s`, `@name`), or a tool's symbol (`a ▸ b`). */
export function hasTemplateMarkers(statement: string): boolean {
  if (TEMPLATE_MARKERS.test(statement)) return true;
  const symbols = NON_ASCII.test(statement);
  const mayHold = symbols || statement.includes('{') || statement.includes('$') || statement.includes('%') || statement.includes('<') || statement.includes('##');
  if (!mayHold) return false;
  const code = replaceLiteralsAndComments(statement, "''");
  return FORMAT_FIELD.test(code) || SHELL_VARIABLE.test(code) || CODE_PLACEHOLDER.test(code) || (symbols && SYMBOL_TOKEN.test(code));
}

/**
 * Lines holding nothing but one template tag: a Jinja/Django/Nunjucks statement (`{% set week = … %}`, `{% if … %}`),
 * comment (`{# … #}`) or expression (`{{ macro() }}`), on one line or over several (a `{% set %}` of a list, a dbt
 * `{{ config(…) }}`). Each tag runs to its first close, as Jinja's does, one way only (regex-safety), and ends its line.
 */
const TEMPLATE_TAG_LINE = /^(?:\{%(?:[^%]|%(?!\}))*%\}|\{#(?:[^#]|#(?!\}))*#\}|\{\{(?:[^}]|\}(?!\}))*\}\})[ \t]*(?:\r?\n|(?![\s\S]))/;

/**
 * Where the statement after the template's own lines that open it starts (0 when it opens with none): a tag alone on its
 * line before the statement's first word renders to nothing (`{% set … %}`, `{% if … %}`) or to text of its own (a
 * macro's `{{ … }}`), not to the start of the statement after it — an Airflow task's `.sql` that opens with
 * `{% set … %}` and no semicolon before its `CREATE TEMPORARY TABLE`.
 */
export function afterLeadingTemplateLines(statement: string): number {
  let at = leadingTrivia(statement);
  let start = 0;
  for (let line = TEMPLATE_TAG_LINE.exec(statement.slice(at)); line; line = TEMPLATE_TAG_LINE.exec(statement.slice(at))) {
    at += line[0].length;
    at += leadingTrivia(statement.slice(at));
    start = at;
  }
  return start;
}

/** Placeholders that stand for one value or name (control blocks such as `{% if %}` cannot be filled in). */
const PLACEHOLDER = new RegExp(String.raw`${PG_PROMISE_VARIABLE}|${PERCENT_NAME}|${ANGLE_NAME}|${HASH_NAME}|` + /@\w+(?::\w+)?@|(?<![\w$])\$[A-Za-z_]\w*(?![\w$])|\$\{[^}\n]*\}|\{\{[^}\n]*\}\}|#\{[^}\n]*\}|%\(\w+\)s|%s\b|\{\w*\}|(?<=^|[\s(,=<>])(?:\?{1,2}(?=$|[\s),;:])|@[A-Za-z_]\w*)/.source, 'g');

/** Where the parser stops on a text (code-point offset as libpg-query reports it), or undefined when it parses. */
export type ParseErrorAt = (text: string) => number | undefined;

/** The placeholders of a text outside strings and comments, as [start, end) ranges. */
function placeholderSpans(text: string): [number, number][] {
  const literals = literalAndCommentSpans(text);
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

/**
 * `<user_name>`, `< mydb >`: a fill-in placeholder of a template script a person edits before running it (`CREATE ROLE
 * <user_name> WITH LOGIN`, `GRANT ALL ON DATABASE < mydb > TO < user_name >`): a name between angle brackets, standing
 * apart from operators and from a word before it (`list<text>`, `numeric<p>`, `"col"<n>` and `$1<n>` are a type's
 * parameters or a comparison written by someone who meant another syntax, not a fill-in). As SQL it may be a comparison (`a <b> c` parses as `(a < b) > c`), so withFillInNames reads it
 * as a placeholder only where the parser stops at it.
 */
const FILL_IN_NAME = /(?<![<>=!~*+\-/%^&|#@?\w$"])<[ \t]?[A-Za-z_][A-Za-z0-9_]*[ \t]?>(?![>=])/g;
/** At most this many fill-in placeholders filled per statement (each costs one or two parses). */
const MAX_FILL_INS = 16;
const stringOfLength = (n: number): string => `'${' '.repeat(n - 2)}'`;

/**
 * The statement with its fill-in placeholders (FILL_IN_NAME) filled in where the parser stops at one, each by a name
 * of the same length or, where no name can go (`PASSWORD <secret>`), a string: the text once it parses, undefined when
 * the parser stops anywhere but at such a placeholder (a real syntax error). `offset` is where the statement as written
 * stops parsing. Same lengths, so offsets stay. Bounded: at most two parses per placeholder filled, MAX_FILL_INS of them.
 */
export function withFillInNames(statement: string, errorAt: ParseErrorAt, offset: number): string | undefined {
  if (!statement.includes('<')) return undefined;
  const code = replaceLiteralsAndComments(statement);
  const spans = [...code.matchAll(FILL_IN_NAME)].map((match): [number, number] => [match.index!, match.index! + match[0].length]);
  let text = statement;
  let at = offset;
  for (let filled = 0; filled < MAX_FILL_INS; filled++) {
    const span = spans.find(([start, end]) => at >= start && at < end);
    if (span === undefined) return undefined;
    const [start, end] = span;
    let passed = false;
    for (const fill of [identifierOfLength, stringOfLength]) {
      const candidate = text.slice(0, start) + fill(end - start) + text.slice(end);
      const next = errorAt(candidate);
      if (next === undefined) return candidate;
      // The parser got past this placeholder: it stops at a later one (filled next round), or at a real error.
      if (next >= end) {
        text = candidate;
        at = next;
        passed = true;
        break;
      }
    }
    if (!passed) return undefined;
  }
  return undefined;
}

/**
 * The text with each `$name$` that stands as the start of a name at every place it occurs (after a character no name
 * holds, before one a name holds: `to $db_user_prefix$_queue`) filled in with a name of its length (`_db_user_prefix_`),
 * so offsets stay. A program replaces such a placeholder before sending the text; read as written, PostgreSQL's lexer
 * takes it for a dollar quote that swallows the statements up to its next use. A real dollar quote's closing tag ends
 * a string and is hardly followed by a name character, and its opening one (`AS $fn$BEGIN`) closes where a name
 * character comes before it (`END$fn$`): neither is read as a placeholder.
 */
export function withNamePlaceholdersFilled(text: string): string {
  if (!text.includes('$')) return text;
  let filled = text;
  for (const [name, places] of dollarTagsByName(text)) {
    if (name === '' || !places.every((at) => startsName(text, at, name.length + 2))) continue;
    for (const at of places) filled = `${filled.slice(0, at)}_${name}_${filled.slice(at + name.length + 2)}`;
  }
  return filled;
}

/** Whether the `$tag$` of `length` at `at` stands after a character no name holds and before one a name holds (not a `$`). */
function startsName(text: string, at: number, length: number): boolean {
  const after = text[at + length] ?? ' ';
  return !identChar.test(text[at - 1] ?? ' ') && identChar.test(after) && after !== '$';
}

/**
 * `scoutges_%ENV%`, `%ENV%_db`: an upper-case `%NAME%` (letters, digits, `_`, a letter first) glued to a name on either
 * side, which a build script fills in before sending the file (a Rakefile's `sed s/%ENV%/dev/g` piped to psql). As SQL
 * it is the `%` modulo between names; `a%B%c` parses so, and only a statement that does not parse as written is read
 * with its placeholders filled in (withGluedPercentNamesFilled). Not after or before another `%` (xo's `%%name%%`).
 */
const GLUED_PERCENT_NAME = /(?<!%)%[A-Z][A-Z0-9_]*%(?!%)/g;

/**
 * The text with each `%NAME%` glued to a name outside strings and comments (GLUED_PERCENT_NAME) filled in with a name
 * of its length, so offsets stay and the placeholder becomes part of the name it is glued to; undefined when it holds
 * none. The caller reads the filled text only when it parses: a statement with a mistake beside the placeholder keeps
 * its syntax error.
 */
export function withGluedPercentNamesFilled(text: string): string | undefined {
  if (!text.includes('%')) return undefined;
  const code = replaceLiteralsAndComments(text);
  let filled = text;
  let found = false;
  for (const match of code.matchAll(GLUED_PERCENT_NAME)) {
    const start = match.index!;
    const end = start + match[0].length;
    if (!identChar.test(code[start - 1] ?? ' ') && !identChar.test(code[end] ?? ' ')) continue;
    filled = filled.slice(0, start) + identifierOfLength(end - start) + filled.slice(end);
    found = true;
  }
  return found ? filled : undefined;
}
