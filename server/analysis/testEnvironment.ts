// The environment a repository's own files give its test suite: the values its CI workflows (GitHub Actions,
// GitLab CI, CircleCI, Bitbucket Pipelines, Travis CI), its env files kept for tests (`.env.test`, `.env.ci`, …) and its
// compose files named for tests (`docker-compose.test.yml`: the environment of their services that may run the tests) and
// the inline settings of its package.json test scripts (`"test:staging": "DATABASE_URL=… vitest"`) set for an environment
// variable. A test that reads `process.env.DATABASE_URL`, or makes a client with no host at all
// (libpq's `PGHOST`, else this machine), reaches whatever these say: a CI service container on `localhost`, a compose
// service running a PostgreSQL image. A GitHub step's `echo "NAME=value" >> "$GITHUB_ENV"` is one more value of the
// workflow's (githubEnvWrites). A file that names a pooler (a PgBouncer service in the workflow) makes unsure the
// variables it sets, not those other files set; in a GitHub workflow, those of the job naming it (jobsNamingPooler). The application's own deployment files
// (`docker-compose.yml`, `.env`, `.env.production`) do not make a variable the test database: their values may be
// production's. They are read for the opposite (applicationEnvironmentVariable): whether the repository points a variable
// at a pooler or at a remote host, which keeps the findings of a test's single connection on a variable the test
// environment does not set.
import { basename, dirname, join } from 'node:path';
import { CACHE_MS, TimedCache } from './timedCache';
import { boundedText, folderEntries } from './folderEntries';
import { foldersUpToRoot } from './projectPaths';
import { packageScripts } from './packageManifests';
import { LOOPBACK_HOST, reachesOnlyThisMachine } from './connectionHosts';
import { shellWordEnd, withoutQuotes } from './shellAssignments';
import { COMPOSE_FILE, POSTGRES_IMAGE, composeServices, mayRunTests } from './composeFiles';
import { type Endpoint, POOLER_PORTS, connectionParts, namesPooler, namesPoolerPort, possibleEndpoints } from './poolerEndpoints';

/** What the test environment says of a variable: every value it is given reaches this machine's (or a CI service's) PostgreSQL, one may not, or none is given. */
export type TestEnvironmentVerdict = 'local' | 'elsewhere' | 'unset';

/** How far up from a test file the repository's root is looked for; the walk stops at a folder holding `.git` or `.github`. */
const FOLDER_LEVELS = 8;
const MAX_FILE_BYTES = 256 * 1024;
const MAX_WORKFLOWS = 40;
/** Travis CI's configuration, whose env entries are lines of shell assignments (shellEntryAssignments). */
const TRAVIS_FILE = '.travis.yml';
/**
 * CI configurations at a repository's root (besides `.github/workflows/*.yml` and `.circleci/config.yml`). Travis CI's
 * `env:` lists (`- PGHOST=localhost DB=pg`, `- PGHOST: localhost`, under `global:` or a matrix) are read like the others.
 */
const CI_FILES = ['.gitlab-ci.yml', '.gitlab-ci.yaml', 'bitbucket-pipelines.yml', TRAVIS_FILE];
/** Env files a suite keeps for its test or CI runs (not `.env`, `.env.example`, `.env.production`: the application's). */
const TEST_ENV_FILE = /^\.env\.(?:test|tests|testing|ci|e2e|integration)(?:\.local)?$/i;
/** Compose files named for tests or CI (`docker-compose.test.yml`, `compose.ci.yaml`, `docker-compose-e2e.yml`). */
const TEST_COMPOSE_FILE = /^(?:docker-)?compose[\w.-]*[.-](?:test|tests|testing|ci|e2e|integration)(?:[.-][\w.-]*)?\.ya?ml$/i;
/** `NAME: value` (YAML maps), `- NAME=value` (compose lists), `NAME=value` / `export NAME=value` (env files). */
const ASSIGNMENT = /^\s*(?:-\s+)?(?:export\s+)?["']?([A-Z_][A-Z0-9_]*)["']?\s*[:=](.*)$/;
/** What comes before a Travis list entry's or `env:` value's text (`- DB=pg URL=…`, `env: DB=pg`, a job's `- env: DB=pg`). */
const TRAVIS_ENTRY_HEAD = /^[ \t]*(?:-[ \t]+)?(?:env[ \t]*:)?/;
/** One shell word that assigns: `NAME=value`. */
const SHELL_ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=([^]*)$/;
/** A YAML key that opens a block (`db-test:`), and an `image:` line under it. */
const BLOCK_KEY = /^(\s*)["']?([\w.-]+)["']?\s*:\s*(?:#.*)?$/;
const IMAGE = /^(\s*)image\s*:\s*["']?([^\s"'#]+)/;
/** A list item's first key and its value (`- image: cimg/postgres:14.2`, `- name: db`): the item's keys sit at the column after its dash. */
const LIST_ITEM_KEY = /^([ \t]*-[ \t]+)([\w-]+)[ \t]*:[ \t]*["']?([^\s"'#]*)/;
/** Another key of that item, at the same column (`name: db`), and its value. */
const ITEM_KEY = /^[ \t]*([\w-]+)[ \t]*:[ \t]*["']?([^\s"'#]*)/;

/** Per variable, whether every value the folder's test environment gives it reaches a local or CI-service PostgreSQL (and no file giving one names a pooler). */
type Environment = Map<string, boolean>;
const byFolder = new TimedCache<Environment>(CACHE_MS, 512);

/** What the test environment of the repository holding `fileName` sets `name` to (see TestEnvironmentVerdict). */
export function testEnvironmentVariable(fileName: string, name: string): TestEnvironmentVerdict {
  let given = false;
  for (const folder of repositoryFolders(fileName)) {
    const local = byFolder.get(folder, () => readEnvironment(folder)).get(name);
    if (local === false) return 'elsewhere';
    if (local) given = true;
  }
  return given ? 'local' : 'unset';
}

/**
 * The application's own env and compose files (`.env`, `.env.example`, `.env.development`, `.env.production`,
 * `docker-compose.yml`, …) beside a test file and up to the repository's root, read for what they set `name` to:
 * 'elsewhere' when a value reaches a pooler (its port, a pooler's name) or a remote host (a host name with a dot, an
 * address not of this machine: a managed database, production), else 'local' when a value is this machine or a service
 * of the same compose file running a PostgreSQL image, else 'unset' (none, or placeholders: `postgres://USER:PW@HOST/db`).
 * Commented lines (`# DATABASE_URL=…@pooled-host`) are not read.
 */
export function applicationEnvironmentVariable(fileName: string, name: string): TestEnvironmentVerdict {
  let local = false;
  for (const folder of repositoryFolders(fileName)) {
    const reach = byFolderApplication.get(folder, () => readApplicationEnvironment(folder)).get(name);
    if (reach === 'elsewhere') return 'elsewhere';
    if (reach === 'local') local = true;
  }
  return local ? 'local' : 'unset';
}
/**
 * Whether the repository's own files give `name` a value, whatever it reaches: the application's env and compose files
 * (applicationEnvironmentVariable) or the test environment (testEnvironmentVariable: CI workflows that run tests, test
 * env files). A placeholder counts: it says the variable is meant to be set.
 */
export function repositorySetsVariable(fileName: string, name: string): boolean {
  return repositoryFolders(fileName).some((folder) => byFolderApplication.get(folder, () => readApplicationEnvironment(folder)).has(name)
    || byFolder.get(folder, () => readEnvironment(folder)).has(name));
}

/** The env file a project keeps to document its variables with example values (`DATABASE_URL=postgres://…`). */
const EXAMPLE_ENV_FILE = '.env.example';
const examplesByFolder = new TimedCache<ReadonlyMap<string, readonly string[]>>(CACHE_MS, 512);

/**
 * The example values the folder's own `.env.example` gives each variable (its uncommented assignments, unquoted), read
 * as the other env files are. Empty when the folder has none.
 */
export function exampleEnvironmentValues(folder: string): ReadonlyMap<string, readonly string[]> {
  return examplesByFolder.get(folder, () => {
    const values = new Map<string, string[]>();
    const text = boundedText(join(folder, EXAMPLE_ENV_FILE), MAX_FILE_BYTES);
    for (const [name, value] of text === undefined ? [] : assignmentsOf(text.split(/\r?\n/))) values.set(name, [...(values.get(name) ?? []), value]);
    return values;
  });
}

/** Where a value of the application's files leads: a pooler or another machine, this machine or a compose service, or neither (a placeholder). */
type Reach = 'elsewhere' | 'local' | 'unknown';
const byFolderApplication = new TimedCache<Map<string, Reach>>(CACHE_MS, 512);
/** An application's env files (`.env`, `.env.example`, `.env.dev`, `app.env`) and compose files, whatever they are named for. */
export const APPLICATION_ENV_FILE = /^(?:\.env(?:\.[\w.-]+)?|[\w.-]+\.env|env\.(?:example|sample|template))$/i;

/** Per variable, where the values the application's files give it lead (a pooler or a remote host first). */
function readApplicationEnvironment(folder: string): Map<string, Reach> {
  const values = new Map<string, Reach>();
  for (const entry of folderEntries(folder)) {
    if (!APPLICATION_ENV_FILE.test(entry.name) && !COMPOSE_FILE.test(entry.name)) continue;
    const text = boundedText(join(folder, entry.name), MAX_FILE_BYTES);
    if (text === undefined) continue;
    const lines = text.split(/\r?\n/);
    const services = postgresServicesOf(lines);
    for (const [name, value] of assignmentsOf(lines)) {
      const before = values.get(name);
      if (before === 'elsewhere') continue;
      const reach: Reach = reachesElsewhere(name, value) ? 'elsewhere' : reachesTestDatabase(value, services) ? 'local' : 'unknown';
      values.set(name, before === 'local' ? before : reach);
    }
  }
  return values;
}

/**
 * A value that reaches a pooler (its port, a pooler's name) or a host of another machine (`db.example.supabase.co`,
 * `10.0.0.7`): any of the servers it names, since libpq may reach any of several (`localhost:5432,db.prod.net:5432`).
 */
function reachesElsewhere(name: string, value: string): boolean {
  if (/PORT$/.test(name)) return value.split(',').some((port) => POOLER_PORTS.has(port.trim()));
  if (namesPooler(value) || namesPoolerPort(value)) return true;
  return serversOf(name, value).some((server) => isAnotherMachine(server.host ?? ''));
}

/**
 * A host name of another machine: a name with a dot or an address, not this machine's (LOOPBACK_HOST) nor Docker's
 * name for it; a compose service (`db`) or a placeholder (`HOST`, `<host>`, `your_host`) is not one.
 */
function isAnotherMachine(host: string): boolean {
  return /^[\w-]+(?:\.[\w-]+)+$/.test(host) && !LOOPBACK_HOST.test(host) && !/^host\.docker\.internal$/i.test(host);
}

/**
 * The servers a value may reach, through the one reader of connection strings (connectionParts: every host of a URL or
 * of libpq's key/value form, each with its port, and a URL's `?host=`/`?port=`: possibleEndpoints), or a host
 * variable's bare host list (`PGHOST=db1,db2`); none for other text.
 */
function serversOf(name: string, value: string): readonly Endpoint[] {
  const parts = connectionParts(value);
  if (parts !== undefined) return possibleEndpoints(parts);
  return /HOST$/.test(name) && /^[\w.-]+(?:,[\w.-]+)*$/.test(value) ? value.split(',').map((host) => ({ host })) : [];
}

/**
 * The folder of `fileName` and those above it up to the repository's root (projectPaths.foldersUpToRoot, whose root a
 * one-shot lint keeps). Asked for every TS/JS file analysed (test code, dev code, setup files).
 */
export function repositoryFolders(fileName: string): readonly string[] {
  return foldersUpToRoot(join(fileName, '..'), FOLDER_LEVELS);
}

/**
 * The GitHub Actions workflows of a repository folder (`.github/workflows/*.yml|yaml`, any case), the first `max`
 * entries of the folder's listing at the most: the one lister for every reader of a repository's workflows.
 */
export function githubWorkflowFiles(folder: string, max = Infinity): string[] {
  const workflows = join(folder, '.github', 'workflows');
  return folderEntries(workflows).slice(0, max).filter((entry) => /\.ya?ml$/i.test(entry.name)).map((entry) => join(workflows, entry.name));
}

function readEnvironment(folder: string): Environment {
  const environment: Environment = new Map();
  const workflows = join(folder, '.github', 'workflows');
  const files = githubWorkflowFiles(folder, MAX_WORKFLOWS);
  for (const entry of folderEntries(folder)) {
    if (TEST_ENV_FILE.test(entry.name) || TEST_COMPOSE_FILE.test(entry.name) || CI_FILES.includes(entry.name)) files.push(join(folder, entry.name));
  }
  files.push(join(folder, '.circleci', 'config.yml'));
  const scripts = testScriptAssignments(folder);
  if (scripts !== '') readAssignments(scripts, environment, undefined, false);
  for (const file of files) {
    const text = boundedText(file, MAX_FILE_BYTES);
    if (text === undefined) continue;
    // A GitHub workflow that runs no test (a deploy, a cron job, a release) gives its env to the application's own
    // commands: its secrets are production's, not the suite's database. So does such a job of a workflow that also runs
    // tests (jobsRunningNoTests, in readAssignments).
    if (file.startsWith(workflows) && runsNoTests(text)) continue;
    const name = basename(file);
    readAssignments(text, environment, TEST_COMPOSE_FILE.test(name) ? dirname(file) : undefined, name === TRAVIS_FILE, file.startsWith(workflows));
  }
  return environment;
}

/** A command's words before its inline settings: `cross-env`, `env` (`cross-env NODE_ENV=test DATABASE_URL=… jest`). */
const SETTING_RUNNER = /^(?:npx\s+)?(?:cross-env(?:-shell)?|env)\s+/;
/** What separates the commands of a package.json script. */
const SCRIPT_COMMAND_SEPARATOR = /&&|\|\||[;|&]/;

/**
 * The inline settings of the package.json scripts in `folder` that run tests (a `test…` script, or one whose command
 * names a test run: TEST_RUN), as `NAME=value` lines: `"test:staging": "DATABASE_URL=postgres://…:6543/db vitest"` gives
 * the suite that value as a CI workflow's `env:` does. An application's script (`"start": "DATABASE_URL=… node app"`)
 * gives none. '' when there is none.
 */
function testScriptAssignments(folder: string): string {
  const lines: string[] = [];
  for (const [name, script] of packageScripts(folder)) {
    // A script without `=` sets nothing inline.
    if (!script.includes('=') || !(/^test/i.test(name) || TEST_RUN.test(script))) continue;
    for (const command of script.split(SCRIPT_COMMAND_SEPARATOR)) {
      const words = command.trim().replace(SETTING_RUNNER, '');
      // A value taken from another variable (`DATABASE_URL=$DATABASE_URL_TEST`, `${URL:-…}`, `$(…)`) is given wherever
      // that one is: the files that set it say what it reaches, not this script.
      for (const [variable, value] of shellEntryAssignments(words)) if (value !== '' && !value.includes('$')) lines.push(`${variable}=${value}`);
    }
  }
  return lines.join('\n');
}

/** A step's command (`run: npm test`, or the lines of a `run: |` block) or action (`uses: cypress-io/github-action@v6`). */
const RUN_STEP = /^([ \t]*)(?:-[ \t]+)?(run|uses)[ \t]*:(.*)$/;
/**
 * What a command or action that runs tests names: a test runner (`vitest`, `jest`, `playwright`…), a word of a test
 * script (`npm test`, `pnpm run test:e2e`, `./scripts/e2e.sh`), or a check script run by a package manager or make
 * (`npm run check`, `make verify`, `npm run ci`; not `npm ci`, which installs). Prose words (a message saying "check
 * the logs") are not commands of a check.
 */
const TEST_RUN = /\b(?:tests?|testing|vitest|jest|mocha|ava|playwright|cypress|e2e|specs?|pytest|rspec|phpunit|bats)\b|\b(?:npm|pnpm|yarn|bun)\s+run\s+(?:check|verify|validate|ci|integration)\b|\b(?:yarn|pnpm)\s+(?:check|verify|validate)\b|\b(?:make|just|task)\s+(?:check|verify|ci)\b/i;

/**
 * Whether a workflow surely runs no test: it has steps, and none of their commands or actions names a test run
 * (TEST_RUN). Comments (the workflow's `#` lines and a shell block's) do not count; a step whose command is a script
 * of the repository's (`./scripts/deploy.sh`) runs what its name says. A workflow without steps (one reusing another's
 * jobs) may run anything.
 */
export function runsNoTests(workflow: string): boolean {
  return stepsRunTests(workflow) === false;
}

/** true: a step runs tests; false: steps, none of which does; undefined: no step. */
function stepsRunTests(workflow: string): boolean | undefined {
  const lines = workflow.split(/\r?\n/);
  let steps = false;
  for (let index = 0; index < lines.length; index++) {
    const step = RUN_STEP.exec(lines[index]);
    if (!step) continue;
    steps = true;
    const value = withoutComment(step[3].trim());
    // A reusable workflow (`uses: ./.github/workflows/ci.yml`, `org/repo/.github/workflows/x.yml@v1`) may run anything.
    if (TEST_RUN.test(value) || (step[2] === 'uses' && /\.ya?ml\b/i.test(value))) return true;
    if (step[2] !== 'run' || !/^[|>][+-]?\d*$/.test(value)) continue;
    // A block scalar: the lines indented deeper than the key (blank lines too) are the commands.
    const indent = step[1].length;
    for (let next = index + 1; next < lines.length; next++) {
      const line = lines[next];
      if (line.trim() !== '' && line.length - line.trimStart().length <= indent) break;
      if (TEST_RUN.test(withoutComment(line.trim()))) return true;
    }
  }
  return steps ? false : undefined;
}

/**
 * A line or a value without its `#` comment, trimmed: a `#` at its start (YAML's `KEY: # set below` gives no value, as
 * does dotenv's `KEY=#…`) or after white space begins one. The one reader of comments for workflow steps and
 * assignments (unquoted).
 */
function withoutComment(line: string): string {
  if (line.startsWith('#')) return '';
  const comment = line.search(/\s#/);
  return (comment < 0 ? line : line.slice(0, comment)).trim();
}

/**
 * Each `NAME: value` of a file, judged: a value reaching this machine, a service of the same file that runs PostgreSQL,
 * or (a port) not a pooler's — none, in a file that names a pooler (a PgBouncer service may be what the value reaches).
 * In a compose file only the environment of a service that may run the tests (composeFiles.ts mayRunTests) reaches
 * them: the application's containers started beside the suite (`DB_HOST: pgbouncer-test` for an e2e server, its
 * entrypoint the application's) and the pooler's own have their own.
 */
function readAssignments(text: string, values: Map<string, boolean>, composeFolder: string | undefined, shellEntries: boolean, githubWorkflow = false): void {
  const compose = composeFolder !== undefined;
  const lines = text.split(/\r?\n/);
  const postgresServices = postgresServicesOf(lines);
  // Whether the text a value is judged with names a pooler (a GitHub workflow's: per job, jobsNamingPooler).
  const poolerAt = githubWorkflow ? jobsNamingPooler(lines) : ((pooler: boolean) => () => pooler)(namesPooler(text));
  const read = compose ? composeServices(text).filter((service) => mayRunTests(service, composeFolder)).flatMap((service) => service.lines) : lines;
  // Each assignment with its line (of `read`, which is `lines` but in a compose file); a GitHub step's
  // `echo "NAME=value" >> "$GITHUB_ENV"` gives the job's later steps one more value of NAME.
  const assignments: Array<[name: string, value: string, line: number, written?: boolean]> = [];
  read.forEach((line, index) => {
    for (const [name, value] of assignmentsOf([line], shellEntries)) assignments.push([name, value, index]);
  });
  if (githubWorkflow) for (const [name, value, line] of githubEnvWrites(lines)) assignments.push([name, value, line, true]);
  // A GitHub job that runs no test gives its env to what it deploys or runs, not to the suite (jobsRunningNoTests).
  if (githubWorkflow) {
    const skipped = jobsRunningNoTests(lines);
    for (let index = assignments.length - 1; index >= 0; index--) if (skipped(assignments[index][2])) assignments.splice(index, 1);
  }
  const reachesLocally = ([name, value, line, written]: [string, string, number, boolean?], seen: ReadonlySet<string>): boolean => {
    if (poolerAt(line)) return false;
    const referenced = referencedVariable(value, !compose);
    if (referenced === undefined) {
      if (/PORT$/.test(name)) return !POOLER_PORTS.has(value);
      return reachesTestDatabase(value, postgresServices) && (!written || portsWrittenOut(value, postgresServices));
    }
    // `${{ env.ADMIN_DATABASE_URL }}`: whatever this file gives that variable, every value of it (none: unknown). A step's
    // `APP_PG_URL: ${{ env.APP_PG_URL }}` is evaluated against the workflow's and job's env: the name's other values.
    if (referenced !== name && seen.has(referenced)) return false;
    const given = assignments.filter(([other, otherValue]) => other === referenced && referencedVariable(otherValue, !compose) !== referenced);
    const further = new Set(seen).add(referenced);
    return given.length > 0 && given.every((other) => reachesLocally(other, further));
  };
  for (const assignment of assignments) {
    const name = assignment[0];
    values.set(name, (values.get(name) ?? true) && reachesLocally(assignment, new Set([name])));
  }
}

/** A GitHub workflow's `jobs:` key, at the top level. */
const JOBS_KEY = /^jobs[ \t]*:[ \t]*(?:#.*)?$/;

/**
 * Per line of a GitHub workflow, whether the text its values are judged with names a pooler (namesPooler): the job
 * holding the line with the workflow's lines outside its jobs. Each job runs on a runner of its own with service
 * containers of its own, so a pooler named only in another job (a hygiene job validating a compose file's `--profile
 * pgbouncer`) is not what this job's `localhost` or services reach. A line outside every job (the workflow's `env:`,
 * given to every job) is judged with the whole file, as is a workflow whose jobs are not read.
 */
function jobsNamingPooler(lines: readonly string[]): (line: number) => boolean {
  const whole = namesPooler(lines.join('\n'));
  const jobs = whole ? workflowJobs(lines) : undefined;
  if (!jobs) return () => whole;
  const outsidePooler = namesPooler(lines.filter((_, index) => jobs.jobOf(index) < 0).join('\n'));
  const jobPooler = jobs.texts.map((text) => namesPooler(text));
  return (line) => {
    const job = jobs.jobOf(line);
    return job < 0 ? whole : outsidePooler || jobPooler[job];
  };
}

/**
 * Per line of a GitHub workflow, whether it lies in a job whose steps surely run no test (stepsRunTests: a deploy or
 * preview job beside the test jobs). Such a job runs on a runner of its own: the env it sets (a staging secret for a
 * preview deploy) reaches the application it deploys, never a test job's suite. Lines outside every job (the
 * workflow's `env:`, given to every job) are not in one.
 */
function jobsRunningNoTests(lines: readonly string[]): (line: number) => boolean {
  const jobs = workflowJobs(lines);
  if (!jobs) return () => false;
  const noTests = jobs.texts.map((text) => stepsRunTests(text) === false);
  return (line) => {
    const job = jobs.jobOf(line);
    return job >= 0 && noTests[job];
  };
}

/**
 * The jobs of a GitHub workflow: each a key at the indent of the first key under the top-level `jobs:`, up to the next
 * or to the next top-level line; `jobOf` gives a line's job (-1 outside every job). Undefined when there is none.
 */
function workflowJobs(lines: readonly string[]): { jobOf: (line: number) => number; texts: string[] } | undefined {
  const opening = lines.findIndex((line) => JOBS_KEY.test(line));
  if (opening < 0) return undefined;
  const starts: number[] = [];
  let indent: number | undefined;
  let end = lines.length;
  for (let index = opening + 1; index < lines.length; index++) {
    const line = lines[index];
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const depth = line.length - line.trimStart().length;
    if (depth === 0) {
      end = index;
      break;
    }
    indent ??= depth;
    if (depth === indent && BLOCK_KEY.test(line)) starts.push(index);
  }
  if (starts.length === 0) return undefined;
  const jobOf = (line: number): number => (line <= starts[0] - 1 || line >= end ? -1 : starts.filter((start) => start <= line).length - 1);
  return { jobOf, texts: starts.map((start, job) => lines.slice(start, starts[job + 1] ?? end).join('\n')) };
}

/** The file a GitHub Actions step appends `NAME=value` lines to for the job's later steps, as a shell word names it unquoted. */
const GITHUB_ENV_FILE = /^\$(?:GITHUB_ENV|\{GITHUB_ENV\})$/;
/** A step's `run:` key before its one-line command (`- run: echo "A=1" >> $GITHUB_ENV`). */
const RUN_KEY = /^[ \t]*(?:-[ \t]+)?run[ \t]*:[ \t]*/;
/** GitHub's expression for the host port a job's service container is mapped to (`${{ job.services.db.ports[5432] }}`). */
const SERVICE_PORT = /^\$\{\{\s*job\.services\.([\w-]+)\.ports\[\s*['"]?\d+['"]?\s*\]\s*\}\}$/;
/** How many commands back a `} >> $GITHUB_ENV` looks for its group's `{`. */
const MAX_GROUP_COMMANDS = 20;

/** One simple command of a workflow's shell lines: its words as written, whether a pipe feeds it, and its line. */
type ShellCommand = { words: string[]; piped: boolean; line: number };

/**
 * The `NAME=value` lines a GitHub workflow's steps append to `$GITHUB_ENV` (GitHub Actions sets each for the job's later
 * steps): what an `echo` or `printf` prints into `>> "$GITHUB_ENV"` (also `> $GITHUB_ENV`, `>> "${GITHUB_ENV}"`), into
 * `| tee -a "$GITHUB_ENV"`, or inside a `{ …; } >> "$GITHUB_ENV"` group, on one line or over several. Values as the
 * shell word writes them, quotes taken off (their `${…}` left for the judge). A here-document into the file needs no
 * reading here: its `NAME=value` lines are read as the file's other assignments are. Other writers (`cat file`, a
 * script) are not read: their names are unknown.
 */
function githubEnvWrites(lines: readonly string[]): Array<[name: string, value: string, line: number]> {
  if (!lines.some((line) => line.includes('GITHUB_ENV'))) return [];
  const commands = shellCommands(lines);
  const found: Array<[string, string, number]> = [];
  const print = (command: ShellCommand, words = command.words): void => {
    for (const [name, value] of printedAssignments(words)) found.push([name, value, command.line]);
  };
  commands.forEach((command, index) => {
    const { words, piped } = command;
    const redirect = words.findIndex((word, at) => /^>>?$/.test(word) && GITHUB_ENV_FILE.test(withoutQuotes(words[at + 1] ?? '')));
    if (redirect >= 0) {
      const own = words.slice(0, redirect);
      if (own[0] !== '}') {
        print(command, own);
        return;
      }
      // A group: its commands back to the `{` that opens it.
      for (let back = index - 1; back >= 0 && back >= index - MAX_GROUP_COMMANDS; back--) {
        const group = commands[back].words;
        print(commands[back], group[0] === '{' ? group.slice(1) : group);
        if (group[0] === '{') break;
      }
      return;
    }
    if (piped && index > 0 && words[0] === 'tee' && words.includes('-a') && words.some((word) => GITHUB_ENV_FILE.test(withoutQuotes(word)))) {
      print(commands[index - 1]);
    }
  });
  return found;
}

/**
 * The simple commands of a workflow's lines read as shell (a step's `run:` key left off): words split at unquoted
 * blanks (shellWordEnd), a redirection (`>>`, `>`) a word of its own, commands split at `;`, `&`, `|` and line ends.
 * A `#` opening a word ends the line. YAML lines that are not commands make commands that write nothing.
 */
function shellCommands(lines: readonly string[]): ShellCommand[] {
  const commands: ShellCommand[] = [];
  lines.forEach((raw, index) => {
    const line = raw.replace(RUN_KEY, '');
    let words: string[] = [];
    let piped = false;
    const flush = (): void => {
      if (words.length > 0) commands.push({ words, piped, line: index });
      words = [];
    };
    for (let at = 0; at < line.length;) {
      const char = line[at];
      if (char === ' ' || char === '\t') at++;
      else if (char === '#') break;
      else if (char === ';' || char === '&' || char === '|') {
        flush();
        let end = at;
        while (end < line.length && ';&|'.includes(line[end])) end++;
        piped = line.slice(at, end) === '|';
        at = end;
      } else if (char === '>' || char === '<') {
        let end = at;
        while (line[end] === char) end++;
        words.push(line.slice(at, end));
        at = end;
      } else {
        const end = Math.max(shellWordEnd(line, at), at + 1);
        words.push(line.slice(at, end));
        at = end;
      }
    }
    flush();
  });
  return commands;
}

/**
 * The `NAME=value` lines an `echo` or `printf` command prints (its words as written): echo's arguments joined by a
 * blank, printf's format filled with its arguments when it has no conversion but `%s`, its `\n` ending a line. None
 * for another command.
 */
function printedAssignments(words: readonly string[]): Array<[name: string, value: string]> {
  const [command, ...rest] = words.map(withoutQuotes);
  let printed: string;
  if (command === 'echo') {
    const start = rest.findIndex((word) => !/^-[neE]+$/.test(word));
    printed = start < 0 ? '' : rest.slice(start).join(' ');
  } else if (command === 'printf' && rest.length > 0) {
    const [format, ...args] = rest;
    if (/%(?!s)/.test(format)) return [];
    const slots = format.split('%s').length - 1;
    printed = '';
    for (let used = 0; used === 0 || (slots > 0 && used < args.length); used += Math.max(slots, 1)) {
      let next = used;
      printed += format.replace(/%s/g, () => args[next++] ?? '');
    }
  } else return [];
  const found: Array<[string, string]> = [];
  for (const line of printed.split('\\n')) {
    const assignment = SHELL_ASSIGNMENT.exec(line.trim());
    if (assignment && assignment[2] !== '') found.push([assignment[1], assignment[2]]);
  }
  return found;
}

/**
 * Whether each port a value written by a step's shell names is written out, not filled in by the shell (`localhost:${PORT}`
 * may be a pooler's): a number, none (5432), or GitHub's mapped port of a PostgreSQL service of the workflow.
 */
function portsWrittenOut(value: string, postgresServices: Set<string>): boolean {
  return serversOf('HOST', value).every(({ port }) => {
    if (port === undefined || /^\d+$/.test(port)) return true;
    const service = SERVICE_PORT.exec(port)?.[1];
    return service !== undefined && postgresServices.has(service);
  });
}

/**
 * The variable a CI value only passes on from the same file's environment: GitHub Actions' `${{ env.NAME }}` (a step
 * giving `DATABASE_URL: ${{ env.ADMIN_DATABASE_URL }}` for one command), which the runner replaces with the value the
 * workflow or job sets, or a shell's `$NAME` / `${NAME}` (a `run: |` heredoc writing `.env` with
 * `DATABASE_URL=$DATABASE_URL`), which the step's shell expands from that same environment. A secret or another context
 * (`${{ secrets.DATABASE_URL }}`) is not one: its value is not here; nor is a shell default (`${NAME:-…}`), left unread.
 * `shell`: false in a compose file, whose `${NAME}` Compose fills in from the host's environment, not from the file.
 */
function referencedVariable(value: string, shell: boolean): string | undefined {
  const step = /^\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/.exec(value)?.[1];
  if (step !== undefined || !shell) return step;
  const expansion = /^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$/.exec(value);
  return expansion ? expansion[1] ?? expansion[2] : undefined;
}

/**
 * A file's assignments (ASSIGNMENT) that give a value, unquoted: not an empty one, nor a YAML block's `|` or `>`.
 * `shellEntries`: a line that starts with shell assignments gives each of them (shellEntryAssignments).
 */
export function assignmentsOf(lines: readonly string[], shellEntries = false): Array<[name: string, value: string]> {
  const found: Array<[string, string]> = [];
  for (const line of lines) {
    const words = shellEntries ? shellEntryAssignments(line) : [];
    if (words.length > 0) {
      found.push(...words.filter(([, value]) => value !== ''));
      continue;
    }
    const assignment = ASSIGNMENT.exec(line);
    if (!assignment) continue;
    const value = unquoted(withoutLineContinuation(assignment[2].trim()));
    if (value !== '' && value !== '|' && value !== '>') found.push([assignment[1], value]);
  }
  return found;
}

/**
 * Travis CI reads each env entry as shell words (its docs: `env: - FOO=foo BAR=bar`), and a command's leading words
 * `NAME=value` set its environment too: the `NAME=value` words a list entry or an `env:` value starts with, each value
 * without its quotes (`- DB=pg DATABASE_URL="postgres://…" # note` gives DB and DATABASE_URL). A YAML-quoted entry
 * (`- "DB=pg URL=…"`) is read inside its quotes. None for a line that starts otherwise (`- PGHOST: localhost`).
 */
function shellEntryAssignments(line: string): Array<[name: string, value: string]> {
  let entry = line.slice(TRAVIS_ENTRY_HEAD.exec(line)![0].length).trim();
  const quote = entry[0];
  if ((quote === '"' || quote === "'") && entry.length > 1 && entry.endsWith(quote)) entry = entry.slice(1, -1);
  const found: Array<[string, string]> = [];
  for (let start = 0; ;) {
    while (/\s/.test(entry[start] ?? '')) start++;
    const end = shellWordEnd(entry, start);
    const assignment = SHELL_ASSIGNMENT.exec(entry.slice(start, end));
    if (!assignment) return found;
    found.push([assignment[1], withoutQuotes(assignment[2])]);
    start = end;
  }
}

/**
 * A shell command's inline setting continued on the next line (`DATABASE_URL='postgres://…' \` before `npm test`): the
 * value before the `\`, when a blank or a closing quote comes before it (a value's own last character is not one).
 */
function withoutLineContinuation(value: string): string {
  if (!value.endsWith('\\') || value.length < 2) return value;
  const before = value[value.length - 2];
  return before === ' ' || before === '\t' || before === "'" || before === '"' ? value.slice(0, -1).trimEnd() : value;
}

/**
 * A value that reaches this machine, or a service of the same file running PostgreSQL (`postgres://u:p@db-test:5432/t`,
 * `host=postgres`, `PGHOST: postgres`): each of the servers it names is one, none on a pooler's port.
 */
function reachesTestDatabase(value: string, postgresServices: Set<string>): boolean {
  if (namesPoolerPort(value)) return false;
  // A bare value is read as a host here whatever the variable's name (`DB: postgres`): only a service's name counts.
  const servers = serversOf('HOST', value);
  if (servers.length === 0) return reachesOnlyThisMachine(value);
  return servers.every(({ host = '' }) => postgresServices.has(host) || LOOPBACK_HOST.test(host));
}

/**
 * The keys of the blocks whose `image:` is PostgreSQL's (CI service containers, compose services), and the host names of
 * the list items that run such an image under a `name:` (CircleCI's containers of a job's `docker:` list, `- image:
 * cimg/postgres:14.2` with `name: db`: the job's steps reach it as `db`, as a GitHub job's steps reach a service by its key).
 */
function postgresServicesOf(lines: string[]): Set<string> {
  const services = new Set<string>();
  const open: Array<{ indent: number; key: string }> = [];
  // The list item read (`- image: …`): the column of its keys, its image and its name.
  let item: { column: number; image?: string; name?: string } | undefined;
  const closeItem = () => {
    if (item?.name !== undefined && item.image !== undefined && POSTGRES_IMAGE.test(item.image)) services.add(item.name);
    item = undefined;
  };
  for (const line of lines) {
    const found = LIST_ITEM_KEY.exec(line);
    // A list nested in the item (under its `environment:`) is the item's own.
    const entry = found && !(item && found[1].length - found[1].trimStart().length >= item.column) ? found : null;
    if (entry) {
      closeItem();
      item = { column: entry[1].length };
      if (entry[2] === 'image' || entry[2] === 'name') item[entry[2]] = entry[3];
    } else if (item && line.trim() !== '' && !line.trimStart().startsWith('#')) {
      const indent = line.length - line.trimStart().length;
      const sibling = indent === item.column ? ITEM_KEY.exec(line) : null;
      if (indent < item.column) closeItem();
      else if (sibling && (sibling[1] === 'image' || sibling[1] === 'name')) item[sibling[1]] = sibling[2];
    }
    const image = IMAGE.exec(line);
    if (image) {
      const indent = image[1].length;
      const owner = [...open].reverse().find((block) => block.indent < indent);
      if (owner && POSTGRES_IMAGE.test(image[2])) services.add(owner.key);
      continue;
    }
    const block = BLOCK_KEY.exec(line);
    if (!block) continue;
    const indent = block[1].length;
    while (open.length > 0 && open[open.length - 1].indent >= indent) open.pop();
    open.push({ indent, key: block[2] });
  }
  closeItem();
  return services;
}

/** A value without its surrounding quotes (a `#` inside them is the value's), else without its comment (withoutComment). */
function unquoted(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.length > 1 && value.endsWith(quote)) return value.slice(1, -1);
  return withoutComment(value);
}
