// A multi-dialect ORM's core file imports only another database's driver (mysql2) but has branches its
// own dialect test gives to PostgreSQL: those branches are PostgreSQL, the rest of the file is not read.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const core = (body: string) => `import mysql from 'mysql2';
export class Store {
  inDialect(...names) { return names.includes(this.dialect); }
  isPostgresCompatibleDialect() { return this.inDialect('postgres'); }
  init() {
    ${body}
  }
}`;

test('a session SET inside a PostgreSQL dialect test\'s branch is a finding, though the file imports mysql2', () => {
  for (const condition of ['this.isPostgresCompatibleDialect()', "this.inDialect('postgres')", "this.options.schema && this.dialect === 'postgres'", "getDialect() == 'postgresql'"]) {
    const text = core(`this.on('afterConnect', async (client) => {
      if (${condition}) {
        await client.query('SET search_path TO public');
      }
    });`);
    assert.deepEqual(embeddedFindings(text), [['session-set', 'SET search_path TO public']], condition);
  }
  const elseBranch = core(`this.on('afterConnect', async (client) => {
      if (!this.isPostgresCompatibleDialect()) { await client.query('SET sql_mode = ANSI'); } else { await client.query('SET search_path TO app'); }
    });`);
  assert.deepEqual(embeddedFindings(elseBranch), [['session-set', 'SET search_path TO app']]);
});

test('outside such a branch, in another dialect\'s branch, or under a test that does not say PostgreSQL, the file stays MySQL', () => {
  const cases = [
    "await client.query('SET search_path TO public');",
    "if (this.inDialect('mysql', 'mariadb')) { await client.query('SET SESSION sql_mode = ANSI'); }",
    "if (this.inDialect('postgres', 'mysql')) { await client.query('SET time_zone = \\'+00:00\\''); }",
    "if (this.isPostgresCompatibleDialect() || this.legacy) { await client.query('SET search_path TO public'); }",
    "if (!this.isPostgresCompatibleDialect()) { await client.query('SET search_path TO public'); }",
  ];
  for (const statement of cases) {
    const text = core(`this.on('afterConnect', async (client) => { ${statement} });`);
    assert.deepEqual(embeddedFindings(text), [], statement);
  }
});

test('a file with no PostgreSQL branch that imports only mysql2 gets no findings at all', () => {
  const text = `import mysql from 'mysql2';
const conn = mysql.createConnection({});
async function f(client) { await client.query('SET NAMES utf8mb4'); await client.query("SELECT GET_LOCK('x', 10)"); }`;
  assert.deepEqual(embeddedFindings(text), []);
});
