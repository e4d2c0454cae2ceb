// A shell script's assignments of a variable, the one reading of them for every question asked of a script's
// variables (psqlConnections.ts: the URL psql connects to; psqlRuns.ts: the `.sql` path or folder a variable holds,
// the script argument it is set from). An assignment is a word `NAME=value` after a blank, a command separator or the
// start of a line — so also after `export`, `local`, `readonly`, `declare -x`/`typeset` and another assignment
// (`A=1 B=2 cmd`) — and not on a commented-out line (`# URL=postgres://old-host/db`) nor in what an `echo` prints
// (`echo "then run: URL=postgres://other-host/db ./seed.sh"`, `echo set PGPORT=6543`): text shown runs nothing. Its value is the shell word
// after `=`, whole: quoted parts, `$(…)` and `${…}` substitutions and backquotes may hold blanks and quotes of their own
// (`DIR="$(cd "$(dirname "$0")/../sql" && pwd)"`); an unquoted blank, `;`, `&`, `|`, `<`, `>` or `)` ends it.
import { escapeRegExp } from './regexText';
import { blankedRanges } from './blankedRanges';

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

/** Bound on the lines an echo's quoted text may span: a quote left open further is read as closing nowhere (its line ends the echo). */
const MAX_QUOTED_LINES = 40;
/** What may follow a quote that closes an echo's text over several lines: the end of its word. */
const WORD_END = /[\s;&|<>)]/;

/**
 * The ranges `[from, to)` of a text that its printing commands print (PRINT_COMMAND): each command's arguments up to
 * its end, a quoted argument read over several lines as the shell reads it (`echo "usage:` … `psql -f x.sql"`), and
 * the here-documents `cat` prints to the terminal (shownHeredocBodies). Not an echo's arguments holding a command
 * substitution, which runs. Kept for the last text asked about: isEchoed asks once per assignment of a script.
 */
function printedRanges(text: string): readonly [number, number][] {
  if (text === lastPrinted.text) return lastPrinted.ranges;
  const ranges = [...echoedRanges(text), ...shownHeredocBodies(text)];
  lastPrinted = { text, ranges };
  return ranges;
}
let lastPrinted: { text: string; ranges: readonly [number, number][] } = { text: '', ranges: [] };

/**
 * The arguments of the text's printing commands (printedRanges), each from its command's end to the end of its
 * arguments: the one reader of what an echo prints, for readers of what it pipes on too (psqlRuns.ts).
 */
export function echoedRanges(text: string): [number, number][] {
  if (!/echo|printf|write-/i.test(text)) return [];
  const ranges: [number, number][] = [];
  let lineStart = 0;
  for (const line of text.split('\n')) {
    if (/echo|printf|write-/i.test(line)) {
      for (const match of maskedQuotes(line).matchAll(PRINT_COMMAND)) {
        const from = lineStart + match.index! + match[0].length;
        if (ranges.length > 0 && from < ranges[ranges.length - 1][1]) continue; // inside what an echo above prints
        const to = printedEnd(text, from);
        if (!SUBSTITUTION.test(text.slice(from, to))) ranges.push([from, to]);
      }
    }
    lineStart += line.length + 1;
  }
  return ranges;
}

/**
 * Where a printing command's arguments that start at `from` end: at a command separator or a subshell's or block's
 * close (PRINT_END) outside quotes, or at the end of the line, quoted text running on over the lines it spans.
 */
function printedEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && text[i] !== '\n' && !PRINT_END.test(text[i])) i = text[i] === '"' || text[i] === "'" ? quotedEnd(text, i) : i + 1;
  return i;
}

/**
 * The index after the quoted text that opens at `open`. A quote closed on a later line closes it only within
 * MAX_QUOTED_LINES and at a word's end (`"` then a newline, `;`, `|`, `>`); otherwise (`echo Don't`, a batch file's
 * stray quote) the quote is one character, as the masked line reads it.
 */
function quotedEnd(text: string, open: number): number {
  const lineEnd = text.indexOf('\n', open);
  const end = text[open] === '"' ? doubleQuotedEnd(text, open) : closedAt(text.indexOf("'", open + 1), text, open);
  const closed = text[end - 1] === text[open] && end - 1 > open;
  if (closed && (lineEnd < 0 || end <= lineEnd)) return end;
  const spansFew = text.slice(open, end).split('\n').length <= MAX_QUOTED_LINES;
  return closed && spansFew && (end === text.length || WORD_END.test(text[end])) ? end : open + 1;
}

/**
 * A `cat` that prints a here-document (`cat <<'USAGE'`, `cat >&2 <<-EOF`), at a command's start (not in `$(…)`,
 * whose output is a value): group 1 its operator's `-` (leading tabs of the closing line allowed), group 3 the closing word.
 */
const CAT_HEREDOC = /(?:^|[\s;&{])cat\b(?:[^\n|;&]|>&)*?<<(-?)[ \t]*(["']?)(\w+)\2/;
/** A `cat` opening a command substitution after blanks (`SQL=$( cat <<EOF`, `` `cat ``): its output is a value, not shown. */
const IN_SUBSTITUTION = /(?:\$\(|`)[ \t]*$/;
/** A redirection to the terminal (standard error, the tty), which shows the text like standard output does. */
const TO_TERMINAL = /[12]?>&[12]|[12]?>[ \t]*\/dev\/(?:stderr|stdout|tty)/g;

/**
 * The bodies of the here-documents a `cat` prints to the terminal (a usage() function's `cat <<EOF`): shown text, like
 * an echo's. Not one piped on (`cat <<EOF | sh`, into psql) or written to a file (`cat > load.sh <<EOF`), which may
 * run; nor one whose closing word never comes.
 */
function shownHeredocBodies(text: string): [number, number][] {
  if (!text.includes('<<')) return [];
  const bodies: [number, number][] = [];
  const lines = text.split('\n');
  const starts = lineStarts(lines);
  for (let i = 0; i < lines.length; i++) {
    const heredoc = lines[i].includes('<<') ? CAT_HEREDOC.exec(maskedQuotesKeepingWord(lines[i])) : null;
    if (heredoc === null || IN_SUBSTITUTION.test(lines[i].slice(0, heredoc.index + 1)) || maskedQuotes(lines[i].slice(heredoc.index)).replace(TO_TERMINAL, '').search(/[|>]/) >= 0) continue;
    const closing = heredocClosingLine(lines, i, heredoc[3], heredoc[1] === '-');
    if (closing < 0) continue;
    if (closing > i + 1) bodies.push([starts[i + 1], starts[closing] - 1]);
    i = closing;
  }
  return bodies;
}

/**
 * The index of the line that closes a here-document opened on line `opener`: the first later line that is its closing
 * word alone (after leading tabs when the operator is `<<-`, which strips them); -1 when none does.
 */
export function heredocClosingLine(lines: readonly string[], opener: number, word: string, tabsStripped: boolean): number {
  return lines.findIndex((line, j) => j > opener && (tabsStripped ? line.replace(/^\t+/, '') : line) === word);
}

/** The index in the text at which each line starts. */
export function lineStarts(lines: readonly string[]): number[] {
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  return starts;
}

/** A line with its quoted text masked except a here-document's quoted closing word (`<<'EOF'`), which CAT_HEREDOC reads. */
export function maskedQuotesKeepingWord(line: string): string {
  return line.replace(QUOTED, (quoted, at: number) => (/<<-?[ \t]*$/.test(line.slice(0, at)) ? quoted : '_'.repeat(quoted.length)));
}

/** Whether the text at `start` is part of what an echo (or printf, Write-Host, a printed here-document) prints: it is shown, never run. */
export function isEchoed(text: string, start: number): boolean {
  return printedRanges(text).some(([from, to]) => start >= from && start < to);
}

/** A text with what its printing commands print blanked (line ends kept): the commands a script runs, for readers of them. */
export function withEchoesBlanked(text: string): string {
  return blankedRanges(text, printedRanges(text));
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
