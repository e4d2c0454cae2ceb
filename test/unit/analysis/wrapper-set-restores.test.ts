// A route that switches a session setting inside a wrapper's callback and, in a `finally`, sets it back to the value
// the wrapper itself set on the same client before calling back (the wrapper followed to its definition, in the file or
// in the module it is imported from) leaves what the wrapper's own setter leaves: the put-back is read as a restore
// (wrapperSetRestores.ts). The switch keeps its finding, and so does a put-back the wrapper's code does not prove.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initAnalysis } from '../../../server/analysis/index';
import { analyze } from '../../../server/analysis/index';

before(() => initAnalysis());

/** A wrapper module whose `Tenancy.withTenant` checks out a client, sets `app.tenant` to the tenant id, then calls back. */
const wrapperModule = (setter: string, callBack = 'return await fn({ conn, tenantId });') => `import { Pool, PoolClient } from 'pg';
export class Tenancy {
  static async defaultTenant(pool: Pool): Promise<string> {
    const found = await pool.query('SELECT id FROM tenants ORDER BY id LIMIT 1');
    return found.rows[0].id;
  }
  static async withTenant<T>(pool: Pool, fn: (ctx: { conn: PoolClient; tenantId: string }) => Promise<T>): Promise<T> {
    const tenantId = await this.defaultTenant(pool);
    const conn = await pool.connect();
    try {
      ${setter}
      ${callBack}
    } finally {
      conn.release();
    }
  }
}
`;

const SETS_TENANT = "await conn.query('SELECT set_config($1, $2, false)', ['app.tenant', tenantId]);";

/** A route that moves to another tenant for one delete and puts the wrapper's tenant back in its `finally`. */
const routeModule = (putBack = "await conn.query('SELECT set_config($1, $2, false)', ['app.tenant', tenantId]);", before = '') => `import { Pool } from 'pg';
import { Tenancy } from './lib/tenancy';
const pool = new Pool({ connectionString: process.env.DATABASE_URL });
export async function removeOrder(orderId: string, otherTenant: string) {
  return Tenancy.withTenant(pool, async ({ conn, tenantId }) => {
    ${before}
    await conn.query('SELECT set_config($1, $2, false)', ['app.tenant', otherTenant]);
    try {
      await conn.query('DELETE FROM orders WHERE id = $1', [orderId]);
    } finally {
      ${putBack}
    }
  });
}
`;

/** The session-set findings of the route, as the line each is on (1-based), with the wrapper module beside it. */
function routeFindings(t: { after: (fn: () => void) => void }, wrapper: string, route: string): number[] {
  const root = mkdtempSync(join(tmpdir(), 'poolsafe-wrapper-set-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'lib'));
  writeFileSync(join(root, 'package.json'), '{"name":"shop","dependencies":{"pg":"^8"}}');
  writeFileSync(join(root, 'lib', 'tenancy.ts'), wrapper);
  const file = join(root, 'route.ts');
  writeFileSync(file, route);
  return analyze(route, 'typescript', {}, file)
    .filter((f) => f.rule === 'session-set')
    .map((f) => route.slice(0, f.start).split('\n').length);
}

const SWITCH_LINE = 7;
const PUT_BACK_LINE = 11;

test('a finally put-back of the value the imported wrapper set on the same client: only the switch is reported', (t) => {
  assert.deepEqual(routeFindings(t, wrapperModule(SETS_TENANT), routeModule()), [SWITCH_LINE]);
});

test('the same put-back under a condition in the finally is still a restore when it runs', (t) => {
  const putBack = "if (otherTenant) { await conn.query('SELECT set_config($1, $2, false)', ['app.tenant', tenantId]); }";
  assert.deepEqual(routeFindings(t, wrapperModule(SETS_TENANT), routeModule(putBack)), [SWITCH_LINE]);
});

test('a wrapper that sets the setting only in a branch proves nothing: the put-back keeps its finding', (t) => {
  const setter = `if (tenantId !== 'root') { ${SETS_TENANT} }`;
  assert.deepEqual(routeFindings(t, wrapperModule(setter), routeModule()), [SWITCH_LINE, PUT_BACK_LINE]);
});

test('a wrapper that sets another value than it hands over: the put-back keeps its finding', (t) => {
  const setter = "await conn.query('SELECT set_config($1, $2, false)', ['app.tenant', 'root']);";
  assert.deepEqual(routeFindings(t, wrapperModule(setter), routeModule()), [SWITCH_LINE, PUT_BACK_LINE]);
});

test('a wrapper that sets the value on the pool, not on the client it hands over: the put-back keeps its finding', (t) => {
  const setter = "await pool.query('SELECT set_config($1, $2, false)', ['app.tenant', tenantId]);";
  assert.deepEqual(routeFindings(t, wrapperModule(setter), routeModule()), [SWITCH_LINE, PUT_BACK_LINE]);
});

test('a wrapper that calls back before it sets the value: the put-back keeps its finding', (t) => {
  const callBack = `const result = await fn({ conn, tenantId });\n      ${SETS_TENANT}\n      return result;`;
  assert.deepEqual(routeFindings(t, wrapperModule('', callBack), routeModule()), [SWITCH_LINE, PUT_BACK_LINE]);
});

test('a put-back of another value than the one the wrapper handed over keeps its finding', (t) => {
  const putBack = "await conn.query('SELECT set_config($1, $2, false)', ['app.tenant', otherTenant]);";
  assert.deepEqual(routeFindings(t, wrapperModule(SETS_TENANT), routeModule(putBack)), [SWITCH_LINE, PUT_BACK_LINE]);
});

test('a callback that reassigns the handed-over value keeps the put-back flagged', (t) => {
  const route = routeModule(undefined, 'tenantId = otherTenant;').replace('async ({ conn, tenantId })', 'async ({ conn, tenantId }: any)');
  assert.deepEqual(routeFindings(t, wrapperModule(SETS_TENANT), route), [SWITCH_LINE, PUT_BACK_LINE]);
});

test('a wrapper from a module that cannot be read keeps the put-back flagged', (t) => {
  const route = routeModule().replace("'./lib/tenancy'", "'@shop/tenancy'");
  assert.deepEqual(routeFindings(t, wrapperModule(SETS_TENANT), route), [SWITCH_LINE, PUT_BACK_LINE]);
});

test('a wrapper function of the same file handing the client and the value as plain arguments is followed too', (t) => {
  const route = `import { Pool, PoolClient } from 'pg';
const pool = new Pool({ connectionString: process.env.DATABASE_URL });
async function asTenant<T>(tenantId: string, fn: (conn: PoolClient, tenantId: string) => Promise<T>): Promise<T> {
  const conn = await pool.connect();
  await conn.query('SELECT set_config($1, $2, false)', ['app.tenant', tenantId]);
  try { return await fn(conn, tenantId); } finally { conn.release(); }
}
export const archive = (home: string, away: string) => asTenant(home, async (conn, tenantId) => {
  await conn.query("SELECT set_config('app.tenant', $1, false)", [away]);
  try {
    await conn.query('UPDATE orders SET archived = true');
  } finally {
    await conn.query("SELECT set_config('app.tenant', $1, false)", [tenantId]);
  }
});
`;
  assert.deepEqual(routeFindings(t, wrapperModule(SETS_TENANT), route), [5, 9]);
});
