// A test that proves another holder has a session advisory lock tries it and asserts the try returned false: a
// try-lock that returns false takes nothing, so no lock stays on the connection. Any other shape keeps the finding:
// an assertion that it was acquired, none at all, a blocking lock, a statement doing more, or the same code outside tests.
// A script whose acquired path ends the program (process.exit) reads the same; one whose acquired path goes on keeps it,
// a throw too: a caller may catch it and go on holding the lock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('try-lock-asserted-false', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
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

test('the row or the rows asserted equal to the column false (object and array matchers, deep equality) say the same', () => {
  repo.write('c/package.json', '{"name": "c"}');
  repo.write('c/.env', POOLED_ENV);
  const checks: Array<[string, string]> = [
    ['const { rows }', 'expect(rows[0]).toEqual({ got: false })'],
    ['const { rows }', 'expect(rows).toEqual([{ got: false }])'],
    ['const { rows }', "expect(rows[0]).toMatchObject({ 'got': false })"],
    ['const res', 'expect(res.rows).toStrictEqual([{ got: false }])'],
    ['const { rows }', "expect(rows[0]).toHaveProperty('got', false)"],
    ['const { rows }', 'expect(rows[0]).to.eql({ got: false })'],
    ['const { rows }', 'expect(rows[0]).to.deep.equal({ got: false })'],
    ['const { rows }', 'expect(rows[0]).to.include({ got: false })'],
    ['const { rows }', "expect(rows[0]).to.have.property('got', false)"],
    ['const res', 'assert.deepStrictEqual(res.rows[0], { got: false })'],
    ['const { rows }', 'assert.deepEqual(rows, [{ got: false }])'],
    ['const { rows }', 't.deepEqual(rows, [{ got: false }])'],
    ['const { rows }', 't.like(rows[0], { got: false })'],
  ];
  checks.forEach(([kept, check], index) => {
    const spec = repo.write(`c/test/rival${index}.test.ts`, rivalSpec(TRY, check, kept));
    assert.deepEqual(findingsOf(spec), [], check);
  });
});

test('an object matcher saying true, another column, more than one row, a shallow comparison or a negation keeps the finding', () => {
  repo.write('d/package.json', '{"name": "d"}');
  repo.write('d/.env', POOLED_ENV);
  const checks = [
    'expect(rows[0]).toEqual({ got: true })',
    'expect(rows[0]).toEqual({ other: false })',
    'expect(rows).toEqual([{ got: false }, { got: false }])',
    'expect(rows[0]).not.toEqual({ got: false })',
    'expect(rows[0]).to.equal({ got: false })',
    'assert.equal(rows[0], { got: false })',
    "expect(rows[0]).toHaveProperty('got', true)",
    "expect(rows[0]).toHaveProperty('got')",
    'expect(rows[1]).toEqual({ got: false })',
  ];
  checks.forEach((check, index) => {
    const spec = repo.write(`d/test/rival${index}.test.ts`, rivalSpec(TRY, check));
    assert.deepEqual(findingsOf(spec), ['advisory-lock 6'], check);
  });
});

/**
 * A program (not a test) whose second client runs `sql` (line 6), then `lines` in the same block: a probe that a
 * rival must not get the lock, in a gate script's `main`.
 */
const probeScript = (sql: string, lines: readonly string[], kept = 'const { rows }') => [
  "import pg from 'pg';",
  'async function main(): Promise<void> {',
  '  const other = new pg.Client({ connectionString: process.env.DATABASE_URL });',
  '  await other.connect();',
  '  try {',
  `    ${kept} = await other.query(${JSON.stringify(sql)});`,
  ...lines.map((line) => `    ${line}`),
  '  } finally {',
  '    await other.end();',
  '  }',
  '}',
  'main();',
];

test('a script that exits when its try-lock is acquired holds nothing after it: no advisory-lock finding', () => {
  repo.write('e/package.json', '{"name": "e"}');
  repo.write('e/.env', POOLED_ENV);
  const shapes: Array<[string, readonly string[]]> = [
    ['const { rows }', ["if (rows[0].got) { console.error('FAIL: the rival got the lock'); process.exit(1); }"]],
    ['const { rows }', ['const held = rows[0]?.got ?? true;', "if (held) { console.error('FAIL'); process.exit(1); }"]],
    ['const res', ["if (res.rows[0].got === true) process.exit(3);"]],
    ['const { rows }', ['const held = (rows[0]?.got) || false;', 'if ((held)) process.exit(2);']],
  ];
  shapes.forEach(([kept, lines], index) => {
    const script = repo.write(`e/src/gate/probe${index}.ts`, probeScript(TRY, lines, kept));
    assert.deepEqual(findingsOf(script), [], lines.join(' '));
  });
  // A tagged template's holes (a Prisma.sql lock name) read as parameters.
  const tagged = repo.write('e/src/gate/tagged.ts', probeScript('', ["if (rows[0].got) process.exit(1);"])
    .map((line, index) => (index === 5 ? '    const { rows } = await other.query(sql`SELECT pg_try_advisory_lock(hashtext(${NAME})) AS got`);' : line)));
  assert.deepEqual(findingsOf(tagged), []);
});

test('a script whose acquired path goes on (no check, a negated check, a return, a throw its caller may catch, an else, work first) keeps the finding', () => {
  repo.write('f/package.json', '{"name": "f"}');
  repo.write('f/.env', POOLED_ENV);
  const shapes: Array<readonly string[]> = [
    ["console.log('acquired:', rows[0].got);"],
    ['if (!rows[0].got) process.exit(1);'],
    ["if (rows[0].got === false) throw new Error('busy');"],
    ["if (rows[0].got) { console.log('got it'); }"],
    ['if (rows[0].got) return;'],
    ["if (rows[0].got) { process.exit(1); } else { console.log('busy'); }"],
    ["try { if (rows[0].got) throw new Error('got it'); } catch (error) { console.error(error); }"],
    ["if (rows[0].got === true) throw new Error('the rival got the lock');"],
    ["await other.query('UPDATE jobs SET owner = 1');", 'if (rows[0].got) process.exit(1);'],
    ['const held = rows[0]?.got && false;', 'if (held) process.exit(1);'],
    ['if (rows[0].other) process.exit(1);'],
  ];
  shapes.forEach((lines, index) => {
    const script = repo.write(`f/src/gate/probe${index}.ts`, probeScript(TRY, lines));
    assert.ok(findingsOf(script).includes('advisory-lock 6'), lines.join(' '));
  });
  const tagged = repo.write('f/src/gate/tagged.ts', probeScript('', ["console.log(rows[0].got);"])
    .map((line, index) => (index === 5 ? '    const { rows } = await other.query(sql`SELECT pg_try_advisory_lock(hashtext(${NAME})) AS got`);' : line)));
  assert.ok(findingsOf(tagged).includes('advisory-lock 6'));
  const blocking = repo.write('f/src/gate/blocking.ts', probeScript('SELECT pg_advisory_lock(7) AS got', ['if (rows[0].got) process.exit(1);']));
  assert.ok(findingsOf(blocking).includes('advisory-lock 6'));
});
