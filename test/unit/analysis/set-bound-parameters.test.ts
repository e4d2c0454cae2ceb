// A SET whose value is a bound parameter: PostgreSQL refuses parameters in SET ("syntax error at or near $1"), so a
// driver that binds `$1` (or a tag's `${value}`) sets nothing; one that formats the value into the text on the client
// (pg-promise) sends a real session SET.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'f.ts') => embeddedFindings(text, file).filter(([rule]) => rule === 'session-set').map(([, at]) => at);

test('a SET whose value is a parameter the driver binds fails on the server and sets nothing: node-postgres, postgres.js, Prisma, Kysely', () => {
  const pgClient = [
    "import { Pool } from 'pg';",
    'const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
    'export async function withTimeout(ms: number) {',
    "  await pool.query('SET statement_timeout = $1', [ms]);",
    "  await pool.query({ text: 'set app.tenant to $1;', values: [String(ms)] });",
    '}',
  ].join('\n');
  assert.deepEqual(found(pgClient), []);
  const postgresJs = [
    "import postgres from 'postgres';",
    'const sql = postgres(process.env.DATABASE_URL!);',
    'export async function scope(tenant: string, ms: number) {',
    '  await sql`SET app.tenant TO ${tenant}`;',
    '  await sql`SET lock_timeout = ${String(ms)}`;',
    "  await sql.unsafe('SET search_path TO $1', [tenant]);",
    '}',
  ].join('\n');
  assert.deepEqual(found(postgresJs), []);
  const prisma = [
    "import { PrismaClient } from '@prisma/client';",
    'const prisma = new PrismaClient();',
    'export async function scope(tenant: string) {',
    '  await prisma.$executeRaw`SET app.tenant = ${tenant}`;',
    "  await prisma.$executeRawUnsafe('SET app.tenant = $1', tenant);",
    '}',
  ].join('\n');
  assert.deepEqual(found(prisma), []);
  const kysely = [
    "import { sql, Kysely } from 'kysely';",
    'export async function scope(db: Kysely<any>, user: string) {',
    '  await sql`SET app.user_id = ${user}`.execute(db);',
    '}',
  ].join('\n');
  assert.deepEqual(found(kysely), []);
});

test('a SET whose value reaches the text is a real session SET: pg-promise formats $1 on the client, a plain template interpolates, a tag hole that inserts text, a written literal', () => {
  const pgPromise = [
    "import pgPromise from 'pg-promise';",
    'const db = pgPromise()(process.env.DATABASE_URL!);',
    'export async function scope(schema: string, ms: number) {',
    "  await db.none('SET search_path TO $1', [schema]);",
    "  await db.query('SET statement_timeout = $1', [ms]);",
    '}',
  ].join('\n');
  assert.deepEqual(found(pgPromise), ['SET search_path TO $1', 'SET statement_timeout = $1']);
  // A pg-promise database object imported from the project's own module: its methods say so.
  const imported = [
    "import { db } from './db';",
    'export async function scope(schema: string) {',
    "  await db.none('SET search_path TO $1', [schema]);",
    '}',
  ].join('\n');
  assert.deepEqual(found(imported), ['SET search_path TO $1']);
  const interpolated = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    'export async function scope(schema: string) {',
    '  await pool.query(`SET search_path TO ${schema}`);',
    "  await pool.query('SET statement_timeout = 5000');",
    '}',
  ].join('\n');
  assert.deepEqual(found(interpolated), ['SET search_path TO ${schema}', 'SET statement_timeout = 5000']);
  const rawHoles = [
    "import postgres from 'postgres';",
    "import { PrismaClient, Prisma } from '@prisma/client';",
    'const sql = postgres(process.env.DATABASE_URL!);',
    'const prisma = new PrismaClient();',
    'export async function scope(schema: string) {',
    '  await sql`SET search_path TO ${sql(schema)}`;',
    '  await prisma.$executeRaw`SET search_path TO ${Prisma.raw(schema)}`;',
    '}',
  ].join('\n');
  assert.deepEqual(found(rawHoles), ['SET search_path TO ${sql(schema)}', 'SET search_path TO ${Prisma.raw(schema)}']);
});

test('without a driver that surely binds, a written $1 in a SET keeps its finding (the sender may format it)', () => {
  const unknown = [
    "import { getDb } from './db';",
    'export async function scope(schema: string) {',
    "  await getDb().query('SET search_path TO $1', [schema]);",
    '}',
  ].join('\n');
  assert.deepEqual(found(unknown), ['SET search_path TO $1']);
});

// A tag's hole written inside quotes (`"${schema}"`, `'${zone}'`) is still sent as a bound value, but the server sees
// only the text `"$1"`: the statement takes no parameter, the Bind brings one, and PostgreSQL refuses the query.
test('a tag whose last bound hole sits inside a quoted identifier or string literal is refused by the server: no session SET', () => {
  const kysely = [
    "import { sql, Kysely } from 'kysely';",
    'export async function useSchema(db: Kysely<any>, schema?: string) {',
    '  await sql`SET search_path TO "${schema ?? \'app\'}"`.execute(db);',
    '}',
  ].join('\n');
  assert.deepEqual(found(kysely), []);
  const postgresJs = [
    "import postgres from 'postgres';",
    'const sql = postgres(process.env.DATABASE_URL!);',
    'export async function zone(tz: string) {',
    "  await sql`SET TIME ZONE '${tz}'`;",
    '}',
  ].join('\n');
  assert.deepEqual(found(postgresJs), []);
});

test('a quoted hole keeps the SET when the text reaches the server: a plain template, a hole that inserts text, a driver that formats on the client or declares the value\'s type', () => {
  const interpolated = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    'export async function useSchema(schema: string) {',
    '  await pool.query(`SET search_path TO "${schema}"`);',
    '}',
  ].join('\n');
  assert.deepEqual(found(interpolated), ['SET search_path TO "${schema}"']);
  const rawHole = [
    "import postgres from 'postgres';",
    'const sql = postgres(process.env.DATABASE_URL!);',
    'export async function useSchema(schema: string) {',
    '  await sql`SET search_path TO "${sql.unsafe(schema)}"`;',
    '}',
  ].join('\n');
  assert.deepEqual(found(rawHole), ['SET search_path TO "${sql.unsafe(schema)}"']);
  // pg-promise formats a tag-less text's values on the client; a quoted `$1` there is replaced, so the SET is sent.
  const pgPromise = [
    "import pgPromise from 'pg-promise';",
    'const db = pgPromise()(process.env.DATABASE_URL!);',
    'export async function useSchema(schema: string) {',
    '  await db.none(\'SET search_path TO "$1:value"\', [schema]);',
    '}',
  ].join('\n');
  assert.deepEqual(found(pgPromise), ['SET search_path TO "$1:value"']);
  // Prisma declares a string's type (text) at Parse: an unused parameter is then accepted, and the SET runs as written.
  const prisma = [
    "import { PrismaClient } from '@prisma/client';",
    'const prisma = new PrismaClient();',
    'export async function useSchema(schema: string) {',
    '  await prisma.$executeRaw`SET search_path TO "${schema}"`;',
    '}',
  ].join('\n');
  assert.deepEqual(found(prisma), ['SET search_path TO "${schema}"']);
  // postgres.js declares a boolean's type (bool): the same.
  const typedValue = [
    "import postgres from 'postgres';",
    'const sql = postgres(process.env.DATABASE_URL!);',
    'export async function quiet() {',
    "  await sql`SET app.quiet TO '${true}'`;",
    '}',
  ].join('\n');
  assert.deepEqual(found(typedValue), ["SET app.quiet TO '${true}'"]);
});

// knex's `raw(text, bindings)` turns each `?` into `$1`, `$2`… for PostgreSQL and binds the values: a SET written so is
// refused by the server as a `$1` is.
test('knex binds the ? of raw(text, bindings): a SET whose value is one sets nothing', () => {
  const knexFile = [
    "import knex from 'knex';",
    "const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });",
    'export async function scope(tenant: string) {',
    "  await db.raw('SET app.tenant = ?', [tenant]);",
    "  await db.raw('SET statement_timeout TO ?', [String(5000)]);",
    '}',
  ].join('\n');
  assert.deepEqual(found(knexFile), []);
});

test('a ? keeps the SET where knex does not bind a plain value there: no bindings, a spliced raw value, an identifier binding, another library', () => {
  const notBound = [
    "import knex from 'knex';",
    "const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });",
    'export async function scope(tenant: string, values: string[]) {',
    "  await db.raw('SET app.tenant = ?', [db.raw(tenant)]);",
    "  await db.raw('SET app.tenant = ?', values);",
    "  await db.raw('SET ?? = ?', ['app.tenant', tenant]);",
    "  await db.query('SET app.tenant = ?', [tenant]);",
    '}',
  ].join('\n');
  assert.deepEqual(found(notBound), ['SET app.tenant = ?', 'SET app.tenant = ?', 'SET ?? = ?', 'SET app.tenant = ?']);
  // Sequelize's replacements format `?` into the text on the client: a real session SET.
  const sequelize = [
    "import { Sequelize } from 'sequelize';",
    'const sequelize = new Sequelize(process.env.DATABASE_URL!);',
    'export async function scope(tenant: string) {',
    "  await sequelize.query('SET app.tenant = ?', { replacements: [tenant] });",
    '}',
  ].join('\n');
  assert.deepEqual(found(sequelize), ['SET app.tenant = ?']);
});

/** The session-set findings of `route` (lines, 1-based) beside a `db.ts` module of the project. */
function withDbModule(t: { after: (fn: () => void) => void }, dbModule: string, route: string): number[] {
  const root = mkdtempSync(join(tmpdir(), 'poolsafe-bound-set-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'package.json'), '{"name":"shop","dependencies":{"pg":"^8","pg-promise":"^11"}}');
  writeFileSync(join(root, 'db.ts'), dbModule);
  const file = join(root, 'route.ts');
  writeFileSync(file, route);
  return analyze(route, 'typescript', {}, file).filter((f) => f.rule === 'session-set').map((f) => route.slice(0, f.start).split('\n').length);
}

const ROUTE = `import { getDb } from './db';
export async function scope(tenant: string) {
  const pool = getDb();
  await pool.query('SET app.tenant = $1', [tenant]);
}
`;

test('a $1 sent on a client a project function hands out, made by a driver that binds it, sets nothing', (t) => {
  const pgModule = `import { Pool } from 'pg';
let pool: Pool | null = null;
export function connect(url: string): Pool {
  pool = new Pool({ connectionString: url });
  return pool;
}
export function getDb(): Pool {
  if (!pool) throw new Error('not connected');
  return pool;
}
`;
  assert.deepEqual(withDbModule(t, pgModule, ROUTE), []);
});

test('a $1 on a client handed out by the project keeps its finding when the client formats values or is not followed', (t) => {
  const pgPromiseModule = `import pgPromise from 'pg-promise';
const pgp = pgPromise();
const db = pgp(process.env.DATABASE_URL!);
export function getDb() {
  return db;
}
`;
  assert.deepEqual(withDbModule(t, pgPromiseModule, ROUTE), [4]);
  const handedIn = `import { Pool } from 'pg';
let current: Pool | undefined;
export function useDb(pool: Pool) { current = pool; }
export function getDb() {
  return current ?? makeDb();
}
function makeDb(): any { return globalThis.db; }
`;
  assert.deepEqual(withDbModule(t, handedIn, ROUTE), [4]);
});
