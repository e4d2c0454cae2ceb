// Routines a project installs for its own tests: named as tests (`test_…`, `test__…`, the prefix pgTAP and
// pg_regress suites give them) and called by the project's test scripts (pg_regress input, pgTAP tests: isTestScript)
// and by nothing else. They run in the test suite's session, on the database the suite tests against (rulings 4 and
// 13), never on a connection the application's pool hands out: the session state their bodies leave is the suite's.
// A test-named routine that any other file of the project calls (a program, a shell script, a migration, a script
// that is no test) keeps its findings, and so does one no test script calls (a helper whose callers are unknown,
// ruling 10). The defining file's own mentions do not count either way: its documentation quotes the routine's name,
// and an install script's top-level statements run in that script's own session.
import { basename, dirname, join, resolve } from 'node:path';
import { boundedText, walkFolders } from './folderEntries';
import { isCommandFile } from './psqlRuns';
import { PROGRAM_SOURCE, projectRoot } from './psqlOnlyProjects';
import { isSqlFileName } from './sqlFileNames';
import { ROUTINE_DEFINITIONS, unqualifiedName } from './routineDefinitions';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';

/** A routine's unqualified name that marks it as a test. */
const TEST_NAME = /^test_/;
/** Bounds of the walk of the project for callers: folders, files read, bytes of one file. */
const MAX_FOLDERS = 2000;
const MAX_FILES = 5000;
const MAX_FILE_BYTES = 1 << 20;

/**
 * Where a call of a test-named routine may start: `test_` after no identifier character. A lookahead, so that every
 * start is found, also one inside another's text (`test_setup.test_queue(`); what follows it up to the first `(` is
 * read, up to a bound (PostgreSQL keeps 63 bytes of a name).
 */
const TEST_CALL = /(?<![\w$])(?=(test_[^(]{0,256})\()/gi;

/** The calls of test-named routines under one project root, read by one walk (however many files define such routines). */
interface ProjectCalls {
  /** Whether the walk read every file it may; a project too big to walk whole may call them anywhere. */
  complete: boolean;
  /** Files too big to read: they may call any routine. */
  unread: string[];
  /** A called name (lower case) → the test scripts and the other files calling it. */
  callers: Map<string, { tests: string[]; others: string[] }>;
}

const byProject = new TimedCache<ProjectCalls>(PROJECT_CACHE_MS, 64);

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
  const calls = byProject.get(root, () => testRoutineCalls(root, isTestScript));
  const only = calledOnlyByTests(calls, file, names);
  return only.size > 0 ? only : undefined;
}

/** Of `names`, those some test script under the root calls and no other file does (the defining file left out). */
function calledOnlyByTests(calls: ProjectCalls, definingFile: string, names: readonly string[]): ReadonlySet<string> {
  if (!calls.complete || calls.unread.some((path) => path !== definingFile)) return new Set();
  const callsFrom = (paths: readonly string[] | undefined): boolean => paths?.some((path) => path !== definingFile) ?? false;
  return new Set(names.filter((name) => {
    const callers = calls.callers.get(name);
    return callsFrom(callers?.tests) && !callsFrom(callers?.others);
  }));
}

/** The names of test-named routines each file under the root calls, by one bounded walk. */
function testRoutineCalls(root: string, isTestScript: TestScriptTest): ProjectCalls {
  const calls: ProjectCalls = { complete: false, unread: [], callers: new Map() };
  let files = 0;
  const walk = walkFolders(root, MAX_FOLDERS, (folder, entries) => {
    for (const entry of entries) {
      if (!entry.isFile() || !mayCallRoutines(join(folder, entry.name))) continue;
      // The bound is on the files read besides the one defining the routines, which is among them.
      if (++files > MAX_FILES + 1) return false;
      const path = join(folder, entry.name);
      const text = boundedText(path, MAX_FILE_BYTES);
      if (text === undefined) {
        calls.unread.push(path);
        continue;
      }
      const called = calledTestNames(text);
      if (called.size === 0) continue;
      const byTest = isSqlFileName(entry.name) && isTestScript(text, path);
      for (const name of called) {
        let callers = calls.callers.get(name);
        if (!callers) calls.callers.set(name, (callers = { tests: [], others: [] }));
        (byTest ? callers.tests : callers.others).push(path);
      }
    }
    return true;
  });
  calls.complete = walk === 'complete';
  return calls;
}

/** The test-named names (lower case) a text calls: `test_x(`, `"test_x"(`, `schema.test_x (`. */
function calledTestNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(TEST_CALL)) {
    // Between the name and its `(`: blanks, after the closing quote of a quoted name.
    const called = match[1].trimEnd();
    names.add((called.endsWith('"') ? called.slice(0, -1) : called).toLowerCase());
  }
  return names;
}

/** Files that may call a routine: SQL scripts, programs' sources, and the files that run commands (shell, Make, CI). */
function mayCallRoutines(path: string): boolean {
  const name = basename(path);
  return isSqlFileName(name) || PROGRAM_SOURCE.test(name) || isCommandFile(path);
}

/** Whether a candidate's routine (as its definition names it, possibly qualified) is one of the file's test-only routines. */
export function isTestOnlyRoutine(routine: string, testOnly: ReadonlySet<string>): boolean {
  return testOnly.has(unqualifiedName(routine));
}
