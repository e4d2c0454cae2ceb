// A logical-replication (walsender) connection is never behind a transaction pooler (PgBouncer does not
// carry the replication protocol in transaction mode): its settings and prepared statements get no
// pooling findings, while a pooled client in the same file keeps its own.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'src/db.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('a postgres.js client opened with connection.replication (even inside merged options) gets no prepared-statement or session-set finding; a plain client next to it keeps them', () => {
  const text = [
    "import postgres from 'postgres';",
    "import defu from 'defu';",
    'const pooled = postgres(process.env.DATABASE_URL);',
    'export function replicationSession(base: object) {',
    "  return postgres(defu({ max: 1, connection: { application_name: 'cdc', replication: 'database' } }, base));",
    '}',
    'export async function run() {',
    "  const session = postgres({ connection: { replication: 'database' } });",
    "  await session.unsafe('SET lock_timeout = 5000');",
    "  await session`SET statement_timeout = 0`;",
    "  await pooled.unsafe('SET lock_timeout = 100');",
    '  await pooled`SELECT * FROM t WHERE id = ${1}`;',
    '  await session`SELECT * FROM t WHERE id = ${1}`;',
    '}',
  ].join('\n');
  assert.deepEqual(found(text).sort(), ['protocol-prepared-statement postgres', 'session-set SET lock_timeout = 100']);
});

test('node-postgres clients with replication: database or a replication=database connection string get no pooling findings; a client without it does', () => {
  const text = [
    "import { Client } from 'pg';",
    'export async function run(url: string) {',
    "  const wal = new Client({ connectionString: url, replication: 'database' });",
    "  const byUrl = new Client({ connectionString: `${url}?replication=database` });",
    '  const normal = new Client({ connectionString: url });',
    "  await wal.query('SET ROLE replicator');",
    "  await byUrl.query('SET ROLE replicator');",
    "  await normal.query('SET ROLE app');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set SET ROLE app']);
});

test('a client parameter a replication command is sent through is a walsender session; another parameter of the same type is not', () => {
  const text = [
    "import postgres from 'postgres';",
    'export async function createSlot(session: postgres.Sql, db: postgres.Sql, name: string) {',
    "  await session.unsafe('SET lock_timeout = 1000');",
    '  await session.unsafe(`CREATE_REPLICATION_SLOT "${name}" LOGICAL pgoutput`);',
    "  await db.unsafe('SET lock_timeout = 2000');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set SET lock_timeout = 2000']);
});

test('replication: false or a non-walsender value keeps the findings', () => {
  const text = [
    "import { Client } from 'pg';",
    'export async function run() {',
    '  const off = new Client({ replication: false });',
    "  await off.query('SET ROLE app');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set SET ROLE app']);
});

test('a replication option spelled with escapes only is still a walsender session (the file text check lets a backslash through)', () => {
  const text = [
    "import { Client } from 'pg';",
    'export async function run(url: string) {',
    '  const byUrl = new Client({ connectionString: `${url}?r\\x65plication=database` });',
    "  const byName = new Client({ connectionString: url, r\\u0065plication: 'database' });",
    '  const normal = new Client({ connectionString: url });',
    "  await byUrl.query('SET ROLE replicator');",
    "  await byName.query('SET ROLE replicator');",
    "  await normal.query('SET ROLE app');",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set SET ROLE app']);
});
