// Real clients through the pooler (transaction mode, SCRAM both ways): psql, node-postgres, postgres.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import postgres from 'postgres';
import { createHash } from 'node:crypto';
import { startCluster, type Cluster } from '../helpers/cluster';
import { PG_BIN, backendPid, connectPg, run, startPooler, type RunningPooler } from './pooler-harness';

let cluster: Cluster;
let pooler: RunningPooler;

before(async () => {
  cluster = await startCluster();
  cluster.psql('create table items (id int primary key, name text)');
  pooler = await startPooler(cluster);
});

after(async () => {
  await pooler?.stop();
  cluster?.stop();
});

test('psql: simple queries, a transaction block and errors through the pooler', async () => {
  const sql = "select 1 + 1 as two; begin; insert into items values (1, 'a'); select count(*) from items; commit; select 1/0;";
  const { code, stdout, stderr } = await run('psql', ['-X', '-A', '-t', '-d', pooler.url(), '-c', sql], { timeoutMs: 20000 });
  assert.equal(code, 1, stderr); // the division by zero
  assert.match(stdout, /^2$/m);
  assert.match(stdout, /^1$/m);
  assert.match(stderr, /division by zero/);
  assert.equal(cluster.psql('select name from items where id = 1').trim(), 'a');
});

test('node-postgres: simple and extended queries, parameters, errors mid-pipeline', async (t) => {
  const client = await connectPg(pooler.url());
  t.after(() => client.end());
  assert.deepEqual((await client.query('select 1 as one')).rows, [{ one: 1 }]);
  assert.deepEqual((await client.query('select $1::int + $2::int as sum', [2, 3])).rows, [{ sum: 5 }]);
  await assert.rejects(client.query('select $1::int / 0', [1]), /division by zero/);
  // The connection is usable after an error in the extended protocol.
  assert.deepEqual((await client.query('select $1::text as t', ['ok'])).rows, [{ t: 'ok' }]);
  const many = await Promise.all(Array.from({ length: 50 }, (_, i) => client.query('select $1::int as i', [i])));
  assert.deepEqual(many.map((r) => r.rows[0].i), Array.from({ length: 50 }, (_, i) => i));
});

test('node-postgres: a named prepared statement breaks when the next transaction lands on another server (rotate)', async (t) => {
  const client = await connectPg(pooler.url());
  t.after(() => client.end());
  const named = { name: 'by_id', text: 'select $1::int as id' };
  assert.deepEqual((await client.query({ ...named, values: [7] })).rows, [{ id: 7 }]);
  // pg now sends only Bind/Execute for "by_id"; rotate puts it on a different server connection.
  await assert.rejects(client.query({ ...named, values: [8] }), (error: Error & { code?: string }) => {
    assert.equal(error.code, '26000');
    assert.match(error.message, /prepared statement "by_id" does not exist/);
    return true;
  });
});

test('postgres.js: 200 pipelined queries on one connection, in order', async (t) => {
  const sql = postgres(pooler.url(), { max: 1, prepare: false, onnotice: () => {} });
  t.after(() => sql.end({ timeout: 5 }));
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => sql`select ${i}::int as i, pg_backend_pid() as pid`));
  assert.deepEqual(results.map((r) => r[0].i), Array.from({ length: 200 }, (_, i) => i));
  const rows = await sql.begin(async (tx) => {
    await tx`insert into items values (100, 'x'), (101, 'y')`;
    return tx`select count(*)::int as n from items where id >= 100`;
  });
  assert.equal(rows[0].n, 2);
});

test('tracked parameters follow the client between server connections', async (t) => {
  const a = await connectPg(pooler.url({ application: 'client-a' }));
  const b = await connectPg(pooler.url({ application: 'client-b' }));
  t.after(() => Promise.all([a.end(), b.end()]));
  const serverDefault = cluster.psql('show timezone').trim();
  assert.notEqual(serverDefault, 'Asia/Tokyo');
  await a.query("set timezone = 'Asia/Tokyo'");
  for (let round = 0; round < 4; round++) {
    const [ra, rb] = [await a.query('show timezone'), await b.query('show timezone')];
    assert.equal(ra.rows[0].TimeZone, 'Asia/Tokyo');
    assert.equal(rb.rows[0].TimeZone, serverDefault);
    assert.equal((await a.query("select current_setting('application_name') as n")).rows[0].n, 'client-a');
    assert.equal((await b.query("select current_setting('application_name') as n")).rows[0].n, 'client-b');
  }
  assert.notEqual(await backendPid(a), 0);
});

test('COPY in and out through psql, large enough to exercise backpressure', async () => {
  cluster.psql('create table copied (n int, s text)');
  const rows = Array.from({ length: 20000 }, (_, i) => `${i}\trow ${i}`).join('\n') + '\n';
  const copyIn = await run('psql', ['-X', '-d', pooler.url(), '-c', 'copy copied from stdin'], { input: rows, timeoutMs: 30000 });
  assert.equal(copyIn.code, 0, copyIn.stderr);
  assert.equal(cluster.psql('select count(*), sum(n) from copied').trim(), `20000|${(19999 * 20000) / 2}`);
  const copyOut = await run('psql', ['-X', '-d', pooler.url(), '-c', "copy (select g, repeat('x', 100) from generate_series(1, 200000) g) to stdout"], { timeoutMs: 30000 });
  assert.equal(copyOut.code, 0, copyOut.stderr);
  const lines = copyOut.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 200000);
  assert.equal(lines[199999], `200000\t${'x'.repeat(100)}`);
});

test('a client that stops reading gets every byte intact once it resumes (backpressure)', async (t) => {
  const client = await connectPg(pooler.url());
  t.after(() => client.end());
  const stream = (client as unknown as { connection: { stream: import('node:net').Socket } }).connection.stream;
  const result = client.query("select g, md5(g::text) as h, repeat(chr(65 + g % 26), 200) as pad from generate_series(1, 60000) g");
  stream.pause();
  await new Promise((resolve) => setTimeout(resolve, 700));
  stream.resume();
  const { rows } = await result;
  assert.equal(rows.length, 60000);
  for (let i = 0; i < rows.length; i++) {
    const g = i + 1;
    const row = rows[i];
    if (row.g !== g || row.h !== createHash('md5').update(String(g)).digest('hex') || row.pad !== String.fromCharCode(65 + (g % 26)).repeat(200)) {
      assert.fail(`row ${g} corrupted: ${JSON.stringify(row).slice(0, 200)}`);
    }
  }
});

test('pgbench -S and TPC-B (-t 50) through the pooler', async () => {
  const env = { PGPASSWORD: cluster.password };
  const init = await run(`${PG_BIN}/pgbench`, ['-i', '-s', '1', '-h', '127.0.0.1', '-p', String(cluster.port), '-U', cluster.user, 'postgres'], { env });
  assert.equal(init.code, 0, init.stderr);
  for (const args of [['-S', '-c', '4', '-t', '200'], ['-c', '4', '-t', '50'], ['-S', '-M', 'extended', '-c', '4', '-t', '200']]) {
    const bench = await run(`${PG_BIN}/pgbench`, [...args, '-n', '-h', '127.0.0.1', '-p', String(pooler.port), '-U', cluster.user, 'postgres'], { env });
    assert.equal(bench.code, 0, `${args.join(' ')}: ${bench.stderr}`);
    const processed = /number of transactions actually processed: (\d+)/.exec(bench.stdout);
    assert.equal(Number(processed?.[1]), 4 * Number(args[args.length - 1]), bench.stdout);
    assert.match(bench.stdout, /number of failed transactions: 0/);
  }
});
