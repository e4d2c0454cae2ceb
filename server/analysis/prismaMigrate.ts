// Prisma Migrate's session advisory lock, taken by its CLI where the project runs it: `prisma migrate deploy` on a line
// of a shell script (a build or entrypoint script, `kubectl exec … -- npx prisma migrate deploy`, the CLI's entry file
// `node node_modules/prisma/build/index.js migrate deploy`), a shell line that runs a package.json script holding it
// (`yarn workspace @app/db prisma:migrate:prod`: reported at that line, which decides when and where it runs; the
// package.json entry is a definition, lab56d 4), or a package script that one runs in turn (`"start:docker": "npm run
// setup && npm run start"`, a few scripts deep), or in the command a program hands node's child_process
// (`execSync("npx prisma migrate deploy")`, libraryLocks.ts). The CLI sends
// `SELECT pg_advisory_lock(72707369)` before it applies the migrations and `pg_advisory_unlock` as a later statement
// of its own, on the datasource's URL: behind a transaction pooler the lock stays on whichever server connection ran it
// (the unlock may reach another), and the next deploy waits on it. Labelled at the command (docs/corpus.md, lab54b 2:
// the session-27 library-lock ruling for a lock a library takes, applied to its CLI).
//
// Only where the project's Prisma set-up shows the URL the CLI migrates with, and that URL is not kept for direct
// sessions (directUrls.ts's names, ruling 8):
//   - the schema's `datasource` block (a `schema.prisma` beside or in a `prisma/` folder of the script's folder, or of
//     the package folder a package script runs in, or a folder above it, up to the repository's root, or the one
//     `--schema` or the config's `schema` names): its
//     provider is PostgreSQL's, and it has no `directUrl` (which Migrate uses instead of `url`, the way Prisma documents
//     for poolers); its `url = env("NAME")` names no direct URL, nor one with a pooled sibling in the project's env
//     example (`DATABASE_URL` beside `DATABASE_URL_POOLED`);
//   - a Prisma config's `datasource.url` (`prisma.config.ts`, or `.config/prisma.ts` where the CLI also looks; Prisma
//     6.6 on; 7 reads only this one): every environment name its value
//     may take (`DIRECT_URL || DATABASE_URL` ends in a pooled one) is judged the same way.
// `prisma migrate reset --force` applies the migrations under the same lock after dropping the schema: read as deploy
// is (a forced reset in a deployment's set-up script). `prisma migrate dev`, and reset without `--force` (it stops to
// ask), are development commands on a developer's database: not read. Nor is a run
// in test code (TEST_PATH) or a script whose path names development or testing (`dev-local.sh`, `run-docker-tests.sh`,
// `prepare-integration-db.sh`, `db-reset.sh`, `scripts/e2e/`: a developer's or a suite's database), nor one whose command line sets the URL to a test or direct one (`DATABASE_URL="$TEST_DATABASE_URL"`),
// nor one in a script that sets the datasource's variable only to URLs of this machine (a local development script's
// `export DATABASE_URL=postgresql://app@localhost:5433/app`).
import { dirname, join, resolve } from 'node:path';
import { boundedText, folderEntries, isFile } from './folderEntries';
import { ROOT_LEVELS, foldersUpToRoot, pathInProject } from './projectPaths';
import { packageScripts, workspacePackage } from './packageManifests';
import { hasPooledSibling, namesDirectUrl, nameWords } from './urlNames';
import { isWrittenLocalUrl, reachesOnlyThisMachine } from './connectionHosts';
import { lineStarts, maskedQuotesKeepingWord, shellAssignments, withCommentsBlanked, withEchoesBlanked, withoutQuotes } from './shellAssignments';
import { TEST_PATH } from './testPath';
import { blankedRanges, type TextRange } from './blankedRanges';
import { type ContainerCommand, containerCommands, onlyPrismaSetupFolder, workingFolder } from './containerCommands';
import { dockerfileCommands } from './dockerfileCommands';
import { RUN_ENVIRONMENT_NAME } from './runEnvironment';
import { isDockerfile } from './dockerInit';
import { flyConfigCommands, isFlyConfig, isProcfile, procfileCommands } from './platformCommands';

/**
 * Prisma's CLI applying the migrations: `prisma migrate deploy` (`npx prisma@5 …`, `./node_modules/.bin/prisma …`), or
 * the CLI's entry file run by node (`node node_modules/prisma/build/index.js migrate deploy`, where an image has no
 * `.bin` on its PATH); or `prisma migrate reset --force` (`-f`), which drops the schema and then applies every
 * migration the way deploy does, under the same lock (Prisma's MigrateReset runs reset, then applyMigrations). Without
 * `--force` reset asks for confirmation, refuses where no one can answer, and takes no lock: not matched.
 */
export const PRISMA_MIGRATE_DEPLOY = /(?<![\w@.$-])prisma(?:@[\w.^~-]+|\/build\/index\.js)?[ \t]+migrate[ \t]+(?:deploy(?![\w-])|reset(?=(?:[ \t]+[^\s;&|)`]+)*?[ \t]+(?:--force|-f)(?![\w-])))/;
const EVERY_MIGRATE_DEPLOY = new RegExp(PRISMA_MIGRATE_DEPLOY.source, 'g');
/** The same command as an argument list's words (`spawn('npx', ['prisma', 'migrate', 'deploy'])`). */
const MIGRATE_DEPLOY_WORDS = /["'`]prisma["'`]\s*,\s*["'`]migrate["'`]\s*,\s*["'`](?:deploy|reset)["'`]/;

/** Whether a program's text may start `prisma migrate deploy`: the command written out, or as an argument list's words. */
export function mayRunMigrateDeploy(text: string): boolean {
  // Both patterns hold the word as written: a text without it (most files the gate turns away) is told in one search.
  return text.includes('prisma') && (PRISMA_MIGRATE_DEPLOY.test(text) || MIGRATE_DEPLOY_WORDS.test(text));
}
/** The module key of the CLI's lock among the libraries' (libraryLocks.ts, embedded.ts's messages). */
export const PRISMA_MIGRATE = 'prisma migrate';
export const PRISMA_MIGRATE_MESSAGE = "prisma migrate deploy takes a session advisory lock (pg_advisory_lock) before it applies the migrations and unlocks it in a later statement, on the datasource's URL: behind a transaction pooler the lock stays on a server connection other clients share (the unlock may reach another one), and the next deploy waits on it. Give the datasource a directUrl (Prisma 7: a direct URL in prisma.config's datasource) for Migrate to use.";

/** How many folders up from the script a Prisma schema or config is looked for. */
const SETUP_LEVELS = 6;
const MAX_FILE_BYTES = 256 * 1024;
const CONFIG_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
/** Where Prisma's CLI looks for its config in the folder it runs in: `prisma.config.ts`, then `.config/prisma.ts` (each extension). */
const CONFIG_PATHS = [...CONFIG_EXTENSIONS.map((extension) => `prisma.config${extension}`), ...CONFIG_EXTENSIONS.map((extension) => join('.config', `prisma${extension}`))];
/** The files a project documents its environment in, read for a pooled sibling of the URL's name. */
const ENV_EXAMPLES = ['.env.example', '.env.sample', '.env.template', '.env.local.example', '.env.production.example'];
const DATASOURCE_BLOCK = /^[ \t]*datasource[ \t]+\w+[ \t]*\{([^}]*)\}/gm;
const POSTGRES_PROVIDER = /^[ \t]*provider[ \t]*=[ \t]*"(?:postgresql|postgres)"/m;
const DIRECT_URL_FIELD = /^[ \t]*directUrl[ \t]*=/m;
const URL_FIELD = /^[ \t]*url[ \t]*=[ \t]*(\S[^\n]*)$/m;
/** An environment name read in a schema or a config: `env("NAME")`, `process.env.NAME`, `process.env["NAME"]`. */
const ENV_NAME = /\benv\s*(?:<[^>]*>)?\(\s*["'](\w+)["']|process\.env(?:\.(\w+)|\[\s*["'](\w+)["']\s*\])/g;
/** The command's own assignments before it (`DATABASE_URL="$TEST_DATABASE_URL" npx prisma …`). */
const ASSIGNMENT = /(?:^|\s)([A-Za-z_]\w*)=(\S*)/g;
const SCHEMA_OPTION = /--schema(?:=|[ \t]+)(["']?)([^\s"']+)\1/;

/**
 * Each `prisma migrate deploy` a shell script runs whose lock may be taken through a pooler: the command's range.
 * Not what it prints (echo), comments, nor quoted text (a log line's `"run prisma migrate deploy"`).
 */
export function shellMigrateDeploys(text: string, fileName: string | undefined): TextRange[] {
  if (!fileName || TEST_PATH.test(fileName)) return [];
  return commandLineMigrateDeploys(text, fileName, { assigned: (name) => shellAssignments(text, name), runFolder: dirname(resolve(fileName)) });
}

/** What a run of shell text is judged with: the values its variables take, and the folder it runs in. */
interface RunContext {
  readonly assigned: (name: string) => string[];
  readonly runFolder: string;
}

/** Each `prisma migrate deploy` (written out, or in a package script a line runs) of shell text that may take its lock through a pooler. */
function commandLineMigrateDeploys(text: string, fileName: string, context: RunContext): TextRange[] {
  // A package script's name need not say migrate: any run of one is read (packageScriptRuns).
  if (!PRISMA_MIGRATE_DEPLOY.test(text) && !PACKAGE_MANAGER_WORD.test(text)) return [];
  const lines = withEchoesBlanked(withCommentsBlanked(text)).split('\n');
  const starts = lineStarts(lines);
  const found: TextRange[] = [];
  lines.forEach((line, index) => {
    const masked = maskedQuotesKeepingWord(line);
    for (const match of masked.matchAll(EVERY_MIGRATE_DEPLOY)) {
      const command = line.slice(commandStart(masked, match.index), commandEnd(masked, match.index));
      if (migrateDeployLocksPooled(fileName, command, context.assigned, context.runFolder)) found.push([starts[index] + match.index, starts[index] + match.index + match[0].length]);
    }
    for (const run of packageScriptRuns(line, masked)) {
      if (packageScriptLocksPooled(fileName, run, context)) found.push([starts[index] + run.start, starts[index] + run.end]);
    }
  });
  return found;
}

/**
 * Each `prisma migrate deploy` a container of a compose file or Kubernetes YAML runs (containerCommands.ts), or a
 * Dockerfile's image starts with (`CMD`, `ENTRYPOINT`: dockerfileCommands.ts, its stage's name and `ENV` lines as a
 * service's name and environment), or a hosting platform runs (a Procfile's process lines, run in its own folder; a
 * Fly.io config's `release_command` and `[processes]`, with its `[env]`: platformCommands.ts), that may
 * take its lock through a pooler, judged as a shell line is: the container's environment gives its variables their
 * values (a URL of this machine, or one named direct or for tests, is not pooled), its working directory the folder it
 * runs in (else the repository's only Prisma set-up, else the file's folder). Not a service or container named for
 * development or testing (`migrate-test`), nor one whose environment says it runs as such (`NODE_ENV: development`: a
 * developer's compose set-up), nor a file so named (`docker-compose.dev.yml`).
 */
export function containerMigrateDeploys(text: string, fileName: string | undefined): TextRange[] {
  if (!fileName || TEST_PATH.test(fileName) || (!PRISMA_MIGRATE_DEPLOY.test(text) && !MIGRATE_DEPLOY_WORDS.test(text) && !PACKAGE_MANAGER_WORD.test(text))) return [];
  const read = isDockerfile(fileName) ? dockerfileCommands(text) : { text, commands: commandsOfFile(text, fileName) };
  return containerRunsMigrateDeploys(read.text, fileName, read.commands);
}

/** The commands a compose file, Kubernetes YAML, a Procfile or a Fly.io config starts (containerCommands.ts, platformCommands.ts). */
function commandsOfFile(text: string, fileName: string): ContainerCommand[] {
  if (isProcfile(fileName)) return procfileCommands(text, fileName);
  if (isFlyConfig(fileName)) return flyConfigCommands(text);
  return containerCommands(text, fileName);
}

/** Each run of `prisma migrate deploy` in the containers' commands (their shell text in `text`) that may take its lock through a pooler. */
function containerRunsMigrateDeploys(text: string, fileName: string, commands: readonly ContainerCommand[]): TextRange[] {
  return commands.flatMap((container) => {
    if (container.shellRanges.length === 0 || namedForDevelopmentWords(container.name) || runsForDevelopment(container.environment)) return [];
    const environment = [...container.environment].flatMap(([name, values]) => values.map((value) => `${name}=${value.replace(/\s+/g, '')}`)).join(' ');
    if (setsTestOrDirectUrl(environment)) return [];
    const view = blankedRanges(text, outside(container.shellRanges, text.length));
    const assigned = (name: string): string[] => [...(container.environment.get(name) ?? []), ...shellAssignments(view, name)];
    const working = container.workingDir === undefined ? undefined : workingFolder(fileName, container.workingDir);
    const runFolder = container.runFolder ?? working ?? onlyPrismaSetupFolder(fileName) ?? dirname(resolve(fileName));
    return commandLineMigrateDeploys(view, fileName, { assigned, runFolder });
  });
}

/** Whether a container's environment says it runs for development or testing (`NODE_ENV: development`, `APP_ENV=test`). */
function runsForDevelopment(environment: ReadonlyMap<string, readonly string[]>): boolean {
  return [...environment].some(([name, values]) => RUN_ENVIRONMENT_NAME.test(name) && values.some(namedForDevelopmentWords));
}

/** The parts of a text of `length` characters that no range covers. */
function outside(ranges: readonly TextRange[], length: number): TextRange[] {
  const gaps: TextRange[] = [];
  let done = 0;
  for (const [from, to] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (from > done) gaps.push([done, from]);
    done = Math.max(done, to);
  }
  if (done < length) gaps.push([done, length]);
  return gaps;
}

/** A package manager's run of a package.json script on a shell line: the script's name, the workspace package named, where it stands. */
export interface PackageScriptRun {
  script: string;
  /** The package named with `yarn workspace <name>`, `npm -w <name>`, `pnpm --filter <name>`; else the nearest package defining the script. */
  workspace: string | undefined;
  /** The simple command on the line (its assignments before the package manager). */
  command: string;
  start: number;
  end: number;
}

const PACKAGE_MANAGER_WORD = /\b(?:npm|pnpm|yarn|bun)\b/;
/** A package manager as a command's first word: `yarn …`, `npm run …`, `pnpm --filter … run …`, `bun run …`. */
const PACKAGE_MANAGER = /(?<![\w./$-])(?:npm|pnpm|yarn|bun)(?=[ \t])/g;
/** Words that may stand before the package manager in its simple command: its assignments, a condition's keyword, and commands that run the rest. */
export const COMMAND_PREFIX = /^(?:[A-Za-z_]\w*=\S*|if|while|until|!|exec|time|nice|nohup|env|command)$/;
/** Options that name the workspace package the script is run in. */
const WORKSPACE_OPTIONS: ReadonlySet<string> = new Set(['-w', '--workspace', '--filter', '-F']);
/** Options that name another folder to run in (`npm --prefix api run …`, `yarn --cwd api …`): not followed. */
const FOLDER_OPTIONS: ReadonlySet<string> = new Set(['--prefix', '--dir', '-C', '--cwd']);

/** The package-script runs of a shell line (`masked`: the line with its quoted text masked). */
export function packageScriptRuns(line: string, masked: string): PackageScriptRun[] {
  if (!PACKAGE_MANAGER_WORD.test(masked)) return [];
  const runs: PackageScriptRun[] = [];
  for (const match of masked.matchAll(PACKAGE_MANAGER)) {
    const from = commandStart(masked, match.index);
    const to = commandEnd(masked, match.index);
    if (!masked.slice(from, match.index).trim().split(/\s+/).every((word) => word === '' || COMMAND_PREFIX.test(word))) continue;
    const words = [...masked.slice(match.index, to).matchAll(/\S+/g)].map((word) => ({ text: withoutQuotes(line.slice(match.index + word.index, match.index + word.index + word[0].length)), end: match.index + word.index + word[0].length }));
    const run = scriptOfRun(words);
    if (run) runs.push({ ...run, command: line.slice(from, to), start: match.index });
  }
  return runs;
}

/** The script a package manager's words run (`words[0]` the manager), and the end of the script's name; undefined for its other commands. */
function scriptOfRun(words: readonly { text: string; end: number }[]): { script: string; workspace: string | undefined; end: number } | undefined {
  let workspace: string | undefined;
  const positional: { text: string; end: number }[] = [];
  for (let i = 1; i < words.length && words[i].text !== '--'; i++) {
    const [option, inline] = words[i].text.split(/=(.*)/s);
    if (!option.startsWith('-')) positional.push(words[i]);
    else if (FOLDER_OPTIONS.has(option)) return undefined;
    else if (WORKSPACE_OPTIONS.has(option)) workspace = inline ?? words[++i]?.text;
  }
  const manager = words[0].text;
  const [first, second, third, fourth] = positional;
  if (manager === 'yarn' && first?.text === 'workspace' && second && third) return named(third.text === 'run' ? fourth : third, second.text);
  if (first?.text === 'run' || (manager === 'npm' && first?.text === 'run-script')) return named(second, workspace);
  if (manager === 'npm') return first?.text === 'start' ? named(first, workspace) : undefined;
  return named(first, workspace);
}

function named(word: { text: string; end: number } | undefined, workspace: string | undefined): { script: string; workspace: string | undefined; end: number } | undefined {
  return word && /^[\w:.@/-]+$/.test(word.text) ? { script: word.text, workspace, end: word.end } : undefined;
}

/** How many package scripts deep a chain of runs is followed (`docker-start` → `setup` → `prisma migrate deploy` is two). */
const SCRIPT_CHAIN_LEVELS = 4;

/**
 * Whether a package script a shell line runs is `prisma migrate deploy` (one of its commands) taking its lock through
 * a pooler: judged as the command written out would be, from the script's package folder (where the package manager
 * runs it), with the shell line's own assignments; not a script named for development or testing (`prisma:migrate:e2e`),
 * nor a run whose own assignments set a test or direct URL or say it runs for development or testing
 * (`NODE_ENV=test npm run …`). A package script the script runs in turn (`"docker-start": "npm run setup && npm run
 * start"`) is read the same way from that package's folder, each link judged as the first: up to SCRIPT_CHAIN_LEVELS
 * scripts deep, each script once. The package.json entries themselves are no finding: the line that runs the first is
 * (docs/rules/advisory-lock.md).
 */
function packageScriptLocksPooled(fileName: string, run: PackageScriptRun, { assigned, runFolder }: RunContext, level = 1, seen = new Set<string>()): boolean {
  if (setsTestOrDirectUrl(run.command) || setsDevelopmentRun(run.command) || namedForDevelopmentWords(run.script)) return false;
  const { folder, script } = scriptOfPackageRun(fileName, run, runFolder) ?? {};
  if (folder === undefined || script === undefined) return false;
  const key = `${folder}\0${run.script}`;
  if (seen.has(key)) return false;
  seen.add(key);
  const line = withEchoesBlanked(script);
  const masked = maskedQuotesKeepingWord(line);
  if ([...masked.matchAll(EVERY_MIGRATE_DEPLOY)].some((match) => migrateDeployLocksPooled(fileName, script.slice(commandStart(masked, match.index), commandEnd(masked, match.index)), assigned, folder))) return true;
  return level < SCRIPT_CHAIN_LEVELS && packageScriptRuns(line, masked).some((inner) => packageScriptLocksPooled(fileName, inner, { assigned, runFolder: folder }, level + 1, seen));
}

/**
 * The package folder a run of a package script runs in (the workspace package it names, else the nearest folder up from
 * `runFolder` — by default the file's own — whose package.json defines the script) and the command that script holds.
 */
export function scriptOfPackageRun(fileName: string, run: PackageScriptRun, runFolder = dirname(resolve(fileName))): { folder: string; script: string } | undefined {
  const folder = run.workspace !== undefined ? workspacePackage(fileName, run.workspace) : foldersUpToRoot(runFolder, ROOT_LEVELS).find((candidate) => packageScripts(candidate).has(run.script));
  const script = folder === undefined ? undefined : packageScripts(folder).get(run.script);
  return folder === undefined || script === undefined ? undefined : { folder, script };
}

/** Where the simple command holding `at` starts on its line: after the last separator before it. */
export function commandStart(line: string, at: number): number {
  const before = line.slice(0, at);
  const separators = [...before.matchAll(/[;&|(`]|\b(?:then|do|else)\b/g)];
  const last = separators[separators.length - 1];
  return last ? last.index + last[0].length : 0;
}

export function commandEnd(line: string, at: number): number {
  const end = line.slice(at).search(/[;&|)`]/);
  return end < 0 ? line.length : at + end;
}

/**
 * Whether `prisma migrate deploy`, run as `command` (its line: the assignments before it, its `--schema`) from a
 * file at `fileName` in `runFolder` (the file's folder, or the package folder a package script runs in), may take its
 * lock through a pooler: the project's Prisma set-up shows a PostgreSQL datasource whose migration URL is not a direct
 * one (see the file comment); false where it shows none or cannot be read.
 */
export function migrateDeployLocksPooled(fileName: string, command: string, assigned: (name: string) => string[] = () => [], runFolder = dirname(resolve(fileName))): boolean {
  if (TEST_PATH.test(fileName) || namedForDevelopment(fileName) || setsTestOrDirectUrl(command) || runsInDevelopmentContainer(command)) return false;
  const schemaOption = SCHEMA_OPTION.exec(command)?.[2];
  for (const folder of foldersUpToRoot(runFolder, SETUP_LEVELS)) {
    const verdict = setupVerdict(folder, schemaOption, assigned);
    if (verdict !== undefined) return verdict === 'pooled';
  }
  return false;
}

type Verdict = 'pooled' | 'direct' | 'other';

/** What the Prisma set-up of `folder` (a config, a schema) says of the migration URL; undefined where it has none. */
function setupVerdict(folder: string, schemaOption: string | undefined, assigned: (name: string) => string[]): Verdict | undefined {
  const configPath = CONFIG_PATHS.map((path) => join(folder, path)).find(isFile);
  const config = configPath ? boundedText(configPath, MAX_FILE_BYTES) : undefined;
  // The command's `--schema` is a path from the folder it runs in; a config's `schema`, from the config's own folder.
  const configSchemaPath = configPath && config ? configSchema(config) : undefined;
  const namedSchema = schemaOption !== undefined ? join(folder, schemaOption) : configSchemaPath !== undefined ? join(dirname(configPath!), configSchemaPath) : undefined;
  const schemaPaths = schemaFiles(folder, namedSchema);
  if (!config && schemaPaths.length === 0) return undefined;
  const envText = [config ?? '', ...envExamples(folder)].join('\n');
  const configUrl = config ? configDatasourceUrl(config) : undefined;
  const datasource = schemaPaths.map((path) => boundedText(path, MAX_FILE_BYTES) ?? '').flatMap((text) => [...text.matchAll(DATASOURCE_BLOCK)].map((block) => block[1]))[0];
  // A schema of another database (SQLite, MySQL) is none of this rule's; a config alone does not say the provider.
  if (datasource !== undefined && !POSTGRES_PROVIDER.test(datasource)) return 'other';
  if (configUrl !== undefined) return urlVerdict(configUrl, envText, assigned);
  if (datasource === undefined) return 'other';
  if (DIRECT_URL_FIELD.test(datasource)) return 'direct';
  const url = URL_FIELD.exec(datasource)?.[1];
  return url === undefined ? 'other' : urlVerdict(url, envText, assigned);
}

/** The schema files of a folder's Prisma set-up: the path named (a file, or a folder of `.prisma` files), else `schema.prisma` or `prisma/`'s. */
function schemaFiles(folder: string, named: string | undefined): string[] {
  if (named !== undefined) return prismaFilesAt(named);
  for (const place of [join(folder, 'schema.prisma'), join(folder, 'prisma')]) {
    const files = prismaFilesAt(place);
    if (files.length > 0) return files;
  }
  return [];
}

function prismaFilesAt(path: string): string[] {
  if (isFile(path)) return /\.prisma$/.test(path) ? [path] : [];
  return folderEntries(path).filter((entry) => entry.isFile() && entry.name.endsWith('.prisma')).map((entry) => join(path, entry.name)).sort();
}

/** A config's `schema:` path: a string, or a const the file makes of strings (`path.join("libs", "prisma")`). */
function configSchema(config: string): string | undefined {
  const value = /\bschema\s*:\s*(?:(["'])([^"'\n]+)\1|([A-Za-z_$][\w$]*))/.exec(config);
  if (!value) return undefined;
  if (value[2] !== undefined) return value[2];
  const made = new RegExp(String.raw`\bconst\s+${value[3]}\s*=\s*(?:(["'])([^"'\n]+)\1|(?:path\.)?(?:join|resolve)\(([^)]*)\))`).exec(config);
  if (!made) return undefined;
  if (made[2] !== undefined) return made[2];
  const parts = made[3].split(',').map((part) => /^\s*(["'])([^"'\n]*)\1\s*$/.exec(part)?.[2]);
  return parts.every((part): part is string => part !== undefined) ? join(...parts) : undefined;
}

/** The text of a config's `datasource: { url: … }` value (to the next property or the object's end), if it sets one. */
function configDatasourceUrl(config: string): string | undefined {
  const datasource = /\bdatasource\s*:\s*\{/.exec(config);
  if (!datasource) return undefined;
  const body = config.slice(datasource.index + datasource[0].length);
  const url = /(?:^|[\s,{])url\s*:/.exec(body);
  const closing = body.indexOf('}');
  if (!url || (closing >= 0 && url.index > closing)) return undefined;
  const rest = body.slice(url.index + url[0].length);
  const end = rest.search(/,\s*[A-Za-z_$][\w$]*\s*:|\}/);
  return end < 0 ? rest : rest.slice(0, end);
}

/**
 * A URL value's verdict: direct when every environment name it may take names a direct URL, has a pooled sibling in
 * the project's env text, or is set by the script only to URLs of this machine (`export DATABASE_URL=postgresql://…@localhost:5433/app`),
 * or when it is a literal URL of this machine; pooled otherwise.
 */
function urlVerdict(value: string, envText: string, assigned: (name: string) => string[]): Verdict {
  const names = [...value.matchAll(ENV_NAME)].map((match) => match[1] ?? match[2] ?? match[3]);
  if (names.length === 0) {
    const literal = /["']([^"']+)["']/.exec(value)?.[1];
    return literal !== undefined && reachesOnlyThisMachine(literal) ? 'direct' : 'pooled';
  }
  const setLocally = (name: string): boolean => {
    const values = assigned(name).map(withoutQuotes);
    return values.length > 0 && values.every(isWrittenLocalUrl);
  };
  return names.every((name) => namesDirectUrl(name) || hasPooledSibling(name, envText) || setLocally(name)) ? 'direct' : 'pooled';
}


/** The texts of a folder's env example files (ENV_EXAMPLES), where a project documents its variables' siblings. */
export function envExamples(folder: string): string[] {
  return ENV_EXAMPLES.map((name) => join(folder, name)).filter(isFile).map((path) => boundedText(path, MAX_FILE_BYTES) ?? '');
}

/** Words of a script's path that say it runs on a developer's or a test suite's database (`dev-local.sh`, `scripts/e2e/`, `db-reset.sh`). */
const DEVELOPMENT_WORDS: ReadonlySet<string> = new Set(['test', 'tests', 'e2e', 'integration', 'dev', 'development', 'local', 'reset']);

/** Whether a name (a script's, a service's, a folder's) names development or testing (DEVELOPMENT_WORDS). */
export function namedForDevelopmentWords(name: string): boolean {
  return nameWords(name).some((word) => DEVELOPMENT_WORDS.has(word));
}

/** Whether the file's path in its repository names development or testing, in a folder's name or its own. */
export function namedForDevelopment(fileName: string): boolean {
  return pathInProject(fileName).split('/').some(namedForDevelopmentWords);
}

/** A command run in a service of a compose file (`docker compose exec -T app …`, `docker-compose run --rm api …`). */
const COMPOSE_SERVICE_RUN = /\bdocker(?:-compose|[ \t]+compose)\b.*?[ \t](?:exec|run)[ \t]/;

/**
 * Whether the words before `prisma` name a development or test container or service (`docker exec shop-app-local npx
 * prisma …`), or run it in a compose service: that service's URL is the compose file's (often the file's own
 * PostgreSQL service), which is not read here, so it is not judged.
 */
function runsInDevelopmentContainer(command: string): boolean {
  const at = command.search(PRISMA_MIGRATE_DEPLOY);
  if (at <= 0) return false;
  const before = command.slice(0, at);
  return COMPOSE_SERVICE_RUN.test(before) || before.split(/\s+/).some(namedForDevelopmentWords);
}

/** Whether a command's own assignments say it runs for development or testing (`NODE_ENV=test npm run …`, `APP_ENV=development`). */
function setsDevelopmentRun(command: string): boolean {
  return [...command.matchAll(ASSIGNMENT)].some(([, name, value]) => RUN_ENVIRONMENT_NAME.test(name) && namedForDevelopmentWords(withoutQuotes(value)));
}

/** Whether the command sets a URL before it to a test database's or a direct one (`DATABASE_URL=$TEST_DATABASE_URL`). */
function setsTestOrDirectUrl(command: string): boolean {
  for (const [, , value] of command.matchAll(ASSIGNMENT)) {
    const names = [...value.matchAll(/\$\{?(\w+)/g)].map((match) => match[1]);
    if (names.some((name) => nameWords(name).includes('test') || namesDirectUrl(name))) return true;
    if (isWrittenLocalUrl(withoutQuotes(value))) return true;
  }
  return false;
}
