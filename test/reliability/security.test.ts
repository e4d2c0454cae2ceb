// Security: loopback by default (warning otherwise), SCRAM against PostgreSQL's own verifiers, failed
// logins never reach a server, admin console only for admin/stats users, parameter sync quoting,
// secrets never logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startCluster } from '../helpers/cluster';
import { cliPath } from '../helpers/paths';
import { RawClient, cstr, frontend, run, startPooler, writeIni } from '../integration/pooler-harness';
import { defaultConfig } from '../../extension/pooler/config';
import { configFromFlags } from '../../extension/pooler/cli';
import { adminShow, connect, rawSocket, serverBackends, startReliablePooler, waitUntil } from './common';
import { MessageReader, saslInitialResponse, startupMessage } from '../../extension/pooler/protocol';
import { once } from 'node:events';

test('the pooler listens on loopback unless told otherwise, and warns on stderr when not', { timeout: 60_000 }, async (t) => {
  assert.equal(defaultConfig().listen_addr, '127.0.0.1');
  assert.equal(configFromFlags(['--target', 'postgres://u:p@127.0.0.1:5432/db']).listen_addr, '127.0.0.1');
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  const local = await startPooler(cluster);
  await local.stop();
  assert.doesNotMatch(local.stderr(), /warning/i);
  const open = await startPooler(cluster, ['--listen', '0.0.0.0:0']);
  t.after(() => open.stop());
  await waitUntil(() => /warning: listening on 0\.0\.0\.0.*not loopback/.test(open.stderr()), 5000, 'the non-loopback warning');
  const client = await connect(open.url());
  assert.equal((await client.query('select 1 as n')).rows[0].n, 1);
  await client.end();
});

test("SCRAM: a client logs in through the pooler against PostgreSQL's own verifier from pg_authid", { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  cluster.psql("create role alice login password 'alice-s3cret'");
  const verifier = cluster.psql("select rolpassword from pg_authid where rolname = 'alice'").trim();
  assert.match(verifier, /^SCRAM-SHA-256\$4096:/);
  const ini = writeIni('');
  t.after(() => ini.remove());
  const userlist = join(ini.path, '..', 'userlist.txt');
  writeFileSync(userlist, `"alice" "${verifier}"\n`);
  // The server login stays the cluster's superuser (forced user); only the client side uses the verifier.
  writeFileSync(ini.path, `[databases]\nappdb = host=127.0.0.1 port=${cluster.port} dbname=postgres user=${cluster.user} password=${cluster.password}\n[pgbouncer]\nauth_type = scram-sha-256\nauth_file = ${userlist}\nclient_login_timeout = 2\n`);
  const pooler = await startPooler(cluster, ['--config', ini.path]);
  t.after(() => pooler.stop());
  const alice = await connect(pooler.url({ database: 'appdb', user: 'alice', password: 'alice-s3cret' }));
  assert.equal((await alice.query('select current_user as u')).rows[0].u, cluster.user);
  await alice.end();
  await assert.rejects(connect(pooler.url({ database: 'appdb', user: 'alice', password: 'alice-wrong' })), (error: Error & { code?: string }) => {
    assert.equal(error.code, '28P01');
    return true;
  });
});

test('100 failed logins never open a server connection', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  // 100 concurrent SCRAM exchanges on 2 busy cores can take longer than the reliability default of 2 s.
  const pooler = await startReliablePooler(cluster, { max_client_conn: 200, client_login_timeout: 30 });
  t.after(() => pooler.stop());
  const before = serverBackends(cluster);
  const serversBefore = (await adminShow(pooler, 'SERVERS')).length;
  const codes = new Map<string, number>();
  const attempts = Array.from({ length: 100 }, (_, i) => {
    const kind = i % 3;
    const url =
      kind === 0 ? pooler.url({ password: `wrong-${i}` }) : kind === 1 ? pooler.url({ user: `nobody${i}`, password: 'x' }) : pooler.url({ database: `nosuchdb${i}` });
    return connect(url, 15_000).then(
      (client) => client.end().then(() => 'connected'),
      (error: Error & { code?: string }) => error.code ?? error.message,
    );
  });
  for (const outcome of await Promise.all(attempts)) codes.set(outcome, (codes.get(outcome) ?? 0) + 1);
  t.diagnostic(`bad login outcomes: ${JSON.stringify([...codes])}`);
  assert.equal(codes.get('connected'), undefined);
  assert.equal(codes.get('28P01'), 67, 'wrong passwords and unknown users fail as 28P01');
  assert.equal(codes.get('3D000'), 33, 'unknown databases fail as 3D000');
  assert.deepEqual(serverBackends(cluster), before, 'no server connection was opened for a failed login');
  assert.equal((await adminShow(pooler, 'SERVERS')).length, serversBefore);
});

test('admin console: only admin_users and stats_users get in; stats users cannot run commands', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  const ini = writeIni('');
  t.after(() => ini.remove());
  const userlist = join(ini.path, '..', 'userlist.txt');
  writeFileSync(userlist, '"boss" "boss-pw"\n"watcher" "watcher-pw"\n"mallory" "mallory-pw"\n');
  writeFileSync(ini.path, `[pgbouncer]\nauth_file = ${userlist}\nadmin_users = boss\nstats_users = watcher\n`);
  const pooler = await startPooler(cluster, ['--config', ini.path]);
  t.after(() => pooler.stop());
  const as = (user: string) => pooler.url({ database: 'pgbouncer', user, password: `${user}-pw` });
  await assert.rejects(connect(as('mallory')), /not allowed/);
  const watcher = await connect(as('watcher'));
  assert.ok((await watcher.query('SHOW POOLS')).rows);
  await assert.rejects(watcher.query('PAUSE'), /admin access needed|not allowed|permission/i);
  await watcher.end();
  const boss = await connect(as('boss'));
  await boss.query('SHOW CONFIG');
  await boss.end();
});

test('parameter sync quotes values: application_name with quotes and backslashes survives a server left with standard_conforming_strings=off', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  const pooler = await startReliablePooler(cluster, {}, ['--pool-size', '1']);
  t.after(() => pooler.stop());
  cluster.psql('create table canary (n int)');
  // Client 1 leaves the only server connection with backslash escapes active in ordinary literals.
  const loose = await connect(pooler.url());
  await loose.query('set standard_conforming_strings = off');
  await loose.end();
  const name = "it's \\'; insert into canary values (1); -- \\\\ end\\";
  const client = new pg.Client({ connectionString: pooler.url(), application_name: name });
  client.on('error', () => {});
  await client.connect();
  t.after(() => client.end().catch(() => {}));
  assert.equal((await client.query('show application_name')).rows[0].application_name, name);
  assert.equal((await client.query("select current_setting('standard_conforming_strings') as s")).rows[0].s, 'on');
  assert.equal(cluster.psql('select count(*) from canary').trim(), '0', 'nothing injected');
});

test('secrets never appear in the pooler output (good and bad logins, unreachable target)', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  const pooler = await startReliablePooler(cluster);
  const client = await connect(pooler.url());
  await client.query('select 1');
  await client.end();
  await connect(pooler.url({ password: 'wrong-pass-xyz' })).catch(() => {});
  await pooler.stop();
  const output = pooler.stderr();
  assert.ok(!output.includes(cluster.password), 'the target password was logged');
  assert.ok(!output.includes('wrong-pass-xyz'), "a client's password attempt was logged");
  const closed = await run(process.execPath, [cliPath, 'pooler', '--target', `postgres://postgres:hunter2-secret@127.0.0.1:1/postgres`, '--listen', '127.0.0.1:0'], { timeoutMs: 30_000 });
  assert.equal(closed.code, 2);
  assert.ok(!(closed.stdout + closed.stderr).includes('hunter2-secret'));
  const bad = await run(process.execPath, [cliPath, 'pooler', '--target', 'postgres://postgres:hunter2-secret@[bad/postgres'], { timeoutMs: 30_000 });
  assert.equal(bad.code, 2);
  assert.ok(!(bad.stdout + bad.stderr).includes('hunter2-secret'), bad.stderr);
});

test('parameter sync quotes every tracked parameter: DateStyle, TimeZone, client_encoding and application_name values from a startup packet inject nothing', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  const pooler = await startReliablePooler(cluster, {}, ['--pool-size', '1']);
  t.after(() => pooler.stop());
  cluster.psql('create table canary (n int)');
  // The first client leaves the only server with other values, so each client below gets a sync.
  const first = await connect(pooler.url());
  await first.query('select 1');
  await first.end();
  // Payloads for both ways of getting it wrong: no quotes at all, and quotes without escaping.
  let n = 0;
  for (const param of ['DateStyle', 'TimeZone', 'client_encoding', 'application_name']) {
    for (const value of [`x; insert into canary values (${++n})`, `x'; insert into canary values (${++n}); --`]) {
      const client = await RawClient.connect(pooler.port, cluster.user, cluster.password, 'postgres', { [param]: value });
      client.socket.write(frontend('Q', cstr('select 1')));
      await client.readUntil('Z', 10_000).catch(() => '');
      client.close();
    }
  }
  assert.equal(cluster.psql('select count(*) from canary').trim(), '0', 'nothing injected');
});

/** The salt the pooler offers `user` in its SCRAM server-first-message. */
async function offeredSalt(port: number, user: string): Promise<string> {
  const socket = await rawSocket(port);
  const reader = new MessageReader();
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  try {
    socket.write(startupMessage({ user, database: 'postgres' }));
    socket.write(saslInitialResponse('SCRAM-SHA-256', Buffer.from('n,,n=*,r=fixednonce')));
    for (let tries = 0; tries < 100; tries++) {
      for (let m = reader.next(); m; m = reader.next()) {
        if (m.type === 0x52 && m.body.readInt32BE(0) === 11) return /s=([^,]+)/.exec(m.body.toString('utf8', 4))![1];
      }
      await Promise.race([once(socket, 'data'), new Promise((r) => setTimeout(r, 100))]);
    }
    throw new Error('no SASLContinue');
  } finally {
    socket.destroy();
  }
}

test('SCRAM does not reveal which users exist: an unknown user is offered the same salt on every attempt', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.stop());
  const pooler = await startReliablePooler(cluster);
  t.after(() => pooler.stop());
  const known = [await offeredSalt(pooler.port, cluster.user), await offeredSalt(pooler.port, cluster.user)];
  const ghost = [await offeredSalt(pooler.port, 'ghost'), await offeredSalt(pooler.port, 'ghost')];
  assert.equal(known[0], known[1]);
  assert.equal(ghost[0], ghost[1], 'a fresh salt per attempt marks the user as unknown');
  assert.equal(Buffer.from(ghost[0], 'base64').length, Buffer.from(known[0], 'base64').length);
  assert.notEqual(await offeredSalt(pooler.port, 'other-ghost'), ghost[0]);
});
