// The text of one embedded query: literal SQL taken from the file (string and template literals, with
// their escapes mapped back to exact file offsets) and "slots" whose text is unknown or replaceable
// (`${…}` holes, unknown operands of `+`, driver placeholders such as `?`, `??`, `:name`, `@name`).
// A slot is filled with the first of its fillers that lets the statement parse, so a hole can stand
// for a value, an identifier, a clause or a whole statement without hiding the rest of the template.
import { forEachCodePosition, splitStatements } from './splitter';
import { lastAtOrBefore } from './positions';
import { HOLE_IDENTIFIER_PREFIX } from './templatePlaceholders';

/** Literal SQL from the file; `points` map text offsets to file offsets (one pair per escape). */
export interface TextPart {
  kind: 'text';
  text: string;
  /** Ascending text offsets; text offset textAt[i] is file offset fileAt[i]. */
  textAt: number[];
  fileAt: number[];
}

export interface SlotPart {
  kind: 'slot';
  fileStart: number;
  fileEnd: number;
  /** Candidate texts, tried in order; a placeholder's first candidate is its own text. */
  fillers: (index: number) => string[];
  /** True for code whose value we do not know (`${…}`); false for a driver placeholder. */
  hole: boolean;
}

export type Part = TextPart | SlotPart;

/**
 * `${…}` holes: a value placeholder where a value is expected, else an identifier, else a
 * parenthesised list (`IN ${list}`, `VALUES ${rows}`), else nothing (a clause or a whole statement),
 * else a number (`$${n}`: the hole is a parameter's number), else a statement where only a statement fits
 * (`PREPARE s AS ${query}`: PostgreSQL's bare `SELECT` is the shortest), else a keyword option where only
 * keywords fit (`ISOLATION LEVEL ${level}`, so `BEGIN` and `SET SESSION CHARACTERISTICS` are still read),
 * else, last, a name with an empty column list where a table's name and columns go (`CREATE TEMP TABLE ${t}`,
 * `${name}${columns}`: PostgreSQL accepts `CREATE TABLE t ()`), so what the statement does is still read.
 */
// Values and lists are padded so they never merge with a word next to them (`begin${opts}`); an
// identifier is not, since `${schema}_log` or `x_${n}` is one name.
export const HOLE_FILLERS = (i: number): string[] => [` $${i} `, `${HOLE_IDENTIFIER_PREFIX}hole_${i}`, ` ($${i}) `, '', String(i), ' select ', ' serializable ', `${HOLE_IDENTIFIER_PREFIX}hole_${i} () `];
const VALUE_OR_IDENTIFIER = (original: string) => (i: number): string[] => [original, ` $${i} `, `${HOLE_IDENTIFIER_PREFIX}hole_${i}`];
const IDENTIFIER_ONLY = (original: string) => (): string[] => [original, `${HOLE_IDENTIFIER_PREFIX}ident`];

export function holePart(fileStart: number, fileEnd: number): SlotPart {
  return { kind: 'slot', fileStart, fileEnd, fillers: HOLE_FILLERS, hole: true };
}

/** The dollar quote a PL/pgSQL fragment is read inside (asAnonymousBlock): a tag no fragment is likely to hold. */
const FRAGMENT_BLOCK_QUOTE = '$poolsafe_fragment$';

/**
 * A PL/pgSQL fragment's parts (`PERFORM pg_advisory_lock(…); RAISE NOTICE …`) as the body of a DO block of its own: the
 * body it is spliced into runs its statements as such a block does. The block's words are slots at the fragment's two
 * ends, so whatever is found in the body still points into the fragment.
 */
export function asAnonymousBlock(parts: readonly Part[]): Part[] {
  if (parts.length === 0) return [];
  const first = parts[0];
  const last = parts[parts.length - 1];
  const start = first.kind === 'text' ? first.fileAt[0] : first.fileStart;
  const end = last.kind === 'text' ? fileOffsetIn(last, last.text.length) : last.fileEnd;
  const fixed = (text: string, at: number): SlotPart => ({ kind: 'slot', fileStart: at, fileEnd: at, fillers: () => [text], hole: false });
  return [fixed(`DO ${FRAGMENT_BLOCK_QUOTE} BEGIN `, start), ...parts, fixed(` END ${FRAGMENT_BLOCK_QUOTE}`, end)];
}

/** What a slot inside a leading comment reads as: comment text (a letter, so it closes no comment and opens none). */
const SLOT_IN_COMMENT = 'x';

/**
 * Whether the end of a text that opens a query lies inside one of the comments it starts with (a `--` comment with no
 * newline yet, a block comment with no end yet). Block comments end at their first end, as sqlTrivia.ts reads them.
 */
function endsInLeadingComment(text: string): boolean {
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text.startsWith('--', i)) {
      const newline = text.indexOf('\n', i);
      if (newline < 0) return true;
      i = newline + 1;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return true;
      i = end + 2;
    } else {
      return false;
    }
  }
}

/**
 * The text a query opens with, for deciding whether it is SQL and what statement it starts: its first literal part, and
 * after it, while the text so far ends inside a leading comment, the parts that follow, each slot read as comment text.
 * A template whose opening comments hold holes (`/* ${tag} *\/`, `-- ${note}` before `CREATE TEMP TABLE …`) was judged
 * by the text before its first hole, an unclosed comment, and never read. Past the leading comments nothing is added:
 * a hole where the statement starts still makes the opening unknown. Undefined when the query opens with a slot.
 */
export function openingText(parts: readonly Part[]): string | undefined {
  if (parts.length === 0 || parts[0].kind !== 'text') return undefined;
  let text = parts[0].text;
  for (let i = 1; i < parts.length && endsInLeadingComment(text); i++) {
    const part = parts[i];
    text += part.kind === 'text' ? part.text : SLOT_IN_COMMENT;
  }
  return text;
}

/** Length in the source of the escape sequence at raw[i] (a backslash), and the length of its value. */
function escapeAt(raw: string, i: number): { rawLength: number; cookedLength: number } {
  const next = raw[i + 1];
  if (next === '\r') return { rawLength: raw[i + 2] === '\n' ? 3 : 2, cookedLength: 0 }; // line continuation
  if (next === '\n' || next === '\u2028' || next === '\u2029') return { rawLength: 2, cookedLength: 0 };
  if (next === 'x') return { rawLength: 4, cookedLength: 1 };
  if (next === 'u' && raw[i + 2] === '{') {
    const close = raw.indexOf('}', i + 3);
    const codePoint = parseInt(raw.slice(i + 3, close), 16);
    return { rawLength: close - i + 1, cookedLength: codePoint > 0xffff ? 2 : 1 };
  }
  if (next === 'u') return { rawLength: 6, cookedLength: 1 };
  const octal = /^[0-7]{1,3}/.exec(raw.slice(i + 1, i + 4));
  if (octal && !(octal[0] === '0' && !/[0-9]/.test(raw[i + 2] ?? ''))) return { rawLength: 1 + octal[0].length, cookedLength: 1 };
  return { rawLength: 2, cookedLength: 1 };
}

/**
 * A literal's cooked text with one mapping point after every escape (and every CRLF a template
 * turns into LF), so offsets after `\``, `\n`, `\\` or `\u00e9` land on the right column.
 */
export function literalPart(cooked: string, raw: string, fileStart: number, template: boolean): TextPart {
  const part: TextPart = { kind: 'text', text: cooked, textAt: [0], fileAt: [fileStart] };
  let cookedAt = 0;
  let i = 0;
  while (i < raw.length) {
    const c = raw[i];
    let step: { rawLength: number; cookedLength: number } | undefined;
    if (c === '\\') step = escapeAt(raw, i);
    else if (c === '\r' && template) step = { rawLength: raw[i + 1] === '\n' ? 2 : 1, cookedLength: 1 };
    if (!step) {
      i++;
      cookedAt++;
      continue;
    }
    i += step.rawLength;
    cookedAt += step.cookedLength;
    part.textAt.push(cookedAt);
    part.fileAt.push(fileStart + i);
  }
  // Should never differ; if it does, a single point is still right up to the first escape.
  if (cookedAt !== cooked.length) return { kind: 'text', text: cooked, textAt: [0], fileAt: [fileStart] };
  return part;
}

function fileOffsetIn(part: TextPart, offset: number): number {
  let i = 0;
  while (i + 1 < part.textAt.length && part.textAt[i + 1] <= offset) i++;
  return part.fileAt[i] + offset - part.textAt[i];
}

function slicePart(part: TextPart, from: number, to: number): TextPart {
  const sliced: TextPart = { kind: 'text', text: part.text.slice(from, to), textAt: [0], fileAt: [fileOffsetIn(part, from)] };
  for (let i = 0; i < part.textAt.length; i++) {
    if (part.textAt[i] > from && part.textAt[i] < to) {
      sliced.textAt.push(part.textAt[i] - from);
      sliced.fileAt.push(part.fileAt[i]);
    }
  }
  return sliced;
}

/**
 * `SET @name` and `@@name` are MySQL's user and system variables, not placeholders: a driver binds values,
 * never the name a SET assigns. Left as written, such a statement is recognised as MySQL (dialect.ts).
 */
const MYSQL_VARIABLE_SET = /\bSET\s+(?:(?:SESSION|GLOBAL|LOCAL)\s+)?$/i;

/**
 * knex's named identifier binding `:name:` (a column, a table, a setting's name) ends with a colon that opens no
 * `::` cast: `:col:` and `:col:::text` are identifiers, `:val::text` is a value cast to text.
 */
function isKnexIdentifierEnd(text: string, at: number): boolean {
  return text[at] === ':' && (text[at + 1] !== ':' || text.startsWith(':::', at));
}

/** pg-promise's filters, `:name`, `:raw`, `:json`… and the short `^` (raw text) and `~` (an SQL name), glued to a variable. */
const PG_PROMISE_FILTER = String.raw`(?::\w+|\^|~)`;
/**
 * pg-promise's variables, `$1` (only with a filter: a bare `$1` is PostgreSQL's) and the bracketed `${prop}`, `$(prop)`,
 * `$<prop>`, `$[prop]`, `$/prop/` (a filter optional); pgtyped's `$name`, `$name!`, `$$list`, and `$ name !` (its lexer
 * takes blanks there; PostgreSQL has no `$` before a blank outside strings, so nothing valid is read as one). A `~` after a number is a
 * filter only before what cannot be the regular-expression operator's operand (`$1~ `, `$1~,`, not `$1~'^a'`).
 */
const PG_PROMISE_OR_PGTYPED = new RegExp(String.raw`^\$(?:\d+(?::\w+|\^|~(?![\w'"$(:]))|\{[\w.]+${PG_PROMISE_FILTER}?\}|\([\w.]+${PG_PROMISE_FILTER}?\)|<[\w.]+${PG_PROMISE_FILTER}?>|\[[\w.]+${PG_PROMISE_FILTER}?\]|\/[\w.]+${PG_PROMISE_FILTER}?\/|\$?[A-Za-z_]\w*!?(?![\w$])|\s+[A-Za-z_]\w*(?![\w$])(?:\s*!(?!=))?)`);
/** pg-promise's SQL-name filters (`:name`, `:alias`, `~`): the variable is an identifier (`LISTEN $1~`, `SET $<param:name> = …`), never a value. */
const SQL_NAME_FILTER = /(?::name|:alias|~)[)}>\]/]?$/;

/** A driver placeholder at text[i] (outside quotes and comments): its length and fillers. */
function placeholderAt(text: string, i: number): { length: number; fillers: SlotPart['fillers'] } | undefined {
  const c = text[i];
  const before = text[i - 1] ?? ' ';
  if (c === '?') {
    // knex `??` is an identifier binding; `?|`, `?&`, `?-`… and jsonb `?` are kept first anyway.
    if (text[i + 1] === '?') return { length: 2, fillers: IDENTIFIER_ONLY('??') };
    if (before === '?') return undefined;
    return { length: 1, fillers: VALUE_OR_IDENTIFIER('?') };
  }
  if ((c === ':' || c === '@') && before !== ':' && !/[\w$@]/.test(before) && !(c === '@' && (text[i + 1] === '@' || MYSQL_VARIABLE_SET.test(text.slice(Math.max(0, i - 32), i))))) {
    const name = /^[A-Za-z_][\w]*/.exec(text.slice(i + 1, i + 65));
    if (name && c === ':' && isKnexIdentifierEnd(text, i + 1 + name[0].length)) return { length: 2 + name[0].length, fillers: IDENTIFIER_ONLY(`:${name[0]}:`) };
    if (name) return { length: 1 + name[0].length, fillers: VALUE_OR_IDENTIFIER(c + name[0]) };
  }
  if (c === '$' && !/[\w$]/.test(before)) {
    // pg-promise: $1, ${prop}, $(prop), $<prop>, $[prop], $/prop/ with a filter (`:name`, `~`, `^`, `:raw`…); pgtyped: $name, $name!, $$list.
    const match = PG_PROMISE_OR_PGTYPED.exec(text.slice(i, i + 64));
    if (match) return { length: match[0].length, fillers: (SQL_NAME_FILTER.test(match[0]) ? IDENTIFIER_ONLY : VALUE_OR_IDENTIFIER)(match[0]) };
  }
  // pg-format / util.format: %I an identifier, %L a literal, %s either (`%%` is a percent sign).
  if (c === '%' && !/[\w%]/.test(before) && /^%[ILs](?![\w%])/.test(text.slice(i, i + 3))) {
    return { length: 2, fillers: VALUE_OR_IDENTIFIER(text.slice(i, i + 2)) };
  }
  return undefined;
}

/** A cheap first look (most SQL has only `$n`, which PostgreSQL understands): could placeholderAt find one? */
const MAY_HOLD_PLACEHOLDER = /\?|(?:^|[^:\w$]):[A-Za-z_]|(?:^|[^\w$])@[A-Za-z_]|\$(?:\d+[:^~]|[{(<[/]|\$?[A-Za-z_]|\s+[A-Za-z_])|(?:^|[^\w%])%[ILs](?![\w%])/;

/**
 * deno-postgres's named arguments (`WHERE id = $id` with `{ id }`, or `{ text, args: { id } }`): each is a value the
 * driver binds, as `$1` is. Written over in place as `$1` padded with blanks to the name's length (offsets stay), so the
 * text parses as what PostgreSQL receives and a mistake after one is still the text's own. Not inside quotes, comments
 * or dollar quotes (`$body$`).
 */
export function withNamedArgumentsAsValues(parts: Part[]): Part[] {
  return parts.map((part) => (part.kind === 'text' && part.text.includes('$') ? { ...part, text: namedArgumentsAsValues(part.text) } : part));
}

function namedArgumentsAsValues(text: string): string {
  let out = '';
  let from = 0;
  forEachCodePosition(text, (i) => {
    const name = text[i] === '$' && !/[\w$]/.test(text[i - 1] ?? ' ') ? /^\$[A-Za-z_]\w*(?![\w$])/.exec(text.slice(i, i + 64)) : null;
    if (!name) return 0;
    out += text.slice(from, i) + '$1'.padEnd(name[0].length);
    from = i + name[0].length;
    return name[0].length;
  });
  return out + text.slice(from);
}

/** Splits text parts at driver placeholders (looked for outside quotes and comments). */
export function withPlaceholders(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const part of parts) {
    if (part.kind !== 'text' || !MAY_HOLD_PLACEHOLDER.test(part.text)) {
      out.push(part);
      continue;
    }
    const text = part.text;
    let from = 0;
    forEachCodePosition(text, (i) => {
      const found = placeholderAt(text, i);
      if (!found) return 0;
      if (i > from) out.push(slicePart(part, from, i));
      const fileStart = fileOffsetIn(part, i);
      out.push({ kind: 'slot', fileStart, fileEnd: fileOffsetIn(part, i + found.length), fillers: found.fillers, hole: false });
      from = i + found.length;
      return found.length;
    });
    if (from < text.length || from === 0) out.push(from === 0 ? part : slicePart(part, from, text.length));
  }
  return out;
}

/** One way of filling the slots: the SQL and how its offsets map back into the file. */
export interface BuiltText {
  sql: string;
  sqlAt: number[];
  fileAt: number[];
  /** Largest file offset each mapping point may reach (a slot's last character; Infinity for literal text). */
  fileLimit: number[];
  /** SQL offset of each slot (in the order of `slots`), and whether it is a `${…}` hole. */
  slotAt: number[];
}

export function buildText(parts: Part[], choices: number[]): BuiltText {
  const built: BuiltText = { sql: '', sqlAt: [], fileAt: [], fileLimit: [], slotAt: [] };
  let slot = 0;
  for (const part of parts) {
    const base = built.sql.length;
    if (part.kind === 'text') {
      for (let i = 0; i < part.textAt.length; i++) {
        built.sqlAt.push(base + part.textAt[i]);
        built.fileAt.push(part.fileAt[i]);
        built.fileLimit.push(Infinity);
      }
      built.sql += part.text;
    } else {
      built.sqlAt.push(base);
      built.fileAt.push(part.fileStart);
      built.fileLimit.push(Math.max(part.fileStart, part.fileEnd - 1));
      built.slotAt.push(base);
      const fillers = part.fillers(slot + 1);
      built.sql += fillers[Math.min(choices[slot] ?? 0, fillers.length - 1)];
      slot++;
    }
  }
  return built;
}

/** Index of the last mapping point at or before a SQL offset. */
function pointAt(built: BuiltText, offset: number): number {
  return lastAtOrBefore(built.sqlAt, offset);
}

/** File offset of a SQL offset of a built text (anywhere in a slot's filler: the slot's start). */
export function toFileOffset(built: BuiltText, offset: number): number {
  const i = pointAt(built, offset);
  if (built.fileLimit[i] !== Infinity) return built.fileAt[i];
  return built.fileAt[i] + offset - built.sqlAt[i];
}

/** File offset of an exclusive end (or an insertion point): the end of what comes before it, not the start of what follows. */
export function toFileEnd(built: BuiltText, offset: number): number {
  if (offset <= 0) return toFileOffset(built, 0);
  const i = pointAt(built, offset - 1);
  // Text that ends in a slot's filler ends where the slot ends in the file (`${schema}`).
  if (built.fileLimit[i] !== Infinity) return built.fileLimit[i] + 1;
  return toFileOffset(built, offset - 1) + 1;
}

/**
 * File range of the SQL range [start, end) of a built text: `toFileOffset` and `toFileEnd`, unless that end comes
 * before the start. It does when the text a finding ends with was written earlier in the file than the text it
 * starts in: a name's value followed into the hole that ends it (`const schema = 'app'` or `let p = …; p = …`
 * before `SET search_path TO ${p}`). Such a range ends where the last of its text written at or after its start
 * ends, or where the text right after it begins (the rest of the template, after the hole's `}`).
 */
export function toFileRange(built: BuiltText, start: number, end: number): { start: number; end: number } {
  const fileStart = toFileOffset(built, start);
  const fileEnd = toFileEnd(built, end);
  if (fileEnd >= fileStart) return { start: fileStart, end: fileEnd };
  let last = fileStart;
  for (let i = pointAt(built, start); i < built.sqlAt.length && built.sqlAt[i] <= end; i++) {
    const slot = built.fileLimit[i] !== Infinity;
    const from = built.fileAt[i] + (slot ? 0 : Math.max(0, start - built.sqlAt[i]));
    const to = built.sqlAt[i] === end ? built.fileAt[i]
      : slot ? built.fileLimit[i] + 1 : built.fileAt[i] + Math.min(end, built.sqlAt[i + 1] ?? end) - built.sqlAt[i];
    if (from >= fileStart) last = Math.max(from, to);
  }
  return { start: fileStart, end: last };
}

/** Where a statement does not parse: the offset of the error (statement-relative), or undefined. */
export type SyntaxErrorOffset = (statement: string) => number | undefined;

/**
 * Fills the slots so that as many statements as possible parse: starting from each slot's first
 * filler, a syntax error moves the nearest slot before it (in the same statement) to its next filler.
 * Bounded: each round advances at least one slot to its next filler.
 */
export function fillSlots(parts: Part[], syntaxErrorOffset: SyntaxErrorOffset): BuiltText {
  const slots = parts.filter((p): p is SlotPart => p.kind === 'slot');
  const choices = slots.map(() => 0);
  let built = buildText(parts, choices);
  if (slots.length === 0) return built;
  const fillerCounts = slots.map((s, i) => s.fillers(i + 1).length);
  const rounds = fillerCounts.reduce((sum, count) => sum + count, 1);
  const triedLater = new Set<number>();
  for (let round = 0; round < rounds; round++) {
    let advanced = false;
    const spans = splitStatements(built.sql);
    for (const [k, span] of spans.entries()) {
      const error = syntaxErrorOffset(span.text);
      if (error === undefined) continue;
      // The whole word the error is at: `begin` glued to an identifier filler (`beginpoolsafe_hole_1`).
      // An error at the end of the statement may be a slot filled with nothing after its last word.
      const at = error >= span.text.trimEnd().length ? (spans[k + 1]?.start ?? built.sql.length)
        : span.start + error + (/^[\w$]*/.exec(span.text.slice(error, error + 128))?.[0].length ?? 0);
      if (advanceSlotBefore(built, choices, fillerCounts, span.start, at)) advanced = true;
      else if (!triedLater.has(span.start)) {
        triedLater.add(span.start);
        if (advanceSlotAfter(parts, built, choices, fillerCounts, span, at, syntaxErrorOffset)) advanced = true;
      }
    }
    if (!advanced) break;
    built = buildText(parts, choices);
  }
  return withStatementHolesFilled(parts, slots, choices, built);
}

/** Moves the slot nearest before SQL offset `at` (or holding it), in the statement starting at `statementStart`, to its next filler, if it has one. */
function advanceSlotBefore(built: BuiltText, choices: number[], fillerCounts: number[], statementStart: number, at: number): boolean {
  for (let s = built.slotAt.length - 1; s >= 0; s--) {
    const slotAt = built.slotAt[s];
    if (slotAt > at || slotAt < statementStart - 1) continue;
    if (choices[s] + 1 >= fillerCounts[s]) return false;
    choices[s]++;
    return true;
  }
  return false;
}

/**
 * A statement whose error no slot before it can mend: a grammar rule's own check points at the construct it rejects,
 * which a slot after it may have made. `make_interval(days => $1) $2`, a trailing `${clause}` read as a value, is a
 * typed literal whose type has a named modifier, rejected at `days`. The slots after the error are tried one at a
 * time, nearest first; a filler is kept only when the whole statement then parses, so a real error before every slot
 * leaves the slots as they were (an error that merely moves on is no evidence: `make_interval(days => )` fails later).
 */
function advanceSlotAfter(parts: Part[], built: BuiltText, choices: number[], fillerCounts: number[],
  span: { start: number; text: string }, at: number, syntaxErrorOffset: SyntaxErrorOffset): boolean {
  const end = span.start + span.text.length;
  for (let s = 0; s < built.slotAt.length; s++) {
    if (built.slotAt[s] < at || built.slotAt[s] > end) continue;
    for (let filler = choices[s] + 1; filler < fillerCounts[s]; filler++) {
      const trial = choices.slice();
      trial[s] = filler;
      const statement = splitStatements(buildText(parts, trial).sql).find((candidate) => candidate.start === span.start);
      if (statement && syntaxErrorOffset(statement.text) === undefined) {
        choices[s] = filler;
        return true;
      }
    }
  }
  return false;
}

/** The filler that stands for a whole statement (PostgreSQL's bare `SELECT`, which reads and sets nothing). */
const STATEMENT_FILLER = /^\s*select\s*$/i;

/**
 * A `${…}` hole that is a statement of its own after another statement of the text (`SET LOCAL x = 1;\n${rest}`, or an
 * unknown `+` operand after `;`) stands for statements the code sends in the same message: filled with nothing, the
 * statement before it would read as the message's last. Such a hole is filled with a statement instead, one that reads
 * and sets nothing, so what comes before it is known to be followed within the message (one implicit transaction). A
 * hole that opens the text, or shares its statement with other text, keeps its filler; so does a driver placeholder.
 */
function withStatementHolesFilled(parts: Part[], slots: readonly SlotPart[], choices: number[], built: BuiltText): BuiltText {
  let current = built;
  slots.forEach((slot, s) => {
    const fillers = slot.fillers(s + 1);
    if (!slot.hole || fillers[choices[s]] !== '') return;
    // Holes in a row (`${a}\n${b}`) are one statement: the first of them stands for it, the others stay empty.
    const before = current.sql.slice(0, current.slotAt[s]).trimEnd();
    const after = current.sql.slice(current.slotAt[s]).trimStart();
    if (!before.endsWith(';') || before.slice(0, -1).trim() === '' || !(after === '' || after.startsWith(';'))) return;
    const filler = fillers.findIndex((text) => STATEMENT_FILLER.test(text));
    if (filler < 0) return;
    const tried = [...choices];
    tried[s] = filler;
    const filled = buildText(parts, tried);
    // The hole must be the whole of its statement, after another one (not inside a quote or a comment left open before it).
    const at = filled.slotAt[s] + fillers[filler].search(/\S/);
    const spans = splitStatements(filled.sql);
    const index = spans.findIndex((span) => span.start <= at && at < span.end);
    if (index <= 0 || !STATEMENT_FILLER.test(spans[index].text)) return;
    choices[s] = filler;
    current = filled;
  });
  return current;
}
