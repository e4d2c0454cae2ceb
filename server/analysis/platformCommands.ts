// The commands a hosting platform runs from the project's own files, read as a container's commands are
// (containerCommands.ts, prismaMigrate.ts):
//   - a Procfile (Heroku, and the platforms that read the same file): each `<process type>: <command>` line, which the
//     platform runs with a shell in the app's root, the Procfile's folder — the `release:` process before each deploy,
//     `web:`, `worker:` and the other process types as the app's start commands, as a Dockerfile's `CMD` is;
//   - a Fly.io config (`fly.toml`, `fly.<name>.toml`): `[deploy]`'s `release_command`, which Fly runs in a temporary
//     machine of the new image before each deploy, and each process group's command in `[processes]` (the image's
//     start command for that group), with the `[env]` table as their environment; the image's working directory is not
//     written there, so the Prisma set-up is found as for a Dockerfile's `CMD` without a `WORKDIR`.
// The platform's own variables (Heroku config vars, Fly secrets, `DATABASE_URL` among them) are not in these files: not
// known, so not a URL of this machine.
//
// A line reader, not a TOML parser: a table header (`[deploy]`) opens the table its keys belong to; a key whose value is
// a one-line string (`"…"` or `'…'`) or a list of such strings on one line is read; multi-line strings, dotted keys and
// inline tables are not.
import { basename, dirname, resolve } from 'node:path';
import { type ContainerCommand, shellTextOf } from './containerCommands';
import { lineStarts } from './shellAssignments';
import { type TextRange } from './blankedRanges';

/** A Procfile by name: `Procfile`, or a variant a deploy copies into place (`Procfile.web`); not a page or a program so named. */
const PROCFILE_NAME = /^Procfile(?:\.[A-Za-z][\w-]*)?$/;
const NOT_PROCFILE = /\.(?:md|txt|js|cjs|mjs|ts|py|rb|json|ya?ml|toml)$/i;
/** A Fly.io app config by name: `fly.toml`, or one `fly deploy -c` names (`fly.production.toml`, `fly.worker.toml`). */
const FLY_CONFIG_NAME = /^fly(?:\.[\w-]+)?\.toml$/i;

/** Whether a file is a Procfile by its name. */
export function isProcfile(path: string): boolean {
  const name = basename(path);
  return PROCFILE_NAME.test(name) && !NOT_PROCFILE.test(name);
}

/** Whether a file is a Fly.io app config by its name. */
export function isFlyConfig(path: string): boolean {
  return FLY_CONFIG_NAME.test(basename(path));
}

/** A Procfile's process line: its type and where its command starts. */
const PROCESS_LINE = /^([A-Za-z0-9_-]+)[ \t]*:[ \t]*/;

/** The commands of a Procfile's process lines, each named by its process type and run in the Procfile's folder. */
export function procfileCommands(text: string, fileName: string): ContainerCommand[] {
  const lines = text.split('\n');
  const starts = lineStarts(lines);
  const runFolder = dirname(resolve(fileName));
  const commands: ContainerCommand[] = [];
  lines.forEach((line, index) => {
    const process = PROCESS_LINE.exec(line);
    const command = line.slice(process?.[0].length ?? 0).trimEnd();
    if (!process || command === '') return;
    const from = starts[index] + process[0].length;
    commands.push({ name: process[1], shellRanges: shellTextOf(text, [[from, from + command.length]]), environment: new Map(), workingDir: undefined, runFolder });
  });
  return commands;
}

/** A TOML table header (`[deploy]`; `[[services]]`, an array of tables), its name. */
const TABLE_HEADER = /^[ \t]*\[(\[?)[ \t]*([\w.-]+)[ \t]*\]\]?[ \t]*(?:#.*)?$/;
/** A key set to a one-line string or a list of them: the key, and where its value starts. */
const KEY_VALUE = /^[ \t]*["']?([\w-]+)["']?[ \t]*=[ \t]*/;
const STRING = /"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'/g;

/**
 * The commands of a Fly.io config: `[deploy]`'s `release_command` (named `release`) and each `[processes]` group's
 * command (named for the group), with the `[env]` table's variables as their environment.
 */
export function flyConfigCommands(text: string): ContainerCommand[] {
  const lines = text.split('\n');
  const starts = lineStarts(lines);
  const environment = new Map<string, string[]>();
  const found: { name: string; words: TextRange[] }[] = [];
  let table = '';
  lines.forEach((line, index) => {
    const header = TABLE_HEADER.exec(line);
    if (header) {
      table = header[1] === '[' ? `[${header[2]}]` : header[2];
      return;
    }
    const pair = KEY_VALUE.exec(line);
    if (!pair) return;
    const at = starts[index] + pair[0].length;
    const words = stringsOf(line.slice(pair[0].length), at);
    if (words.length === 0) return;
    if (table === 'env') environment.set(pair[1], [text.slice(words[0][0], words[0][1])]);
    else if ((table === 'deploy' && pair[1] === 'release_command') || table === 'processes') found.push({ name: table === 'deploy' ? 'release' : pair[1], words });
  });
  return found.map(({ name, words }) => ({ name, shellRanges: shellTextOf(text, words), environment, workingDir: undefined }));
}

/**
 * The strings of a value starting at offset `at`: a one-line string, or the strings of a list on one line (an argument
 * list, `["npx", "prisma", "migrate", "deploy"]`, read as one command by shellTextOf); none for other values.
 */
function stringsOf(value: string, at: number): TextRange[] {
  const first = value.trimStart()[0];
  if (first !== '"' && first !== "'" && first !== '[') return [];
  if (value.trimStart().startsWith('"""') || value.trimStart().startsWith("'''")) return [];
  const strings = [...value.matchAll(STRING)].map((match): TextRange => [at + match.index + 1, at + match.index + match[0].length - 1]);
  return first === '[' ? strings : strings.slice(0, 1);
}
