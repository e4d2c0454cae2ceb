// PoolSafe demo: load-balancing rules in SQL embedded in TypeScript (this folder's .poolsafe.json turns them on).
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL });

export async function placeOrder(customerId: number) {
  await pool.query('INSERT INTO orders (customer_id) VALUES ($1)', [customerId]);
  // read-after-write: a balancer sends this SELECT to a replica that may not have the new order yet
  return pool.query('SELECT count(*) FROM orders WHERE customer_id = $1', [customerId]);
}

export async function safePlaceOrder(customerId: number) {
  // safe: the INSERT returns the row itself
  return pool.query('INSERT INTO orders (customer_id) VALUES ($1) RETURNING *', [customerId]);
}
