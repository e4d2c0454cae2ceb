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

// AdonisJS Lucid passes each entry of `connections` (and each connection added at run time) to knex as its config.
test('a Lucid connection that spreads a local pg base config and adds searchPath is flagged on its searchPath', () => {
  const text = [
    "import { defineConfig } from '@adonisjs/lucid';",
    'const shared = {',
    "  client: 'postgresql',",
    '  connection: { host: env.DB_HOST, database: env.DB_NAME },',
    '} as const;',
    'export default defineConfig({',
    "  connection: 'main',",
    '  connections: {',
    '    main: { ...shared, searchPath: [appSchema] },',
    "    reporting: { ...shared, pool: { max: 4 }, searchPath: ['reports', 'public'] },",
    '    plain: { ...shared },',
    '  },',
    '});',
  ].join('\n');
  assert.deepEqual(found(text, 'config/database.ts'), ["session-set searchPath: [appSchema]", "session-set searchPath: ['reports', 'public']"]);
});

test('spread bases for MySQL or SQLite, a client overriding the base, and unknown spreads are not flagged', () => {
  const text = [
    "const mysqlBase = { client: 'mysql2', connection: url };",
    "const pgBase = { client: 'pg', connection: url };",
    "const layered = { ...mysqlBase, pool: { max: 2 } };",
    'export const connections = {',
    "  a: { ...mysqlBase, searchPath: ['app'] },",
    "  b: { ...layered, searchPath: ['app'] },",
    "  c: { ...pgBase, client: 'better-sqlite3', searchPath: ['app'] },",
    "  d: { ...fromElsewhere, searchPath: ['app'] },",
    '};',
  ].join('\n');
  assert.deepEqual(found(text, 'config/database.ts'), []);
  // A later written client still decides over an earlier base, in both directions.
  assert.deepEqual(found("const base = { client: 'mysql', connection: url };\nexport const c = { ...base, client: 'pg', searchPath: 'app' };"), ["session-set searchPath: 'app'"]);
});

test('a connection added to Lucid at run time from a copied config counts when PostgreSQL is named', () => {
  const register = (cast: string) => [
    "import db from '@adonisjs/lucid/services/db';",
    'export class TenantConnections {',
    '  open(tenant: string) {',
    "    const template = db.manager.get('template')!.config;",
    `    db.manager.add(\`tenant_\${tenant}\`, { ...template, searchPath: [tenant] }${cast});`,
    '    return db.connection(`tenant_${tenant}`);',
    '  }',
    '}',
  ].join('\n');
  // A cast to Lucid's PostgreSQL config type.
  assert.deepEqual(found(register(' as PostgreConfig'), 'app/tenants.ts'), ['session-set searchPath: [tenant]']);
  // A file or class named for PostgreSQL.
  assert.deepEqual(found(register(' as any'), 'app/tenant_pg_connections.ts'), ['session-set searchPath: [tenant]']);
  assert.deepEqual(found(register('').replace('class TenantConnections', 'class PostgresTenantConnections'), 'app/tenants.ts'), ['session-set searchPath: [tenant]']);
  // Nothing names the dialect (the template could be a MySQL connection, where knex ignores searchPath).
  assert.deepEqual(found(register(' as any'), 'app/tenants.ts'), []);
  // "pg" inside another word is no name of PostgreSQL.
  assert.deepEqual(found(register(' as any'), 'app/upgrade_connections.ts'), []);
  // The same copied config given to something other than Lucid's manager.
  assert.deepEqual(found(register(' as PostgreConfig').replace('db.manager.add(', 'registry.set('), 'app/tenants.ts'), []);
});

test('searchPath nested inside the connection block of a Lucid config is not knex\'s option', () => {
  const text = [
    "db.manager.add('replica', {",
    "  client: 'pg',",
    '  connection: { ...primaryConnection, host: replicaHost, searchPath: schema },',
    '});',
  ].join('\n');
  assert.deepEqual(found(text, 'pg_replicas.ts'), []);
});

// A client chosen between PostgreSQL and another database by a condition that holds only under test (`isTest`,
// `NODE_ENV === 'test'`, or a conjunction with one) is PostgreSQL's in every run of the deployed application.
test('a client that is another database only in test runs is PostgreSQL outside them: its searchPath is flagged', () => {
  const inClassMethod = (client: string) => [
    "import knex, { Knex } from 'knex';",
    'export class Registry {',
    '  private handle?: Knex;',
    '  open(): Knex {',
    "    const isTest = process.env.NODE_ENV === 'test';",
    '    const settings: Knex.Config = {',
    `      client: ${client},`,
    "      connection: isTest ? { filename: ':memory:' } : { connectionString: process.env.DATABASE_URL },",
    "      searchPath: ['geo', 'public'],",
    '    };',
    '    this.handle = knex(settings);',
    '    return this.handle;',
    '  }',
    '}',
  ].join('\n');
  for (const client of [
    "isTest && !process.env.DATABASE_URL ? 'sqlite3' : 'postgresql'",
    "process.env.NODE_ENV === 'test' ? 'better-sqlite3' : 'pg'",
    "!isTest ? 'pg' : 'sqlite3'",
  ]) {
    assert.deepEqual(found(inClassMethod(client)), ["session-set searchPath: ['geo', 'public']"], client);
  }
});

test('a client that may be another database outside test runs, or PostgreSQL only in them, is still not flagged', () => {
  for (const client of [
    "isTest || useLite ? 'sqlite3' : 'pg'",
    "isTest ? 'pg' : 'sqlite3'",
    "process.env.NODE_ENV === 'production' ? 'pg' : 'sqlite3'",
    "process.env.NODE_ENV !== 'test' ? 'sqlite3' : 'pg'",
  ]) {
    assert.deepEqual(found(`const c = { client: ${client}, connection: url, searchPath: 'app' };`), [], client);
  }
});

test('a config typed as knex\'s with no client written (a partial override merged in elsewhere) is flagged on its searchPath', () => {
  const returned = [
    "import { Knex } from 'knex';",
    'export function tenantSchemaConfig(tenant: string): Partial<Knex.Config> {',
    '  return { searchPath: [tenant] };',
    '}',
  ].join('\n');
  assert.deepEqual(found(returned, 'overrides.ts'), ['session-set searchPath: [tenant]']);
  const arrow = [
    "import type { Config } from 'knex';",
    'export const perTenant = (tenant: string): Config => ({ searchPath: tenant });',
  ].join('\n');
  assert.deepEqual(found(arrow, 'overrides.ts'), ['session-set searchPath: tenant']);
  const annotated = [
    "import { Knex } from 'knex';",
    "export const schemaPart: Readonly<Knex.Config> = { searchPath: 'reports' };",
    "export const cast = { searchPath: 'audit' } as Partial<Knex.Config>;",
  ].join('\n');
  assert.deepEqual(found(annotated, 'overrides.ts'), ["session-set searchPath: 'reports'", "session-set searchPath: 'audit'"]);
});

test('a client-less searchPath object typed as something else, or with a Config type not from knex, is not flagged', () => {
  const text = [
    "import { Knex } from 'knex';",
    "import type { Config } from './settings';",
    "import * as Other from 'other-orm';",
    'export function a(tenant: string): Config { return { searchPath: [tenant] }; }',
    'export function b(tenant: string): Partial<Other.Config> { return { searchPath: [tenant] }; }',
    'export function c(tenant: string): Partial<Knex.PgConnectionConfig> { return { searchPath: [tenant] }; }',
    'export function d(tenant: string) { return { searchPath: [tenant] }; }',
    'export function e(): Partial<Knex.Config> { return { searchPath: undefined }; }',
  ].join('\n');
  assert.deepEqual(found(text, 'overrides.ts'), []);
});
