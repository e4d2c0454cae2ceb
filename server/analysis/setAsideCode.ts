// TS/JS files a project keeps set aside, as setAsideFolders.ts reads `.sql` files: a folder whose name says its files
// are no longer used (`archived`, `old`, `backup`… with only kind words: `.archived-tests/`, `migrations/archived/`),
// and the project shows that nothing runs what it holds. Two kinds are read, each where its runner is known:
// - a migration in such a folder right below a migrations folder (`src/migrations/archived/003_x.ts`) that a
//   configuration at its project's root names as the migrator's folder (knexfile `directory: './src/migrations'`): a
//   migrator reads the one folder it is configured with, not the folders inside it (knex, node-pg-migrate, MikroORM,
//   umzug's default glob), so the migration is applied by nothing; a configuration that names the set-aside folder, or
//   a glob (`src/migrations/**/*.ts`) instead of the folder, keeps it;
// - a test file (`*.test.ts`, `*.spec.js`) in such a folder that no test runner reaches: no runner configuration
//   (jest, vitest, mocha, ava, playwright…) and no package.json that runs one in any folder from the set-aside folder's
//   parent up to the repository's root, where a runner started there would find it.
// Both also ask that no file of the project outside the folder imports the file, and that neither the root's
// configuration files, package.json scripts and Makefiles nor its CI files (GitHub workflows, GitLab, CircleCI…) name
// the folder. Nothing such a file would send or create exists, so it gets no findings. Without a repository root, a
// project root for a migration, or a known list of importers, nothing is known: the findings stay.
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { boundedText, folderEntries } from './folderEntries';
import { foldersUpToRoot, repositoryRoot } from './projectPaths';
import { projectRoot, SOURCE_FILE } from './moduleResolution';
import { importersOf } from './projectImporters';
import { namesSetAsideFolder, rootConfigTexts } from './setAsideFolders';
import { githubWorkflowFiles } from './testEnvironment';
import { escapeRegExp } from './regexText';

/** How many folders above the file the repository's root is looked for. */
const ROOT_LEVELS = 12;
/** A test file a runner finds by its name. */
const TEST_FILE_NAME = /\.(?:test|spec)\.[cm]?[jt]sx?$/i;
/** A migrations folder (`migrations`, `migrate`, `db_migrations`, `knex-migrations`). */
const MIGRATIONS_FOLDER = /^(?:[\w.-]*[_.-])?migrat(?:ions?|e)$/i;
/** Configuration files of test runners: where one sits, a run started there finds the tests below it. */
const TEST_RUNNER_CONFIG = /^(?:(?:jest|vitest|vitest\.workspace|vite|ava|playwright|cypress|karma|wdio|web-test-runner|wtr)\.(?:config|conf)\.[\w.]+|\.mocharc(?:\.[\w]+)?|\.taprc|jest\.config|karma\.conf\.[cm]?[jt]s)$/i;
/** A package.json that runs tests: a runner's own key, or a script that calls one. */
const RUNS_TESTS = /"(?:jest|mocha|ava|vitest|tap)"\s*:|\b(?:jest|vitest|mocha|ava|tap|playwright|cypress|karma|wdio|node\s+--test|bun\s+test|deno\s+test)\b/;
/** CI files at the repository's root besides GitHub's workflows. */
const CI_FILES = ['.gitlab-ci.yml', '.gitlab-ci.yaml', 'bitbucket-pipelines.yml', '.travis.yml', 'azure-pipelines.yml', 'Jenkinsfile', join('.circleci', 'config.yml')];
const MAX_FILE_BYTES = 256 * 1024;

/** Whether the TS/JS file is a migration or a test kept in a set-aside folder that nothing runs (see the head of this file). */
export function isSetAsideCode(fileName: string | undefined): boolean {
  if (fileName === undefined || !SOURCE_FILE.test(fileName)) return false;
  const file = resolve(fileName);
  const folders = foldersUpToRoot(dirname(file), ROOT_LEVELS);
  const repository = repositoryRoot(dirname(file));
  if (repository === undefined || folders[folders.length - 1] !== repository) return false;
  const at = folders.slice(0, -1).findIndex((folder) => namesSetAsideFolder(basename(folder)));
  if (at < 0) return false;
  const setAside = folders[at];
  const kept = TEST_FILE_NAME.test(file) ? testNoRunnerReaches(folders.slice(at + 1))
    : at === 0 && MIGRATIONS_FOLDER.test(basename(dirname(setAside))) && migrationNoMigratorReads(file, setAside);
  return kept && !namedByRepository(repository, basename(setAside)) && importedOnlyFromWithin(file, setAside);
}

/** Whether no folder from the set-aside folder's parent up to the repository's root holds a test runner's configuration or a package.json that runs tests. */
function testNoRunnerReaches(above: readonly string[]): boolean {
  return above.every((folder) => folderEntries(folder).every((entry) => !entry.isFile() || (!TEST_RUNNER_CONFIG.test(entry.name)
    && !(entry.name === 'package.json' && RUNS_TESTS.test(boundedText(join(folder, entry.name), MAX_FILE_BYTES) ?? 'jest')))));
}

/**
 * Whether the migration's project root configures its migrator with the set-aside folder's parent as its folder, written
 * whole as a quoted path (`'./src/migrations'`, not a glob below it), and no configuration there names the set-aside folder.
 */
function migrationNoMigratorReads(file: string, setAside: string): boolean {
  const root = projectRoot(file);
  const migrations = dirname(setAside);
  if (root === undefined || !(migrations === root || migrations.startsWith(`${root}${sep}`))) return false;
  const path = relative(root, migrations).split(sep).join('/');
  const namedWhole = new RegExp(String.raw`(['"\x60])(?:\.\/)?${escapeRegExp(path)}\/?\1`);
  const texts = rootConfigTexts(root);
  return texts.some((text) => namedWhole.test(text)) && !texts.some((text) => text.includes(basename(setAside)));
}

/** Whether the repository root's configuration files or CI files name the folder (a script or a job that runs it). */
function namedByRepository(repository: string, folderName: string): boolean {
  const ciTexts = [...githubWorkflowFiles(repository), ...CI_FILES.map((name) => join(repository, name))]
    .flatMap((path) => boundedText(path, MAX_FILE_BYTES) ?? []);
  return [...rootConfigTexts(repository), ...ciTexts].some((text) => text.includes(folderName));
}

/**
 * Whether every file of the project that imports the file lies in the set-aside folder too. Without a project root
 * (no package.json above the file, so no runner or build of it either) there is nothing to import it from; a project
 * whose importers cannot be listed keeps the file.
 */
function importedOnlyFromWithin(file: string, setAside: string): boolean {
  if (projectRoot(file) === undefined) return true;
  const importers = importersOf(file);
  return importers !== undefined && importers.every((importer) => importer.startsWith(`${setAside}${sep}`));
}
