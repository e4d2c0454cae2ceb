// A regression test may feed PostgreSQL a statement that must fail, to record the error: the test's expected
// output then holds the line `ERROR:  syntax error at or near "…"`. Such a statement is written to fail, so
// a syntax-error finding on it tells its author nothing; the parser's message is PostgreSQL's own, which is
// what makes the two comparable.
import { statSync } from 'node:fs';
import { boundedText } from './folderEntries';

/** Expected outputs bigger than this are not read (a regression output is rarely over a few hundred KB). */
const MAX_OUTPUT_BYTES = 8 << 20;
/** Outputs read recently, by path, with their modification time; kept small (one suite at a time). */
const CACHE_SIZE = 32;
const cache = new Map<string, { mtimeMs: number; errors: ReadonlySet<string> }>();

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

function errorsOf(path: string): ReadonlySet<string> {
  try {
    const { mtimeMs, size } = statSync(path);
    const cached = cache.get(path);
    if (cached && cached.mtimeMs === mtimeMs) return cached.errors;
    const errors = new Set<string>();
    // boundedText reads a regular file only: an output named like one that is a named pipe is not waited on.
    const text = size <= MAX_OUTPUT_BYTES ? boundedText(path, MAX_OUTPUT_BYTES) : undefined;
    for (const match of text?.matchAll(ERROR_LINE) ?? []) errors.add(match[1].trimEnd().replace(CHARACTER_POSITION, ''));
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(path, { mtimeMs, errors });
    return errors;
  } catch {
    return new Set();
  }
}
