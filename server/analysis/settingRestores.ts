// A session SET in TS/JS code that puts a setting back to what the connection had: its value is one the code read of
// that same setting (`const before = await db.query('SHOW TIMEZONE', …)`, then `SET TIMEZONE TO :tz` with
// `replacements: { tz: before.TimeZone }`), or the value the client's own options give every connection it opens
// (`SET TIME ZONE '${sequelize.options.timezone}'`: Sequelize sets `options.timezone` on each new connection, as
// node-postgres does `statement_timeout`). Such a SET is read as a RESET of the setting (undo.ts, context.ts): sent in
// the transaction (or the query string) that changed the setting, on every path after the change, it leaves nothing
// behind for the next client, and a rollback undoes the change on the error path. So is the value a postgres.js
// client's `connection` option gives that setting on every connection it opens (`connection: { statement_timeout:
// LIMIT }` with `const LIMIT = '10s'`, then `SET statement_timeout = '${LIMIT}'` on the client or a connection reserved
// from it): the SET's value, written out or a const's, is the option's, written out or a const's. The restore itself
// leaves what the connection had, so it is no finding either. So is a SET (or `set_config(…, false)`) with its value
// written out sent from the `finally` of a `try` that changes the same setting for the session through the same client
// (in the `try` block, or in the statement right before the `try`), back to a value every connection starts with
// (`DateStyle = 'ISO, MDY'`; not the code's own `lock_timeout = '5s'`): every way out of the `try` puts back what the
// code found there, as ruling 11 reads a cleanup beside its setter, and on whichever connection of a pool it lands it
// leaves the default; the change keeps its finding unless the restore shares its transaction or query message. Read where the TS parser is at hand (embedded.ts); the SQL analysis gets only the
// offsets of the restoring values (pieces.ts).
import ts from 'typescript';
import { literalText, unwrap, type Flow } from './embeddedFlow';
import type { Part } from './embeddedText';
import { escapeRegExp } from './regexText';
import { enclosingFunction, previousStatement, tryOfFinally } from './astWalk';
import { isStartingValue } from './postgresParameters';

/** What the SQL analysis is told of one restoring SET: the SQL offset of its value's slot, and the setting it puts back. */
export interface SettingRestore {
  at: number;
  setting: string;
  /** The statement names its setting by a bound parameter (`set_config($1, $2, false)`): the SQL text names none. */
  nameBound?: true;
}

/**
 * `SET [SESSION] name TO|= '?` or `SET TIME ZONE '?` right before a slot: the setting whose whole value the slot is
 * (the statement may follow others in the same text).
 */
const SET_BEFORE_VALUE = /(?:^|[;\s])set\s+(?:session\s+)?(?:(time\s+zone)|("[^"]+"|[a-z_][\w$]*(?:\.(?:"[^"]+"|[a-z_][\w$]*))*)\s*(?:to\b|=))\s*'?$/i;
/** What may follow the value: its closing quote, then the statement's end. */
const VALUE_END = /^'?\s*(?:;|$)/;

/** The setting a SET names, as PostgreSQL reads it (lower case, unquoted; `TIME ZONE` is `timezone`). */
function settingName(timeZone: string | undefined, name: string | undefined): string {
  if (timeZone) return 'timezone';
  return (name ?? '').split('.').map((part) => part.replace(/^"|"$/g, '')).join('.').toLowerCase();
}

/**
 * A SHOW or `SELECT current_setting('name')` of one setting, alone in its text (blanks made single spaces, a closing `;`
 * taken off first, so that each piece matches one way only): the setting read.
 */
const READS_SETTING = /^(?:show (?:(time zone)|("[^"]+"|[a-z_][\w$.]*))|select current_setting ?\( ?'([\w.]+)' ?\)(?: (?:as )?"?\w+"?)?)$/i;

/** Objects whose member named for a setting is the value a client's connections start with. */
const CLIENT_OPTIONS = new Set(['options', 'config']);

/**
 * The slots of one piece's parts (in order) that are the whole value of a SET of a setting they put back to what the
 * connection had, as SQL offsets of the built text (`slotAt`, one per slot, in the same order).
 * `valueOf` gives the code a slot stands for: a `${…}`'s expression, a named placeholder's bound value.
 */
export function settingRestores(parts: readonly Part[], slotAt: readonly number[], valueOf: (slot: Part & { kind: 'slot' }) => ts.Expression | undefined, flow: Flow): SettingRestore[] | undefined {
  let restores: SettingRestore[] | undefined;
  let slot = -1;
  parts.forEach((part, index) => {
    if (part.kind !== 'slot') return;
    slot++;
    const before = parts[index - 1];
    const after = parts[index + 1];
    if (before?.kind !== 'text') return;
    const setting = setBeforeValue(before.text, after);
    if (setting === undefined) return;
    const value = valueOf(part);
    if (value && heldSettingOf(value, flow) === setting) (restores ??= []).push({ at: slotAt[slot], setting });
  });
  return restores;
}

/** `SET [SESSION] name TO|= value` ending its statement, the value a quoted literal or a bare word or number. */
const SET_WRITTEN_VALUE = /(?:^|[;\s])set\s+(?:session\s+)?("[^"]+"|[a-z_][\w$]*(?:\.[a-z_][\w$]*)*)\s*(?:to\b|=)\s*('(?:[^']|'')*'|[\w.+-]+)\s*(?=;|$)/gi;

/**
 * The SETs of a query's text (`sql`, consts already spliced in: `SET statement_timeout = '10s'`) whose value is written
 * out and is the one the client's own options give that setting on every connection it opens (`configured`: a string or
 * number written out, or a const's).
 */
export function configuredSettingRestores(sql: string, configured: (setting: string) => ts.Expression | undefined, flow: Flow): SettingRestore[] | undefined {
  return writtenSettingRestores(sql, [SET_WRITTEN_VALUE], (setting, written) => {
    const option = configured(setting);
    const given = option && literalText(option, flow);
    return given !== undefined && given === written;
  });
}

/** `set_config('name', 'value', false)` with its value written out (a cast allowed): a session setting's written value. */
const SET_CONFIG_WRITTEN_VALUE = /\bset_config\s*\(\s*'([\w.]+)'\s*,\s*('(?:[^']|'')*')\s*(?:::\s*\w+\s*)?,\s*false\s*\)/gi;

/**
 * The statements of a query's text, in the given forms (SET_WRITTEN_VALUE, SET_CONFIG_WRITTEN_VALUE: the setting, then its
 * value written out), that `putsBack` says put their setting back to what the connection had, given its written value.
 */
function writtenSettingRestores(sql: string, forms: readonly RegExp[], putsBack: (setting: string, written: string) => boolean): SettingRestore[] | undefined {
  let restores: SettingRestore[] | undefined;
  for (const form of forms) {
    for (const set of sql.matchAll(form)) {
      const setting = settingName(undefined, set[1]);
      const written = set[2].startsWith("'") ? set[2].slice(1, -1).replace(/''/g, "'") : set[2];
      if (putsBack(setting, written)) (restores ??= []).push({ at: (set.index ?? 0) + set[0].lastIndexOf(set[2]), setting });
    }
  }
  return restores;
}

/**
 * The SETs (and `set_config(…, false)` calls) with a value written out of a query `call` sent from the `finally` of a
 * `try` whose block, or the statement right before it, changes the same setting for the session through the same
 * receiver, back to a value every connection starts with (postgresParameters.ts isStartingValue):
 * `client.query("SET DateStyle = 'SQL, DMY'"); try { … } finally { client.query("SET DateStyle = 'ISO, MDY'") }`.
 * Every path out of the `try` puts back what the change replaced, as a clear beside its setter (ruling 11).
 */
export function finallySettingRestores(sql: string, call: ts.CallExpression | ts.TaggedTemplateExpression): SettingRestore[] | undefined {
  const guarded = tryOfFinally(call);
  const receiver = ts.isCallExpression(call) ? receiverOf(call.expression) : clientTagOf(call);
  if (!guarded || receiver === undefined) return undefined;
  const changes = (setting: string) => [guarded.tryBlock, previousStatement(guarded)].some((scope) => scope !== undefined
    && sendsSetting(scope, setting, scope.end, (other) => other === receiver, (text) => !SETS_FOR_TRANSACTION.test(text)));
  // On a pool the restore may reach another connection than the change did: only a value every connection starts with
  // leaves nothing there (the code's own earlier value, `SET lock_timeout = '5s'`, would).
  return writtenSettingRestores(sql, [SET_WRITTEN_VALUE, SET_CONFIG_WRITTEN_VALUE], (setting, written) => isStartingValue(setting, written) && changes(setting));
}

/**
 * The client a tagged template is sent through when it is itself the query (postgres.js's ``await sql`SET …` ``): its
 * tag's name. Not a template handed to a call (drizzle's ``db.execute(sql`SET …`)``): there `sql` only builds the text
 * and the call's receiver, not the tag, is the connection.
 */
function clientTagOf(query: ts.TaggedTemplateExpression): string | undefined {
  const parent = query.parent;
  if (ts.isCallExpression(parent) && parent.arguments.includes(query)) return undefined;
  return receiverOf(query.tag);
}

/** A text that sets something for its transaction only (`SET LOCAL`, `set_config(…, true)`): no session change to put back. */
const SETS_FOR_TRANSACTION = /\bset\s+local\b|\bset_config\s*\([^)]*,\s*true\s*\)/i;

/**
 * The setting whose whole value a slot is, from the text around it: `SET name TO '<slot>'` ending its statement, or
 * `set_config('name', '<slot>', …)` (any flag: only a session one is a finding to undo).
 */
function setBeforeValue(before: string, after: Part | undefined): string | undefined {
  const set = SET_BEFORE_VALUE.exec(before);
  if (set) return after === undefined || (after.kind === 'text' && VALUE_END.test(after.text)) ? settingName(set[1], set[2]) : undefined;
  const call = SET_CONFIG_BEFORE_VALUE.exec(before);
  return call && after?.kind === 'text' && SET_CONFIG_VALUE_END.test(after.text) ? call[1].toLowerCase() : undefined;
}

/** `set_config('name', '?` right before a slot: the setting the call sets (its value, the slot, quoted or not). */
const SET_CONFIG_BEFORE_VALUE = /\bset_config\s*\(\s*'([\w.]+)'\s*,\s*'?$/i;
/** What follows set_config's value: its closing quote, a cast, then the flag's comma. */
const SET_CONFIG_VALUE_END = /^'?\s*(?:::\s*\w+\s*)?,/;
/** `set_config('name', $n, …)` written in the text, the value a numbered parameter the driver binds. */
const SET_CONFIG_BOUND_VALUE = /\bset_config\s*\(\s*'([\w.]+)'\s*,\s*\$(\d+)(?:\s*::\s*\w+)?\s*,/gi;

/**
 * The `set_config('name', $n, …)` calls of a query's text (`sql`) whose bound value puts the setting back to what the
 * connection had (heldSettingOf): `boundValue` gives the code bound to `$n` at a SQL offset (the query call's values).
 */
export function boundSetConfigRestores(sql: string, boundValue: (sqlAt: number, number: number) => ts.Expression | undefined, flow: Flow): SettingRestore[] | undefined {
  let restores: SettingRestore[] | undefined;
  for (const call of sql.matchAll(SET_CONFIG_BOUND_VALUE)) {
    const setting = call[1].toLowerCase();
    const at = (call.index ?? 0) + call[0].indexOf('$');
    const value = boundValue(at, Number(call[2]));
    if (value && heldSettingOf(value, flow) === setting) (restores ??= []).push({ at, setting });
  }
  return restores;
}

/**
 * The setting whose value on the connection an expression holds: a client's options member named for it
 * (`sequelize.options.timezone`), or a member of a variable every value of which is the result of reading it
 * (`before.TimeZone`, `rows[0].timezone` of `const before = await db.query('SHOW TIMEZONE')`).
 */
export function heldSettingOf(expression: ts.Expression, flow: Flow, depth = 0): string | undefined {
  let value = unwrap(expression);
  const members: string[] = [];
  while (ts.isPropertyAccessExpression(value) || ts.isElementAccessExpression(value)) {
    const key = ts.isPropertyAccessExpression(value) ? value.name.text
      : ts.isStringLiteralLike(value.argumentExpression) || ts.isNumericLiteral(value.argumentExpression) ? value.argumentExpression.text : undefined;
    if (key === undefined) return undefined;
    members.unshift(key);
    value = unwrap(value.expression);
  }
  if (members.length >= 2 && CLIENT_OPTIONS.has(members[members.length - 2])) return members[members.length - 1].toLowerCase();
  if (!ts.isIdentifier(value)) return undefined;
  const values = flow.valuesOf(value);
  if (!values || values.length === 0) return undefined;
  // A value taken out of such a read (`saved = shown.rows[0]?.statement_timeout`) holds it too.
  const read = values.map((held) => settingReadBy(held) ?? (held && depth < MAX_HELD_DEPTH ? heldSettingOf(held, flow, depth + 1) : undefined));
  return read.every((setting) => setting !== undefined && setting === read[0]) ? read[0] : undefined;
}

/** How many variables in a row a read value is followed through (`shown` → `saved`). */
const MAX_HELD_DEPTH = 2;

/** `await db.query('SHOW TIMEZONE', …)`: the setting a query call's literal text reads, if that is all it does. */
function settingReadBy(expression: ts.Expression | undefined): string | undefined {
  const call = expression && unwrap(expression);
  if (!call || !ts.isCallExpression(call)) return undefined;
  const text = call.arguments[0] && unwrap(call.arguments[0]);
  if (!text || !ts.isStringLiteralLike(text)) return undefined;
  const read = READS_SETTING.exec(text.text.replace(/\s+/g, ' ').trim().replace(/ ?;$/, ''));
  if (!read) return undefined;
  const setting = read[3] !== undefined ? read[3].toLowerCase() : settingName(read[1], read[2]);
  return readAfterOwnSet(call, setting) ? undefined : setting;
}

/**
 * Whether the code may have set `setting` on the read's connection before reading it: a query of the same receiver
 * (`client.query`, `sql.unsafe` and `sql\`…\``; any, when either receiver is no plain name) earlier in the read's
 * function whose text sets it (`SET`, `SET LOCAL`, `set_config`). The value read is then the code's own, and a SET back
 * to it keeps that value: no restore.
 */
function readAfterOwnSet(read: ts.CallExpression, setting: string): boolean {
  const receiver = receiverOf(read.expression);
  // The function whose body holds the read, or its file.
  return sendsSetting(enclosingFunction(read) ?? read.getSourceFile(), setting, read.getStart(), (other) => sameReceiver(receiver, other), () => true);
}

/**
 * Whether a query (`client.query`, `sql.unsafe`, `sql\`…\``) within `scope` that ends by `until`, on a receiver `onReceiver`
 * accepts (its dotted name), sends a text that sets `setting` (`SET`, `SET LOCAL`, `set_config`) and that `counts`.
 */
function sendsSetting(scope: ts.Node, setting: string, until: number, onReceiver: (receiver: string | undefined) => boolean, counts: (text: string) => boolean): boolean {
  const sets = settingSetter(setting);
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || node.pos >= until) return;
    const query = ts.isCallExpression(node) ? { callee: node.expression, text: node.arguments[0] }
      : ts.isTaggedTemplateExpression(node) ? { callee: node.tag, text: node.template } : undefined;
    const text = query && node.end <= until && onReceiver(receiverOf(query.callee)) ? writtenText(query.text) : '';
    if (sets.test(text) && counts(text)) found = true;
    else ts.forEachChild(node, visit);
  };
  ts.forEachChild(scope, visit);
  return found;
}

/** What a query call is made on, as a dotted name (`client` of `client.query`, `this.db` of `this.db.query`, `run` of `run(…)`). */
function receiverOf(callee: ts.Expression): string | undefined {
  const value = unwrap(callee);
  return ts.isPropertyAccessExpression(value) ? dottedName(value.expression) : dottedName(value);
}

function dottedName(expression: ts.Expression): string | undefined {
  const value = unwrap(expression);
  if (ts.isIdentifier(value)) return value.text;
  if (value.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(value)) {
    const object = dottedName(value.expression);
    return object === undefined ? undefined : `${object}.${value.name.text}`;
  }
  return undefined;
}

/** Two receivers that may be one connection: the same name, or either one not a plain name. */
function sameReceiver(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** The literal text of a query's SQL argument (a template's parts joined), or '' for anything else. */
function writtenText(argument: ts.Node | undefined): string {
  const value = argument && ts.isExpression(argument) ? unwrap(argument) : argument;
  if (value === undefined) return '';
  if (ts.isStringLiteralLike(value)) return value.text;
  if (ts.isTemplateExpression(value)) return [value.head.text, ...value.templateSpans.map((span) => span.literal.text)].join(' ? ');
  return '';
}

/** A SQL text that sets `setting`: `SET [SESSION|LOCAL] name TO|=`, `SET TIME ZONE`, `set_config('name', …)`. */
function settingSetter(setting: string): RegExp {
  const name = setting === 'timezone' ? String.raw`(?:time\s+zone\b|"?timezone"?\s*(?:to\b|=))` : String.raw`"?${escapeRegExp(setting)}"?\s*(?:to\b|=)`;
  return new RegExp(String.raw`\bset\s+(?:session\s+|local\s+)?${name}|\bset_config\s*\(\s*'${escapeRegExp(setting)}'`, 'i');
}

/** The innermost node whose range holds [fileStart, fileEnd). */
export function innermostNode(source: ts.SourceFile, fileStart: number, fileEnd: number): ts.Node {
  let node: ts.Node = source;
  for (;;) {
    const inner: ts.Node | undefined = node.getChildren(source).find((child) => child.getStart(source) <= fileStart && fileEnd <= child.getEnd());
    if (!inner) return node;
    node = inner;
  }
}

/**
 * The expression a slot's file range covers: a `${…}` of a template (from its `$` to its `}`), or an expression written
 * exactly there.
 */
export function expressionAt(source: ts.SourceFile, fileStart: number, fileEnd: number): ts.Expression | undefined {
  const node = innermostNode(source, fileStart, fileEnd);
  if (ts.isTemplateExpression(node)) return node.templateSpans.find((span) => span.pos - 2 === fileStart)?.expression;
  return ts.isExpression(node) && node.getStart(source) === fileStart && node.getEnd() === fileEnd ? node : undefined;
}
