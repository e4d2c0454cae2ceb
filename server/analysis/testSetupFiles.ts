// Test and development code outside the usual test names (inProcess.ts's TEST_PATH: a test folder, a `*.test.*` or
// `*.spec.*` file). A client there reaches the developer's own database just as a test's does:
// - files a test runner's configuration names for its setup: Jest's and Vitest's `globalSetup`, `globalTeardown`,
//   `setupFiles`, `setupFilesAfterEnv`; Playwright's `globalSetup`/`globalTeardown`; Mocha's `require`/`file` (in
//   `.mocharc.*`, or `--require`/`--file` in a package.json script); AVA's `require` — each resolved from the
//   configuration's folder (`<rootDir>/…`, `./…`, `require.resolve('./…')`), with the usual extensions;
// - files by the conventional names of such setup (`global-setup.ts`, `globalSetup.js`, `setupTests.ts`,
//   `jest.setup.js`, `vitest.setup.ts`, `test-setup.ts`), end-to-end test files (`app.e2e-spec.ts`, `login.e2e.ts`)
//   and the folders of end-to-end and integration suites and shared test helpers (`e2e/`, `playwright/`, `cypress/`,
//   `integration_test/`, `test-utils/`)
//   and of cucumber-style BDD suites (`bdd/`, `step_definitions/`);
// - development code (devCodeKind): the folders of examples and playgrounds (`examples/`, `demo/`, `sandbox/`, `dev/`)
//   and the Supabase CLI's local project folder (a `supabase/` holding its `config.toml`, not its deployed
//   `functions/`), judged against the repository's root, so that a developer's own `~/dev/` checkout counts for nothing;
// - files named for tests that a package.json's test script (`test`, `test:*`) runs by name (`tape test.js`).
import ts from 'typescript';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { CACHE_MS, TimedCache } from './timedCache';
import { boundedText, folderEntries, isFile, keptInOneShotRun } from './folderEntries';
import { TEST_PATH } from './inProcess';
import { packageScripts } from './packageManifests';
import { repositoryFolders } from './testEnvironment';
import { configurationSurelyRunning } from './testRunnerScope';

/**
 * Setup files by their conventional names, end-to-end test files, and the folders of end-to-end suites, integration
 * suites (`integration_test/`, `integration-tests/`, `tests-integration/`: their helpers need not be named for tests), shared test
 * helpers and fixtures (`test-utils/`, `test-fixtures/`: the folder's name says what its code is for) and cucumber-style BDD suites (a `bdd/` folder; cucumber's `step_definitions/`). Not a `features/` folder
 * nor `*.steps.ts`/`*.step.ts` names: applications use those for their own code (feature-sliced folders, workflow steps).
 */
const SETUP_PATH = /(?:^|[\\/])(?:e2e|__e2e__|playwright|cypress|test[-_]?utils|test[-_]?helpers|test[-_]?support|test[-_]?fixtures|integration[-_]?tests?|tests?[-_]integration|bdd|step[-_]definitions)[\\/]|(?:^|[\\/])(?:global[-_.]?(?:setup|teardown)|setup[-_.]?tests?|tests?[-_.]?setup|(?:jest|vitest|mocha|ava|playwright)[-_.](?:setup|teardown|global[-_.]?setup))\.[cm]?[jt]sx?$|\.(?:e2e|e2e[-_]spec|e2e[-_]test|integration[-_]test|integration[-_]spec)\.[cm]?[jt]sx?$/i;
/** Folders of examples, demos and playgrounds: code a developer runs against their own database. */
const DEV_FOLDER = /^(?:examples?|samples?|demos?|playgrounds?|sandbox|scratch|dev)$/i;
/** Test runners' configuration files (package.json's `jest`/`mocha`/`ava` keys and scripts are read too). */
const RUNNER_CONFIG = /^(?:(?:jest|vitest|vite|playwright|ava)\.config\.(?:[cm]?[jt]s|json)|vitest\.workspace\.[cm]?[jt]s|\.mocharc(?:\.(?:js|cjs|json|jsonc|ya?ml))?|package\.json)$/i;
/** A setup key and what follows it on the line (or up to its array's end): `globalSetup: './setup.ts'`, `"setupFiles": ["…", "…"]`. */
const SETUP_KEY = /\b(?:globalSetup|globalTeardown|setupFiles|setupFilesAfterEnv|require|file)\b["']?\s*[:=]\s*(\[[^\]]*\]|[^\n,}]*)/g;
/**
 * The keys naming setup files that Jest and Vitest run inside each test file's own module registry (`setupFiles`,
 * `setupFilesAfterEnv`): a module mock declared there (`jest.mock('../db', …)`) replaces that module for the test too,
 * unlike one in a `globalSetup`, which runs apart from the tests.
 */
const REGISTRY_SETUP_KEY = /\b(?:setupFiles|setupFilesAfterEnv)\b["']?\s*[:=]\s*(\[[^\]]*\]|[^\n,}]*)/g;
/** A script's option naming a file the runner loads first: `mocha --require test/setup.js`, `--file ./test/root-hooks.ts`. */
const SCRIPT_OPTION = /(?:--require|--file|--import|--setup|\s-r)[=\s]+["']?([\w@./<>-]+)/g;
const QUOTED = /["'`]([^"'`\n]+)["'`]/g;
const EXTENSIONS = ['', '.ts', '.js', '.mjs', '.cjs', '.mts', '.cts', '.tsx', '.jsx'];
const MAX_CONFIG_BYTES = 256 * 1024;
const byFolder = new TimedCache<ReadonlySet<string>>(CACHE_MS, 512);
const registrySetupByConfig = new TimedCache<ReadonlySet<string>>(CACHE_MS, 512);

/** Whether `fileName` is test code by the names above or a file a test runner's configuration names for its setup (not TEST_PATH's). */
export function isTestSetupFile(fileName: string): boolean {
  if (SETUP_PATH.test(fileName)) return true;
  const file = resolve(fileName);
  return repositoryFolders(fileName).some((folder) => setupFilesOf(folder).has(file));
}

/** Whether `fileName` is test code: TEST_PATH's names, a test setup file, or a file a package's test script runs. */
export function isTestCode(fileName: string): boolean {
  return TEST_PATH.test(fileName) || isTestCodeByProject(fileName);
}

/** Bound on the files whose answer a one-shot run keeps. */
const MAX_KEPT_FILES = 50_000;

/** A test setup file or one a test script runs: kept in a one-shot run (asked for once per client parameter, client and call of a file). */
const isTestCodeByProject = keptInOneShotRun((fileName: string): boolean => isTestSetupFile(fileName) || isScriptTestFile(fileName), MAX_KEPT_FILES);

/** A package.json script that runs the tests: `test`, `test:db` (not `pretest`, often the application's migration). */
const TEST_SCRIPT = /^test(?::|$)/;
/**
 * A word of a script naming a test file (`test.js`, `./run-tests.mjs`), not a glob (`test/*.js`) nor an option's value
 * given with `=`: its name must say test or spec, as a script a test run starts may be the application's own entry
 * (`node ace.js test`) or a runner's configuration.
 */
const SCRIPT_FILE = /^[\w@./-]+\.[cm]?[jt]s$/;
const SCRIPT_TEST_NAME = /(?:^|[\\/])[^\\/]*(?:test|spec)[^\\/]*$/i;
const scriptTestFiles = new TimedCache<ReadonlySet<string>>(CACHE_MS, 512);

/**
 * Whether `fileName` is a file named for tests that a test script of a package.json in its folder or above runs by name
 * (`"test": "tape test.js"`, `"test": "standard && node scripts/db-test.js"`): a suite kept outside the usual names
 * (a root `test.js`) is test code.
 */
export function isScriptTestFile(fileName: string): boolean {
  const file = resolve(fileName);
  return repositoryFolders(fileName).some((folder) => scriptTestFiles.get(folder, () => testScriptFilesOf(folder)).has(file));
}

function testScriptFilesOf(folder: string): ReadonlySet<string> {
  const files = new Set<string>();
  for (const [name, script] of packageScripts(folder)) {
    if (!TEST_SCRIPT.test(name)) continue;
    for (const word of script.split(/[\s;&|()]+/)) {
      const unquoted = word.replace(/^["']|["']$/g, '');
      if (!SCRIPT_FILE.test(unquoted) || !SCRIPT_TEST_NAME.test(unquoted) || unquoted.startsWith('-')) continue;
      const path = resolve(folder, unquoted);
      if (isFile(path)) files.add(path);
    }
  }
  return files;
}

/** The setup files the test runners' configurations of the repository holding `fileName` name (from its folder up to the root). */
export function testSetupFiles(fileName: string): string[] {
  return [...new Set(repositoryFolders(fileName).flatMap((folder) => [...setupFilesOf(folder)]))];
}

/**
 * The setup files the Jest or Vitest configuration that surely runs the test `fileName` (testRunnerScope.ts) runs in
 * each test file's module registry (REGISTRY_SETUP_KEY), whose module mocks hold in the test; none when the test's
 * package has another configuration that may run it (an integration config, projects) or its patterns cannot be read.
 */
export function registrySetupFiles(fileName: string): string[] {
  const config = configurationSurelyRunning(fileName);
  return config === undefined ? [] : [...registrySetupByConfig.get(config, () => setupFilesNamedIn(dirname(config), config, REGISTRY_SETUP_KEY, false))];
}

/**
 * Development code: a file under a folder of examples or a playground, or under the Supabase CLI's local project
 * folder (not its `functions/`), the path read from the repository's root (the first folder up holding `.git` or
 * `.github`).
 */
export function isDevCode(fileName: string): boolean {
  const folders = repositoryFolders(fileName);
  const root = folders[folders.length - 1];
  const parts = relative(root, resolve(fileName)).split(sep).slice(0, -1);
  for (let index = 0; index < parts.length; index++) {
    if (DEV_FOLDER.test(parts[index])) return true;
    if (parts[index] === 'supabase' && parts[index + 1] !== 'functions' && isFile(join(root, ...parts.slice(0, index + 1), 'config.toml'))) return true;
  }
  return false;
}

/** The files the test runners' configurations in `folder` name for setup. */
function setupFilesOf(folder: string): ReadonlySet<string> {
  return byFolder.get(folder, () => namedSetupFiles(folder, SETUP_KEY, true));
}

/** The files the runners' configurations in `folder` name under `keys` (and, with `scriptOptions`, a package.json script's `--require`/`--file`). */
function namedSetupFiles(folder: string, keys: RegExp, scriptOptions: boolean): ReadonlySet<string> {
  const files = new Set<string>();
  for (const entry of folderEntries(folder)) {
    if (!RUNNER_CONFIG.test(entry.name)) continue;
    for (const file of setupFilesNamedIn(folder, join(folder, entry.name), keys, scriptOptions)) files.add(file);
  }
  return files;
}

/** The files one configuration names under `keys`, resolved from `folder` (and, with `scriptOptions`, a package.json script's `--require`/`--file`). */
function setupFilesNamedIn(folder: string, config: string, keys: RegExp, scriptOptions: boolean): ReadonlySet<string> {
  const files = new Set<string>();
  const text = boundedText(config, MAX_CONFIG_BYTES);
  if (text === undefined) return files;
  const named: string[] = [];
  for (const match of text.matchAll(keys)) for (const quoted of match[1].matchAll(QUOTED)) named.push(quoted[1]);
  if (scriptOptions && basename(config) === 'package.json') for (const match of text.matchAll(SCRIPT_OPTION)) named.push(match[1]);
  for (const name of named) {
    const file = resolveSetupFile(folder, name);
    if (file) files.add(file);
  }
  return files;
}

/** A named setup file, from the configuration's folder: `<rootDir>/x`, `./x`, `x`, with or without its extension; not a package. */
function resolveSetupFile(folder: string, name: string): string | undefined {
  const path = name.replace(/^<rootDir>[\\/]?/, '');
  // A package (`ts-node/register`, `dotenv/config`) is no file of the folder: only what is there counts.
  const base = resolve(folder, path);
  for (const extension of EXTENSIONS) if (isFile(base + extension)) return base + extension;
  for (const extension of EXTENSIONS.slice(1)) if (isFile(join(base, `index${extension}`))) return join(base, `index${extension}`);
  return undefined;
}

/** `global.x`, `globalThis.x` (also as `(global as any).x`): a property of the runtime's global object, which a runner's setup may fill. */
export function globalProperty(expression: ts.Expression, unwrapped: (e: ts.Expression) => ts.Expression): string | undefined {
  const value = unwrapped(expression);
  if (!ts.isPropertyAccessExpression(value) || !ts.isIdentifier(value.name)) return undefined;
  const owner = unwrapped(value.expression);
  return ts.isIdentifier(owner) && (owner.text === 'global' || owner.text === 'globalThis') ? value.name.text : undefined;
}
