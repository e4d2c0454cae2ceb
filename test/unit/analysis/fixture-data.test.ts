// A source file in a test folder's fixtures folder that no file of the project imports is input the tests read as
// text (a parser's, a migration checker's), never code that runs: it has no findings. A fixture module a test
// imports or requires is code, and so is a fixtures folder outside a test folder.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { inTestFixturesFolder, isUnimportedTestFixture } from '../../../server/analysis/fixtureData';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const MIGRATION = [
  'export async function up(knex) {',
  "  await knex.raw(\"SET lock_timeout = '3s'\");",
  "  await knex.schema.alterTable('orders', (t) => t.integer('total'));",
  '}',
];

const rules = (file: string): string[] => analyze(readFileSync(file, 'utf8'), file.endsWith('.js') ? 'javascript' : 'typescript', {}, file).map((f) => f.rule);

test('a migration kept in tests/fixtures that the tests only read as text has no findings', (t) => {
  const repo = scratchRepository('fixture-data-read', t);
  repo.writeAll({
    'package.json': '{ "name": "checker" }',
    'tests/fixtures/knex-lock.ts': MIGRATION,
    'test/__fixtures__/nested/knex-lock.js': MIGRATION,
    'tests/checker.test.ts': [
      "import { readFileSync } from 'node:fs';",
      "import { check } from '../src/check';",
      "const text = readFileSync(new URL('./fixtures/knex-lock.ts', import.meta.url), 'utf8');",
      'check(text);',
    ],
    'src/check.ts': 'export function check(text: string) { return text.length; }',
  });
  for (const file of ['tests/fixtures/knex-lock.ts', 'test/__fixtures__/nested/knex-lock.js']) {
    assert.equal(isUnimportedTestFixture(repo.path(file)), true, file);
    assert.deepEqual(rules(repo.path(file)), [], file);
  }
});

test('a fixture module a test imports or requires, and fixtures outside a test folder, keep their findings', (t) => {
  const repo = scratchRepository('fixture-data-imported', t);
  repo.writeAll({
    'package.json': '{ "name": "app" }',
    'tests/fixtures/database.ts': MIGRATION,
    'tests/orders.test.ts': ["import { up } from './fixtures/database';", 'up(knex);'],
    'test/fixtures/legacy.js': MIGRATION,
    'test/legacy.test.js': ["const { up } = require('./fixtures/legacy.js');", 'up(knex);'],
    // A fixtures folder of the application itself (seed data it loads), and a test folder with no fixtures folder.
    'src/fixtures/seed.ts': MIGRATION,
    'tests/helpers/seed.ts': MIGRATION,
  });
  for (const file of ['tests/fixtures/database.ts', 'test/fixtures/legacy.js', 'src/fixtures/seed.ts', 'tests/helpers/seed.ts']) {
    assert.equal(isUnimportedTestFixture(repo.path(file)), false, file);
    assert.deepEqual(rules(repo.path(file)), ['session-set'], file);
  }
  assert.equal(inTestFixturesFolder(repo.path('src/fixtures/seed.ts')), false);
});

test('a fixture file in a project whose importers cannot be known (no package.json above it) keeps its findings', (t) => {
  const repo = scratchRepository('fixture-data-unknown', t);
  repo.writeAll({ 'tests/fixtures/knex-lock.ts': MIGRATION });
  assert.equal(isUnimportedTestFixture(repo.path('tests/fixtures/knex-lock.ts')), false);
  assert.deepEqual(rules(repo.path('tests/fixtures/knex-lock.ts')), ['session-set']);
});
