// How PostgreSQL reads a boolean written in SQL: one reader for the parsed statement (detect.ts, from the parser's
// constant) and for an embedded set_config fragment that is not parsed (embedded.ts, from its text), so both agree on
// when set_config's is_local is written false. No parser here: embedded.ts must not load it.

/**
 * PostgreSQL's boolean input for a quoted literal (boolin): true, yes, on, 1 and false, no, off, 0, any case, blanks
 * trimmed, and any unambiguous prefix of the words ('t', 'f', 'of'; 'o' alone is ambiguous). `set_config(k, v, 'f')` is
 * as session-wide as `set_config(k, v, false)`.
 */
export function booleanInput(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (word === '1') return true;
  if (word === '0') return false;
  if (word.length === 0) return undefined;
  if ('true'.startsWith(word) || 'yes'.startsWith(word) || word === 'on') return true;
  if ('false'.startsWith(word) || 'no'.startsWith(word) || (word.length >= 2 && 'off'.startsWith(word))) return false;
  return undefined;
}

/** A constant written as SQL text: the keyword true or false, or a quoted literal; either may be cast (`'no'::boolean`). */
const WRITTEN_BOOLEAN = /^(?:(true|false)|'((?:[^']|'')*)')(?:\s*::\s*bool(?:ean)?)?$/i;

/** The boolean an expression's SQL text is written as (`false`, `'off'`, `'0'::bool`); undefined for anything else. */
export function writtenBoolean(text: string): boolean | undefined {
  const match = WRITTEN_BOOLEAN.exec(text.trim());
  if (!match) return undefined;
  if (match[1] !== undefined) return match[1].toLowerCase() === 'true';
  return booleanInput(match[2].replace(/''/g, "'"));
}

const SET_CONFIG_CALL = /\b(?:pg_catalog\s*\.\s*)?set_config\s*\(/gi;

/**
 * Whether a set_config call in SQL text (a fragment, not parsed; holes in it are any other character) writes its
 * is_local argument false: a session-wide setting.
 */
export function setsConfigSessionWide(text: string): boolean {
  for (const call of text.matchAll(SET_CONFIG_CALL)) {
    const args = callArguments(text, call.index + call[0].length);
    if (args?.length === 3 && writtenBoolean(args[2]) === false) return true;
  }
  return false;
}

/**
 * The texts of a call's arguments, from just after its opening parenthesis to the one closing it, split at the commas
 * outside nested parentheses and quotes; undefined when the call is not closed in the text.
 */
export function callArguments(text: string, from: number): string[] | undefined {
  const args: string[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') i = quoteEnd(text, i);
    else if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (c === ')' || (c === ',' && depth === 0)) {
      args.push(text.slice(start, i));
      if (c === ')') return args;
      start = i + 1;
    }
  }
  return undefined;
}

/** `name => ` or `name := `: the start of an argument passed by the parameter's name (its value follows). */
const NAMED_ARGUMENT = /^\s*("?)([\w$]+)\1\s*(?:=>|:=)/;

/** The text a call whose `(` ends just before `from` passes for one parameter, by name or by position; undefined when it passes none. */
export function passedArgument(text: string, from: number, parameter: { position: number; name?: string }): string | undefined {
  const args = callArguments(text, from);
  if (!args) return undefined;
  const named = args.map((argument) => NAMED_ARGUMENT.exec(argument));
  const byName = parameter.name === undefined ? undefined : named.find((m) => m !== null && m[2].toLowerCase() === parameter.name);
  if (byName) return byName.input.slice(byName[0].length);
  const positional = args[parameter.position - 1];
  return positional !== undefined && named[parameter.position - 1] === null ? positional : undefined;
}

/** The index of the quote closing the one opened at `at` (a doubled quote inside is one character of the text). */
function quoteEnd(text: string, at: number): number {
  const quote = text[at];
  let i = at + 1;
  while (i < text.length && !(text[i] === quote && text[i + 1] !== quote)) i += text[i] === quote ? 2 : 1;
  return i;
}
