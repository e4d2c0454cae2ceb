// An ES module that needs a CommonJS driver loads it through a require function node's `module` makes:
// `createRequire(import.meta.url)('mysql2/promise')`, or a name holding one (`const load = createRequire(…)`), often with a
// type cast on the result. The file talks to the database of the driver so loaded, as if it had written `require('…')`:
// MySQL code gets no PostgreSQL findings, and a pg pool so loaded keeps its session-set finding.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';

before(() => initAnalysis());

const NODE_MODULE_IMPORT = "import { createRequire } from 'node:module';\n";

/** A MySQL pool's checkout running a session SET: PostgreSQL's session-set finding if the file were read as PostgreSQL. */
const MYSQL_SESSION_SET = `
const pool = mysql.createPool({ uri: process.env.MYSQL_URL });
export async function withShortLockWait() {
  const connection = await pool.getConnection();
  await connection.query("SET lock_timeout = '4s'");
  connection.release();
}
`;

test('a plain require of mysql2 already makes the file MySQL code (the reading createRequire must match)', () => {
  assert.deepEqual(embeddedRules(`const mysql = require('mysql2/promise');${MYSQL_SESSION_SET}`, 'src/db.ts'), []);
});

test('mysql2 loaded by calling createRequire(import.meta.url) directly is MySQL code', () => {
  const text = `${NODE_MODULE_IMPORT}const mysql = createRequire(import.meta.url)('mysql2/promise');${MYSQL_SESSION_SET}`;
  assert.deepEqual(embeddedRules(text, 'src/db.ts'), []);
});

test('mysql2 loaded by a const named require that holds createRequire(…), its result cast with as, is MySQL code', () => {
  const text = `${NODE_MODULE_IMPORT}const require = createRequire(import.meta.url);\n`
    + `const mysql = require('mysql2/promise') as typeof import('mysql2/promise');${MYSQL_SESSION_SET}`;
  assert.deepEqual(embeddedRules(text, 'src/db.ts'), []);
});

test('mysql2 loaded by a const of another name holding createRequire(…), its result checked with satisfies, is MySQL code', () => {
  const text = `${NODE_MODULE_IMPORT}const loadCommonJs = createRequire(import.meta.url);\n`
    + `const mysql = loadCommonJs('mysql2/promise') satisfies object;${MYSQL_SESSION_SET}`;
  assert.deepEqual(embeddedRules(text, 'src/db.ts'), []);
});

test('createRequire imported from module under another local name loads mysql2 as MySQL code', () => {
  const text = "import { createRequire as makeRequire } from 'module';\n"
    + `const mysql = makeRequire(import.meta.url)('mysql2') as unknown as typeof import('mysql2/promise');${MYSQL_SESSION_SET}`;
  assert.deepEqual(embeddedRules(text, 'src/db.ts'), []);
});

test('a module loaded through createRequire that is no driver leaves the file read as PostgreSQL', () => {
  const text = `${NODE_MODULE_IMPORT}const loadCommonJs = createRequire(import.meta.url);\n`
    + `const mysql = loadCommonJs('./legacy-db.cjs');${MYSQL_SESSION_SET}`;
  assert.deepEqual(embeddedRules(text, 'src/db.ts'), ['session-set']);
});

test('a function of the file that is not node\'s createRequire loads no driver, even when named createRequire', () => {
  const registry = `const load = (name: string) => drivers[name];\nconst mysql = load('mysql2/promise');${MYSQL_SESSION_SET}`;
  assert.deepEqual(embeddedRules(registry, 'src/db.ts'), ['session-set']);
  const ownFactory = 'const createRequire = (base: string) => (name: string) => drivers[base + name];\n'
    + `const mysql = createRequire('drivers/')('mysql2/promise');${MYSQL_SESSION_SET}`;
  assert.deepEqual(embeddedRules(ownFactory, 'src/db.ts'), ['session-set']);
});

/** A pg pool's checkout running a session SET and released without a reset: the hazard that must stay reported. */
const PG_SESSION_SET = `
const pool = new Pool({ connectionString: process.env.DATABASE_URL });
export async function withShortLockWait() {
  const client = await pool.connect();
  await client.query("SET lock_timeout = '4s'");
  client.release();
}
`;

test('pg loaded through createRequire stays PostgreSQL: the session SET on its checkout is reported, as with an import', () => {
  assert.deepEqual(embeddedRules(`import { Pool } from 'pg';${PG_SESSION_SET}`, 'src/db.ts'), ['session-set']);
  const direct = `${NODE_MODULE_IMPORT}const { Pool } = createRequire(import.meta.url)('pg');${PG_SESSION_SET}`;
  assert.deepEqual(embeddedRules(direct, 'src/db.ts'), ['session-set']);
  const named = `${NODE_MODULE_IMPORT}const loadFromDb = createRequire(import.meta.url);\n`
    + `const { Pool } = loadFromDb('pg') as unknown as { Pool: new (config: object) => any };${PG_SESSION_SET}`;
  assert.deepEqual(embeddedRules(named, 'src/db.ts'), ['session-set']);
});
