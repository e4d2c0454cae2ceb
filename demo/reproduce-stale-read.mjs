// Reproduces a stale read behind a read/write-splitting balancer with ONE client.
// Usage: node demo/reproduce-stale-read.mjs postgres://user:pw@127.0.0.1:6432/postgres
// Run against `npm start -- --replica`: the pooler balances as Pgpool-II over the primary and a streaming
// replica that replays each commit a second later (recovery_min_apply_delay). The INSERT goes to the
// primary; the SELECT right after it, outside a transaction, goes to the replica, which has not replayed
// it yet: the row just written is not found. In one transaction (BEGIN … COMMIT) the SELECT goes to the
// primary and finds it. Directly against one PostgreSQL both "work".
import pg from 'pg';

const url = process.env.POOLSAFE_URL ?? process.argv[2];
if (!url) {
  console.error('usage: POOLSAFE_URL=postgres://… node demo/reproduce-stale-read.mjs');
  process.exit(2);
}
const TIMEOUT_MS = 30_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const client = new pg.Client({ connectionString: url, application_name: 'poolsafe-demo-stale-read' });
await client.connect();
try {
  await client.query('CREATE TABLE IF NOT EXISTS public.stale_read_demo (id int PRIMARY KEY, note text)');
  await waitUntilReadable(client);
  const id = Date.now() % 1_000_000_000;
  await client.query(`INSERT INTO public.stale_read_demo VALUES (${id}, 'written on the primary')`);
  const read = await client.query(`SELECT current_setting('transaction_read_only') = 'on' AS on_replica, count(*)::int AS found FROM public.stale_read_demo WHERE id = ${id}`);
  console.log(`INSERT, then SELECT outside a transaction: served by the ${read.rows[0].on_replica ? 'replica' : 'primary'}, rows found: ${read.rows[0].found}`);
  await client.query('BEGIN');
  await client.query(`INSERT INTO public.stale_read_demo VALUES (${id + 1}, 'written on the primary')`);
  const inTransaction = await client.query(`SELECT current_setting('transaction_read_only') = 'on' AS on_replica, count(*)::int AS found FROM public.stale_read_demo WHERE id = ${id + 1}`);
  await client.query('COMMIT');
  console.log(`the same in one transaction: served by the ${inTransaction.rows[0].on_replica ? 'replica' : 'primary'}, rows found: ${inTransaction.rows[0].found}`);
  if (read.rows[0].on_replica && read.rows[0].found === 0 && inTransaction.rows[0].found === 1) {
    console.log('=> stale read reproduced: the replica had not replayed the INSERT yet (lint rule read-after-write).');
  } else {
    console.log('=> no stale read: is the pooler balancing over a lagging replica (npm start -- --replica)?');
  }
} finally {
  await client.end();
}

/**
 * The table's creation reaches the replica after the apply delay (until then a read there fails), and the
 * pooler learns current_setting's volatility (STABLE: a read it may balance) from pg_proc on first use:
 * wait (bounded) until the read is served by a replica, or go on when none ever serves it.
 */
async function waitUntilReadable(c) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    try {
      const { rows } = await c.query("SELECT current_setting('transaction_read_only') = 'on' AS on_replica, count(*) FROM public.stale_read_demo");
      if (rows[0].on_replica || Date.now() > deadline) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await sleep(200);
  }
}
