// JavaScript a shell script hands to node on a here-document (`node <<'EOF'` … `EOF`; also `node -`, `exec node`,
// `/usr/bin/env node`, `DATABASE_URL=… node --input-type=module`): node runs the document as its program, the way a
// Docker entrypoint migrates the schema before it starts the server. Each such program is read as a JavaScript file
// is (embedded.ts), as the script's text with everything but the document blanked, so its findings fall on the
// script's own lines and columns. Only a document node reads as its program: not one for another program (cat,
// python, psql, which psqlRuns.ts reads), nor stdin for a script node is given (`node migrate.js <<EOF`), nor one
// node evaluates something else beside (`node -e …`, `--check`). A document whose word is unquoted (`<<EOF`) is
// expanded by the shell first (`$1`, `${…}`, `$(…)`, backquotes, backslashes): read only when it holds none of them,
// since the program node receives is otherwise not the text written (a template's `${id}` is the shell's variable).
import { heredocClosingLine, lineStarts, maskedQuotesKeepingWord, withCommentsBlanked } from './shellAssignments';
import { blankedRanges } from './blankedRanges';

/**
 * A here-document operator on a line whose quoted text is masked (its word kept): `<<` or `<<-` (group 1: the `-`),
 * then its word (group 2), quoted or not. Not a here-string (`<<<`).
 */
const HEREDOC_OPERATOR = /(?<!<)<<(?!<)(-?)[ \t]*((?:'[^'\n]*'|"[^"\n]*"|\\\S|[^\s;&|<>()'"\\`])+)/g;
/**
 * What ends the command before node's on its line: a separator (not the `&` of a redirection, `2>&1`), a subshell's or
 * substitution's opening, `!`, a group's `{ ` (not `${`).
 */
const COMMAND_SEPARATOR = /(?<![<>])&(?!>)|[;|(`!]|\{(?=[ \t])/g;
/** What ends node's command after its document's word: a separator, or the close of a subshell or substitution. */
const COMMAND_END = /(?<![<>])&(?!>)|[;|)`]/;
/** Words that may stand before node's name: a compound command's keyword, `exec`, `command`, `time`. */
const LEADING_WORD = /^(?:then|do|else|elif|if|while|until|exec|command|time)$/;
/** A variable set for the command (`DATABASE_URL=… node`). */
const ASSIGNMENT = /^[A-Za-z_]\w*=/;
/** node's names, by themselves or as a path's last part (`/usr/local/bin/node`; Debian's `nodejs`). */
const NODE_NAMES = new Set(['node', 'nodejs']);
/** A redirection word (`>>out.txt`, `2>&1`, `&>/dev/null`, `<input`), and one whose target is the next word (`>> out.txt`). */
const REDIRECTION = /^\d*(?:&>>?|>>?|<)/;
const REDIRECTION_WITHOUT_TARGET = /^\d*(?:&>>?|>>?|<)$/;
/** node's options that take the next word as their value (`-r dotenv/config`, `--input-type module`). */
const OPTION_WITH_VALUE = /^(?:-r|--require|--import|--loader|--experimental-loader|--env-file|--input-type|-C|--conditions)$/;
/** node's options under which the document is not its program: code given inline, a syntax check, help, a test run, a REPL. */
const NOT_A_PROGRAM = /^(?:-[epcvhi]|--(?:eval|print|check|version|help|interactive|test|run|v8-options))(?:=|$)/;
/** What an unquoted document's text must not hold: the shell would expand or unescape it before node reads it. */
const SHELL_EXPANSION = /[$`\\]/;

/** A here-document in a script: its body's range `[start, end)` (whole lines, the closing word's excluded). */
interface Heredoc {
  start: number;
  end: number;
  /** The document is node's program, as the shell hands it over (no expansion changes it). */
  nodeProgram: boolean;
}

/**
 * The JavaScript programs a shell script hands to node on here-documents, each as the script's text with everything
 * but the program blanked (line ends kept): offsets in it are the script's.
 */
export function nodeHeredocPrograms(script: string): string[] {
  if (!script.includes('<<') || !/\bnode(?:js)?\b/.test(script)) return [];
  return heredocsOf(script).filter((heredoc) => heredoc.nodeProgram).map(({ start, end }) => blankedBut(script, start, end));
}

/**
 * The here-documents of a script in order, each body skipped as a whole (a `node <<EOF` written inside another
 * document, as a script a `cat <<EOF > x.sh` writes, opens nothing); a document whose word never closes is skipped.
 */
function heredocsOf(script: string): Heredoc[] {
  const lines = script.split('\n');
  const live = withCommentsBlanked(script).split('\n');
  const starts = lineStarts(lines);
  const found: Heredoc[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!live[i].includes('<<')) continue;
    const masked = maskedQuotesKeepingWord(live[i]);
    let last = i;
    for (const operator of masked.matchAll(HEREDOC_OPERATOR)) {
      const word = operator[2].replace(/['"\\]/g, '');
      const closing = heredocClosingLine(lines, last, word, operator[1] === '-');
      if (closing < 0) continue;
      const [start, end] = [starts[last + 1], starts[closing]];
      const quoted = /['"\\]/.test(operator[2]);
      found.push({ start, end, nodeProgram: isNodeStdin(masked, operator.index!, operator[0].length) && (quoted || !SHELL_EXPANSION.test(script.slice(start, end))) });
      last = closing;
    }
    i = last;
  }
  return found;
}

/**
 * Whether the document whose operator stands at `at` (`length` long) on the masked line is what node reads as its
 * program: the command is node, given options only (or `-`, stdin named as the program, which arguments may follow)
 * and redirections, before the operator and after its word up to the command's end.
 */
function isNodeStdin(masked: string, at: number, length: number): boolean {
  const args = nodeArguments(masked.slice(0, at), masked.slice(at + length));
  return args !== undefined && readsProgramFromStdin(args);
}

/**
 * The words of node's command around a document's operator (`before` it and `after` its word, on the masked line), or
 * undefined when the command is not node: its name may follow keywords, `exec`, variables set for it and `env`.
 */
function nodeArguments(before: string, after: string): string[] | undefined {
  const separators = [...before.matchAll(COMMAND_SEPARATOR)];
  const last = separators[separators.length - 1];
  const command = words(last === undefined ? before : before.slice(last.index! + last[0].length));
  let i = 0;
  for (let afterEnv = false; i < command.length; i++) {
    const word = command[i];
    if (lastPathPart(word) === 'env') afterEnv = true;
    else if (!LEADING_WORD.test(word) && !ASSIGNMENT.test(word) && !(afterEnv && word.startsWith('-'))) break;
  }
  if (i === command.length || !NODE_NAMES.has(lastPathPart(command[i]))) return undefined;
  const end = after.search(COMMAND_END);
  return [...command.slice(i + 1), ...words(end < 0 ? after : after.slice(0, end))];
}

/** A path's last part (the word itself when it holds no `/`). */
function lastPathPart(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** The blank-separated words of a text. */
function words(text: string): string[] {
  return text.split(/[ \t]+/).filter(Boolean);
}

/** Whether node's arguments leave it reading its program from stdin: options and redirections only up to a `-`; no script file named. */
function readsProgramFromStdin(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-') return true; // what follows is the program's own arguments
    if (REDIRECTION.test(arg)) {
      if (REDIRECTION_WITHOUT_TARGET.test(arg)) i++;
    } else if (NOT_A_PROGRAM.test(arg)) return false;
    else if (OPTION_WITH_VALUE.test(arg)) i++;
    else if (!arg.startsWith('-')) return false; // a script file: the document is its stdin
  }
  return true;
}

/** The text with everything outside `[start, end)` blanked, line ends kept. */
function blankedBut(text: string, start: number, end: number): string {
  return blankedRanges(text, [[0, start], [end, text.length]]);
}
