// How the pooler treats protocol-level statement names with max_prepared_statements > 0, as
// PgBouncer 1.25 does: a reused name or a Bind/Describe of an unknown name ends the client (with the
// reason in the log), a Parse the server refuses is not remembered, and SHOW STATS counts parses and
// binds. Driven by hand (RawClient) and through node-postgres.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster';
import { RawClient, connectPg, cstr, frontend, startPooler, writeIni, type RunningPooler } from './pooler-harness';
import { admin, records } from './admin-harness';
import { parseErrorFields } from '../../extension/pooler/protocol';

let cluster: Cluster;
let pooler: RunningPooler;
let removeIni: () => void;

before(async () => {
  cluster = await startCluster();
  const ini = writeIni(
    `[databases]\npostgres = host=127.0.0.1 port=${cluster.port} dbname=postgres\n` +
      `[pgbouncer]\npool_mode = transaction\nmax_prepared_statements = 10\nadmin_users = ${cluster.user}\n`,
  );
  removeIni = ini.remove;
  pooler = await startPooler(cluster, ['--config', ini.path, '--server-policy', 'lifo']);
});

after(async () => {
  await pooler?.stop();
  removeIni?.();
  cluster?.stop();
});

function parse(name: string, sql: string): Buffer {
  return frontend('P', Buffer.concat([cstr(name), cstr(sql), Buffer.from([0, 0])]));
}

function bind(statement: string): Buffer {
  return frontend('B', Buffer.concat([cstr(''), cstr(statement), Buffer.from([0, 0, 0, 0, 0, 0])]));
}

function describeStatement(name: string): Buffer {
  return frontend('D', Buffer.concat([Buffer.from('S'), cstr(name)]));
}

const execute = frontend('E', Buffer.concat([cstr(''), Buffer.alloc(4)]));
const sync = frontend('S');

/** The FATAL message the pooler sent before closing, failing if the connection stays open. */
async function fatalMessage(raw: RawClient): Promise<string> {
  for (;;) {
    const { type, body } = await raw.next();
    if (type === 0x45) {
      const fields = parseErrorFields(body);
      if (fields.get('S') === 'FATAL') return fields.get('M') ?? '';
    }
  }
}

async function closed(raw: RawClient): Promise<boolean> {
  try {
    for (;;) await raw.next(3000);
  } catch (error) {
    return (error as Error).message === 'connection closed';
  }
}

test('Parse of a name the client still has ends the client, as in PgBouncer; the log says why', async (t) => {
  const raw = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => raw.close());
  raw.socket.write(Buffer.concat([parse('reused', 'select 1'), sync]));
  assert.equal(await raw.readUntil('Z'), '1Z');
  raw.socket.write(Buffer.concat([parse('reused', 'select 1'), sync]));
  assert.equal(await fatalMessage(raw), 'prepared statement name is already in use');
  assert.ok(await closed(raw));
  assert.match(pooler.stderr(), /prepared statement 'reused' was already prepared/);
});

test('Bind or Describe of a name never prepared ends the client with "prepared statement did not exist"', async (t) => {
  for (const message of [bind('never'), describeStatement('never')]) {
    const raw = await RawClient.connect(pooler.port, cluster.user, cluster.password);
    t.after(() => raw.close());
    raw.socket.write(Buffer.concat([message, sync]));
    assert.equal(await fatalMessage(raw), 'prepared statement did not exist');
    assert.ok(await closed(raw));
  }
  assert.match(pooler.stderr(), /closing because: prepared statement did not exist/);
  // The pooler itself is fine: a new client is served.
  const client = await connectPg(pooler.url());
  t.after(() => client.end());
  assert.deepEqual((await client.query('select 1 as ok')).rows, [{ ok: 1 }]);
});

test('a Parse the server refuses is not remembered as prepared there: a later Bind prepares it again', async (t) => {
  const raw = await RawClient.connect(pooler.port, cluster.user, cluster.password);
  t.after(() => raw.close());
  t.after(() => cluster.psql('drop table if exists appears_later'));
  raw.socket.write(Buffer.concat([parse('later', 'select * from appears_later'), bind('later'), execute, sync]));
  assert.equal(await raw.readUntil('Z'), 'EZ');
  cluster.psql('create table appears_later (a int)');
  // PgBouncer keeps the client's name: the Bind alone makes the pooler send the Parse again (its
  // ParseComplete is the pooler's, not passed on). Remembered as prepared, the Bind would fail (26000).
  raw.socket.write(Buffer.concat([bind('later'), execute, sync]));
  assert.equal(await raw.readUntil('Z'), '2CZ');
});

test('DEALLOCATE ALL forgets the client\'s statements: a driver that still uses one is disconnected', async (t) => {
  const client = await connectPg(pooler.url());
  const errors: Error[] = [];
  client.on('error', (error) => errors.push(error));
  t.after(() => client.end().catch(() => {}));
  const named = { name: 'dealloc_me', text: 'select 1 as one' };
  assert.deepEqual((await client.query(named)).rows, [{ one: 1 }]);
  assert.deepEqual((await client.query(named)).rows, [{ one: 1 }]);
  await client.query('DEALLOCATE ALL');
  await assert.rejects(client.query(named), /prepared statement did not exist/);
});

test('SHOW STATS counts client parses, server parses and binds of named statements', async (t) => {
  const statsOf = async () => {
    const rows = records(await admin(cluster, pooler.port, 'SHOW STATS'));
    const row = rows.find((r) => r.database === 'postgres')!;
    return [Number(row.total_client_parse_count), Number(row.total_server_parse_count), Number(row.total_bind_count)];
  };
  const [clientParses, serverParses, binds] = await statsOf();
  const first = await connectPg(pooler.url());
  const second = await connectPg(pooler.url());
  t.after(() => Promise.all([first.end(), second.end()]));
  const counted = { name: 'counted', text: 'select 2 as two' };
  await first.query(counted); // Parse sent to the server, Bind
  await first.query(counted); // Bind only
  await second.query(counted); // Parse from a second client: the server (lifo, the same one) has it already
  assert.deepEqual(await statsOf(), [clientParses + 2, serverParses + 1, binds + 3]);
});
