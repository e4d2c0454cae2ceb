// postgres.js `listen(channel, fn)` on a client reached as a member of a typed value: a route module's parameter
// whose declared type (a type literal, a project interface, or a package's interface the project augments with
// `declare module 'fastify' { interface FastifyInstance { bus: postgres.Sql } }`) declares that member with the
// driver's client type. The web framework's own `listen({ port })` on the same value, a member of another type, and
// a member the project decorates with a client on a direct URL get no finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('typed-member-listen', { after });
before(() => initAnalysis());

function listensIn(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).filter((f) => f.rule === 'listen').map((f) => ruleLine(text, f));
}

before(() => {
  repo.write('relay/package.json', '{"name": "relay", "dependencies": {"fastify": "^4", "postgres": "^3", "koa": "^2"}}');
  repo.write('relay/src/shapes.ts', [
    "import type { FastifyInstance } from 'fastify';",
    "import type { Sql } from 'postgres';",
    "import type { Server } from 'node:http';",
    'export type Host = FastifyInstance;',
    'export interface Services {',
    '  journal: Sql;',
    '  web: Server;',
    '}',
  ]);
  repo.write('relay/src/plugins/journal.ts', [
    "import postgres from 'postgres';",
    "import type { Host } from '../shapes';",
    "declare module 'fastify' {",
    '  interface FastifyInstance {',
    '    bus: postgres.Sql',
    '    tap: postgres.Sql',
    '    relayName: string',
    '  }',
    '}',
    'export async function journalPlugin(host: Host) {',
    '  const bus = postgres(process.env.RELAY_DATABASE_URL!, { max: 4 });',
    "  host.decorate('bus', bus);",
    "  host.decorate('tap', postgres(process.env.DIRECT_URL!, { max: 1 }));",
    '}',
  ]);
});

test('listen on a member a package interface is augmented with as postgres.js Sql is flagged; the framework\'s own listen is not', () => {
  assert.deepEqual(listensIn('relay/src/routes/feed.ts', [
    "import type { Host } from '../shapes';",
    "const ORDERS = 'orders_changed';",
    'export default async function feedRoutes(host: Host) {',
    '  host.bus.listen(ORDERS, (id) => host.log.info(id));',
    "  await host.listen({ port: 3000, host: '0.0.0.0' });",
    '  host.server.listen(8080);',
    '  host.relayName.listen?.(ORDERS);',
    '}',
  ]), ['listen 4']);
  // The package's type imported where it is used, without the project's alias.
  assert.deepEqual(listensIn('relay/src/routes/direct.ts', [
    "import type { FastifyInstance } from 'fastify';",
    'export async function watch(app: FastifyInstance, channel: string) {',
    '  await app.bus.listen(channel, () => undefined);',
    '  app.listen({ port: 3001 });',
    '}',
  ]), ['listen 3']);
});

test('listen on a member of a type literal or a project interface declared as postgres.js Sql is flagged', () => {
  assert.deepEqual(listensIn('relay/src/routes/inline.ts', [
    "import postgres from 'postgres';",
    "import type { EventEmitter } from 'node:events';",
    "import type { Services } from '../shapes';",
    'export function follow(ctx: { db: postgres.Sql; events: EventEmitter }, deps: Services) {',
    "  ctx.db.listen('ticks', () => undefined);",
    "  ctx.events.listen?.('ticks');",
    "  deps.journal.listen('entries', () => undefined);",
    '  deps.web.listen(4000);',
    '}',
  ]), ['listen 5', 'listen 7']);
});

test('listen on a member decorated with a client on a direct URL, or of a package interface nothing augments, is not flagged', () => {
  assert.deepEqual(listensIn('relay/src/routes/quiet.ts', [
    "import type { FastifyInstance } from 'fastify';",
    "import type Koa from 'koa';",
    'export async function quiet(app: FastifyInstance, web: Koa) {',
    "  await app.tap.listen('audit', () => undefined);",
    "  await (web as any).db.listen('audit', () => undefined);",
    "  web.listen(5000);",
    '}',
  ]), []);
});
