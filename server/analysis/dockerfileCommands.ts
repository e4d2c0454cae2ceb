// The commands a Dockerfile's image starts with: each `CMD` and `ENTRYPOINT`, in exec form (`["sh", "-c", "…"]`,
// `["npm", "run", "start:prod"]`) or shell form (`CMD npx prisma migrate deploy && node server.js`, which Docker runs
// with `/bin/sh -c`), as the container commands of a compose file are read (containerCommands.ts): the shell text it
// runs, with the `ENV` lines of its build stage as its environment and the stage's last `WORKDIR` as the folder it
// runs in. `RUN` lines run at build time, where no database is reached, and are not read.
//
// Lines continued with a trailing `\` are one instruction; in the text handed back those backslashes are blanks, so a
// script continued over lines (`"rm -rf …; \` / `npm run start:prod"]`) reads as shell lines at the file's own offsets.
// A stage built on an earlier one (`FROM base AS production`) starts with that stage's environment.
import { type TextRange } from './blankedRanges';
import { type ContainerCommand, shellTextOf, unquoted } from './containerCommands';
import { lineStarts } from './shellAssignments';

/** A stage's state where an instruction stands: its name, its environment so far, its working directory. */
interface Stage {
  readonly name: string;
  readonly environment: Map<string, string[]>;
  workingDir: string | undefined;
}

/** One instruction: its keyword (upper case) and where its arguments stand in the text, continuation lines included. */
interface Instruction {
  readonly keyword: string;
  readonly from: number;
  readonly to: number;
}

/** A line's trailing `\` that continues the instruction on the next line. */
const CONTINUATION = /\\[ \t]*(?=\r?$)/;
const INSTRUCTION = /^[ \t]*([A-Za-z]+)(?=[ \t]|$)/;

/** The Dockerfile's text with its continuation backslashes blanked, and the commands its images start with. */
export function dockerfileCommands(text: string): { text: string; commands: ContainerCommand[] } {
  const joined = text.split('\n').map((line) => line.replace(CONTINUATION, (mark) => ' '.repeat(mark.length))).join('\n');
  const stages = new Map<string, Stage>();
  let stage: Stage = { name: '', environment: new Map(), workingDir: undefined };
  const commands: ContainerCommand[] = [];
  for (const { keyword, from, to } of instructions(text)) {
    const argument = joined.slice(from, to);
    if (keyword === 'FROM') {
      stage = stageFrom(argument, stages);
      if (stage.name !== '') stages.set(stage.name.toLowerCase(), stage);
    } else if (keyword === 'ENV') {
      for (const [name, value] of environmentOf(argument)) stage.environment.set(name, [value]);
    } else if (keyword === 'WORKDIR') stage.workingDir = unquoted(argument.trim());
    else if (keyword === 'CMD' || keyword === 'ENTRYPOINT') {
      commands.push({ name: stage.name, shellRanges: shellTextOf(joined, commandWords(joined, from, to)), environment: copied(stage.environment), workingDir: stage.workingDir });
    }
  }
  return { text: joined, commands };
}

/** The instructions of a Dockerfile, each over its continued lines; comment lines are none. */
function instructions(text: string): Instruction[] {
  const lines = text.split('\n');
  const starts = lineStarts(lines);
  const found: Instruction[] = [];
  for (let index = 0; index < lines.length; index++) {
    const keyword = INSTRUCTION.exec(lines[index]);
    let last = index;
    while (CONTINUATION.test(lines[last]) && last + 1 < lines.length) last++;
    if (keyword && !lines[index].trimStart().startsWith('#')) {
      found.push({ keyword: keyword[1].toUpperCase(), from: starts[index] + keyword[0].length, to: starts[last] + lines[last].length });
    }
    index = last;
  }
  return found;
}

/** A new stage (`FROM [--platform=…] image [AS name]`): built on an earlier stage, it starts with that stage's state. */
function stageFrom(argument: string, stages: ReadonlyMap<string, Stage>): Stage {
  const words = argument.trim().split(/\s+/).filter((word) => !word.startsWith('--'));
  const name = words.length >= 3 && words[1].toLowerCase() === 'as' ? words[2] : '';
  const base = stages.get((words[0] ?? '').toLowerCase());
  return { name, environment: copied(base?.environment ?? new Map()), workingDir: base?.workingDir };
}

/** The variables an `ENV` line sets: `NAME=value …` (values quoted or not), or the older `NAME value` form. */
function environmentOf(argument: string): [string, string][] {
  const text = argument.replace(/\s+/g, ' ').trim();
  const legacy = /^([A-Za-z_]\w*) ([^=]*)$/.exec(text);
  if (legacy) return [[legacy[1], unquoted(legacy[2].trim())]];
  const pairs: [string, string][] = [];
  // Pair after pair from the start (anchored: each piece is tried at one place only).
  for (let rest = text; rest !== '';) {
    const pair = /^([A-Za-z_]\w*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*) ?/.exec(rest);
    if (!pair) break;
    pairs.push([pair[1], unquoted(pair[2])]);
    rest = rest.slice(pair[0].length);
  }
  return pairs;
}

/**
 * The words of a `CMD`/`ENTRYPOINT` whose arguments stand at `[from, to)`: the strings of its exec form (a JSON list),
 * else its whole shell form as one string.
 */
function commandWords(text: string, from: number, to: number): TextRange[] {
  const argument = text.slice(from, to);
  const open = argument.search(/\S/);
  if (open < 0) return [];
  if (argument[open] !== '[') return [[from + open, from + argument.trimEnd().length]];
  return [...argument.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((word) => [from + word.index + 1, from + word.index + 1 + word[1].length] as const);
}

function copied(environment: ReadonlyMap<string, string[]>): Map<string, string[]> {
  return new Map([...environment].map(([name, values]) => [name, [...values]]));
}
