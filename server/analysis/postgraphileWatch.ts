// PostGraphile's CLI in watch mode: `postgraphile --watch` (or `-w`) does what the `watchPg` option does in code
// (libraryListens.ts): it checks a client out of its pool and keeps it with `LISTEN postgraphile_watch` for as long as
// the server runs. Behind a transaction pooler that LISTEN stays on a server connection other clients share, and schema
// changes are missed (docs/rules/listen.md). Reported where a shell script starts it: at the watch flag of the command
// (continued over `\` line ends: `npx postgraphile \ --watch \ …`), or at a shell line that runs a package.json script
// holding such a command (the entry is a definition; the line that runs it decides when and where, lab56d 4).
//
// The CLI connects with its `-c`/`--connection` URL, else the environment's DATABASE_URL. Not reported where that URL
// is one the project names direct (`--connection $DIRECT_DATABASE_URL`, urlNames.ts) or a test database's
// (`$TEST_DATABASE_URL`), nor in test code (TEST_PATH). A literal URL of this machine, exported by the script, keeps
// the finding: a start script is development code, which runs the LISTEN as the server does (ruling lab58a 2).
import { TEST_PATH } from './testPath';
import { lineStarts, maskedQuotesKeepingWord, withCommentsBlanked, withEchoesBlanked, withoutQuotes } from './shellAssignments';
import { COMMAND_PREFIX, commandEnd, commandStart, packageScriptRuns, scriptOfPackageRun } from './prismaMigrate';
import { namesDirectUrl, nameWords } from './urlNames';

export const POSTGRAPHILE_WATCH_MESSAGE = "PostGraphile's --watch keeps a client of its pool with LISTEN postgraphile_watch for as long as the server runs: behind a transaction pooler that LISTEN stays on a server connection other clients share, and schema changes are missed. Watch through a direct (session) connection (--connection with a direct URL), or drop --watch where the pool goes through the pooler.";

/** The CLI as a command word: `postgraphile`, `postgraphile@4`, `./node_modules/.bin/postgraphile`. */
const POSTGRAPHILE_COMMAND = /(?<=^|[\s;&|(])(?:[\w.\/-]*\/)?postgraphile(?:@[\w.^~-]+)?(?=[\s;&|)]|$)/g;
/** Words that may stand before it in its simple command besides COMMAND_PREFIX's: the launchers that run a package's binary. */
const LAUNCHER_WORDS: ReadonlySet<string> = new Set(['npx', 'bunx', 'pnpx', 'yarn', 'pnpm', 'npm', 'bun', 'exec', 'dlx', 'run', 'x', '-y', '--yes', '--']);
const WATCH_FLAGS: ReadonlySet<string> = new Set(['--watch', '-w']);
const CONNECTION_FLAGS: ReadonlySet<string> = new Set(['-c', '--connection']);
/** The environment variable the CLI connects with when no `--connection` is given. */
const DEFAULT_CONNECTION = '$DATABASE_URL';

/** Each place a shell script starts PostGraphile's CLI in watch mode on a URL a pooler may front (see the file comment). */
export function shellPostgraphileWatches(text: string, fileName: string | undefined): { start: number; end: number }[] {
  if (!fileName || TEST_PATH.test(fileName) || !text.includes('postgraphile') && !/\b(?:npm|pnpm|yarn|bun)\b/.test(text)) return [];
  // Continued lines are read as one (`\` and its line end become two blanks: offsets stay those of the text).
  const runnable = withEchoesBlanked(withCommentsBlanked(text)).replace(/\\\r?\n/g, (ending) => ' '.repeat(ending.length));
  const lines = runnable.split('\n');
  const starts = lineStarts(lines);
  const found: { start: number; end: number }[] = [];
  lines.forEach((line, index) => {
    const masked = maskedQuotesKeepingWord(line);
    for (const flag of pooledWatchFlags(line, masked)) found.push({ start: starts[index] + flag.start, end: starts[index] + flag.end });
    for (const run of packageScriptRuns(line, masked)) {
      const script = scriptOfPackageRun(fileName, run)?.script;
      if (script !== undefined && pooledWatchFlags(script, maskedQuotesKeepingWord(script)).length > 0) found.push({ start: starts[index] + run.start, end: starts[index] + run.end });
    }
  });
  return found;
}

/** The watch flags of the PostGraphile commands on one line (`masked`: its quoted text masked) that connect through a URL a pooler may front. */
function pooledWatchFlags(line: string, masked: string): { start: number; end: number }[] {
  if (!masked.includes('postgraphile')) return [];
  const flags: { start: number; end: number }[] = [];
  for (const match of masked.matchAll(POSTGRAPHILE_COMMAND)) {
    const before = masked.slice(commandStart(masked, match.index), match.index).trim().split(/\s+/);
    if (!before.every((word) => word === '' || COMMAND_PREFIX.test(word) || LAUNCHER_WORDS.has(word))) continue;
    const after = match.index + match[0].length;
    const words = [...masked.slice(after, commandEnd(masked, after)).matchAll(/\S+/g)].map((word) => ({ text: withoutQuotes(line.slice(after + word.index, after + word.index + word[0].length)), start: after + word.index }));
    const watch = words.find((word) => WATCH_FLAGS.has(word.text));
    if (watch && !connectsUnpooled(connectionOf(words.map((word) => word.text)))) flags.push({ start: watch.start, end: watch.start + watch.text.length });
  }
  return flags;
}

/** The connection the CLI's words give (`-c url`, `--connection url`, `--connection=url`), else its default. */
function connectionOf(words: readonly string[]): string {
  for (let i = 0; i < words.length; i++) {
    const [option, inline] = words[i].split(/=(.*)/s);
    if (CONNECTION_FLAGS.has(option)) return inline ?? words[i + 1] ?? DEFAULT_CONNECTION;
  }
  return DEFAULT_CONNECTION;
}

/** A connection that is an environment variable the project names direct, or a test database's. */
function connectsUnpooled(connection: string): boolean {
  const name = /^\$\{?([A-Za-z_]\w*)\}?$/.exec(connection)?.[1];
  return name !== undefined && (namesDirectUrl(name) || nameWords(name).includes('test'));
}
