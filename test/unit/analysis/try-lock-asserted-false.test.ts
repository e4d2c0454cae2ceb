// A test that proves another holder has a session advisory lock tries it and asserts the try returned false: a
// try-lock that returns false takes nothing, so no lock stays on the connection. Any other shape keeps the finding:
// an assertion that it was acquired, none at all, a blocking lock, a statement doing more, or the same code outside tests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('try-lock-asserted-false', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(0, f.start).split('\n').length}`);
}

/** The application's env file points DATABASE_URL at a pooler, so a test's client on it is a pooled session. */
const POOLED_ENV = 'DATABASE_URL=postgres://app@db.example.com:6543/app';

/** A spec whose second client (on the app's DATABASE_URL) runs `sql` (line 6) and then `check` (line 7). */
const rivalSpec = (sql: string, check: string, kept = 'const { rows }') => [
  "import pg from 'pg';",
  "it('the importer holds its lock while it runs', async () => {",
  '  const other = new pg.Client({ connectionString: process.env.DATABASE_URL });',
  '  await other.connect();',
  '  try {',
  `    ${kept} = await other.query(${JSON.stringify(sql)});`,
  `    ${check};`,
  '  } finally {',
  '    await other.end();',
  '  }',
  '});',
];

const TRY = "SELECT pg_try_advisory_lock(hashtext('importer')) AS got";

test('a try-lock the test asserts returned false takes nothing: no advisory-lock finding', () => {
  repo.write('a/package.json', '{"name": "a"}');
  repo.write('a/.env', POOLED_ENV);
  const checks = [
    'expect(rows[0].got).toBe(false)',
    'expect(rows[0].got).toBeFalsy()',
    'expect(rows[0].got).to.be.false',
    'assert.equal(rows[0].got, false)',
    'assert.ok(!rows[0].got)',
  ];
  checks.forEach((check, index) => {
    const spec = repo.write(`a/test/rival${index}.test.ts`, rivalSpec(TRY, check));
    assert.deepEqual(findingsOf(spec), [], check);
  });
  const whole = repo.write('a/test/whole.test.ts', rivalSpec("SELECT pg_try_advisory_lock(7)", 'expect(res.rows[0].pg_try_advisory_lock).toBe(false)', 'const res'));
  assert.deepEqual(findingsOf(whole), []);
});

test('an acquired, unchecked, blocking or mixed lock, or the same code outside tests, keeps the finding', () => {
  repo.write('b/package.json', '{"name": "b"}');
  repo.write('b/.env', POOLED_ENV);
  const cases: Array<[string, string, string]> = [
    ['acquired', TRY, 'expect(rows[0].got).toBe(true)'],
    ['negated', TRY, 'expect(rows[0].got).not.toBe(false)'],
    ['other column', TRY, 'expect(rows[0].other).toBe(false)'],
    ['unchecked', TRY, 'console.log(rows[0].got)'],
    ['blocking', 'SELECT pg_advisory_lock(7) AS got', 'expect(rows[0].got).toBe(false)'],
    ['mixed', 'SELECT pg_try_advisory_lock(7) AS got, pg_advisory_lock(8) AS held', 'expect(rows[0].got).toBe(false)'],
  ];
  for (const [name, sql, check] of cases) {
    const spec = repo.write(`b/test/${name.replace(' ', '-')}.test.ts`, rivalSpec(sql, check));
    // (the mixed statement has a finding per lock call)
    assert.deepEqual([...new Set(findingsOf(spec))], ['advisory-lock 6'], name);
  }
  const application = repo.write('b/src/rival.ts', rivalSpec(TRY, 'expect(rows[0].got).toBe(false)'));
  assert.deepEqual(findingsOf(application), ['advisory-lock 6']);
});
