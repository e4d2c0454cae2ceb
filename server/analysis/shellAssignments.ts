// A shell script's assignments of a variable, the one reading of them for every question asked of a script's
// variables (psqlConnections.ts: the URL psql connects to; psqlRuns.ts: the `.sql` path or folder a variable holds,
// the script argument it is set from). An assignment is a word `NAME=value` after a blank, a command separator or the
// start of a line — so also after `export`, `local`, `readonly`, `declare -x`/`typeset` and another assignment
// (`A=1 B=2 cmd`) — and not on a commented-out line (`# URL=postgres://old-host/db`) nor in what an `echo` prints
// (`echo "then run: URL=postgres://other-host/db ./seed.sh"`, `echo set PGPORT=6543`): text shown runs nothing. Its value is the shell word
// after `=`, whole: quoted parts, `$(…)` and `${…}` substitutions and backquotes may hold blanks and quotes of their own
// (`DIR="$(cd "$(dirname "$0")/../sql" && pwd)"`); an unquoted blank, `;`, `&`, `|`, `<`, `>` or `)` ends it.
import { escapeRegExp } from './regexText';

/** A `#` that opens a comment: at the start of its line or after a blank (not `$#`, `${#x}`, `url#fragment`). */
const COMMENT_START = /(?:^|\s)#/;
/** Quoted text on a line, whose `#` opens no comment. */
const QUOTED = /"[^"\n]*"|'[^'\n]*'/g;
/** What may stand just before an assignment's name: a blank, a command separator, a subshell's or substitution's opening. */
const BEFORE_NAME = String.raw`(?:^|[\s;&|(\`])`;

/** The values a script assigns the variable `name`, each as written (quotes kept), in the order they appear. */
export function shellAssignments(script: string, name: string): string[] {
  const assignment = new RegExp(`${BEFORE_NAME}${escapeRegExp(name)}=`, 'gm');
  const values: string[] = [];
  for (const match of script.matchAll(assignment)) {
    const valueStart = match.index! + match[0].length;
    const nameStart = valueStart - name.length - 1;
    if (!isCommentedOut(script, nameStart) && !isEchoed(script, nameStart)) values.push(script.slice(valueStart, shellWordEnd(script, valueStart)));
  }
  return values;
}

/** A shell word's text without its quotes (`"$ROOT"/db/seed.sql` → `$ROOT/db/seed.sql`). */
export function withoutQuotes(word: string): string {
  return word.replace(/["']/g, '');
}

/**
 * Whether the text at `start` sits after a `#` that comments out the rest of its line (a shell script's, a Makefile
 * recipe's or a CI step's `# psql "postgres://…:6543/db" -f schema.sql   # old`): it never runs.
 */
export function isCommentedOut(text: string, start: number): boolean {
  const before = text.slice(text.lastIndexOf('\n', start - 1) + 1, start);
  return before.includes('#') && COMMENT_START.test(before.replace(QUOTED, (quoted) => ' '.repeat(quoted.length)));
}

/**
 * A command that prints its arguments: the shell's `echo` and `printf`, batch's `echo` (after `@`), PowerShell's
 * `Write-Host`/`Write-Output` and their kin, at a command's start (after a blank, a separator, `(` or `{`; not inside
 * `$(…)`, whose output is a value the script uses). Group 1: what stands before it. Read on a line whose quoted text is masked, so a quoted "echo" is no command.
 */
const PRINT_COMMAND = /(^|[\s;&|{]|(?<!\$)\()@?(?:echo|printf|Write-(?:Host|Output|Verbose|Information|Warning|Debug))(?=[ \t]|$)/gi;
/** What ends a printing command's arguments on its line, outside quotes: a command separator, or a subshell's or block's close. */
const PRINT_END = /[;&|)}]/;
/** A command substitution, which runs even inside what an echo prints (`echo "$(psql -f x.sql)"`). */
const SUBSTITUTION = /\$\(|`/;

/** A line with its quoted text masked (same length), so that its separators, `#` and command names are only the live ones. */
function maskedQuotes(line: string): string {
  return line.replace(QUOTED, (quoted) => '_'.repeat(quoted.length));
}

/**
 * The ranges `[from, to)` of a line that a printing command prints (PRINT_COMMAND): its arguments up to the command's
 * end. Not where they hold a command substitution, which runs.
 */
function printedRanges(line: string): [number, number][] {
  if (!/echo|printf|write-/i.test(line)) return [];
  const masked = maskedQuotes(line);
  const ranges: [number, number][] = [];
  for (const match of masked.matchAll(PRINT_COMMAND)) {
    const from = match.index! + match[0].length;
    const end = PRINT_END.exec(masked.slice(from));
    const to = end === null ? line.length : from + end.index;
    if (!SUBSTITUTION.test(line.slice(from, to))) ranges.push([from, to]);
  }
  return ranges;
}

/** Whether the text at `start` is part of what an echo (or printf, Write-Host) on its line prints: it is shown, never run. */
export function isEchoed(text: string, start: number): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = text.indexOf('\n', start);
  const offset = start - lineStart;
  return printedRanges(text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd)).some(([from, to]) => offset >= from && offset < to);
}

/** A text with what its printing commands print blanked (same length): the commands a script runs, for readers of them. */
export function withEchoesBlanked(text: string): string {
  return text.split('\n').map((line) => printedRanges(line).reduceRight(
    (blanked, [from, to]) => blanked.slice(0, from) + ' '.repeat(to - from) + blanked.slice(to), line)).join('\n');
}

/**
 * A text with its `#` comments blanked (same length), as isCommentedOut reads them: for the files whose comments open
 * with `#` (shell scripts, PowerShell, Makefiles, CI configurations, Dockerfiles).
 */
export function withCommentsBlanked(text: string): string {
  if (!text.includes('#')) return text;
  return text.split('\n').map((line) => {
    const comment = COMMENT_START.exec(maskedQuotes(line));
    if (comment === null) return line;
    const at = comment.index + comment[0].length - 1;
    return line.slice(0, at) + ' '.repeat(line.length - at);
  }).join('\n');
}

/** Where the shell word that starts at `start` ends (the index after its last character). */
export function shellWordEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length && !/[\s;&|<>)]/.test(text[i])) i = pieceEnd(text, i);
  return i;
}

/** The index after the piece of a word at `i`: a quoted part, a substitution, an escaped character, or one character. */
function pieceEnd(text: string, i: number): number {
  const char = text[i];
  if (char === '\\') return Math.min(i + 2, text.length);
  if (char === "'") return closedAt(text.indexOf("'", i + 1), text, i);
  if (char === '`') return closedAt(text.indexOf('`', i + 1), text, i);
  if (char === '"') return doubleQuotedEnd(text, i);
  if (char === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) return closedAt(closingBracket(text, i + 1), text, i);
  // An array's list (`FILES=(a.sql b.sql)`): read whole.
  if (char === '(') return closedAt(closingBracket(text, i), text, i);
  return i + 1;
}

/** The index after a double-quoted part that opens at `open`: its substitutions may hold quotes of their own. */
function doubleQuotedEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
    else if (text[i] === '$' && (text[i + 1] === '(' || text[i + 1] === '{') || text[i] === '`') i = pieceEnd(text, i) - 1;
  }
  return closedAt(-1, text, open);
}

/** The index of the bracket that closes the `(` or `{` at `open`, quotes inside skipped; -1 when none does. */
function closingBracket(text: string, open: number): number {
  const [opening, closing] = text[open] === '{' ? ['{', '}'] : ['(', ')'];
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '"' || text[i] === "'") {
      i = pieceEnd(text, i) - 1;
      continue;
    }
    if (text[i] === opening) depth++;
    else if (text[i] === closing && --depth === 0) return i;
  }
  return -1;
}

/** The index after a closing character found at `at`; when none closes what opened at `open`, the end of that line. */
function closedAt(at: number, text: string, open: number): number {
  if (at >= 0) return at + 1;
  const lineEnd = text.indexOf('\n', open);
  return lineEnd < 0 ? text.length : lineEnd;
}
