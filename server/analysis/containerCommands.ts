// The commands containers run, as the YAML files that start them write them: a compose service's `command:` and
// `entrypoint:`, a Kubernetes container's (or a Helm template's) `command:` and `args:`, each a string (`sh -c "…"`,
// a folded `>` block) or a list (`["sh", "-c", "…"]`, `- npx` lines). prismaMigrate.ts reads the shell text such a
// command runs as it reads a shell script's lines, with the container's environment (compose `environment:`, a
// Kubernetes `env:` list) as the values its variables take and its working directory (`working_dir:`, `workingDir:`)
// as the folder it runs in.
//
// A tolerant reader of those few keys by indentation, not a YAML parser: a Helm template is no YAML until Helm renders
// it (`replicas: {{ .Values.replicas }}`, `{{- if … }}` lines), and the project has no YAML parser among its
// dependencies. What it cannot read it does not report. A command whose words stand on several lines of a list
// (`- npx` / `- prisma` / …) is not joined, and a shell script the command runs by path is not followed.
import { basename, dirname, join, resolve } from 'node:path';
import { type TextRange } from './blankedRanges';
import { COMPOSE_FILE, composeServices } from './composeFiles';
import { folderEntries, isFile, walkFolders } from './folderEntries';
import { pathInProject, repositoryRoot } from './projectPaths';
import { CACHE_MS, TimedCache } from './timedCache';
import { lineStarts } from './shellAssignments';

/** Folders that hold Kubernetes manifests or Helm charts, by name. */
const KUBERNETES_FOLDER = /^(?:k8s|kubernetes|kube|helm|charts?|manifests|kustomize|openshift)$/i;

/**
 * Whether a file is a compose file (`docker-compose.yml`, `compose.prod.yaml`) or YAML kept for Kubernetes: in a folder
 * named for it (`k8s/`, `kubernetes/`, `helm/`, `chart/`), or a Helm chart's `templates/` (a `Chart.yaml` beside that
 * folder). Other YAML (CI workflows, lock files, data) is not read.
 */
export function isContainerYaml(path: string): boolean {
  const name = basename(path);
  if (!/\.ya?ml$/i.test(name)) return false;
  if (COMPOSE_FILE.test(name)) return true;
  const folders = pathInProject(path).split(/[\\/]/).slice(0, -1);
  if (folders.some((folder) => KUBERNETES_FOLDER.test(folder))) return true;
  return folders[folders.length - 1] === 'templates' && isFile(join(dirname(dirname(resolve(path))), 'Chart.yaml'));
}

/** One container's command as a YAML file starts it. */
export interface ContainerCommand {
  /** The service's or container's name (`migrate`, `db-migration`). */
  readonly name: string;
  /** Where in the file's text the shell text the container runs stands (a script, or a command's words on one line). */
  readonly shellRanges: readonly TextRange[];
  /** The variables its environment sets, each with the values written (quotes taken off). */
  readonly environment: ReadonlyMap<string, readonly string[]>;
  /** Its working directory as written (`/app/packages/database`), if set. */
  readonly workingDir: string | undefined;
  /** The repository's folder it runs in, where the file that starts it says so itself (a Procfile's own folder: platformCommands.ts). */
  readonly runFolder?: string;
}

/** A mapping's block in a file's lines: the lines `[from, to)` whose keys stand at column `keyColumn`. */
interface Block {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly keyColumn: number;
}

/** The keys of a container's command, environment and working directory, in a compose file and in Kubernetes YAML. */
const COMPOSE_KEYS = { command: ['entrypoint', 'command'], environment: 'environment', workingDir: 'working_dir' };
const KUBERNETES_KEYS = { command: ['command', 'args'], environment: 'env', workingDir: 'workingDir' };

/** The containers a compose file or Kubernetes YAML starts, with their commands' shell text; none when it starts none. */
export function containerCommands(text: string, fileName: string): ContainerCommand[] {
  const lines = text.split('\n');
  const starts = lineStarts(lines);
  const compose = isCompose(fileName);
  const keys = compose ? COMPOSE_KEYS : KUBERNETES_KEYS;
  return (compose ? composeBlocks(text, lines) : kubernetesBlocks(lines)).map((block) => {
    const words = keys.command.flatMap((key) => valueItems(lines, starts, block, key));
    const environmentValue = propertyLines(lines, block, keys.environment);
    const workingDir = valueItems(lines, starts, block, keys.workingDir)[0];
    return {
      name: block.name,
      shellRanges: shellTextOf(text, words),
      environment: environmentValue ? environmentOf(lines.slice(environmentValue.line, environmentValue.end), !compose) : new Map(),
      workingDir: workingDir && unquoted(text.slice(workingDir[0], workingDir[1])),
    };
  });
}

function isCompose(fileName: string): boolean {
  return COMPOSE_FILE.test(basename(fileName));
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** The services of a compose file (composeFiles.ts), each as the block of its properties. */
function composeBlocks(text: string, lines: readonly string[]): Block[] {
  return composeServices(text).map((service) => {
    const from = service.firstLine + 1;
    const body = service.lines.slice(1).find((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
    return { name: service.name, from, to: service.firstLine + service.lines.length, keyColumn: body === undefined ? -1 : indentOf(body) };
  }).filter((block) => block.keyColumn >= 0 && block.to <= lines.length);
}

/** The items of every `containers:`/`initContainers:` list of a Kubernetes file: `- name: …` and the keys under it. */
function kubernetesBlocks(lines: readonly string[]): Block[] {
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const list = /^(\s*)(?:initContainers|containers)\s*:\s*(?:#.*)?$/.exec(lines[index]);
    if (!list) continue;
    const listIndent = list[1].length;
    let item: { from: number; dash: number; keyColumn: number; name: string } | undefined;
    let next = index + 1;
    const close = (to: number): void => {
      if (item) blocks.push({ name: item.name, from: item.from, to, keyColumn: item.keyColumn });
    };
    for (; next < lines.length; next++) {
      const line = lines[next];
      if (line.trim() === '' || line.trimStart().startsWith('#') || line.trimStart().startsWith('{{')) continue;
      const indent = indentOf(line);
      const dash = /^(\s*)-(\s+)/.exec(line);
      if (indent < listIndent || (indent === listIndent && !dash)) break;
      if (dash && (item === undefined || dash[1].length <= item.dash)) {
        close(next);
        item = { from: next, dash: dash[1].length, keyColumn: dash[0].length, name: /name\s*:\s*["']?([\w.-]+)/.exec(line)?.[1] ?? '' };
      } else if (item && item.name === '') item.name = new RegExp(`^\\s{${item.keyColumn}}name\\s*:\\s*["']?([\\w.-]+)`).exec(line)?.[1] ?? '';
    }
    close(next);
    index = next - 1;
  }
  return blocks;
}

/** A property of a block: its key's line, where its value starts on that line, and the end of the lines below it that it spans. */
function propertyLines(lines: readonly string[], block: Block, key: string): { line: number; valueColumn: number; end: number } | undefined {
  for (let index = block.from; index < block.to; index++) {
    const line = lines[index];
    // The first key of a list item stands after its dash (`- name: x`, `- command: [...]`).
    const head = index === block.from ? line.slice(0, block.keyColumn).replace(/-/, ' ') + line.slice(block.keyColumn) : line;
    const match = new RegExp(`^\\s{${block.keyColumn}}${key}\\s*:`).exec(head);
    if (!match) continue;
    let end = index + 1;
    while (end < block.to && (lines[end].trim() === '' || indentOf(lines[end]) > block.keyColumn)) end++;
    return { line: index, valueColumn: match[0].length, end };
  }
  return undefined;
}

/**
 * The items of a property's value, each as its range in the text, quotes taken off: the one string of a scalar (plain,
 * quoted, or a `>`/`|` block over the lines below), or the items of a list (`[a, "b"]` over one line or several, or
 * `- a` lines), on the key's line or starting on the line below it.
 */
function valueItems(lines: readonly string[], starts: readonly number[], block: Block, key: string): TextRange[] {
  const property = propertyLines(lines, block, key);
  if (!property) return [];
  const { line, valueColumn, end } = property;
  const from = starts[line] + valueColumn;
  const to = end < lines.length ? starts[end] - 1 : starts[lines.length - 1] + lines[lines.length - 1].length;
  const value = lines.slice(line, end).join('\n').slice(valueColumn);
  const first = value.replace(/#[^\n]*/, (comment) => ' '.repeat(comment.length)).search(/\S/);
  if (first < 0) return [];
  const at = from + first;
  const opening = value.slice(first);
  if (/^[>|][+-]?\d*[ \t]*(?:#[^\n]*)?\n/.test(opening)) return [trimmed(value, from, at + opening.indexOf('\n') + 1, to)];
  if (opening.startsWith('[')) return flowItems(value, from, at + 1);
  if (/^-\s/.test(opening)) return blockListItems(lines, starts, line + 1, end);
  const scalar = scalarAt(value, from, at, to);
  return scalar ? [scalar] : [];
}

/** The range `[start, to)` of a value that starts at `from`, without the blanks around it. */
function trimmed(value: string, from: number, start: number, to: number): TextRange {
  const text = value.slice(start - from, to - from);
  const lead = text.length - text.trimStart().length;
  return [start + lead, start + text.trimEnd().length];
}

/** The items of `- item` lines under a key. */
function blockListItems(lines: readonly string[], starts: readonly number[], from: number, to: number): TextRange[] {
  const items: TextRange[] = [];
  for (let index = from; index < to; index++) {
    const dash = /^(\s*-\s+)\S/.exec(lines[index]);
    if (!dash) continue;
    const item = scalarAt(lines[index], starts[index], starts[index] + dash[1].length, starts[index] + lines[index].length);
    if (item) items.push(item);
  }
  return items;
}

/** The items of a flow list whose `[` ends before `start` (`value` starts at `from`): quoted or plain, up to its `]`. */
function flowItems(value: string, from: number, start: number): TextRange[] {
  const items: TextRange[] = [];
  let at = start - from;
  while (at < value.length) {
    const char = value[at];
    if (char === ']') break;
    if (/[\s,]/.test(char)) at++;
    else if (char === '#') at = value.indexOf('\n', at) < 0 ? value.length : value.indexOf('\n', at);
    else {
      const item = scalarAt(value, from, from + at, from + value.length, /[,\]]/);
      if (!item) break;
      items.push(item);
      at = item[1] - from + (char === '"' || char === "'" ? 1 : 0);
    }
  }
  return items;
}

/**
 * A scalar of `value` (which starts at `from`) that starts at `start`: a quoted one to its closing quote (over lines if
 * need be), or a plain one to `stop` (a flow list's `,` or `]`), a comment or `to`, trimmed.
 */
function scalarAt(value: string, from: number, start: number, to: number, stop?: RegExp): TextRange | undefined {
  const rest = value.slice(start - from, to - from);
  const quote = rest[0];
  if (quote === '"' || quote === "'") {
    // Escapes (`\"`, a single-quoted `''`) hide their quote.
    const inside = quote === '"' ? rest.slice(1).replace(/\\./g, '__') : rest.slice(1).replace(/''/g, '__');
    const closing = inside.indexOf(quote);
    return closing < 0 ? undefined : [start + 1, start + 1 + closing];
  }
  const endAt = rest.search(stop ? new RegExp(`${stop.source}|\\s#`) : /\s#/);
  const plain = (endAt < 0 ? rest : rest.slice(0, endAt)).trimEnd();
  return plain.length > 0 ? [start, start + plain.length] : undefined;
}

/** A shell run by name, with the option that makes it run the next word as a script (`sh -c`, `/bin/bash -ec`). */
const SHELL_WORD = /^(?:\S*\/)?(?:sh|bash|ash|dash|zsh)$/;
const SCRIPT_OPTION = /^-[abd-z]*c[a-z]*$/;
/** The same at a string's start, up to the script's opening quote: `sh -c "`, `/bin/sh -ec '`. */
const SHELL_PREFIX = /^(?:\S*\/)?(?:sh|bash|ash|dash|zsh)(?:\s+-[abd-z]+)*\s+-[abd-z]*c[a-z]*\s+(["'])/;

/**
 * The ranges of the shell text a command's words run: the script of `sh -c` (a list's word after `-c`, or the quoted
 * text after `sh -c` in a string); a string without a shell, read as a shell line; the words of a list on one line
 * read as a command there once their quotes and commas are blanks.
 */
export function shellTextOf(text: string, words: readonly TextRange[]): TextRange[] {
  const wordText = words.map(([from, to]) => text.slice(from, to));
  const shell = wordText.findIndex((word, index) => SHELL_WORD.test(word.trim()) && SCRIPT_OPTION.test(wordText[index + 1]?.trim() ?? ''));
  if (shell >= 0) return words[shell + 2] ? [words[shell + 2]] : [];
  return words.map((word) => scriptOfString(text, word));
}

/** The script of a string that runs `sh -c "…"`: the text between its quotes; otherwise the whole string. */
function scriptOfString(text: string, [from, to]: TextRange): TextRange {
  const value = text.slice(from, to);
  const prefix = SHELL_PREFIX.exec(value.trimStart());
  if (!prefix) return [from, to];
  const open = from + (value.length - value.trimStart().length) + prefix[0].length;
  const close = text.lastIndexOf(prefix[1], to - 1);
  return close >= open ? [open, close] : [open, to];
}

/**
 * The variables an environment sets: a compose map (`NAME: value`) or list (`- NAME=value`), or a Kubernetes list
 * (`- name: NAME` with `value: …` under it); a value from a secret, a config map or a file is not known and not listed.
 */
function environmentOf(lines: readonly string[], kubernetes: boolean): Map<string, string[]> {
  const environment = new Map<string, string[]>();
  const set = (name: string, value: string): void => {
    environment.set(name, [...(environment.get(name) ?? []), unquoted(value.replace(/\s#.*$/, '').trim())]);
  };
  let pending: string | undefined;
  for (const line of lines.slice(1)) {
    if (kubernetes) {
      const named = /^\s*-\s*name\s*:\s*["']?([A-Za-z_]\w*)["']?\s*$/.exec(line);
      const value = /^\s*value\s*:\s*(\S.*)$/.exec(line);
      if (named) pending = named[1];
      else if (value && pending !== undefined) set(pending, value[1]);
      continue;
    }
    const listed = /^\s*-\s*(["']?)([A-Za-z_]\w*)=(.*)$/.exec(line);
    const mapped = /^\s*["']?([A-Za-z_]\w*)["']?\s*:\s*(\S.*)$/.exec(line);
    // `- "NAME=value"`: the quote that opens the item closes it.
    if (listed) set(listed[2], listed[1] && listed[3].trimEnd().endsWith(listed[1]) ? listed[3].trimEnd().slice(0, -1) : listed[3]);
    else if (mapped) set(mapped[1], mapped[2]);
  }
  return environment;
}

export function unquoted(value: string): string {
  return value.replace(/^(["'])(.*)\1$/s, '$2');
}

/**
 * The folder of the repository a container's working directory (`/app/packages/database`) is: the longest end of its
 * path that is a folder of the repository holding `fileName` (`packages/database`); undefined when none is.
 */
export function workingFolder(fileName: string, workingDir: string): string | undefined {
  const root = repositoryRoot(dirname(resolve(fileName)));
  if (root === undefined) return undefined;
  const parts = workingDir.split('/').filter((part) => part !== '' && part !== '.');
  for (let skip = 0; skip < parts.length; skip++) {
    const folder = join(root, ...parts.slice(skip));
    if (folderEntries(folder).length > 0) return folder;
  }
  return undefined;
}

/** Bound on the folders a repository's walk for its Prisma set-ups lists. */
const MAX_SETUP_FOLDERS = 4_000;
const setupFoldersByRoot = new TimedCache<readonly string[] | undefined>(CACHE_MS, 64);

/**
 * The one folder of the repository holding `fileName` that holds a Prisma set-up (a `schema.prisma`, a `prisma/`
 * folder of `.prisma` files, a `prisma.config.*`): the set-up a container built from the repository migrates, when it
 * names no working directory. Undefined when there are several, none, or the walk was cut short.
 */
export function onlyPrismaSetupFolder(fileName: string): string | undefined {
  const root = repositoryRoot(dirname(resolve(fileName)));
  if (root === undefined) return undefined;
  const folders = setupFoldersByRoot.get(root, () => prismaSetupFolders(root));
  return folders?.length === 1 ? folders[0] : undefined;
}

function prismaSetupFolders(root: string): string[] | undefined {
  const found = new Set<string>();
  const end = walkFolders(root, MAX_SETUP_FOLDERS, (folder, entries) => {
    const holdsSetup = entries.some((entry) => entry.isFile() && (entry.name === 'schema.prisma' || /^prisma\.config\.[cm]?[jt]s$/.test(entry.name)));
    // A `prisma/` folder's schema is its parent's set-up (prismaMigrate.ts looks for `prisma/` in the folder it runs in).
    const prismaFolder = basename(folder) === 'prisma' && entries.some((entry) => entry.isFile() && entry.name.endsWith('.prisma'));
    if (prismaFolder) found.add(dirname(folder));
    else if (holdsSetup) found.add(folder);
  });
  return end === 'complete' ? [...found] : undefined;
}
