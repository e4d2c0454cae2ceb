// A test folder's script that takes its database URL from its command line (`const [pgUrl] = process.argv.slice(2)`)
// is run by the project's own tests as a child process (`Bun.spawn(['bun', cliPath, url, …])`), much as a helper's
// function is called by them. Its argument is judged by what those runs pass at its place, in the spawning file: the
// suite's database (an environment variable the CI workflow points at its localhost service) clears a Bun SQL pool's
// prepared statements there. A script nothing in the project runs, one also run with another URL (an application
// module's run, another argument at that place), or one a package.json script names keeps its finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository, type FileText } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('spawned-script-arguments', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

/** A workflow whose test job points LEDGER_TEST_PG_URL at its PostgreSQL service on this machine. */
const WORKFLOW = [
  'name: ci',
  'on: [push]',
  'jobs:',
  '  test:',
  '    runs-on: ubuntu-latest',
  '    services:',
  '      pg:',
  '        image: postgres:16',
  '        ports: ["5432:5432"]',
  '    env:',
  '      LEDGER_TEST_PG_URL: postgres://ledger:ledger@localhost:5432/ledger_test',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - run: bun test',
];

/** The script: a Bun SQL pool on its first argument, one tagged query (found at line 2, where the pool is made). */
const GRANT_CLI = [
  'const [pgUrl, account] = process.argv.slice(2);',
  'const ledger = new Bun.SQL(pgUrl);',
  'await ledger`UPDATE accounts SET granted = true WHERE name = ${account}`;',
  'await ledger.close();',
];
const KEPT = ['protocol-prepared-statement 2'];

/** A test that runs the script through a function of its own, given the suite's URL (or `url`). */
const spawningTest = (url = 'process.env.LEDGER_TEST_PG_URL!', spawnWords = 'cliPath, pgUrl, account') => [
  "import { test } from 'bun:test';",
  "const cliPath = new URL('./helpers/grant-cli.ts', import.meta.url).pathname;",
  'async function grant(pgUrl: string, account: string) {',
  `  const child = Bun.spawn(['bun', ${spawnWords}], { stdout: 'pipe' });`,
  '  if ((await child.exited) !== 0) throw new Error(`grant-cli.ts failed`);',
  '}',
  `test('grants', async () => { await grant(${url}, 'alice'); });`,
];

let folders = 0;
/** The script's findings in a repository of `files` (relative paths; the script at tests/helpers/grant-cli.ts unless given). */
function findingsWith(files: Record<string, FileText>, script = 'tests/helpers/grant-cli.ts', scriptText: FileText = GRANT_CLI): string[] {
  const folder = `r${folders++}`;
  repo.write(`${folder}/package.json`, files['package.json'] ?? `{"name": "${folder}"}`);
  repo.write(`${folder}/.github/workflows/ci.yml`, WORKFLOW);
  for (const [path, text] of Object.entries(files)) if (path !== 'package.json') repo.write(`${folder}/${path}`, text);
  return findingsOf(repo.write(`${folder}/${script}`, scriptText));
}

test('a test script run by the tests with the suite database URL at its place is on the suite database', () => {
  assert.deepEqual(findingsWith({ 'tests/grant.test.ts': spawningTest() }), []);
  // `process.argv[2]` read directly, and the script's path joined to the spawning file's folder.
  assert.deepEqual(findingsWith({
    'tests/grant.test.ts': spawningTest().map((line) => line.replace("new URL('./helpers/grant-cli.ts', import.meta.url).pathname", "join(import.meta.dir, 'helpers', 'grant-cli.ts')")),
  }, undefined, ['const ledger = new Bun.SQL(process.argv[2]);', 'await ledger`SELECT 1`;']), []);
  // A path relative to the folder the runner runs in, written in the command list.
  assert.deepEqual(findingsWith({
    'tests/grant.test.ts': spawningTest(undefined, "'tests/helpers/grant-cli.ts', pgUrl, account"),
  }), []);
});

test('an exported helper the script calls with its argument is judged through the script\'s runs', () => {
  // The helper module: the client on its parameter, and the function the tests call, which runs the script.
  const helper = (spawnUrl = 'pgUrl') => [
    'export async function grantInProcess(pgUrl: string, account: string) {',
    '  const ledger = new Bun.SQL(pgUrl);',
    '  await ledger`UPDATE accounts SET granted = true WHERE name = ${account}`;',
    '}',
    'export async function grant(pgUrl: string, account: string) {',
    "  const cliPath = new URL('./grant-cli.ts', import.meta.url).pathname;",
    `  await Bun.spawn(['bun', cliPath, ${spawnUrl}, account]).exited;`,
    '}',
  ];
  // The script names `grant` only in its comment (a longer name holds it too): no call of it.
  const cli = [
    '// Run by grant() in a process of its own; grantInProcess does the work.',
    "import { grantInProcess } from './grant';",
    'const [pgUrl, account] = process.argv.slice(2);',
    'await grantInProcess(pgUrl, account);',
  ];
  const suite = ["import { grant } from './helpers/grant';", "await grant(process.env.LEDGER_TEST_PG_URL!, 'alice');"];
  assert.deepEqual(findingsWith({ 'tests/helpers/grant-cli.ts': cli, 'tests/grant.test.ts': suite }, 'tests/helpers/grant.ts', helper()), []);
  // The helper runs the script with another URL than its caller's.
  assert.deepEqual(findingsWith({ 'tests/helpers/grant-cli.ts': cli, 'tests/grant.test.ts': suite }, 'tests/helpers/grant.ts', helper('process.env.DATABASE_URL!')), KEPT);
  // An application module runs the script too, with its own URL.
  assert.deepEqual(findingsWith({
    'tests/helpers/grant-cli.ts': cli,
    'tests/grant.test.ts': suite,
    'src/drill.ts': ["const cli = new URL('../tests/helpers/grant-cli.ts', import.meta.url).pathname;", "Bun.spawn(['bun', cli, process.env.DATABASE_URL!, 'x']);"],
  }, 'tests/helpers/grant.ts', helper()), KEPT);
});

test('a script nothing runs, or also run with another URL or another argument at its place, keeps its finding', () => {
  // Nothing in the project runs it (its usage comment is a hand run against any URL).
  assert.deepEqual(findingsWith({}), KEPT);
  // An application module runs it too, with the application's URL.
  assert.deepEqual(findingsWith({
    'tests/grant.test.ts': spawningTest(),
    'src/drill.ts': ["import { join } from 'node:path';", "const FIXTURE = join(import.meta.dir, '..', 'tests', 'helpers', 'grant-cli.ts');",
      'export function drill(url: string) { return Bun.spawn([process.execPath, FIXTURE, url, "drill"]); }'],
  }), KEPT);
  // The suite's URL given at another place than the one the script reads its URL from.
  assert.deepEqual(findingsWith({ 'tests/grant.test.ts': spawningTest(undefined, 'cliPath, account, pgUrl') }), KEPT);
  // A URL the test environment does not set.
  assert.deepEqual(findingsWith({ 'tests/grant.test.ts': spawningTest('process.env.LEDGER_PG_URL!') }), KEPT);
  // A package.json script runs it, with whatever its shell holds.
  assert.deepEqual(findingsWith({
    'package.json': '{"name": "grants", "scripts": {"grant": "bun tests/helpers/grant-cli.ts $LEDGER_PG_URL"}}',
    'tests/grant.test.ts': spawningTest(),
  }), KEPT);
  // The path handed to a function the file does not read.
  assert.deepEqual(findingsWith({
    'tests/grant.test.ts': ["import { runScript } from './run';", "runScript(new URL('./helpers/grant-cli.ts', import.meta.url).pathname, process.env.LEDGER_TEST_PG_URL!);"],
  }), KEPT);
});
