// knex's `searchPath` option: the PostgreSQL dialect sends SET search_path on every new connection it
// opens, a session SET a transaction pooler does not keep. Flagged on knex configs for PostgreSQL only.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'db.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('searchPath in a knex config whose client is pg, postgres, postgresql or pgnative is a session-set on the option', () => {
  for (const client of ['pg', 'postgres', 'postgresql', 'pgnative']) {
    const text = [
      "import knex from 'knex';",
      'export const db = knex({',
      `  client: '${client}',`,
      '  connection: process.env.DATABASE_URL,',
      "  searchPath: ['app', 'public'],",
      '});',
    ].join('\n');
    assert.deepEqual(found(text), ["session-set searchPath: ['app', 'public']"], client);
  }
});

test('a config built in a function and returned (client with a pg fallback, no knex call in sight) is flagged too', () => {
  const text = [
    "import type { Knex } from 'knex';",
    'export function config(schema: string): Knex.Config {',
    '  return {',
    "    client: process.env.DB_CLIENT || 'pg',",
    '    connection: { connectionString: process.env.DATABASE_URL },',
    '    pool: { min: 0, max: 10 },',
    '    searchPath: schema,',
    '  };',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set searchPath: schema']);
});

test('a computed client counts when the connection string is a postgres:// URL or the object goes to knex in a file using pg', () => {
  const byUrl = [
    'const settings = {',
    '  client: process.env.DB_CLIENT,',
    "  connection: 'postgresql://app@db/app',",
    '  searchPath: tenant,',
    '};',
  ].join('\n');
  assert.deepEqual(found(byUrl), ['session-set searchPath: tenant']);
  const byImport = [
    "import knex from 'knex';",
    "import pg from 'pg';",
    'pg.types.setTypeParser(20, Number);',
    "export const db = knex({ client: dialect, connection: url, searchPath: 'tenant_a' });",
  ].join('\n');
  assert.deepEqual(found(byImport), ["session-set searchPath: 'tenant_a'"]);
  // The same computed client without any sign of PostgreSQL: the dialect is unknown.
  assert.deepEqual(found(byImport.replace("import pg from 'pg';\npg.types.setTypeParser(20, Number);\n", '')), []);
});

test('searchPath in a knex config for MySQL, SQLite or SQL Server is not flagged', () => {
  for (const client of ['mysql', 'mysql2', 'sqlite3', 'better-sqlite3', 'mssql']) {
    const text = [
      "import knex from 'knex';",
      `export const db = knex({ client: '${client}', connection: url, searchPath: ['app'] });`,
    ].join('\n');
    assert.deepEqual(found(text), [], client);
  }
  // A choice between PostgreSQL and another client: which one runs is not known.
  assert.deepEqual(found("const c = { client: useMysql ? 'mysql2' : 'pg', connection: url, searchPath: 'app' };"), []);
});

test('objects that are not knex configs, and a searchPath that sets nothing, are not flagged', () => {
  const text = [
    "import knex from 'knex';",
    "const searchPath = ['app', 'public'];",
    "const options = { searchPath: 'app', verbose: true };",
    "const route = { connection: 'postgres://db/app', searchPath: 'app' };",
    "export const a = knex({ client: 'pg', connection: url, searchPath: undefined });",
    "export const b = knex({ client: 'pg', connection: url, searchPath: '' });",
    "export const c = knex({ client: 'pg', connection: url, searchPath: [] });",
    "export const d = knex({ client: 'pg', connection: url });",
    'console.log(searchPath, options, route);',
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('the finding follows the pool mode and the session-set rule setting', () => {
  const text = "import knex from 'knex';\nexport const db = knex({ client: 'pg', connection: url, searchPath: 'app' });";
  assert.equal(analyze(text, 'typescript', { poolMode: 'session' }, 'db.ts').length, 0);
  assert.equal(analyze(text, 'typescript', { rules: { 'session-set': 'off' } }, 'db.ts').length, 0);
  const [finding] = analyze(text, 'typescript', {}, 'db.ts');
  assert.match(finding.message, /SET search_path on each new connection/);
  assert.match(finding.message, /ALTER ROLE/);
});
