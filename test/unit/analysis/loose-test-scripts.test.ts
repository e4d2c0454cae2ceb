// A SQL script in a test folder runs in a session of its own (no pooler finding there), but a script nothing else marks
// — no pgTAP plan, no runner the project names, no test source that reads it — goes statement by statement (psql,
// pg_prove, a person), so a SET LOCAL outside a transaction block ends with its own statement, as anywhere: it is
// reported. A BEGIN before it, a pgTAP test, a test that reads the file (and may send it whole), or a file that opens
// with the setting keep it silent; so do the script's session SETs, which its own session keeps to itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());
const repo = scratchRepository('loose-test-scripts', { after });

/** Each finding as `<rule> <line>`. */
function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'sql', {}, file).map((f) => ruleLine(text, f));
}

/** A script that checks a row-level policy for two warehouses, `opening` lines first. */
const script = (opening: string[] = []) => [
  ...opening,
  "INSERT INTO stock (warehouse, sku) VALUES ('north', 'a1'), ('south', 'b2');",
  'SET ROLE clerk;',
  "SET LOCAL app.warehouse = 'north';",
  'SELECT count(*) FROM stock;',
  "SELECT set_config('app.warehouse', 'south', true);",
  'SELECT count(*) FROM stock;',
  'RESET ROLE;',
].join('\n');

function write(folder: string, path: string, text: string, files: Record<string, string> = {}): string {
  repo.write(`${folder}/package.json`, `{"name": "${folder}"}`);
  for (const [name, content] of Object.entries(files)) repo.write(`${folder}/${name}`, content);
  return repo.write(`${folder}/${path}`, text);
}

test("a test folder's unmarked script reports its transaction-local settings outside a block, not its session SETs", () => {
  const file = write('loose', 'db/tests/policies/stock-policy.sql', script());
  assert.deepEqual(findingsOf(file), ['set-local-outside-transaction 3', 'set-local-outside-transaction 5']);
});

test('a BEGIN, a pgTAP test, a test source that reads the file, or a file that opens with the setting keeps it silent', () => {
  assert.deepEqual(findingsOf(write('begun', 'db/tests/stock-policy.sql', script(['BEGIN;']))), []);
  const pgTap = script(['BEGIN;', 'SELECT plan(2);']).replace('RESET ROLE;', "SELECT is(1, 1, 'north sees one');\nSELECT * FROM finish();\nROLLBACK;");
  assert.deepEqual(findingsOf(write('pgtap', 'db/tests/stock-policy.sql', pgTap)), []);
  const reader = { 'db/tests/policy.test.ts': "const text = readFileSync(join(__dirname, 'policies', 'stock-policy.sql'), 'utf8');\nawait client.query(text);\n" };
  assert.deepEqual(findingsOf(write('read-by-test', 'db/tests/policies/stock-policy.sql', script(), reader)), []);
  assert.deepEqual(findingsOf(write('opens-inside', 'db/tests/stock-policy.sql', ["SET LOCAL app.warehouse = 'north';", script()].join('\n'))), []);
});

test("a test that lists the script's folder and sends each file it reads keeps the folder's scripts silent", () => {
  const lister = {
    'db/tests/policies.test.ts': [
      "const folder = join(__dirname, 'policies');",
      "for (const file of readdirSync(folder).filter((name) => name.endsWith('.sql'))) {",
      '  test(file, async () => {',
      "    await client.query(readFileSync(join(folder, file), 'utf8'));",
      '  });',
      '}',
    ].join('\n'),
  };
  assert.deepEqual(findingsOf(write('listed-by-test', 'db/tests/policies/stock-policy.sql', script(), lister)), []);
  // A test that lists another folder, or lists this one and runs each file with psql, sends nothing of it whole.
  const otherFolder = { 'db/tests/policies.test.ts': lister['db/tests/policies.test.ts'].replace("'policies'", "'seeds'") };
  assert.deepEqual(findingsOf(write('lists-other', 'db/tests/policies/stock-policy.sql', script(), otherFolder)),
    ['set-local-outside-transaction 3', 'set-local-outside-transaction 5']);
  const throughPsql = { 'db/tests/policies.test.ts': lister['db/tests/policies.test.ts'].replace('await client.query(readFileSync(join(folder, file), \'utf8\'));', "execSync(`psql -f ${join(folder, file)}`); readFileSync(join(folder, file)); client.query('SELECT 1');") };
  assert.deepEqual(findingsOf(write('lists-for-psql', 'db/tests/policies/stock-policy.sql', script(), throughPsql)),
    ['set-local-outside-transaction 3', 'set-local-outside-transaction 5']);
});

test("a test helper that builds a script's name from its stem, with a test naming the stem, keeps the script silent", () => {
  const helper = "export const runFixture = (client, name) => client.query(readFileSync(join(__dirname, 'fixtures', `${name}.sql`), 'utf8'));\n";
  const caller = "test('north sees its stock', async () => { await runFixture(client, 'stock-policy'); });\n";
  const files = { 'tests/helpers.ts': helper, 'tests/policy.test.ts': caller };
  assert.deepEqual(findingsOf(write('stem-named', 'tests/fixtures/stock-policy.sql', script(), files)), []);
  // The stem written without a template that builds a `.sql` name, or another stem, names nothing.
  const noTemplate = { 'tests/helpers.ts': helper.replace('`${name}.sql`', 'name'), 'tests/policy.test.ts': caller };
  assert.deepEqual(findingsOf(write('stem-no-template', 'tests/fixtures/stock-policy.sql', script(), noTemplate)),
    ['set-local-outside-transaction 3', 'set-local-outside-transaction 5']);
  const otherStem = { 'tests/helpers.ts': helper, 'tests/policy.test.ts': caller.replace("'stock-policy'", "'stock-audit'") };
  assert.deepEqual(findingsOf(write('other-stem', 'tests/fixtures/stock-policy.sql', script(), otherStem)),
    ['set-local-outside-transaction 3', 'set-local-outside-transaction 5']);
});

test("a test writing a table's name that matches the script's stem does not silence it when the helper builds .sql names in another folder", () => {
  // The helper loads seeds/<stem>.sql; a script in checks/ called like a table the tests query is no seed of it.
  const loader = "export const seed = (db, stem) => db.query(readFileSync(join(__dirname, 'seeds', `${stem}.sql`), 'utf8'));\n";
  const user = "test('counts', async () => { await seed(db, 'orders'); expect(await rowsIn('stock')).toBe(2); });\n";
  const files = { 'tests/loader.ts': loader, 'tests/count.test.ts': user };
  assert.deepEqual(findingsOf(write('stem-elsewhere', 'tests/checks/stock.sql', script(), files)),
    ['set-local-outside-transaction 3', 'set-local-outside-transaction 5']);
  // The same helper reaching the script's folder (a template or a concatenation naming it) still reads the script.
  assert.deepEqual(findingsOf(write('stem-in-seeds', 'tests/seeds/stock.sql', script(), files)), []);
  const concatenated = { ...files, 'tests/loader.ts': "export const seed = (db, stem) => db.query(readFileSync('tests/checks/' + stem + '.sql', 'utf8'));\n" };
  assert.deepEqual(findingsOf(write('stem-concatenated', 'tests/checks/stock.sql', script(), concatenated)), []);
});

test("a helper's folder for stem-built names is read from its whole call and from a folder const; a folder it does not write out narrows nothing", () => {
  const REPORTED = ['set-local-outside-transaction 3', 'set-local-outside-transaction 5'];
  const user = "test('counts', async () => { await seed(db, 'stock'); });\n";
  // prettier's layout of a long call: the folder's piece is on a line of its own, above the template's.
  const wrapped = (folder: string) => [
    'export const seed = (db, stem) =>',
    '  db.query(',
    '    readFileSync(',
    '      join(',
    '        __dirname,',
    `        '${folder}',`,
    '        `${stem}.sql`,',
    '      ),',
    "      'utf8',",
    '    ),',
    '  );',
    '',
  ].join('\n');
  assert.deepEqual(findingsOf(write('wrapped-seeds', 'tests/seeds/stock.sql', script(), { 'tests/loader.ts': wrapped('seeds'), 'tests/count.test.ts': user })), []);
  assert.deepEqual(findingsOf(write('wrapped-other', 'tests/checks/stock.sql', script(), { 'tests/loader.ts': wrapped('seeds'), 'tests/count.test.ts': user })), REPORTED);
  // The folder kept in a module constant, joined to the stem's name.
  const constant = (folder: string) => [
    `const SEED_DIR = path.join(__dirname, '..', 'tests', '${folder}');`,
    '',
    "export const seed = (db, stem) => db.query(readFileSync(path.join(SEED_DIR, `${stem}.sql`), 'utf8'));",
    '',
  ].join('\n');
  assert.deepEqual(findingsOf(write('const-seeds', 'tests/seeds/stock.sql', script(), { 'tests/loader.ts': constant('seeds'), 'tests/count.test.ts': user })), []);
  assert.deepEqual(findingsOf(write('const-other', 'tests/checks/stock.sql', script(), { 'tests/loader.ts': constant('seeds'), 'tests/count.test.ts': user })), REPORTED);
  // A folder the helper is handed (a parameter) may be any: the name it builds may be the script's.
  const handed = "export const seed = (db, dir, stem) => db.query(readFileSync(join(dir, `${stem}.sql`), 'utf8'));\n";
  assert.deepEqual(findingsOf(write('handed-folder', 'tests/checks/stock.sql', script(), { 'tests/loader.ts': handed, 'tests/count.test.ts': user })), []);
});
