// A table of cases walked by a loop (`for (const scenario of scenarios) await pool.query(scenario.statement)`) sends
// that property of each of its elements as a query message of its own, read where the element writes it. Read so only
// when the table is known in full: an array literal written in the loop's head, or held in a const of the file the code
// only walks, every element an object literal that writes the property. A test that says, per element, that the
// statement must fail (`try { await q; if (scenario.refused) t.fail(…) } catch …`) leaves that element's statement no
// pooling finding (ruling 12); a branch on an element's property sends only the elements it lets through.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const TEST_FILE = '/repo/test/guard.spec.ts';

function findings(code: string, file = TEST_FILE): string[] {
  return analyze(code, 'typescript', {}, file).map((f) => `${f.rule} ${code.slice(f.start, f.end)}`);
}

const POOL = "import { Pool } from 'pg';\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\n";

/** A table `scenarios` of `{ statement, refused }` objects, then `body` run once per element. */
const table = (rows: string[], ...body: string[]) => POOL + [
  'const scenarios = [',
  ...rows.map((row) => `  ${row},`),
  '];',
  "test('each scenario', async (t) => {",
  '  for (const scenario of scenarios) {',
  ...body.map((line) => `    ${line}`),
  '  }',
  '});',
].join('\n');

const ROWS = [
  "{ statement: 'SELECT count(*) FROM ledgers', refused: null }",
  "{ statement: \"SET search_path TO tenant_a\", refused: null }",
  "{ statement: 'LISTEN ledger_changes', refused: 'LISTEN is not allowed' }",
];

test('a session SET in a const table of cases sent from a for-of loop on a pool is reported at its element', () => {
  const code = table(ROWS, 'await pool.query(scenario.statement);');
  assert.deepEqual(findings(code), ['session-set SET search_path TO tenant_a', 'listen LISTEN ledger_changes']);
  // Outside test code too: the table is read the same way.
  assert.deepEqual(findings(code, '/repo/src/setup.ts'), ['session-set SET search_path TO tenant_a', 'listen LISTEN ledger_changes']);
});

test('an element the test asserts to fail (`if (scenario.refused) t.fail(…)` right after the awaited query) is no finding', () => {
  const tried = (check: string) => table(ROWS,
    'try {',
    '  await pool.query(scenario.statement);',
    `  ${check}`,
    '} catch (error) {',
    '  if (!scenario.refused) t.fail(`unexpected error for ${scenario.statement}`);',
    '}',
  );
  assert.deepEqual(findings(tried('if (scenario.refused) t.fail(`expected ${scenario.refused}`);')), ['session-set SET search_path TO tenant_a']);
  assert.deepEqual(findings(tried('if (scenario.refused) { t.fail(`expected ${scenario.refused}`); }')), ['session-set SET search_path TO tenant_a']);
  // The element's flag unknown: the table says nothing.
  const unknown = table(["{ statement: 'LISTEN ledger_changes', refused: process.env.REFUSE }"],
    'try {', '  await pool.query(scenario.statement);', '  if (scenario.refused) t.fail("expected an error");', '} catch (error) {}');
  assert.deepEqual(findings(unknown), []);
});

test('a branch on an element property sends only the elements it lets through; a branch it cannot read keeps the table silent', () => {
  const branched = table(ROWS,
    'if (scenario.refused) {',
    '  await t.rejects(pool.query(scenario.statement));',
    '} else {',
    '  await pool.query(scenario.statement);',
    '}',
  );
  assert.deepEqual(findings(branched), ['session-set SET search_path TO tenant_a']);
  const unreadable = table(ROWS, 'if (scenario.statement.startsWith("SET")) await pool.query(scenario.statement);');
  assert.deepEqual(findings(unreadable), []);
});

test('a table that is not a const of object literals known in full is not read', () => {
  const SET = "{ statement: 'SET search_path TO tenant_a' }";
  // Reassignable.
  assert.deepEqual(findings(POOL + `let scenarios = [${SET}];\nexport async function run() { for (const scenario of scenarios) await pool.query(scenario.statement); }`), []);
  // Computed.
  assert.deepEqual(findings(POOL + 'const scenarios = loadScenarios();\nexport async function run() { for (const scenario of scenarios) await pool.query(scenario.statement); }'), []);
  // Pushed onto, or handed elsewhere.
  assert.deepEqual(findings(POOL + `const scenarios = [${SET}];\nscenarios.push(extra);\nexport async function run() { for (const scenario of scenarios) await pool.query(scenario.statement); }`), []);
  // An element made elsewhere or spread.
  assert.deepEqual(findings(POOL + `const scenarios = [${SET}, other];\nexport async function run() { for (const scenario of scenarios) await pool.query(scenario.statement); }`), []);
  assert.deepEqual(findings(POOL + `const scenarios = [{ ...base, statement: 'SET search_path TO tenant_a' }];\nexport async function run() { for (const scenario of scenarios) await pool.query(scenario.statement); }`), []);
  // Exported: other modules may change it.
  assert.deepEqual(findings(POOL + `export const scenarios = [${SET}];\nexport async function run() { for (const scenario of scenarios) await pool.query(scenario.statement); }`), []);
});

test('a table written in the loop head is read too', () => {
  const code = POOL + "export async function run() { for (const step of [{ sql: 'SELECT 1' }, { sql: 'LISTEN jobs' }]) await pool.query(step.sql); }";
  assert.deepEqual(findings(code, '/repo/src/run.ts'), ['listen LISTEN jobs']);
});

test("on a test's own local client (wrapped in a Proxy) only a SET LOCAL sent alone and expected to pass is reported", () => {
  const code = (send: string[]) => [
    "import { Client } from 'pg';",
    'const scenarios = [',
    "  { statement: \"SET statement_timeout TO '1s'\", refused: 'SET is refused' },",
    "  { statement: \"SET LOCAL statement_timeout TO '1s'\", refused: null },",
    "  { statement: 'CREATE TEMP TABLE scratch (id int) ON COMMIT DROP', refused: null },",
    '];',
    'const guard = (c: Client) => new Proxy(c, { get: (target, key) => Reflect.get(target, key) });',
    "test('guard', async (t) => {",
    "  const client = guard(new Client({ host: process.env.PGHOST ?? 'localhost', port: 5432, database: 'postgres' }));",
    '  await client.connect();',
    '  for (const scenario of scenarios) {',
    ...send.map((line) => `    ${line}`),
    '  }',
    '});',
  ].join('\n');
  const tried = ['try {', '  await client.query(scenario.statement);', '  if (scenario.refused) t.fail("expected an error");', '} catch (error) {}'];
  assert.deepEqual(findings(code(tried)), ["set-local-outside-transaction SET LOCAL statement_timeout TO '1s'"]);
  // From a subtest's callback the client is the enclosing function's, which may have a transaction open when the
  // callback runs: silent, as the same SET LOCAL written in place there is (embedded-sql.md).
  assert.deepEqual(findings(code(['t.test(scenario.statement, async (t) => {', ...tried.map((line) => `  ${line}`), '});'])), []);
});

test('a subtest callback per case reads its case: on a pool, the element not asserted to fail is reported', () => {
  const code = table(ROWS,
    't.test(scenario.statement, async (t) => {',
    '  try {',
    '    await pool.query(scenario.statement);',
    '    if (scenario.refused) t.fail("expected an error");',
    '  } catch (error) {}',
    '});',
  );
  assert.deepEqual(findings(code), ['session-set SET search_path TO tenant_a']);
  // A callback's own parameter of the variable's name is not the element.
  const shadowed = POOL + "const scenarios = [{ statement: 'LISTEN jobs' }];\nfor (const scenario of scenarios) it('x', async (scenario) => { await pool.query(scenario.statement); });";
  assert.deepEqual(findings(shadowed), []);
});
