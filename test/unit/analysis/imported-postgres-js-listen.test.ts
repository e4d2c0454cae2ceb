// A postgres.js client made once in a module of the project and imported where notifications are handled
// (`import { sql } from './db'`; `sql.listen('jobs', fn)`): its listen() sends LISTEN on that client's pooled
// connections. The module is read from disk, as the CLI and the editor find it. A client the module makes from a
// direct URL, something else of that name (an HTTP server, a client of another driver), or a listen() whose first
// argument is no channel, gets no finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('imported-listen', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

test('listen() on a postgres.js client imported from a module of the project is a LISTEN on the pool', () => {
  repo.write('shop/src/db/connection.ts', [
    "import postgres from 'postgres';",
    "export const sql = postgres(process.env.DATABASE_URL!, { prepare: false });",
    'const shared = postgres(process.env.DATABASE_URL!, { prepare: false });',
    'export { shared as events };',
    'export default shared;',
  ]);
  assert.deepEqual(findingsOf('shop/src/db/orders-feed.ts', [
    "import { sql } from './connection';",
    'export function followOrders(onOrder: (id: string) => void) {',
    "  return sql.listen('orders', (payload) => onOrder(payload));",
    '}',
  ]), ["listen sql.listen('orders', (payload) => onOrder(payload))"]);
  assert.deepEqual(findingsOf('shop/src/feeds/refunds.ts', [
    "import database, { events } from '../db/connection.js';",
    "const CHANNEL = 'refunds';",
    'export async function followRefunds(onRefund: (p: string) => void, topic: { name: string }) {',
    '  await events.listen(CHANNEL, onRefund);',
    '  await database.listen(topic.name, onRefund);',
    '}',
  ]), ['listen events.listen(CHANNEL, onRefund)', 'listen database.listen(topic.name, onRefund)']);
});

test('an imported client made from a direct URL, or an imported object that is no postgres.js client, is not flagged', () => {
  repo.write('hub/src/db.ts', [
    "import postgres from 'postgres';",
    "import { createServer } from 'node:http';",
    'export const listener = postgres(process.env.DIRECT_URL ?? process.env.DATABASE_URL!, { max: 1, prepare: false });',
    'export const server = createServer();',
  ]);
  assert.deepEqual(findingsOf('hub/src/subscriber.ts', [
    "import { listener, server } from './db';",
    "import { sql } from 'some-package';",
    'export async function start(port: number) {',
    "  await listener.listen('stock', () => undefined);",
    '  server.listen(port);',
    "  await sql.listen('stock', () => undefined);",
    '}',
  ]), []);
});

// The same client made in a Deno module (`npm:postgres@3`, an esm.sh or deno.land/x URL) and imported by another;
// deno-postgres, whose deno.land/x module is also named `postgres`, makes no postgres.js client.
const subscriber = (module: string): string[] => [
  `import { events } from '${module}';`,
  'export async function followInvoices(onInvoice: (id: string) => void) {',
  "  await events.listen('invoices', onInvoice);",
  '}',
];

test('listen() on a postgres.js client a Deno module makes from an npm:, esm.sh or deno.land/x import is a LISTEN on the pool', () => {
  const specifiers = ['npm:postgres@3.4.4', 'https://esm.sh/postgres@3.4.4', 'https://deno.land/x/postgresjs@v3.4.4/mod.js'];
  specifiers.forEach((specifier, i) => {
    repo.write(`functions-${i}/_shared/pool.ts`, [
      `import postgres from '${specifier}';`,
      "export const events = postgres(Deno.env.get('SUPABASE_DB_URL')!, { prepare: false });",
    ]);
    assert.deepEqual(findingsOf(`functions-${i}/invoices/index.ts`, subscriber('../_shared/pool.ts')),
      ["listen events.listen('invoices', onInvoice)"], specifier);
  });
});

test('a client a Deno module makes with deno-postgres, whose deno.land/x module is also named postgres, is no postgres.js client', () => {
  repo.write('edge/_shared/pool.ts', [
    "import postgres from 'https://deno.land/x/postgres@v0.17.0/mod.ts';",
    "export const events = postgres(Deno.env.get('SUPABASE_DB_URL')!);",
  ]);
  assert.deepEqual(findingsOf('edge/invoices/index.ts', subscriber('../_shared/pool.ts')), []);
});
