// A postgres.js client kept in a module's `let` and handed out by a getter that only returns it (or makes it when the
// variable is empty, then returns it): `export function listener() { if (!client) client = postgres(url); return
// client; }`. postgres.js's listen() opens a connection of its own and prepares nothing on the client, so when every
// call of the getter, in its file and in each file importing it by name, only listens (directly, or through a const
// that only listens, unlistens or ends), the client sends no named statement. A getter call that queries, one handed
// on, a getter that does more than return the variable, or an exported getter no file imports keeps the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('listen-getter', { after });
before(() => initAnalysis());

/** The prepared-statement findings of a file on disk, as the text each one covers. */
function preparedIn(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).filter((f) => f.rule === 'protocol-prepared-statement').map((f) => text.slice(f.start, f.end));
}

/** A module with a query pool (handed to drizzle by its getter) and a listen-only client behind a lazy getter. */
const CONNECTIONS = [
  "import postgres from 'postgres';",
  "import { drizzle } from 'drizzle-orm/postgres-js';",
  'let pool: ReturnType<typeof postgres> | null = null;',
  'let notifications: ReturnType<typeof postgres> | null = null;',
  'export function database() {',
  '  if (!pool) {',
  '    pool = postgres(process.env.DATABASE_URL!, { max: 4 });',
  '  }',
  '  return drizzle(pool);',
  '}',
  'export function notificationClient() {',
  '  if (!notifications) {',
  '    notifications = postgres(process.env.DATABASE_URL!, { max: 1 });',
  '  }',
  '  return notifications;',
  '}',
  'export async function shutdown() {',
  '  if (notifications) {',
  '    await notifications.end();',
  '    notifications = null;',
  '  }',
  '  await pool?.end();',
  '}',
];

test('a client handed out by a lazy getter whose every caller only listens is not flagged; the query pool beside it is', () => {
  repo.write('alpha/package.json', '{"name": "alpha"}');
  const connections = repo.write('alpha/src/connections.ts', CONNECTIONS);
  repo.write('alpha/src/worker.ts', [
    "import { notificationClient, shutdown } from './connections';",
    'export async function run(onJob: () => void, channels: string[]) {',
    '  const listener = notificationClient();',
    "  await listener.listen('jobs', onJob);",
    '  for (const channel of channels) await listener.listen(channel, onJob);',
    "  process.on('SIGTERM', shutdown);",
    '}',
  ]);
  repo.write('alpha/src/bridge.ts', [
    "import { notificationClient } from './connections.js';",
    "export const follow = (fn: (p: string) => void) => notificationClient().listen('bridge', fn);",
    "export const stop = () => notificationClient().unlisten('bridge');",
  ]);
  assert.deepEqual(preparedIn(connections), ['postgres']);
  const text = readFileSync(connections, 'utf8');
  assert.equal(analyze(text, 'typescript', {}, connections).filter((f) => f.rule === 'protocol-prepared-statement').map((f) => text.slice(0, f.start).split('\n').length).join(), '7');
});

test('a getter-held client that one caller queries, hands on, or that no file imports keeps the finding', () => {
  const cases: Record<string, string[]> = {
    // A tagged query through the const the getter filled.
    queried: [
      "import { notificationClient } from './connections';",
      'const listener = notificationClient();',
      "await listener.listen('jobs', () => {});",
      'export const pending = () => listener`SELECT count(*) FROM jobs`;',
    ],
    // A tagged query on the getter's result itself.
    direct: [
      "import { notificationClient } from './connections';",
      "await notificationClient().listen('jobs', () => {});",
      'export const now = () => notificationClient()`SELECT now()`;',
    ],
    // The client handed to code this analysis does not follow.
    handed: [
      "import { notificationClient } from './connections';",
      "import { drizzle } from 'drizzle-orm/postgres-js';",
      "await notificationClient().listen('jobs', () => {});",
      'export const db = drizzle(notificationClient());',
    ],
  };
  for (const [name, caller] of Object.entries(cases)) {
    repo.write(`${name}/package.json`, `{"name": "${name}"}`);
    const connections = repo.write(`${name}/src/connections.ts`, CONNECTIONS);
    repo.write(`${name}/src/worker.ts`, caller);
    assert.deepEqual(preparedIn(connections), ['postgres', 'postgres'], name);
  }
  // No file of the project calls the exported getter: a library's export, for its users.
  repo.write('lonely/package.json', '{"name": "lonely"}');
  assert.deepEqual(preparedIn(repo.write('lonely/src/connections.ts', CONNECTIONS)), ['postgres', 'postgres']);
  // A getter that does more than return the variable (here it also runs a query on it).
  repo.write('busy/package.json', '{"name": "busy"}');
  const busy = repo.write('busy/src/connections.ts', CONNECTIONS.map((line) => line === '  return notifications;' ? '  void notifications`SELECT 1`.execute();\n  return notifications;' : line));
  repo.write('busy/src/worker.ts', ["import { notificationClient } from './connections';", "await notificationClient().listen('jobs', () => {});"]);
  assert.deepEqual(preparedIn(busy), ['postgres', 'postgres']);
});
