// A prepared-statement object (pg-promise's `new pgp.PreparedStatement({ name, text })`) is flagged where it is made,
// since it may be sent anywhere. When the file keeps it in a const and only ever sends it, as the first argument of a
// client's method, to clients that never meet a pooler (a test's pool on a literal localhost URL), it reaches none.
// A variable a hook fills lazily (`db ||= pgp(url)`, `??=`) holds what it held or that value: read as `db = pgp(url)` is.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'test/statements.test.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

const prelude = (url: string, assign = '=') => [
  "import initPgp from 'pg-promise';",
  "import { beforeEach, expect, test } from 'vitest';",
  'const pgp = initPgp({});',
  'let db: ReturnType<typeof pgp>;',
  'beforeEach(() => {',
  `  db ${assign} pgp(${url});`,
  '});',
];

const statementTest = [
  "test('prepared', async () => {",
  "  const statement = new pgp.PreparedStatement({ name: 'rows-by-id', text: 'SELECT * FROM rows WHERE id = $1', values: ['one'] });",
  '  expect(await db.query(statement)).toHaveLength(1);',
  '  expect(await db.one(statement)).toBeDefined();',
  '});',
];

test("a statement object only sent to a test's pool on a localhost URL gets no finding; on the environment's URL it does", () => {
  assert.deepEqual(found([...prelude("'postgresql://postgres:postgres@localhost:5432/postgres'"), ...statementTest].join('\n')), []);
  assert.deepEqual(found([...prelude('process.env.DATABASE_URL!'), ...statementTest].join('\n')), ["protocol-prepared-statement 'rows-by-id'"]);
});

test('a statement object also handed to a function, returned, or sent to another client keeps its finding', () => {
  const local = prelude("'postgresql://postgres:postgres@localhost:5432/postgres'");
  const handed = statementTest.map((line) => line.replace('expect(await db.one(statement)).toBeDefined();', 'await runTwice(statement);'));
  assert.deepEqual(found([...local, 'declare function runTwice(s: unknown): Promise<void>;', ...handed].join('\n')), ["protocol-prepared-statement 'rows-by-id'"]);
  const returned = [...local, 'export function rowsById() {',
    "  const statement = new pgp.PreparedStatement({ name: 'rows-by-id', text: 'SELECT * FROM rows WHERE id = $1' });",
    '  return statement;', '}'];
  assert.deepEqual(found(returned.join('\n')), ["protocol-prepared-statement 'rows-by-id'"]);
  const other = [...local, "import { Pool } from 'pg';", 'const remote = new Pool({ connectionString: process.env.DATABASE_URL });',
    ...statementTest.map((line) => line.replace('db.one(statement)', 'remote.query(statement)'))];
  assert.deepEqual(found(other.join('\n')), ["protocol-prepared-statement 'rows-by-id'"]);
  // The same file sending it to the local pool only: no finding.
  assert.deepEqual(found([...local, ...statementTest].join('\n')), []);
});

test('in application code a statement sent to a pool on a localhost URL keeps its finding (a development default)', () => {
  const text = [...prelude("'postgresql://postgres:postgres@localhost:5432/app'"), ...statementTest].join('\n');
  assert.deepEqual(found(text, 'src/rows.ts'), ["protocol-prepared-statement 'rows-by-id'"]);
  assert.deepEqual(found(text), []);
});

test("a client a hook makes lazily (`db ||= pgp(url)`, `??=`) is the one its value makes: a named config on a local one gets no finding", () => {
  const named = ["test('named', async () => {", "  await db.query({ name: 'rows-by-id', text: 'SELECT * FROM rows WHERE id = $1', values: [1] });", '});'];
  for (const assign of ['||=', '??=']) {
    assert.deepEqual(found([...prelude("'postgresql://postgres:postgres@localhost:5432/postgres'", assign), ...named].join('\n')), [], assign);
    assert.deepEqual(found([...prelude("'postgresql://postgres:postgres@localhost:5432/postgres'", assign), ...statementTest].join('\n')), [], assign);
    assert.deepEqual(found([...prelude('process.env.DATABASE_URL!', assign), ...named].join('\n')), ["protocol-prepared-statement 'rows-by-id'"], assign);
  }
  // Every value it may hold counts: another hook giving it the environment's database keeps the finding.
  const both = [...prelude("'postgresql://postgres:postgres@localhost:5432/postgres'", '||='), 'afterEach(() => { db = pgp(process.env.DATABASE_URL!); });', ...named];
  assert.deepEqual(found(both.join('\n')), ["protocol-prepared-statement 'rows-by-id'"]);
});

test("pg-promise's database (`pgp(url)`) is a pool: a session statement on the suite's local one keeps its finding, a named statement does not", () => {
  const local = prelude("'postgresql://postgres:postgres@localhost:5432/postgres'", '||=');
  const session = ["test('prepare', async () => {", "  await db.query('PREPARE rows_by_id AS SELECT * FROM rows WHERE id = $1');", '});'];
  assert.deepEqual(found([...local, ...session].join('\n')).map((f) => f.split(' ')[0]), ['prepared-statement']);
  assert.deepEqual(found([...local, ...statementTest].join('\n')), []);
});
