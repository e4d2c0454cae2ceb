// A regression test may feed PostgreSQL a statement that must fail, to record the error: the test's expected
// output then holds the line `ERROR:  syntax error at or near "…"`. Such a statement is written to fail, so
// a syntax-error finding on it tells its author nothing; the parser's message is PostgreSQL's own, which is
// what makes the two comparable. A statement the expected output echoes (pg_regress runs psql with --echo-all) ran on
// the test's server, which answered it: echoedInOutputs says so, whatever the answer's words.
import { statSync } from 'node:fs';
import { boundedText } from './folderEntries';
import { leadingTrivia } from './sqlTrivia';

/** Expected outputs bigger than this are not read (a regression output is rarely over a few hundred KB). */
const MAX_OUTPUT_BYTES = 8 << 20;
/** Outputs read recently, by path, with their modification time; kept small (one suite at a time). */
const CACHE_SIZE = 32;
const cache = new Map<string, { mtimeMs: number; errors: ReadonlySet<string>; text: string }>();

/** `ERROR:  <message>` lines of psql output (also with a `psql:file:line:` prefix). */
const ERROR_LINE = /^(?:psql:[^\n]*?:\d+: )?ERROR:\s+([^\n]*)$/gm;
/**
 * The position psql appends to a message when it shows no `LINE n:` excerpt (terse verbosity, or an output written
 * without the query's text): `syntax error at or near "GROUP" at character 334`. The parser's message has none.
 */
const CHARACTER_POSITION = / at character \d+$/;

/** The error messages the given expected outputs record, or undefined when they record none. */
export function errorsRecordedIn(outputFiles: readonly string[]): ReadonlySet<string> | undefined {
  const all = new Set<string>();
  for (const path of outputFiles) for (const message of errorsOf(path)) all.add(message);
  return all.size > 0 ? all : undefined;
}

/**
 * The texts of the given expected outputs (line ends as `\n`), or undefined when none has any: what echoedInOutputs
 * looks a statement up in.
 */
export function recordedOutputs(outputFiles: readonly string[]): readonly string[] | undefined {
  const texts = outputFiles.map((path) => outputOf(path).text).filter((text) => text.length > 0);
  return texts.length > 0 ? texts : undefined;
}

/**
 * Whether a regression test's expected output echoes the statement (pg_regress runs psql with --echo-all, so the output
 * holds each statement as written, then the server's answer): the test ran it on its server and recorded that answer.
 * Either the server took it — a statement of another server's language (a sharding router's console: `CREATE
 * DISTRIBUTION ds1 …`), or a PostgreSQL newer than the bundled parser — or the test records how it fails: written to
 * fail, as with the recorded ERROR lines above. A syntax error on it tells the test's author nothing. The statement
 * must start a line of the output and match it whole (blanks and comments before it left out); a statement the output
 * does not hold, one a stale output misses, keeps its error.
 */
export function echoedInOutputs(statement: string, outputs: readonly string[]): boolean {
  const echo = statement.slice(leadingTrivia(statement)).trimEnd().replace(/\r\n/g, '\n');
  if (echo.length === 0) return false;
  return outputs.some((output) => startsLineIn(output, echo));
}

/**
 * Whether `statement` stands in `text` where a line starts, and ends there: at its `;`, a psql meta-command that sends it
 * (`\gset`), or the end of a line. A statement that only opens a longer one echoed there is not that one.
 */
function startsLineIn(text: string, statement: string): boolean {
  for (let at = text.indexOf(statement); at >= 0; at = text.indexOf(statement, at + 1)) {
    const after = text[at + statement.length];
    if ((at === 0 || text[at - 1] === '\n') && (after === undefined || STATEMENT_END.includes(after))) return true;
  }
  return false;
}

/** What may follow a statement echoed whole: its semicolon, a psql meta-command's backslash, the end of its line. */
const STATEMENT_END = ';\\\n';

function errorsOf(path: string): ReadonlySet<string> {
  return outputOf(path).errors;
}

/** An expected output's text and the error messages it records, read once per modification (none when unreadable). */
function outputOf(path: string): { errors: ReadonlySet<string>; text: string } {
  try {
    const { mtimeMs, size } = statSync(path);
    const cached = cache.get(path);
    if (cached && cached.mtimeMs === mtimeMs) return cached;
    const errors = new Set<string>();
    // boundedText reads a regular file only: an output named like one that is a named pipe is not waited on.
    const text = (size <= MAX_OUTPUT_BYTES ? boundedText(path, MAX_OUTPUT_BYTES) : undefined)?.replace(/\r\n/g, '\n') ?? '';
    for (const match of text.matchAll(ERROR_LINE)) errors.add(match[1].trimEnd().replace(CHARACTER_POSITION, ''));
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    const output = { mtimeMs, errors, text };
    cache.set(path, output);
    return output;
  } catch {
    return { errors: new Set(), text: '' };
  }
}
