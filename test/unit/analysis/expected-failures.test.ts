// A test that sends a session statement it expects PostgreSQL to refuse (a role the login may not take, a
// privilege check) passes only when the statement fails, and a failed statement leaves nothing on the connection.
// The test says so around the call: an assertion that the promise rejects, or an assertion right after the awaited
// call, inside a try with a catch, that fails the test if the call got that far. Such statements get no pooling
// findings; the same statement sent otherwise, or outside test code, keeps its finding.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

function rules(code: string, file = '/repo/src/__tests__/roles.test.ts'): string[] {
  return analyze(code, 'typescript', {}, file).map((f) => `${f.rule} ${code.slice(f.start, f.end)}`);
}

const POOL = "import { Pool } from 'pg';\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\n";

test('a SET ROLE awaited in a try whose next statement fails the test is no finding', () => {
  for (const failure of ['expect(true).toBe(false);', 'expect.fail("granted");', 'assert.fail("granted");', 'fail("granted");', 'assert(false, "granted");']) {
    const code = POOL + [
      "it('keeps the auditor out of the owner role', async () => {",
      '  try {',
      "    await pool.query('SET ROLE ledger_owner');",
      `    ${failure}`,
      '  } catch (error) {',
      "    expect(String(error)).toContain('permission denied');",
      '  }',
      '});',
    ].join('\n');
    assert.deepEqual(rules(code), [], failure);
  }
});

test('a session statement asserted to reject is no finding', () => {
  const code = POOL + [
    "it('refuses the owner role', async () => {",
    "  await expect(pool.query('SET ROLE ledger_owner')).rejects.toThrow(/permission denied/);",
    "  await expect(pool.query(\"SELECT set_config('role', 'ledger_owner', false)\")).to.be.rejectedWith(Error);",
    "  await assert.rejects(() => pool.query('SET SESSION AUTHORIZATION ledger_owner'));",
    '});',
  ].join('\n');
  assert.deepEqual(rules(code), []);
});

test('the same SET ROLE keeps its finding when nothing says it must fail', () => {
  // Awaited in a try, but what follows is the test going on with the role: the statement is meant to succeed.
  const going = POOL + [
    "it('acts as the owner', async () => {",
    '  try {',
    "    await pool.query('SET ROLE ledger_owner');",
    "    expect((await pool.query('SELECT current_user')).rows[0].current_user).toBe('ledger_owner');",
    '  } catch (error) {',
    '    console.error(error);',
    '  }',
    '});',
  ].join('\n');
  assert.deepEqual(rules(going), ['session-set SET ROLE ledger_owner']);
  // Asserted to resolve, not to reject.
  const resolves = POOL + "it('x', async () => { await expect(pool.query('SET ROLE ledger_owner')).resolves.toBeDefined(); });";
  assert.deepEqual(rules(resolves), ['session-set SET ROLE ledger_owner']);
  // A failing assertion that is not the next statement: the statements in between ran with the role set.
  const later = POOL + [
    "it('y', async () => {",
    '  try {',
    "    await pool.query('SET ROLE ledger_owner');",
    "    await pool.query('DELETE FROM entries');",
    '    expect(true).toBe(false);',
    '  } catch {}',
    '});',
  ].join('\n');
  assert.deepEqual(rules(later), ['session-set SET ROLE ledger_owner']);
});

test('outside test code the expected-failure shape changes nothing', () => {
  const code = POOL + [
    'export async function probe() {',
    '  try {',
    "    await pool.query('SET ROLE ledger_owner');",
    '    assert.fail("granted");',
    '  } catch {}',
    '}',
  ].join('\n');
  assert.deepEqual(rules(code, '/repo/src/roles.ts'), ['session-set SET ROLE ledger_owner']);
});

test("node's rejects imported by name, and a query kept in a const that is only asserted to reject, are no finding", () => {
  for (const imported of ["import { rejects } from 'node:assert';", "import { rejects } from 'assert';", "import { rejects as refuses } from 'node:assert/strict';"]) {
    const call = imported.includes('refuses') ? 'refuses' : 'rejects';
    const code = imported + '\n' + POOL + [
      "it('refuses the owner role', async () => {",
      `  await ${call}(pool.query('SET ROLE ledger_owner'), /permission denied/);`,
      "  const refused = pool.query('SET SESSION AUTHORIZATION ledger_owner');",
      `  await ${call}(refused, /permission denied/);`,
      "  const denied = pool.query(\"SELECT set_config('role', 'ledger_owner', false)\");",
      '  await expect(denied).rejects.toThrow(/permission denied/);',
      '});',
    ].join('\n');
    assert.deepEqual(rules(code), [], imported);
  }
});

test('a rejects that is not node assert’s, or a kept query also used otherwise, keeps its finding', () => {
  // The file's own `rejects` helper says nothing about the query.
  const own = POOL + [
    'const rejects = async (q: Promise<unknown>) => { await q; };',
    "it('acts as the owner', async () => { await rejects(pool.query('SET ROLE ledger_owner')); });",
  ].join('\n');
  assert.deepEqual(rules(own), ['session-set SET ROLE ledger_owner']);
  // Kept in a const that the test also awaits or reads: it is meant to succeed somewhere.
  const awaited = "import { rejects } from 'node:assert';\n" + POOL + [
    "it('acts as the owner', async () => {",
    "  const role = pool.query('SET ROLE ledger_owner');",
    '  await rejects(role, /permission denied/);',
    '  await role;',
    '});',
  ].join('\n');
  assert.deepEqual(rules(awaited), ['session-set SET ROLE ledger_owner']);
  // A let may be given another query later; a const never asserted keeps it too.
  const kept = "import { rejects } from 'node:assert';\n" + POOL + [
    "it('acts as the owner', async () => {",
    "  const role = pool.query('SET ROLE ledger_owner');",
    '  await Promise.all([role]);',
    '});',
  ].join('\n');
  assert.deepEqual(rules(kept), ['session-set SET ROLE ledger_owner']);
});
