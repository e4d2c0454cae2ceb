// A test file that loads a module of its own project for its side effects (`import './test/env'`), where that module
// assigns the environment variable the test's client reads a local value (`process.env.LEDGER_PG_HOST = '127.0.0.1'`):
// the module runs in the test's process before the test's code, as a runner's setup file does, so the variable is the
// suite's own database and a postgres.js client of it gets no protocol-prepared-statement finding (session 49). A
// remote value, a value the module only defaults, a named (not side-effect) import, and a `require` that runs after the
// client is made keep the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('side-effect-setup-env', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).filter((f) => f.rule !== 'syntax-error').map((f) => ruleLine(text, f));
}

/** A ledger spec whose pool of ten (line `1 + lead.length + 1`) runs one text twice, loading `lead` first. */
const spec = (lead: string[], tail: string[] = []) => [
  ...lead,
  "import postgres from 'postgres';",
  'const ledger = postgres({ host: process.env.LEDGER_PG_HOST, max: 10 });',
  'const balance = (account: number) => ledger`select total from balances where account = ${account}`;',
  "it('keeps both balances', async () => {",
  '  expect(await balance(1)).toHaveLength(1);',
  '  expect(await balance(2)).toHaveLength(1);',
  '});',
  ...tail,
];

test("a module the spec imports for its side effects that sets the client's variable to this machine: no finding", () => {
  repo.write('a/package.json', '{"name": "a"}');
  repo.write('a/src/test/env.ts', ["process.env.LEDGER_PG_HOST = '127.0.0.1';", "process.env.QUEUE_URL = 'amqp://localhost';"]);
  assert.deepEqual(findingsOf(repo.write('a/src/ledger.integration.test.ts', spec(["import './test/env';"]))), []);
  // Through a module that module loads in turn.
  repo.write('a/src/test/all.ts', ["import './env';"]);
  assert.deepEqual(findingsOf(repo.write('a/src/nested.integration.test.ts', spec(["import './test/all';"]))), []);
  // CommonJS: a `require` statement before the client is made.
  assert.deepEqual(findingsOf(repo.write('a/src/required.integration.test.ts', spec(["require('./test/env');"]))), []);
});

test('a remote or defaulted value, a named import and a late require keep the finding', () => {
  repo.write('b/package.json', '{"name": "b"}');
  repo.write('b/src/test/remote.ts', ["process.env.LEDGER_PG_HOST = 'ledger.db.example.com';"]);
  assert.deepEqual(findingsOf(repo.write('b/src/remote.integration.test.ts', spec(["import './test/remote';"]))), ['protocol-prepared-statement 3']);
  repo.write('b/src/test/defaulted.ts', ["process.env.LEDGER_PG_HOST = process.env.LEDGER_PG_HOST ?? 'localhost';"]);
  assert.deepEqual(findingsOf(repo.write('b/src/defaulted.integration.test.ts', spec(["import './test/defaulted';"]))), ['protocol-prepared-statement 3']);
  repo.write('b/src/test/named.ts', ["process.env.LEDGER_PG_HOST = 'localhost';", 'export const seeded = true;']);
  assert.deepEqual(findingsOf(repo.write('b/src/named.integration.test.ts', spec(["import { seeded } from './test/named';", 'void seeded;']))), ['protocol-prepared-statement 4']);
  repo.write('b/src/test/env.ts', ["process.env.LEDGER_PG_HOST = 'localhost';"]);
  assert.deepEqual(findingsOf(repo.write('b/src/late.integration.test.ts', spec([], ["require('./test/env');"]))), ['protocol-prepared-statement 2']);
  // Nothing loaded: the variable is whatever the shell gives.
  assert.deepEqual(findingsOf(repo.write('b/src/bare.integration.test.ts', spec([]))), ['protocol-prepared-statement 2']);
  // A module outside the test code (the application's own configuration) is not read for it.
  repo.write('b/src/config/local-env.ts', ["process.env.LEDGER_PG_HOST = 'localhost';"]);
  assert.deepEqual(findingsOf(repo.write('b/src/app-env.integration.test.ts', spec(["import './config/local-env';"]))), ['protocol-prepared-statement 3']);
});

test('the same client in application code keeps the finding whatever it loads', () => {
  repo.write('c/package.json', '{"name": "c"}');
  repo.write('c/src/test/env.ts', ["process.env.LEDGER_PG_HOST = 'localhost';"]);
  assert.deepEqual(findingsOf(repo.write('c/src/ledger.ts', spec(["import './test/env';"]))), ['protocol-prepared-statement 3']);
});
