// A suite's single postgres.js connection on an environment URL (embedded-sql.md "A single connection on an environment
// URL") whose two facts are written one step away from the call: the `{ max: 1 }` options held by a `const` of the file
// (`const OPTIONS = { idle_timeout: 2, max: 1 }; … postgres(url, OPTIONS)`), and the URL read through a function of the
// file that returns the variable its caller names, from the environment or else from the developer's `.env.local`
// (`fromEnv('AUDIT_DB_URL')`). Either way it is the developer's own test database, so its named statements and its
// session SET get no finding; options that are not capped, a const the file changes, a name that is not the const, and
// a reader that may return something other than the variable keep the findings. The options may also be an `as const`
// object a test helper exports that neither it nor any importer changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('const-options-and-env-key-readers', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, file.endsWith('.ts') ? 'typescript' : 'javascript', {}, file).filter((f) => f.rule !== 'syntax-error').map((f) => `${f.rule} ${text.slice(0, f.start).split('\n').length}`);
}

/** A reader of the variable its caller names, else of that line of the developer's `.env.local`. */
const READER = [
  'function fromEnv(name) {',
  '  if (process.env[name]) return process.env[name];',
  '  try {',
  "    const text = readFileSync('.env.local', 'utf8');",
  "    const line = text.split('\\n').find((each) => each.startsWith(name + '='));",
  '    return line ? line.slice(name.length + 1).trim() : undefined;',
  '  } catch {',
  '    return undefined;',
  '  }',
  '}',
];

interface Suite {
  /** The options declaration (line 3). */
  options?: string;
  /** The reader's ten lines (lines 4–13). */
  reader?: readonly string[];
  /** The URL's value (line 14). */
  url?: string;
  /** The client's options argument (line 16). */
  argument?: string;
  /** A line after the options (line 15). */
  extra?: string;
}

/** An audit suite: its client is made on line 16, the session SET sent on line 18. */
const suite = ({ options = 'const OPTIONS = { idle_timeout: 2, max: 1 };', reader = READER, url = "fromEnv('AUDIT_DB_URL')", argument = 'OPTIONS', extra = '' }: Suite = {}) => [
  "import postgres from 'postgres';",
  "import { readFileSync } from 'node:fs';",
  options,
  ...reader,
  `const url = ${url};`,
  extra,
  `async function open() { const db = postgres(url, ${argument});`,
  '  await db`select 1`;',
  "  await db.unsafe('SET search_path TO audit');",
  '  return db;',
  '}',
  "test('audit rows stay in their tenant', async () => {",
  '  const db = await open();',
  '  await db`select * from audit_log where tenant = ${7}`;',
  '  await db.end();',
  '});',
];

const REPORTED = ['protocol-prepared-statement 16', 'session-set 18'];

test('a const options object capped at one connection and an env-key reader with a .env.local fallback: the test database, silent', () => {
  assert.deepEqual(findingsOf(repo.write('a/tests/integration/audit.test.mjs', suite())), []);
  // Each fact alone, beside the other written in place.
  assert.deepEqual(findingsOf(repo.write('a/tests/integration/const-only.test.mjs', suite({ url: 'process.env.AUDIT_DB_URL' }))), []);
  assert.deepEqual(findingsOf(repo.write('a/tests/integration/reader-only.test.mjs', suite({ options: '', argument: '{ idle_timeout: 2, max: 1 }' }))), []);
  // A const holding another const, and a getter every return of which is the variable (no file fallback).
  assert.deepEqual(findingsOf(repo.write('a/tests/integration/alias.test.mjs', suite({ extra: 'const SINGLE = OPTIONS;', argument: 'SINGLE' }))), []);
  const getter = ['function fromEnv(name) {', '  if (process.env[name]) return process.env[name];', '  console.warn(`${name} unset`);',
    '  return process.env[name];', '}', '', '', '', '', ''];
  assert.deepEqual(findingsOf(repo.write('a/tests/integration/getter.test.mjs', suite({ reader: getter }))), []);
  // The line's value matched by a pattern, its quotes taken off, or nothing.
  const matched = [...READER];
  matched[4] = "    const line = text.match(new RegExp('^' + name + '=(.*)$', 'm'));";
  matched[5] = "    return line?.[1]?.trim().replace(/^\"|\"$/g, '') || undefined;";
  assert.deepEqual(findingsOf(repo.write('a/tests/integration/matched.test.mjs', suite({ reader: matched }))), []);
});

test('options that are not capped, or a const the file changes or that a name does not reach, keep the findings', () => {
  assert.deepEqual(findingsOf(repo.write('b/tests/integration/uncapped.test.mjs', suite({ options: 'const OPTIONS = { idle_timeout: 2 };' }))), REPORTED);
  assert.deepEqual(findingsOf(repo.write('b/tests/integration/raised.test.mjs', suite({ extra: 'OPTIONS.max = 4;' }))), REPORTED);
  assert.deepEqual(findingsOf(repo.write('b/tests/integration/assigned.test.mjs', suite({ extra: 'Object.assign(OPTIONS, { max: 4 });' }))), REPORTED);
  assert.deepEqual(findingsOf(repo.write('b/tests/integration/let.test.mjs', suite({ options: 'let OPTIONS = { idle_timeout: 2, max: 1 };' }))), REPORTED);
  // A parameter of the same name hides the const.
  const shadowed = suite().map((line) => line.replace('async function open() {', 'async function open(OPTIONS = { max: 4 }) {'));
  assert.deepEqual(findingsOf(repo.write('b/tests/integration/shadowed.test.mjs', shadowed)), REPORTED);
});

test('a reader that may return something other than the variable is not read as it', () => {
  // A URL of its own as the fallback.
  const remote = READER.map((line) => line.replace('    return undefined;', "    return 'postgres://audit@db.example.com:5432/audit';"));
  assert.deepEqual(findingsOf(repo.write('c/tests/integration/remote.test.mjs', suite({ reader: remote }))), REPORTED);
  // Another variable beside the one named, and a file that is not a dotenv file.
  const other = READER.map((line) => line.replace('    return undefined;', '    return process.env.FALLBACK_DB_URL;'));
  assert.deepEqual(findingsOf(repo.write('c/tests/integration/other.test.mjs', suite({ reader: other }))), REPORTED);
  const config = READER.map((line) => line.replace("'.env.local'", "'config/db.txt'"));
  assert.deepEqual(findingsOf(repo.write('c/tests/integration/config.test.mjs', suite({ reader: config }))), REPORTED);
  // The line rewritten to name another host, and a value that is not the file's line: the caller's name itself.
  const moved = READER.map((line) => line.replace('.trim() : undefined', ".replace('localhost', 'db.example.com') : undefined"));
  assert.deepEqual(findingsOf(repo.write('c/tests/integration/moved.test.mjs', suite({ reader: moved }))), REPORTED);
  const echo = READER.map((line) => line.replace('    return undefined;', '    return name;'));
  assert.deepEqual(findingsOf(repo.write('c/tests/integration/echo.test.mjs', suite({ reader: echo }))), REPORTED);
});

test('a committed env file that points the variable at a pooler keeps the findings', () => {
  repo.write('d/.env.local', 'AUDIT_DB_URL=postgres://audit@pgbouncer:6432/audit');
  assert.deepEqual(findingsOf(repo.write('d/tests/integration/audit.test.mjs', suite())), REPORTED);
});

/** A suite importing its client's options from a helper module (`from`), its URL from the environment (line 3). */
const importingSuite = (from: string, name = 'SINGLE_CONNECTION', argument = name) => [
  "import postgres from 'postgres';",
  `import { ${name} } from '${from}';`,
  `const db = postgres(process.env.AUDIT_DB_URL, ${argument});`,
  "test('audit rows stay in their tenant', async () => {",
  "  await db.unsafe('SET search_path TO audit');",
  '  await db`select * from audit_log where tenant = ${7}`;',
  '});',
  'afterAll(() => db.end());',
];
/** Uncapped, the suite's client is a pool of ten: its session SET may land on any of them. */
const IMPORTED_REPORTED = ['session-set 5'];
const SINGLE = 'export const SINGLE_CONNECTION = { idle_timeout: 2, max: 1 } as const;';

// Each test its own project (its package.json marks where the importers are looked for), every file written before the
// first analysis: the project's file list is read once.
const PACKAGE = '{ "name": "audit", "private": true }';
test("options a test helper exports as an unchanged `as const` object capped at one connection: the test's single connection, silent", () => {
  const own = scratchRepository('imported-const-options', { after });
  own.writeAll({
    'package.json': PACKAGE,
    'tests/support/db.ts': [SINGLE, 'export const other = 1;'],
    // Another importer that only reads it.
    'tests/integration/reader.test.ts': ["import { SINGLE_CONNECTION } from '../support/db';", 'console.log(SINGLE_CONNECTION.max);'],
    'tests/integration/audit.test.ts': importingSuite('../support/db'),
    'tests/integration/renamed.test.ts': importingSuite('../support/db', 'SINGLE_CONNECTION as ONE', 'ONE'),
  });
  assert.deepEqual(findingsOf(own.path('tests/integration/audit.test.ts')), []);
  assert.deepEqual(findingsOf(own.path('tests/integration/renamed.test.ts')), []);
});

test('an imported options object not written `as const`, not capped, changed by the helper or an importer, or of application code keeps the findings', () => {
  const own = scratchRepository('imported-const-options-kept', { after });
  own.writeAll({
    'package.json': PACKAGE,
    'tests/support/plain.ts': ['export const SINGLE_CONNECTION = { idle_timeout: 2, max: 1 };'],
    'tests/support/ten.ts': ['export const SINGLE_CONNECTION = { idle_timeout: 2, max: 10 } as const;'],
    'tests/support/raised.ts': [SINGLE, 'Object.assign(SINGLE_CONNECTION, { max: 4 });'],
    'tests/support/shared.ts': [SINGLE],
    'tests/integration/widen.test.ts': ["import { SINGLE_CONNECTION } from '../support/shared';", 'Object.assign(SINGLE_CONNECTION, { max: 4 });'],
    'src/db-options.ts': [SINGLE],
    'tests/integration/plain.test.ts': importingSuite('../support/plain'),
    'tests/integration/ten.test.ts': importingSuite('../support/ten'),
    'tests/integration/raised.test.ts': importingSuite('../support/raised'),
    'tests/integration/shared.test.ts': importingSuite('../support/shared'),
    'tests/integration/app.test.ts': importingSuite('../../src/db-options'),
  });
  for (const file of ['plain', 'ten', 'raised', 'shared', 'app']) {
    assert.deepEqual(findingsOf(own.path(`tests/integration/${file}.test.ts`)), IMPORTED_REPORTED, file);
  }
});
