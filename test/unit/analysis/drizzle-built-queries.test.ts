// drizzle-orm's `sql` builds a query and sends none: a `sql\`…\`` template or `sql.raw(text)` that a function returns
// is sent by the function's callers, often inside a transaction (`tx.execute(tenantContext(ctx))` in a
// `db.transaction` callback). Where it runs is unknown there, so only the findings that hold anywhere are reported (as
// for other SQL builders): a SET LOCAL is no finding, a session set_config still is. The same statement sent on the
// database outside a transaction, and a postgres.js tag (which is the query), keep their findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (lines: string[]) => embeddedFindings(lines.join('\n'), '/nowhere/tenancy/src/db/with-tenant.ts').map(([rule, at]) => `${rule} ${at}`);

const drizzleImports = ["import { sql, type SQL } from 'drizzle-orm';", "import { db } from './index';"];
const sentInTransaction = (call: string) => [
  'export async function withTenant<T>(ctx: { orgId: string; userId?: string }, work: (tx: unknown) => Promise<T>) {',
  '  return db.transaction(async (tx) => {',
  `    await tx.execute(${call});`,
  '    return work(tx);',
  '  });',
  '}',
];

test('SET LOCAL statements a helper joins and returns as sql.raw(…), sent inside a transaction: no finding', () => {
  assert.deepEqual(found([
    ...drizzleImports,
    'function tenantContext(ctx: { orgId: string; userId?: string }): SQL {',
    '  const statements: string[] = [];',
    "  statements.push('SET LOCAL ROLE app_user');",
    "  statements.push(`SET LOCAL app.current_org_id = '${ctx.orgId}'`);",
    "  if (ctx.userId) statements.push(`SET LOCAL app.current_user_id = '${ctx.userId}'`);",
    "  return sql.raw(statements.join('; '));",
    '}',
    ...sentInTransaction('tenantContext(ctx)'),
  ]), []);
});

test('a sql template an arrow function or a return gives back (through parentheses or `as`) is built, not sent', () => {
  assert.deepEqual(found([
    ...drizzleImports,
    'const orgContext = (orgId: string) => sql`SET LOCAL app.current_org_id = ${orgId}`;',
    'function roleContext(): SQL { return (sql`SET LOCAL ROLE app_user` as SQL); }',
    ...sentInTransaction('orgContext(ctx.orgId)'),
    'export const asUser = () => db.transaction(async (tx) => { await tx.execute(roleContext()); });',
  ]), []);
});

test('a built session set_config keeps its finding; a SET LOCAL sent on the database, or a postgres.js query, keeps its own', () => {
  const session = found([
    ...drizzleImports,
    "const orgContext = (orgId: string) => sql`SELECT set_config('app.current_org_id', ${orgId}, false)`;",
    ...sentInTransaction('orgContext(ctx.orgId)'),
  ]);
  assert.deepEqual(session.map((f) => f.split(' ')[0]), ['session-set']);
  assert.deepEqual(found([
    ...drizzleImports,
    'export async function setOrg(orgId: string) {',
    '  await db.execute(sql`SET LOCAL app.current_org_id = ${orgId}`);',
    '}',
  ]).map((f) => f.split(' ')[0]), ['set-local-outside-transaction']);
  const postgresJs = found([
    "import postgres from 'postgres';",
    'const sql = postgres(process.env.DATABASE_URL!, { prepare: false });',
    'export const setOrg = (orgId: string) => sql`SET LOCAL app.current_org_id = ${orgId}`;',
  ]);
  assert.deepEqual(postgresJs.map((f) => f.split(' ')[0]), ['set-local-outside-transaction']);
});

// A drizzle template awaited on its own, or left as a statement, is a query object nobody sends (held-out-41's ruling).
test('a drizzle sql template only awaited or dropped sends nothing, imported or required', () => {
  const body = [
    'export async function probe() {',
    '  await sql`SET search_path TO reports, public`;',
    "  void sql`SELECT set_config('app.region', 'eu', false)`;",
    '  (sql`SET statement_timeout = 0`);',
    '}',
  ];
  assert.deepEqual(found(["import { sql } from 'drizzle-orm';", ...body]), []);
  assert.deepEqual(embeddedFindings(["const { sql, eq } = require('drizzle-orm');", ...body].join('\n'), '/nowhere/tools/probe.js'), []);
});

test('a drizzle sql template a query call, a variable or a return takes is still read; a local sql of another client too', () => {
  assert.deepEqual(found([
    ...drizzleImports,
    'export async function settle(url: string, neon: (u: string) => any) {',
    '  await db.execute(sql`SET search_path TO reports, public`);',
    '  const later = sql`SET statement_timeout = 0`;',
    '  await db.execute(later);',
    '  {',
    '    const sql = neon(url);',
    "    await sql`SELECT set_config('app.region', 'eu', false)`;",
    '  }',
    '}',
  ]), ['session-set SET search_path TO reports, public', 'session-set SET statement_timeout = 0', 'session-set set_config']);
});

// Awaiting a drizzle template gives back the same query object (it is no promise): what decides is whether the awaited
// value is then kept or dropped, not the `await` itself.
test('an awaited drizzle sql template whose value a query call, a variable or a return takes is still read', () => {
  assert.deepEqual(found([
    ...drizzleImports,
    'export async function pinPath() {',
    '  await db.execute(await sql`SET search_path TO billing, public`);',
    '}',
    'export async function noTimeout() {',
    '  const built = await (sql`SET statement_timeout = 0`);',
    '  await db.execute(built);',
    '}',
    'async function bigSorts() {',
    "  return await sql`SET work_mem = '256MB'`;",
    '}',
    'export async function sortNow() {',
    '  await db.execute(await bigSorts());',
    '}',
  ]), ['session-set SET search_path TO billing, public', 'session-set SET statement_timeout = 0', "session-set SET work_mem = '256MB'"]);
});

test('an awaited drizzle sql template dropped in turn (a statement, under void, in parentheses) still sends nothing', () => {
  assert.deepEqual(found([
    ...drizzleImports,
    'export async function idle() {',
    '  await (sql`SET search_path TO billing, public`);',
    "  void (await sql`SET work_mem = '256MB'`);",
    '  (await sql`SET statement_timeout = 0`);',
    '}',
  ]), []);
});

// `sql.raw(text)` makes the same unsent query object from a text: dropped, it sends nothing; handed on, it is read.
test('a drizzle sql.raw(…) only awaited or dropped sends nothing, imported or required', () => {
  const body = [
    'export async function probe(zone: string) {',
    "  await sql.raw('SET lock_timeout = 0');",
    "  void sql.raw(`SET TIME ZONE '${zone}'`);",
    "  sql.raw('LISTEN audit_events');",
    '}',
  ];
  assert.deepEqual(found(["import { sql } from 'drizzle-orm';", ...body]), []);
  assert.deepEqual(embeddedFindings(["const { sql } = require('drizzle-orm');", ...body].join('\n'), '/nowhere/tools/probe.js'), []);
});

test('a drizzle sql.raw(…) a query call or a variable takes is still read; raw() of another object too', () => {
  assert.deepEqual(found([
    ...drizzleImports,
    'export async function settle(knex: { raw(text: string): Promise<unknown> }) {',
    "  await db.execute(sql.raw('SET lock_timeout = 0'));",
    "  const later = await sql.raw('SET statement_timeout = 0');",
    '  await db.execute(later);',
    "  await knex.raw('SET work_mem = 0');",
    '}',
  ]), ['session-set SET lock_timeout = 0', 'session-set SET statement_timeout = 0', 'session-set SET work_mem = 0']);
});
