// A test client whose host comes from a test configuration module's default export (`export default () => ({ db: {
// host: process.env.APP_TEST_PG_HOST || 'localhost' } })` in a test folder, one import away): the suite's local
// database (corpus ruling 4, embedded-sql.md "Test code's local database"), as for the same module's named export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('test-config-default-export', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).filter((f) => f.rule !== 'syntax-error').map((f) => ruleLine(text, f));
}

/** A test configuration module whose export (written by `exported`) gives the database's host `host`. */
const settings = (exported: string, host: string) => [
  `${exported} ({`,
  "  mail: { url: 'https://mail.example.test' },",
  `  db: { postgres: { host: ${host}, port: process.env.APP_TEST_PG_PORT || '5433', database: 'ledger_test' } },`,
  '});',
];

/** A test's database factory: a postgres.js client (named statements on) made on line 8 from the configuration's host. */
const factory = (importLine: string) => [
  "import postgres from 'postgres';",
  importLine,
  'export class LedgerDatabase {',
  '  private readonly config = settings();',
  '  private readonly admin = this.open();',
  '  private open(): postgres.Sql {',
  '    const { host, port, database } = this.config.db.postgres;',
  '    return postgres({ host, port: Number(port), database });',
  '  }',
  '  async create(name: string) {',
  '    await this.admin`create database ${this.admin(name)}`;',
  '    await this.admin`create database ${this.admin(name)}`;',
  '  }',
  '}',
];

test("a test client whose host is a local default of a test configuration module's default export is the suite's database", () => {
  repo.write('a/src/config/__tests__/settings.ts', settings('export default () =>', "process.env.APP_TEST_PG_HOST || 'localhost'"));
  assert.deepEqual(findingsOf(repo.write('a/src/__tests__/ledger-db.ts', factory("import settings from '../config/__tests__/settings';"))), []);
  // `export default function` and a default export naming the module's function read the same.
  repo.write('a/src/config/__tests__/settings-fn.ts', ['export default function settings() {', '  return {', "    db: { postgres: { host: process.env.APP_TEST_PG_HOST ?? '127.0.0.1', port: '5432', database: 't' } },", '  };', '}']);
  assert.deepEqual(findingsOf(repo.write('a/src/__tests__/ledger-db-fn.ts', factory("import settings from '../config/__tests__/settings-fn';"))), []);
  repo.write('a/src/config/__tests__/settings-named.ts', [...settings('const made = () =>', "'localhost'"), 'export default made;']);
  assert.deepEqual(findingsOf(repo.write('a/src/__tests__/ledger-db-named.ts', factory("import settings from '../config/__tests__/settings-named';"))), []);
});

test("a default export whose host is another machine's, or an application module's configuration, keeps the finding", () => {
  repo.write('b/src/config/__tests__/settings.ts', settings('export default () =>', "process.env.APP_TEST_PG_HOST || 'db.ledger.example.com'"));
  assert.deepEqual(findingsOf(repo.write('b/src/__tests__/ledger-db.ts', factory("import settings from '../config/__tests__/settings';"))), ['protocol-prepared-statement 8']);
  // Outside a test folder the configuration is the application's (its host may be the deployed one's).
  repo.write('b/src/config/settings.ts', settings('export default () =>', "process.env.APP_TEST_PG_HOST || 'localhost'"));
  assert.deepEqual(findingsOf(repo.write('b/src/__tests__/ledger-db-app.ts', factory("import settings from '../config/settings';"))), ['protocol-prepared-statement 8']);
});
