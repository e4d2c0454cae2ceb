// Source files kept as test data: a TS/JS module in a fixtures folder (`fixtures/`, `__fixtures__/`) of a test folder
// (`test/`, `tests/`, `__tests__/`, `spec/`) that no file of the project imports or requires. A linter's, a code
// generator's or a migration tool's tests keep such files as input they read as text (`readFile`, a parser), or copy
// into a scratch project: nothing runs them on the application's connections, so their SQL is data, as a `.sql` file
// in the same folder is a script of a test's own session (ownSession.ts's isTestFolderSql). A fixture module that a
// test imports (Playwright's and Vitest's `test.extend` fixtures, a database set-up helper) is code that runs: it keeps
// its findings, and so does every file where the project's importers cannot be known (no package.json above it, a
// project over projectImporters.ts's bounds).
import { relative, resolve, sep } from 'node:path';
import { projectRoot } from './moduleResolution';
import { importersOf } from './projectImporters';

const FIXTURES_FOLDER = /^(?:fixtures|__fixtures__)$/i;
const TEST_FOLDER = /^(?:tests?|__tests__|spec)$/i;

/** Whether the file sits in a fixtures folder below a test folder of its project, judged by the folders below the project's root. */
export function inTestFixturesFolder(fileName: string): boolean {
  const file = resolve(fileName);
  // The folders below the root end the file's whole path: without such folders in the whole path (most files), no root is looked for.
  if (fixturesBelowTestFolder(file.split(sep).slice(0, -1)) < 0) return false;
  const root = projectRoot(file);
  if (root === undefined) return false;
  return fixturesBelowTestFolder(relative(root, file).split(sep).slice(0, -1)) > 0;
}

/** Where a fixtures folder below a test folder is among the folders (nearest the first), or -1. */
function fixturesBelowTestFolder(folders: readonly string[]): number {
  return folders.findIndex((folder, index) => index > 0 && FIXTURES_FOLDER.test(folder) && folders.slice(0, index).some((above) => TEST_FOLDER.test(above)));
}

/** Whether the file is such test data: in a test folder's fixtures folder, and imported or required by no file of the project. */
export function isUnimportedTestFixture(fileName: string | undefined): boolean {
  if (fileName === undefined || !inTestFixturesFolder(fileName)) return false;
  const importers = importersOf(resolve(fileName));
  return importers !== undefined && importers.length === 0;
}
