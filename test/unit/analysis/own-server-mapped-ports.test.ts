// A module that starts a Testcontainers PostgreSQL container and maps its port 5432 to a host port held in a const of
// the module (`.withExposedPorts({ container: 5432, host: DB_PORT })`) is that server's own: a postgres.js client the
// module makes on `localhost:${DB_PORT}` talks to it with nothing in between, wherever in the module the container is
// started (a helper the tests call before querying). Not when the hole holds another const, when the host is not this
// machine, when the container is another image's (a GenericContainer), when the port is mapped from a value that is
// no const, or when the module names a pooler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('own-server-mapped-ports', { after });
before(() => initAnalysis());

const PREPARED = 'protocol-prepared-statement';

function preparedFindings(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).filter((f) => f.rule === PREPARED).map((f) => text.slice(f.start, f.end));
}

interface Harness { url?: string; container?: string; hostPort?: string; extra?: string[] }

/** An integration harness: the client at the top of the module, the container started by an exported function. */
function harness({ url = '`postgres://app:secret@localhost:${DB_PORT}/inventory`', container = 'new PostgreSqlContainer(\'postgres:16\')', hostPort = 'DB_PORT', extra = [] }: Harness): string[] {
  return [
    "import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';",
    "import { GenericContainer } from 'testcontainers';",
    "import postgres from 'postgres';",
    'const DB_PORT = 6100 + Number(process.env.SHARD ?? 0);',
    'const OTHER_PORT = 6200;',
    ...extra,
    `export const sql = postgres(${url});`,
    'let started: StartedPostgreSqlContainer | undefined;',
    'export async function startDatabase() {',
    `  started = await ${container}`,
    "    .withDatabase('inventory')",
    `    .withExposedPorts({ container: 5432, host: ${hostPort} })`,
    '    .start();',
    '}',
    'export async function countItems() {',
    '  return sql`SELECT count(*) FROM items`;',
    '}',
  ];
}

test('a client of localhost on the host port the module maps its PostgreSQL container to is the own server\'s: not flagged', () => {
  assert.deepEqual(preparedFindings('a/harness.ts', harness({})), []);
  assert.deepEqual(preparedFindings('b/harness.ts', harness({ url: '`postgresql://app@127.0.0.1:${DB_PORT}/inventory`' })), []);
});

test('another port, another host, another image, a port that is no const, or a named pooler keep the finding', () => {
  assert.deepEqual(preparedFindings('c/harness.ts', harness({ url: '`postgres://app@localhost:${OTHER_PORT}/inventory`' })), ['postgres']);
  assert.deepEqual(preparedFindings('d/harness.ts', harness({ url: '`postgres://app@db.internal:${DB_PORT}/inventory`' })), ['postgres']);
  assert.deepEqual(preparedFindings('e/harness.ts', harness({ url: '`postgres://app@localhost:${DB_PORT}/inventory?host=db.internal`' })), ['postgres']);
  assert.deepEqual(preparedFindings('f/harness.ts', harness({ container: "new GenericContainer('postgres:16')" })), ['postgres']);
  assert.deepEqual(preparedFindings('g/harness.ts', harness({ url: '`postgres://app@localhost:${port}/inventory`', hostPort: 'port', extra: ['let port = 6300;'] })), ['postgres']);
  assert.deepEqual(preparedFindings('h/harness.ts', harness({ extra: ['// the suite runs behind PgBouncer in transaction mode'] })), ['postgres']);
});
