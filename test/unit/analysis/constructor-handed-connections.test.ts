// A class whose constructor is handed one connection and keeps it in a field (`constructor(private conn: PoolClient)`,
// or `this.conn = conn` with the field declared so) sends on a connection its creator owns: the creator may have sent
// `BEGIN` on it before calling the methods (a unit-of-work or a test context that rolls back), or handed a
// transaction's connection. As on a function's parameter, a `SET LOCAL` or `set_config(…, true)` sent there on its own
// is not known to be lost and stays silent. A field declared as a pool, one the class fills itself from `pool.connect()`,
// one also filled from something else, an untyped field, and a setting after the method's own COMMIT keep the finding.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

/** The texts the set-local-outside-transaction findings point at. */
const lost = (text: string, file = 'ledger.ts') => embeddedFindings(text, file).filter(([rule]) => rule === 'set-local-outside-transaction').map(([, at]) => at);

/** A unit of work over one leased connection: `field` declares it, `fill` is the constructor (or a member filling it). */
const unitOfWork = (field: string, fill: string, extra = '') => `import pg, { Pool, PoolClient, Client } from 'pg';
const shared = new Pool();
export class LedgerScope {
  ${field}
  ${fill}
  static async run<T>(body: (scope: LedgerScope) => Promise<T>): Promise<T> {
    const lease = await shared.connect();
    try {
      await lease.query('BEGIN');
      const out = await body(new LedgerScope(lease));
      await lease.query('COMMIT');
      return out;
    } finally {
      lease.release();
    }
  }
  async actAs(member: string) {
    await this.lease.query("SET LOCAL ROLE ledger_member");
    await this.lease.query({ text: "SELECT set_config('ledger.member', $1, true)", values: [member] });
  }${extra}
}`;

test('a connection the constructor is handed: a lone SET LOCAL or set_config(…, true) on the field is the creator\'s business', () => {
  // A declared field (with `| undefined`) filled from the constructor's parameter, emptied when the scope closes.
  assert.deepEqual(lost(unitOfWork('private lease: PoolClient | undefined;', 'private constructor(lease: PoolClient) { this.lease = lease; }',
    '\n  close() { this.lease = undefined; }')), []);
  // A parameter property, also written with the module's name.
  assert.deepEqual(lost(unitOfWork('', 'constructor(private readonly lease: PoolClient) {}')), []);
  assert.deepEqual(lost(unitOfWork('', 'constructor(protected lease: pg.PoolClient) {}')), []);
  // node-postgres's single Client, a field with no type filled from a parameter declared as one, postgres.js's reserved connection.
  assert.deepEqual(lost(unitOfWork('lease: Client;', 'constructor(client: Client) { this.lease = client; }')), []);
  assert.deepEqual(lost(unitOfWork('private lease;', 'constructor(lease: PoolClient) { this.lease = lease; }')), []);
  // Reached through a name in the method.
  assert.deepEqual(lost(`import { PoolClient } from 'pg';
export class TenantScope {
  constructor(private conn: PoolClient) {}
  async enter(tenant: string) {
    const conn = this.conn;
    await conn.query("SELECT set_config('app.tenant', $1, true)", [tenant]);
  }
}`), []);
  // A reserved postgres.js connection handed in.
  assert.deepEqual(lost(`import type { ReservedSql } from 'postgres';
export class TenantScope {
  constructor(private sql: ReservedSql) {}
  async enter(tenant: string) {
    await this.sql\`SELECT set_config('app.tenant', \${tenant}, true)\`;
  }
}`), []);
});

test('a pool in the field, a connection the class takes itself, another value or no type: the lone setting is still lost', () => {
  const role = 'SET LOCAL ROLE ledger_member';
  const member = 'set_config';
  // Declared a pool (or a union with one): each query may go to another connection.
  assert.deepEqual(lost(unitOfWork('', 'constructor(private lease: Pool) {}')), [role, member]);
  assert.deepEqual(lost(unitOfWork('private lease: PoolClient | Pool;', 'constructor(lease: PoolClient | Pool) { this.lease = lease; }')), [role, member]);
  // Filled by the class itself from the pool (and by nothing else): a fresh connection with no transaction open.
  assert.deepEqual(lost(unitOfWork('private lease!: PoolClient;', 'async open() { this.lease = await shared.connect(); }')), [role, member]);
  // Filled from the constructor's parameter and also from the pool.
  assert.deepEqual(lost(unitOfWork('private lease: PoolClient;', 'constructor(lease: PoolClient) { this.lease = lease; }',
    '\n  async reopen() { this.lease = await shared.connect(); }')), [role, member]);
  // A parameter with a default the constructor may fall back to.
  assert.deepEqual(lost(unitOfWork('private lease: PoolClient;', 'constructor(lease: PoolClient = fallback) { this.lease = lease; }')), [role, member]);
  // No type says what the field holds (a JavaScript class): read as before.
  assert.deepEqual(lost(`class TenantScope {
  constructor(conn) { this.conn = conn; }
  async enter(tenant) {
    await this.conn.query("SELECT set_config('app.tenant', $1, true)", [tenant]);
  }
}
module.exports = { TenantScope };`, 'scope.js'), ['set_config']);
  // The method's own COMMIT ends whatever was open: a setting after it is lost whoever made the object.
  assert.deepEqual(lost(`import { PoolClient } from 'pg';
export class TenantScope {
  constructor(private conn: PoolClient) {}
  async save(tenant: string) {
    await this.conn.query('BEGIN');
    await this.conn.query('UPDATE ledger SET closed = true');
    await this.conn.query('COMMIT');
    await this.conn.query("SET LOCAL app.tenant = 'none'");
  }
}`), ["SET LOCAL app.tenant = 'none'"]);
});
