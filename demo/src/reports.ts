// PoolSafe demo: postgres.js names every query's prepared statement unless told not to.
import postgres from 'postgres';

// protocol-prepared-statement: the quick fix adds { prepare: false }
const sql = postgres(process.env.DATABASE_URL ?? 'postgres://localhost/app');

export async function dailyTotals(day: string) {
  return sql`SELECT date_trunc('day', created_at) AS day, count(*) FROM orders WHERE created_at::date = ${day} GROUP BY 1`;
}

export async function withTenant<T>(tenantId: number, work: (tx: postgres.TransactionSql) => Promise<T>) {
  // safe: set_config(…, true) inside sql.begin() lasts for this transaction only
  return sql.begin(async (tx) => {
    await tx`SELECT set_config('app.tenant_id', ${String(tenantId)}, true)`;
    return work(tx);
  });
}
