// Reproduces a SET leak through a transaction-mode pooler with ONE client.
// Usage: POOLSAFE_URL=postgres://user:pw@127.0.0.1:6432/postgres node demo/reproduce-leak.mjs
// Behind PoolSafe (policy `rotate`) the second statement runs on another server connection, so the
// setting made by the first is missing there — and still present on the first connection, waiting
// for the next client. Directly against PostgreSQL both statements share one session and it "works".
import pg from 'pg';

const url = process.env.POOLSAFE_URL ?? process.argv[2];
if (!url) {
  console.error('usage: POOLSAFE_URL=postgres://… node demo/reproduce-leak.mjs');
  process.exit(2);
}
const client = new pg.Client({ connectionString: url, application_name: 'poolsafe-demo' });
await client.connect();
try {
  await client.query("SET search_path TO app, public");
  const first = await client.query('SELECT pg_backend_pid() AS pid, current_setting(\'search_path\') AS search_path');
  const second = await client.query('SELECT pg_backend_pid() AS pid, current_setting(\'search_path\') AS search_path');
  console.log(`after SET:      backend ${first.rows[0].pid}  search_path = ${first.rows[0].search_path}`);
  console.log(`next statement: backend ${second.rows[0].pid}  search_path = ${second.rows[0].search_path}`);
  if (first.rows[0].pid !== second.rows[0].pid) {
    console.log('=> the two statements ran on different server connections: the SET did not follow the client.');
  } else {
    console.log('=> both statements ran on the same server connection (direct connection, or a LIFO pooler hiding the bug).');
  }
} finally {
  await client.end();
}
