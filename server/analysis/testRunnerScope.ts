// Which Jest or Vitest configuration surely runs a test file. What a configuration's registry setup files do
// (`setupFiles`, `setupFilesAfterEnv`: a `jest.mock('../db', …)` replacing a module in each test's registry) holds only
// for the tests that configuration runs, and a package often has two: a unit configuration that mocks the database
// module and an integration one (a second config file a script names with `-c`, or Jest's `projects`) that uses the
// real one. So a test is given one configuration only when it is the sole configuration of the test's package that
// may run it, and what it says about its tests (`roots`, `testMatch`, `testRegex`, `testPathIgnorePatterns`; Vitest's
// `test.include`/`test.exclude`, or the runners' defaults) surely takes the test's path. Projects and workspaces, a
// configuration that cannot be read, and values written by code (`testMatch: patterns`, `...base`) leave it unsure:
// no configuration, so nothing a setup file mocks is followed.
import ts from 'typescript';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CACHE_MS, TimedCache } from './timedCache';
import { boundedText, folderEntries, isFile } from './folderEntries';
import { packageScripts, readJson } from './packageManifests';
import { escapeRegExp } from './regexText';
import { repositoryFolders } from './testEnvironment';

type Runner = 'jest' | 'vitest';
/** Whether a configuration runs a test: surely, surely not, or unsure (it says something this reading cannot follow). */
type Runs = 'yes' | 'no' | 'maybe';

/** A Jest or Vitest configuration file by its name: `jest.config.js`, `jest.integration.config.ts`, `vitest.e2e.config.mts`, `jest-e2e.config.json`. */
const CONFIG_NAME = /^(jest|vitest)[\w.-]*config[\w.-]*\.(?:[cm]?[jt]s|json)$/i;
/** Vitest's workspace file: its tests are split into projects. */
const WORKSPACE_NAME = /^vitest\.(?:workspace|projects)\.(?:[cm]?[jt]s|json)$/i;
/** Vite's configuration, Vitest's when no vitest configuration sits beside it and it has a `test` section. */
const VITE_CONFIG_NAME = /^vite\.config\.[cm]?[jt]s$/i;
const TEST_SECTION = /\btest\s*:/;
/** A script's command running a runner with a configuration of its own: `jest -c jest.int.config.js`, `vitest --config=vitest.e2e.ts`. */
const RUNNER_COMMAND = /(?:^|[\s/])(jest|vitest)(?:\s|$)/;
const CONFIG_OPTION = /(?:^|\s)(?:-c|--config)(?:=|\s+)(["']?)([^\s"']+)\1/g;
const COMMAND_SEPARATOR = /&&|\|\||[;|]/;

/** Jest's and Vitest's default test patterns (and Jest's default ignore pattern). */
const JEST_TEST_MATCH = ['**/__tests__/**/*.[jt]s?(x)', '**/?(*.)+(spec|test).[jt]s?(x)'];
const JEST_IGNORE = ['/node_modules/'];
const VITEST_INCLUDE = ['**/*.{test,spec}.?(c|m)[jt]s?(x)'];
const VITEST_EXCLUDE = ['**/node_modules/**', '**/dist/**'];
/** The options read; a key not here leaves the runner's default. */
const JEST_KEYS = new Set(['rootDir', 'roots', 'testMatch', 'testRegex', 'testPathIgnorePatterns']);
const VITEST_KEYS = new Set(['root', 'dir', 'include', 'exclude']);
const PROJECT_KEYS = new Set(['projects', 'workspace']);
const SETUP_KEYS = new Set(['setupFiles', 'setupFilesAfterEnv']);
const MAX_CONFIG_BYTES = 256 * 1024;

/** What a configuration says about its tests: each option's strings as written (undefined: written, but not as strings). */
interface Configuration {
  readonly file: string;
  readonly runner: Runner;
  readonly hasProjects: boolean;
  /** Options written in a way not read here (a spread beside them, a key written twice). */
  readonly unreadable: boolean;
  readonly options: ReadonlyMap<string, readonly string[] | undefined>;
}

const configurations = new TimedCache<Configuration | undefined>(CACHE_MS, 512);

/**
 * The configuration file that surely runs `test` (a Jest/Vitest config file, or the package.json holding Jest's
 * settings): the package is the nearest folder from the test up to the repository's root holding one; every
 * configuration there (by name, and those its package.json's scripts name with `-c`/`--config`) is read, and exactly
 * one may run the test and surely does. Undefined when unsure.
 */
export function configurationSurelyRunning(test: string): string | undefined {
  const file = resolve(test);
  for (const folder of repositoryFolders(file)) {
    const files = configurationFiles(folder);
    if (files === undefined) return undefined;
    if (files.length === 0) continue;
    const read = files.map((config) => configurations.get(config.file, () => readConfiguration(config.file, config.runner)));
    if (read.some((config) => config === undefined || config.hasProjects)) return undefined;
    const running = (read as Configuration[]).map((config) => ({ config, runs: runsTest(config, file) })).filter(({ runs }) => runs !== 'no');
    return running.length === 1 && running[0].runs === 'yes' ? running[0].config.file : undefined;
  }
  return undefined;
}

/** The test configurations of a folder (none: not a package with one); undefined when a script names one this reading cannot find. */
function configurationFiles(folder: string): { file: string; runner: Runner }[] | undefined {
  const found: { file: string; runner: Runner }[] = [];
  const entries = folderEntries(folder);
  const hasVitestConfig = entries.some((entry) => CONFIG_NAME.exec(entry.name)?.[1].toLowerCase() === 'vitest');
  for (const entry of entries) {
    const path = join(folder, entry.name);
    const named = CONFIG_NAME.exec(entry.name);
    if (named && isFile(path)) found.push({ file: path, runner: named[1].toLowerCase() as Runner });
    else if (WORKSPACE_NAME.test(entry.name) && isFile(path)) found.push({ file: path, runner: 'vitest' });
    else if (VITE_CONFIG_NAME.test(entry.name) && !hasVitestConfig && TEST_SECTION.test(boundedText(path, MAX_CONFIG_BYTES) ?? '')) found.push({ file: path, runner: 'vitest' });
  }
  const manifest = join(folder, 'package.json');
  if (!isFile(manifest)) return found;
  const pkg = readJson(manifest);
  if (pkg && typeof pkg === 'object' && pkg.jest !== undefined) found.push({ file: manifest, runner: 'jest' });
  for (const script of packageScripts(folder).values()) {
    for (const command of script.split(COMMAND_SEPARATOR)) {
      const runner = RUNNER_COMMAND.exec(command)?.[1] as Runner | undefined;
      if (!runner) continue;
      for (const option of command.matchAll(CONFIG_OPTION)) {
        const path = resolve(folder, option[2]);
        if (!isFile(path)) return undefined;
        if (!found.some((config) => config.file === path)) found.push({ file: path, runner });
      }
    }
  }
  return found;
}

/** Reads a configuration's options on its tests; undefined when its text cannot be read. */
function readConfiguration(file: string, runner: Runner): Configuration | undefined {
  const text = boundedText(file, MAX_CONFIG_BYTES);
  if (text === undefined) return undefined;
  const hasProjects = WORKSPACE_NAME.test(basename(file));
  const isJson = extname(file).toLowerCase() === '.json';
  const source = isJson ? ts.parseJsonText(file, text) : ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const root = basename(file) === 'package.json' ? packageJestSection(source) : source;
  if (root === undefined) return undefined;
  const keys = runner === 'jest' ? JEST_KEYS : VITEST_KEYS;
  const options = new Map<string, readonly string[] | undefined>();
  let projects = hasProjects;
  let unreadable = false;
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node) && holdsTestOptions(node, runner) && node.properties.some(ts.isSpreadAssignment)) unreadable = true;
    if (ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) {
      const name = propertyName(node.name);
      if (name !== undefined && PROJECT_KEYS.has(name) && (runner === 'jest' || inTestSection(node))) projects = true;
      if (name !== undefined && keys.has(name) && (runner === 'jest' || inTestSection(node))) {
        if (options.has(name)) unreadable = true;
        options.set(name, ts.isPropertyAssignment(node) ? writtenStrings(node.initializer) : undefined);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  return { file, runner, hasProjects: projects, unreadable, options };
}

/** package.json's `jest` object. */
function packageJestSection(source: ts.JsonSourceFile | ts.SourceFile): ts.Node | undefined {
  const statement = source.statements[0];
  const value = statement && ts.isExpressionStatement(statement) ? statement.expression : undefined;
  if (!value || !ts.isObjectLiteralExpression(value)) return undefined;
  const section = value.properties.find((property) => ts.isPropertyAssignment(property) && propertyName(property.name) === 'jest');
  return section && ts.isPropertyAssignment(section) ? section.initializer : undefined;
}

/** An object holding a runner's options on its tests or setup: a spread there may bring any of them. */
function holdsTestOptions(node: ts.ObjectLiteralExpression, runner: Runner): boolean {
  if (runner === 'vitest' && ts.isPropertyAssignment(node.parent) && propertyName(node.parent.name) === 'test') return true;
  const keys = runner === 'jest' ? JEST_KEYS : VITEST_KEYS;
  return node.properties.some((property) => {
    const name = ts.isSpreadAssignment(property) || property.name === undefined ? undefined : propertyName(property.name);
    return name !== undefined && (keys.has(name) || SETUP_KEYS.has(name));
  });
}

/** Whether a Vitest option sits in the configuration's `test` section. */
function inTestSection(node: ts.Node): boolean {
  const owner = node.parent.parent;
  return owner !== undefined && ts.isPropertyAssignment(owner) && propertyName(owner.name) === 'test';
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteralLike(name) ? name.text : undefined;
}

/** A string, a regular expression, or an array of them, as written; undefined for anything computed. */
function writtenStrings(value: ts.Expression): readonly string[] | undefined {
  if (ts.isStringLiteralLike(value)) return [value.text];
  if (ts.isRegularExpressionLiteral(value)) return [value.text.slice(1, value.text.lastIndexOf('/'))];
  if (!ts.isArrayLiteralExpression(value)) return undefined;
  const strings: string[] = [];
  for (const element of value.elements) {
    const written = writtenStrings(element);
    if (written === undefined || ts.isArrayLiteralExpression(element)) return undefined;
    strings.push(...written);
  }
  return strings;
}

/** Whether a configuration runs the test file, from what it says about its tests (or its runner's defaults). */
function runsTest(config: Configuration, test: string): Runs {
  if (config.unreadable) return 'maybe';
  const folder = dirname(config.file);
  const rootOption = config.runner === 'jest' ? config.options.get('rootDir') : config.options.get('root');
  if (config.options.has(config.runner === 'jest' ? 'rootDir' : 'root') && rootOption?.length !== 1) return 'maybe';
  if (config.runner === 'vitest' && config.options.has('dir')) return 'maybe';
  const rootDir = rootOption ? resolve(folder, rootOption[0]) : folder;
  const path = relative(rootDir, test).split(sep).join('/');
  if (path.startsWith('../') || isAbsolute(path)) return 'no';
  return config.runner === 'jest' ? jestRuns(config.options, rootDir, test, path) : vitestRuns(config.options, path);
}

function jestRuns(options: Configuration['options'], rootDir: string, test: string, path: string): Runs {
  const roots = options.has('roots') ? options.get('roots') : ['<rootDir>'];
  if (roots === undefined) return 'maybe';
  const underRoot = roots.some((root) => !relative(resolve(rootDir, root.replace(/^<rootDir>[\\/]?/, '')), test).startsWith('..'));
  if (!underRoot) return 'no';
  const matched = options.has('testRegex')
    ? anyMatches(options.get('testRegex'), (pattern) => regExpOf(pattern)?.test(`/${path}`))
    : anyMatches(options.has('testMatch') ? options.get('testMatch') : JEST_TEST_MATCH, (glob) => globMatches(glob.replace(/^<rootDir>\//, ''), path));
  const ignored = anyMatches(options.has('testPathIgnorePatterns') ? options.get('testPathIgnorePatterns') : JEST_IGNORE, (pattern) => regExpOf(pattern.replace(/^<rootDir>/, '^'))?.test(`/${path}`));
  return both(matched, ignored);
}

function vitestRuns(options: Configuration['options'], path: string): Runs {
  const matched = anyMatches(options.has('include') ? options.get('include') : VITEST_INCLUDE, (glob) => globMatches(glob.replace(/^\.\//, ''), path));
  const excluded = anyMatches(options.has('exclude') ? options.get('exclude') : VITEST_EXCLUDE, (glob) => globMatches(glob.replace(/^\.\//, ''), path));
  return both(matched, excluded);
}

/** A test taken by the patterns (`matched`) and not left out (`left`): 'yes' only when both answers are sure. */
function both(matched: Runs, left: Runs): Runs {
  if (matched === 'no' || left === 'yes') return 'no';
  return matched === 'yes' && left === 'no' ? 'yes' : 'maybe';
}

/** Whether any pattern matches: 'yes' when a readable one does, 'maybe' when none does but one could not be read. */
function anyMatches(patterns: readonly string[] | undefined, matches: (pattern: string) => boolean | undefined): Runs {
  if (patterns === undefined) return 'maybe';
  let unsure = false;
  for (const pattern of patterns) {
    const answer = matches(pattern);
    if (answer === true) return 'yes';
    if (answer === undefined) unsure = true;
  }
  return unsure ? 'maybe' : 'no';
}

function regExpOf(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

/** Whether a glob (micromatch's everyday syntax: `**`, `*`, `?`, `[…]`, `{a,b}`, `?(…)`, `+(…)`, `*(…)`, `@(…)`) matches a relative path; undefined for one not read (a negation). */
export function globMatches(glob: string, path: string): boolean | undefined {
  const source = globSource(glob);
  return source === undefined ? undefined : new RegExp(`^${source}$`).test(path);
}

function globSource(glob: string): string | undefined {
  let source = '';
  for (let at = 0; at < glob.length; at++) {
    const char = glob[at];
    if ('?*+@!'.includes(char) && glob[at + 1] === '(') {
      const close = closingIndex(glob, at + 1, '(', ')');
      const alternatives = close === undefined || char === '!' ? undefined : alternativesSource(glob.slice(at + 2, close), '|');
      if (alternatives === undefined || close === undefined) return undefined;
      source += `(?:${alternatives})${char === '@' ? '' : char}`;
      at = close;
    } else if (char === '{') {
      const close = closingIndex(glob, at, '{', '}');
      const alternatives = close === undefined ? undefined : alternativesSource(glob.slice(at + 1, close), ',');
      if (alternatives === undefined || close === undefined) return undefined;
      source += `(?:${alternatives})`;
      at = close;
    } else if (char === '*' && glob[at + 1] === '*' && (at === 0 || glob[at - 1] === '/') && (glob[at + 2] === '/' || at + 2 === glob.length)) {
      // A whole `**` segment: any number of folders (none too).
      source += glob[at + 2] === '/' ? '(?:[^/]*/)*' : '.*';
      at += glob[at + 2] === '/' ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const close = glob.indexOf(']', at + 2);
      if (close < 0) return undefined;
      source += `[${glob.slice(at + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
      at = close;
    } else if (char === '!' && at === 0) return undefined;
    else source += escapeRegExp(char);
  }
  return source;
}

/** The alternatives of a group (`spec|test`, `test,spec`), each a glob of its own. */
function alternativesSource(body: string, separator: string): string | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let at = 0; at <= body.length; at++) {
    const char = body[at];
    if (char === '(' || char === '{') depth++;
    else if (char === ')' || char === '}') depth--;
    else if ((char === separator && depth === 0) || at === body.length) {
      const part = globSource(body.slice(start, at));
      if (part === undefined) return undefined;
      parts.push(part);
      start = at + 1;
    }
  }
  return parts.join('|');
}

function closingIndex(text: string, open: number, opening: string, closing: string): number | undefined {
  let depth = 0;
  for (let at = open; at < text.length; at++) {
    if (text[at] === opening) depth++;
    else if (text[at] === closing && --depth === 0) return at;
  }
  return undefined;
}
