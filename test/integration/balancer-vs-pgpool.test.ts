// Side by side with a real Pgpool-II (Debian pgpool2, streaming-replication mode) over the same real
// primary and streaming replica: one pgpool.conf runs Pgpool-II and is handed to PoolSafe with
// `--config`, then the same script of statements goes through both, and every statement reports the
// port of the server that ran it. For each disable_load_balance_on_write value the two must send
// every statement to the same host. A missing pgpool binary fails these tests (CI installs pgpool2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startPrimaryAndReplica, type PrimaryAndReplica } from '../helpers/replica';
import { startPgpool, type Pgpool } from '../helpers/pgpool';
import { startPooler } from './pooler-harness';

let pair: PrimaryAndReplica;

before(async () => {
  pair = await startPrimaryAndReplica({ applyDelayMs: 0 });
  pair.primary.psql("create table items (id serial primary key, name text); insert into items (name) values ('first')");
  pair.primary.psql("create table other (id int); insert into other values (1); create sequence ids");
  await pair.waitForReplay();
});

after(() => pair?.stop());

/** Statements returning `port` report where they ran; the others (BEGIN, COMMIT) report '-'. */
const SCRIPT = [
  "select current_setting('port') as port",
  "insert into items (name) values ('s') returning current_setting('port') as port",
  "select current_setting('port') as port from items limit 1",
  'begin',
  "select current_setting('port') as port from other limit 1",
  "select current_setting('port') as port from items limit 1",
  "insert into items (name) values ('t') returning current_setting('port') as port",
  "select current_setting('port') as port from other limit 1",
  "select current_setting('port') as port from items limit 1",
  'commit',
  "select current_setting('port') as port",
  'begin',
  "select current_setting('port') as port from other limit 1",
  'commit',
  "select nextval('ids'), current_setting('port') as port",
  "/* a comment first */ select current_setting('port') as port",
  "select current_setting('port') as port from pg_class limit 1",
  'begin isolation level serializable',
  "select current_setting('port') as port",
  'commit',
];

/** Runs SCRIPT on one connection; P = primary, R = replica, - = no row. */
async function route(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const hosts: string[] = [];
    for (const sql of SCRIPT) {
      const result = await client.query(sql);
      const port = result.rows[0]?.port;
      hosts.push(port === undefined ? '-' : Number(port) === pair.primary.port ? 'P' : Number(port) === pair.replica.port ? 'R' : `?${port}`);
    }
    return hosts;
  } finally {
    await client.end();
  }
}

async function sideBySide(onWrite: string): Promise<{ pgpool: string[]; poolsafe: string[] }> {
  const pgpool: Pgpool = await startPgpool({
    primaryPort: pair.primary.port, replicaPorts: [pair.replica.port], user: pair.primary.user, password: pair.primary.password,
    settings: { disable_load_balance_on_write: onWrite },
  });
  try {
    const poolsafe = await startPooler(pair.primary, ['--config', pgpool.confPath]);
    try {
      return { pgpool: await route(pgpool.url('postgres')), poolsafe: await route(poolsafe.url()) };
    } finally {
      await poolsafe.stop();
    }
  } finally {
    await pgpool.stop();
  }
}

for (const onWrite of ['transaction', 'trans_transaction', 'always', 'dml_adaptive', 'off']) {
  test(`disable_load_balance_on_write = ${onWrite}: PoolSafe sends every statement where Pgpool-II does`, async (t) => {
    const { pgpool, poolsafe } = await sideBySide(onWrite);
    t.diagnostic(`Pgpool-II ${pgpool.join('')} PoolSafe ${poolsafe.join('')}`);
    assert.ok(pgpool.includes('R') && pgpool.includes('P'), `Pgpool-II balanced nothing: ${pgpool.join(' ')}`);
    assert.deepEqual(poolsafe, pgpool, `\n${SCRIPT.map((sql, i) => `${pgpool[i]} ${poolsafe[i]}  ${sql}`).join('\n')}`);
  });
}
