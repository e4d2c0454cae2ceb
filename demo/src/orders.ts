// PoolSafe demo: SQL embedded in TypeScript is checked too.
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL });

export async function listenForOrders(): Promise<void> {
  // listen: the notification arrives on a server connection this client no longer holds
  await pool.query('LISTEN order_events');
}

export async function setTenant(tenantId: number): Promise<void> {
  // session-set: the next client on this server connection runs as this tenant
  await pool.query(`SET app.tenant_id = '${tenantId}'`);
}

export async function findUser(id: number) {
  // protocol-prepared-statement: a named statement lives on one server connection only
  return pool.query({ name: 'find-user', text: 'SELECT * FROM users WHERE id = $1', values: [id] });
}

export async function createOrder(customerId: number) {
  await pool.query('INSERT INTO orders (customer_id) VALUES ($1)', [customerId]);
  // currval: may run on another server connection than the INSERT
  return pool.query("SELECT currval('orders_id_seq')");
}

export async function safeCreateOrder(customerId: number) {
  // safe: RETURNING gives the id in the same statement
  return pool.query('INSERT INTO orders (customer_id) VALUES ($1) RETURNING id', [customerId]);
}
