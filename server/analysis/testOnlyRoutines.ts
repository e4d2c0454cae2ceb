// Routines a project installs for its own tests: named as tests (`test_…`, `test__…`, the prefix pgTAP and
// pg_regress suites give them) and called by the project's test scripts (pg_regress input, pgTAP tests: isTestScript)
// and by nothing else. They run in the test suite's session, on the database the suite tests against (rulings 4 and
// 13), never on a connection the application's pool hands out: the session state their bodies leave is the suite's.
// A test-named routine that any other file of the project calls (a program, a shell script, a migration, a script
// that is no test) keeps its findings, and so does one no test script calls (a helper whose callers are unknown,
// ruling 10). The defining file's own mentions do not count either way: its documentation quotes the routine's name,
// and an install script's top-level statements run in that script's own session.
import { dirname, join, resolve } from 'node:path';
import { boundedText, walkFolders } from './folderEntries';
import { COMMAND_FILE } from './psqlRuns';
import { PROGRAM_SOURCE, projectRoot } from './psqlOnlyProjects';
import { isSqlFileName } from './sqlFileNames';
import { ROUTINE_DEFINITIONS, unqualifiedName } from './routineDefinitions';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';
import { escapeRegExp } from './regexText';

/** A routine's unqualified name that marks it as a test. */
const TEST_NAME = /^test_/;
/** Bounds of the walk of the project for callers: folders, files read, bytes of one file. */
const MAX_FOLDERS = 2000;
const MAX_FILES = 5000;
const MAX_FILE_BYTES = 1 << 20;

const byProject = new TimedCache<ReadonlySet<string>>(PROJECT_CACHE_MS, 64);

/** The test-named routines (unqualified, lower case) the SQL text defines, if any. */
function testNamedRoutines(text: string): string[] {
  if (!/\btest_/i.test(text)) return [];
  const names = new Set<string>();
  for (const match of text.matchAll(ROUTINE_DEFINITIONS)) {
    const name = unqualifiedName(match[1]);
    if (TEST_NAME.test(name)) names.add(name);
  }
  return [...names];
}

/** Whether a SQL file is one of the project's test scripts (ownSession.ts's isTestScript, handed in: it calls this module). */
export type TestScriptTest = (text: string, fileName: string) => boolean;

/**
 * The routines the file defines that only the project's test scripts call (see the head of this file), as
 * unqualified lower-case names; undefined when there are none.
 */
export function testOnlyRoutines(text: string, fileName: string, isTestScript: TestScriptTest): ReadonlySet<string> | undefined {
  const names = testNamedRoutines(text);
  if (names.length === 0) return undefined;
  const file = resolve(fileName);
  const root = projectRoot(dirname(file));
  if (root === undefined) return undefined;
  const only = byProject.get(`${root}\0${file}\0${names.join(',')}`, () => calledOnlyByTests(root, file, names, isTestScript));
  return only.size > 0 ? only : undefined;
}

/** Of `names`, those some test script under the root calls and no other file does (the defining file left out). */
function calledOnlyByTests(root: string, definingFile: string, names: readonly string[], isTestScript: TestScriptTest): ReadonlySet<string> {
  const call = new RegExp(String.raw`(?<![\w$])(${names.map(escapeRegExp).join('|')})"?\s*\(`, 'gi');
  const byTests = new Set<string>();
  const elsewhere = new Set<string>();
  let files = 0;
  const walk = walkFolders(root, MAX_FOLDERS, (folder, entries) => {
    for (const entry of entries) {
      if (!entry.isFile() || !mayCallRoutines(entry.name)) continue;
      const path = join(folder, entry.name);
      if (path === definingFile) continue;
      if (++files > MAX_FILES) return false;
      const text = boundedText(path, MAX_FILE_BYTES);
      // A file too big to read may call any of them.
      if (text === undefined) {
        names.forEach((name) => elsewhere.add(name));
        continue;
      }
      const called = new Set([...text.matchAll(call)].map((match) => match[1].toLowerCase()));
      if (called.size === 0) continue;
      const sink = isSqlFileName(entry.name) && isTestScript(text, path) ? byTests : elsewhere;
      called.forEach((name) => sink.add(name));
    }
    return true;
  });
  // A project too big to walk whole may call them anywhere.
  if (walk !== 'complete') return new Set();
  return new Set(names.filter((name) => byTests.has(name) && !elsewhere.has(name)));
}

/** Files that may call a routine: SQL scripts, programs' sources, and the files that run commands (shell, Make, CI). */
function mayCallRoutines(name: string): boolean {
  return isSqlFileName(name) || PROGRAM_SOURCE.test(name) || COMMAND_FILE.test(name);
}

/** Whether a candidate's routine (as its definition names it, possibly qualified) is one of the file's test-only routines. */
export function isTestOnlyRoutine(routine: string, testOnly: ReadonlySet<string>): boolean {
  return testOnly.has(unqualifiedName(routine));
}
