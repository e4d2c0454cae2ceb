// Windows command files — batch files (`.bat`, `.cmd`) and PowerShell scripts (`.ps1`) — written as the shell text
// the readers of psql commands understand (psqlRuns.ts for the files psql runs, psqlConnections.ts for where it
// connects), so that a Windows setup script is read as its shell twin would be:
// - paths: `.\db\seed.sql` is `./db/seed.sql`; the script's own folder (`%~dp0`, `$PSScriptRoot`) is `.`, a path
//   relative to it is matched by its tail as every psql file argument is;
// - variables: batch's `%name%` and PowerShell's `$name` / `$env:NAME` are `${name}` (both languages ignore the case of a
//   name), `%1` / `$args[0]` the script's first argument `$1`; an assignment (`set name=value`, `set "name=value"`,
//   `$name = "value"`, `$env:NAME = "value"`) is `name="value"`, and one whose value the user types or a sum gives
//   (`set /p`, `set /a`) is a value the text does not show; a variable holding psql's path (`set PSQL="C:\…\psql.exe"`)
//   is psql where it is used;
// - loops: `for %%f in (sql\*.sql) do psql -f %%f`, `for /r sql %%f in (*.sql) do …` (every `.sql` below `sql`),
//   `foreach ($f in Get-ChildItem sql -Filter *.sql) { … $f.FullName }` and `Get-ChildItem sql\*.sql | ForEach-Object
//   { … $_.FullName }` are `for f in sql/*.sql; do …`;
// - concatenation: `type a.sql b.sql > all.sql`, `copy /b a.sql+b.sql all.sql`, PowerShell's `Get-Content a.sql | psql`
//   are `cat`'s;
// - comments (`REM`, `::`, also after `&`; PowerShell's `#` and `<# … #>`) and what an `echo` (`Write-Host`) prints are
//   dropped: a psql command a comment or an echo shows is not run, a `set` an echo shows sets nothing; psql is
//   named in any case and as `psql.exe`; continued lines (`^`, PowerShell's backtick) are one.
// Kept small and apart from the shell's own readers: it only rewrites text, each reader then reads it as a shell script's.
import { withCommentsBlanked, withEchoesBlanked } from './shellAssignments';
import { type TextRange, blankedRanges } from './blankedRanges';

/** Windows command files by extension: batch files and PowerShell scripts, and each kind apart. */
export const WINDOWS_SCRIPT = /\.(?:bat|cmd|ps1)$/i;
const BATCH_FILE = /\.(?:bat|cmd)$/i;
const POWERSHELL_FILE = /\.ps1$/i;

/** A Windows command file's text as the equivalent shell text; other files' texts unchanged. */
export function windowsScriptAsShell(fileName: string, text: string): string {
  if (BATCH_FILE.test(fileName)) return batchAsShell(text);
  if (POWERSHELL_FILE.test(fileName)) return powershellAsShell(text);
  return text;
}

/** A value the script's text does not show: a command substitution no reader can run (psqlConnections.ts: a hole). */
const UNKNOWN_VALUE = '$(unknown)';
/** psql by name, in any case, with or without `.exe`. */
const PSQL_PROGRAM = /\bpsql(?:\.exe)?\b/gi;
/** A value that is psql's path (`C:\Program Files\PostgreSQL\16\bin\psql.exe`, `psql`), quotes removed. */
const PSQL_PATH = /(?:^|\/)psql(?:\.exe)?$/i;

/** A variable's name as a shell variable's: lower case (Windows ignores case), other characters than `\w` as `_`. */
function shellName(name: string): string {
  return name.toLowerCase().replace(/\W/g, '_');
}

/** An assignment as the shell writes it, its value quoted whole (a batch value runs to the end of its command, blanks and all). */
function shellAssignment(name: string, value: string | undefined): string {
  return `${shellName(name)}=${value === undefined ? UNKNOWN_VALUE : `"${value.replace(/"/g, '').trim()}"`}`;
}

/**
 * The text with each use of a variable the script sets to psql's path written as psql (`"%PSQL%" -f x.sql`, `& $psql
 * -f x.sql`), as makefiles.ts does for `$(PSQL)`.
 */
function withPsqlVariablesWritten(text: string, assigned: ReadonlyMap<string, string[]>): string {
  const psqlNames = [...assigned].filter(([, values]) => values.some((value) => PSQL_PATH.test(value.replace(/["']/g, '').trim()))).map(([name]) => name);
  if (psqlNames.length === 0) return text;
  const use = new RegExp(String.raw`\$\{(?:${psqlNames.join('|')})\}`, 'g');
  return text.replace(use, 'psql');
}

// ---- Batch files ----

/** A `^` that ends a line: the command goes on on the next line. */
const CARET_CONTINUATION = /\^\r?\n[ \t]*/g;
/** A comment line: `REM …` or `:: …` (after blanks, an `@`). */
const BATCH_COMMENT = /^[ \t]*@?(?:rem(?:[ \t]|$)|::)/i;
/** A comment after another command on its line (`cd db & rem psql -f old.sql`): from its `&` to the line's end. */
const BATCH_TRAILING_COMMENT = /&&?[ \t]*@?(?:rem(?:[ \t]|$)|::).*$/i;
/**
 * A `set` command (at a line's start, after `(`, `&`, `|`, `do`, `else` or an `if`'s condition): its switch (`/p` prompts
 * the user, `/a` computes), whether the assignment is quoted (`set "name=value"`), the name and the rest of the line.
 */
const BATCH_SET = /(^|[\s(&|])@?set[ \t]+(?:\/([pa])[ \t]+)?("?)([A-Za-z_][\w.#$-]*)=(.*)$/i;
/** A `for` loop over files: `for %%f in (…) do`, `for /r [folder] %%f in (…) do` (the files below the folder). */
const BATCH_FOR = /\bfor[ \t]+(?:\/r[ \t]+(?:("[^"]*"|[^\s%"]+)[ \t]+)?)?%%([A-Za-z])[ \t]+in[ \t]*\(([^)]*)\)[ \t]*do\b/gi;
/**
 * One expansion, read left to right as cmd reads them: a loop variable with its modifiers (`%%f`, `%%~nxf`: its
 * letter), the script's own path with modifiers (`%~dp0`: its folder; `%~f0`: its full path), an argument (`%1`, `%~2`,
 * `%*`), or a variable with an edit after a colon (`%name%`, `%name:~0,-1%`, `%name:old=new%`: its name).
 */
const BATCH_EXPANSION = /%%(?:~[a-z$:]*?)?([A-Za-z])(?![A-Za-z])|%~([a-z]*)0|%~?([1-9*])|%([A-Za-z_][\w.#$-]*)(?::[^%\n]*)?%/gi;
/** `type` at a command's start, which prints its files (`type a.sql b.sql > all.sql`, `type seed.sql | psql`): cat. */
const BATCH_TYPE = /(^|[(&|]|\bdo\b)([ \t]*@?)type(?=[ \t])/gim;
/** `copy` at a command's start, with its arguments up to the command's end (copyAsCat reads them). */
const BATCH_COPY = /(^|[(&|]|\bdo\b)[ \t]*@?copy[ \t]([^\n&|]*)/gim;
/** A command's word: quoted, or up to a blank or quote. */
const BATCH_WORD = /"[^"]*"|[^\s"]+/g;
/** `cd /d folder`: a `cd` that also changes drive. */
const BATCH_CD_DRIVE = /\b(cd|chdir|pushd)[ \t]+\/d(?=[ \t])/gi;

/** A batch file as shell text. */
function batchAsShell(text: string): string {
  const lines = text.replace(/\r/g, '').replace(CARET_CONTINUATION, ' ').replace(/\\/g, '/').split('\n');
  const assigned = new Map<string, string[]>();
  const shell = lines.map((line) => (BATCH_COMMENT.test(line) ? '' : batchCommandsWritten(withSetsWritten(liveBatchCommands(line), assigned)))).join('\n');
  return withPsqlVariablesWritten(shell, new Map([...assigned].map(([name, values]) => [name, values.map(batchCommandsWritten)])));
}

/** A batch line without what its echoes print and without a trailing comment: the commands it runs. */
function liveBatchCommands(line: string): string {
  return withEchoesBlanked(line).replace(BATCH_TRAILING_COMMENT, '');
}

/** A line with its `set` commands written as the shell's assignments (`if … (set a=1) else (set a=2)`: each), each value noted in `assigned`. */
function withSetsWritten(line: string, assigned: Map<string, string[]>, opened = 0): string {
  const set = batchSet(line, opened);
  if (set === undefined) return line;
  assigned.set(shellName(set.name), [...(assigned.get(shellName(set.name)) ?? []), set.value ?? UNKNOWN_VALUE]);
  return `${set.before}${shellAssignment(set.name, set.value)}${withSetsWritten(set.after, assigned, set.opened)}`;
}

/** How many more parentheses a text opens than it closes. */
function openParentheses(text: string): number {
  return (text.match(/\(/g)?.length ?? 0) - (text.match(/\)/g)?.length ?? 0);
}

/**
 * A line's first `set` command: the text before it, the name, its value (undefined: unknown), the text after the value,
 * and the parentheses open there (`opened` before the line's text).
 */
function batchSet(line: string, opened: number): { before: string; name: string; value: string | undefined; after: string; opened: number } | undefined {
  const match = BATCH_SET.exec(line);
  if (!match) return undefined;
  const [, lead, option, quoted, name, rest] = match;
  const before = line.slice(0, match.index + lead.length);
  // The value ends with its quote (`set "name=value"`), or the command: at `&`, `|`, or the `)` of a block it opens in.
  const inBlock = opened + openParentheses(before) > 0;
  const end = quoted ? rest.lastIndexOf('"') : rest.search(inBlock ? /[&|)]/ : /[&|]/);
  const value = end < 0 ? rest : rest.slice(0, end);
  const after = end < 0 ? '' : rest.slice(end + (quoted ? 1 : 0));
  return { before, name, value: option === undefined ? value.trimEnd() : undefined, after, opened: opened + openParentheses(before) };
}

/** A batch line's loops, variables, `type`, `copy` and psql written as the shell's. */
function batchCommandsWritten(line: string): string {
  return line
    .replace(BATCH_FOR, (_loop, folder: string | undefined, variable: string, list: string) => {
      const words = list.split(/[\s,;]+/).filter(Boolean).map((word) => (folder === undefined ? word : `${folder.replace(/"/g, '').replace(/\/$/, '')}/${word}`));
      return `for ${variable} in ${words.join(' ')}; do`;
    })
    .replace(BATCH_EXPANSION, (_use, loop?: string, modifiers?: string, argument?: string, name?: string) => {
      if (loop !== undefined) return `$${loop}`;
      if (modifiers !== undefined) return /p/i.test(modifiers) && !/[fnx]/i.test(modifiers) ? './' : UNKNOWN_VALUE;
      if (argument !== undefined) return argument === '*' ? '$@' : `$${argument}`;
      return `\${${shellName(name ?? '')}}`;
    })
    .replace(BATCH_TYPE, '$1$2cat')
    .replace(BATCH_COPY, (copy, lead: string, argumentsText: string) => {
      const joined = copyAsCat(argumentsText);
      return joined === undefined ? copy : `${lead} ${joined}`;
    })
    .replace(BATCH_CD_DRIVE, '$1')
    .replace(PSQL_PROGRAM, 'psql');
}

/**
 * A `copy` that joins files into one, as a `cat` into its target: several sources joined by `+` (`copy /b a.sql + b.sql
 * all.sql`, each source's `/b` or `/a` left out), or a wildcard's files into one named file (`copy sql\*.sql all.sql`).
 * Undefined for a copy of files to another place.
 */
function copyAsCat(argumentsText: string): string | undefined {
  const words = (argumentsText.match(BATCH_WORD) ?? []).filter((word) => !word.startsWith('/'));
  if (words.length < 2) return undefined;
  const target = words[words.length - 1];
  const sources = words.slice(0, -1).join(' ').split('+').map((source) => source.trim()).filter(Boolean);
  const joins = sources.length > 1 || (/[*?]/.test(sources[0] ?? '') && /\.\w+"?$/.test(target));
  return joins ? `cat ${sources.join(' ')} > ${target}` : undefined;
}

// ---- PowerShell scripts ----

/** A backtick that ends a line: the command goes on on the next line. */
const BACKTICK_CONTINUATION = /`\r?\n[ \t]*/g;
/** A block comment's opening and closing marks, `<# … #>`. */
const BLOCK_COMMENT_OPEN = '<#';
const BLOCK_COMMENT_CLOSE = '#>';
/** An assignment at a statement's start: `$name = value`, `$env:NAME = value`, `${name} = value` (up to `;` or the line's end). */
const POWERSHELL_ASSIGNMENT = /(^|[;{][ \t]*|^[ \t]+)\$(?:env:)?\{?([A-Za-z_]\w*)\}?[ \t]*=(?!=)[ \t]*([^;\n]*)/gm;
/** `Join-Path A B` (`-Path`, `-ChildPath` named or not): the path `A/B`. */
const JOIN_PATH = /\bJoin-Path[ \t]+(?:-Path[ \t]+)?("[^"]*"|'[^']*'|\S+)[ \t]+(?:-ChildPath[ \t]+)?("[^"]*"|'[^']*'|[^\s)]+)/gi;
/** The script's folder. */
const SCRIPT_ROOT = /\$(?:PSScriptRoot|\{PSScriptRoot\})/gi;
/** The script's arguments by index: `$args[0]`. */
const POWERSHELL_ARGUMENT = /\$args\[(\d)\]/gi;
/** A variable's use, with a file's path or name property (`$f.FullName`, `$_.Name`): its name, and the property. */
const POWERSHELL_VARIABLE = /\$(?:env:)?\{?([A-Za-z_]\w*)\}?(?:\.(FullName|Name)\b)?/gi;
/** A listing of files: `Get-ChildItem`, `gci`, `dir`, `ls`, with its arguments up to a pipe, `)` or the line's end. */
const LISTING = /\b(?:Get-ChildItem|gci|dir|ls)\b([^|)\n;]*)/i;
/** `foreach ($f in …`: its variable, and the rest of its line (the list, up to the `)` before the block: LIST_END). */
const FOREACH = /\bforeach[ \t]*\([ \t]*\$([A-Za-z_]\w*)[ \t]+in[ \t]([^\n]*)/gi;
/** The `)` that closes a foreach's list: before the block's `{`, or at the line's end. */
const LIST_END = /\)[ \t]*(?:\{|$)/;
/** A pipe into a `ForEach-Object` (or `%`) block, the block opened. */
const FOREACH_OBJECT = /\|[ \t]*(?:ForEach-Object|%)[ \t]*\{/i;
/** `Get-Content` (or its aliases `gc`, `type`, `cat`) at a command's start: cat. */
const GET_CONTENT = /(^|[(&|;{][ \t]*|^[ \t]+)(?:Get-Content|gc|type)(?=[ \t])/gim;

/**
 * The text with each block comment `<# … #>` blanked (its line ends kept). One scan from each mark to the next: the
 * lazy regular expression `<#[\s\S]*?#>` ran from every `<#` to the end of a text with no `#>`, quadratic in it. The
 * text from an unclosed `<#` on is left as it is (a script PowerShell would not parse).
 */
function blankBlockComments(text: string): string {
  const comments: TextRange[] = [];
  for (let open = text.indexOf(BLOCK_COMMENT_OPEN); open >= 0;) {
    const close = text.indexOf(BLOCK_COMMENT_CLOSE, open + BLOCK_COMMENT_OPEN.length);
    if (close < 0) break;
    const end = close + BLOCK_COMMENT_CLOSE.length;
    comments.push([open, end]);
    open = text.indexOf(BLOCK_COMMENT_OPEN, end);
  }
  return blankedRanges(text, comments);
}

/** A PowerShell script as shell text. */
function powershellAsShell(text: string): string {
  const joined = withEchoesBlanked(withCommentsBlanked(blankBlockComments(text.replace(/\r/g, '').replace(BACKTICK_CONTINUATION, ' '))))
    .replace(/\\/g, '/').replace(SCRIPT_ROOT, '.').replace(JOIN_PATH, (_join, folder: string, child: string) => `${unquoted(folder)}/${unquoted(child)}`);
  const assigned = new Map<string, string[]>();
  const shell = joined
    .replace(FOREACH, (loop, variable: string, rest: string) => {
      const end = LIST_END.exec(rest)?.index ?? -1;
      const files = end < 0 ? undefined : listedFiles(rest.slice(0, end));
      return files === undefined ? loop : `for ${shellName(variable)} in ${files}; do ${rest.slice(end + 1)}`;
    })
    .split('\n').map(withListingLoopWritten).join('\n')
    .replace(POWERSHELL_ASSIGNMENT, (_assignment, lead: string, name: string, value: string) => {
      const written = /^["'][^"']*["'][ \t]*$/.test(value) ? unquoted(value.trim()) : /^[^\s$(]+$/.test(value.trim()) ? value.trim() : undefined;
      assigned.set(shellName(name), [...(assigned.get(shellName(name)) ?? []), written ?? UNKNOWN_VALUE]);
      return `${lead}${shellAssignment(name, written)}`;
    })
    .replace(POWERSHELL_ARGUMENT, (_use, index: string) => `$${Number(index) + 1}`)
    .replace(POWERSHELL_VARIABLE, (use, name: string, property?: string) => {
      if (/^(?:true|false|null)$/i.test(name)) return use;
      return property?.toLowerCase() === 'name' ? `\${${shellName(name)}##*/}` : `\${${shellName(name)}}`;
    })
    .replace(GET_CONTENT, '$1cat')
    .replace(PSQL_PROGRAM, 'psql');
  return withPsqlVariablesWritten(shell, assigned);
}

/**
 * A line that pipes a listing into a ForEach-Object block (`Get-ChildItem sql\*.sql | Sort-Object Name | ForEach-Object
 * { psql -f $_.FullName }`), written as a loop over the listed files whose variable is `$_`.
 */
function withListingLoopWritten(line: string): string {
  const block = FOREACH_OBJECT.exec(line);
  const files = block === null ? undefined : listedFiles(line.slice(0, block.index));
  return block === null || files === undefined ? line : `for _ in ${files}; do {${line.slice(block.index + block[0].length)}`;
}

/** A PowerShell string's text without its quotes. */
function unquoted(word: string): string {
  return word.replace(/^(["'])(.*)\1$/, '$2');
}

/**
 * The files a listing names, as one glob (`Get-ChildItem ./sql/*.sql`, `gci sql -Filter *.sql`, `-Path sql -Include
 * *.sql -Recurse`): its path, with its filter after a `/` where it has one. Undefined for what is no listing of files.
 */
function listedFiles(list: string): string | undefined {
  const listing = LISTING.exec(list)?.[1];
  if (listing === undefined) return undefined;
  const words = listing.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  let path: string | undefined;
  let filter: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (/^-(?:Path|LiteralPath)$/i.test(word)) path = unquoted(words[++i] ?? '');
    else if (/^-(?:Filter|Include)$/i.test(word)) filter = unquoted(words[++i] ?? '');
    else if (word.startsWith('-')) continue;
    else path ??= unquoted(word);
  }
  if (path === undefined) return filter;
  return filter === undefined ? path : `${path.replace(/\/$/, '')}/${filter}`;
}
