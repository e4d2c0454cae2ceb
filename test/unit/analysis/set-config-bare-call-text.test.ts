// A query call whose whole text is a bare function call, `set_config(…)` with no SELECT in front, is no statement:
// PostgreSQL answers it with a syntax error, so nothing is set and nothing is lost. It gets no pooling finding (and, for a
// drizzle template, no syntax error either). The same call written after SELECT, composed into another query as a
// fragment, or run by PERFORM in PL/pgSQL keeps its finding.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'tenant.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

const drizzleFile = (...body: string[]) => [
  "import { sql } from 'drizzle-orm';",
  "import { drizzle } from 'drizzle-orm/node-postgres';",
  'const db = drizzle(process.env.DATABASE_URL!);',
  ...body,
].join('\n');

test('drizzle execute of a bare set_config(…, true) text is no finding', () => {
  const text = drizzleFile(
    'export async function asTenant(tenantId: string) {',
    "  await db.execute(sql`set_config('app.tenant_id', ${tenantId}, true)`);",
    "  await db.execute(sql`  /* clear */ set_config('app.tenant_id', '', true)`);",
    '}',
  );
  assert.deepEqual(found(text), []);
});

test('drizzle execute of a bare session-wide set_config(…, false) text is no finding either', () => {
  const text = drizzleFile(
    'export const actAs = (role: string) => db.execute(sql`pg_catalog.set_config(\'role\', ${role}, false)`);',
  );
  assert.deepEqual(found(text), []);
});

test('the same set_config after SELECT keeps its finding', () => {
  const text = drizzleFile(
    'export async function asTenant(tenantId: string, role: string) {',
    "  await db.execute(sql`SELECT set_config('app.tenant_id', ${tenantId}, true)`);",
    "  await db.execute(sql`select set_config('role', ${role}, false)`);",
    '}',
  );
  assert.deepEqual(found(text), ['set-local-outside-transaction set_config', 'session-set set_config']);
});

test('a set_config fragment in a Kysely select list is still read as SELECT set_config(…)', () => {
  const text = [
    "import { Kysely, sql } from 'kysely';",
    'declare const store: Kysely<any>;',
    "export const sticky = (role: string) => store.selectNoFrom(sql`set_config('role', ${role}, false)`.as('r')).execute();",
  ].join('\n');
  assert.deepEqual(found(text), ['session-set set_config']);
});

test('set_config run by PERFORM in a DO block sent by drizzle keeps its finding', () => {
  const text = drizzleFile(
    "export const sticky = () => db.execute(sql`DO $$ BEGIN PERFORM set_config('app.mode', 'audit', false); END $$`);",
  );
  assert.deepEqual(found(text), ['session-set set_config']);
});

test('a bare set_config text sent by node-postgres query is no finding', () => {
  const text = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    "export const asTenant = (tenant: string) => pool.query(\"set_config('app.tenant', $1, true)\", [tenant]);",
  ].join('\n');
  assert.deepEqual(found(text), []);
});

test('set_config text that is a fragment of another query keeps its finding', () => {
  const text = [
    "import knexFactory from 'knex';",
    "import { sql } from 'drizzle-orm';",
    "import { drizzle } from 'drizzle-orm/node-postgres';",
    "const knex = knexFactory({ client: 'pg' });",
    'const db = drizzle(process.env.DATABASE_URL!);',
    "export const viaKnex = (role: string) => knex.select(knex.raw(\"set_config('role', ?, false)\", [role]));",
    "export const viaHole = (role: string) => db.execute(sql`SELECT ${sql`set_config('role', ${role}, false)`}`);",
  ].join('\n');
  assert.deepEqual(found(text), ['session-set set_config', 'session-set set_config']);
});
