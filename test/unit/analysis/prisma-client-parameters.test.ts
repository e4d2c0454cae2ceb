// A function handed Prisma's client itself (`db: PrismaClient`) is handed a pool: every raw statement it sends runs on a
// pool connection in a transaction of its own, and a caller's interactive transaction cannot be passed there (its
// client is `Prisma.TransactionClient`). So `set_config(…, true)` sent through it is lost at once, even in an exported
// helper that nothing calls; a parameter that may be a transaction's client is still the caller's business.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('prisma-client-parameters', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f, 'line rule'));
}

test('set_config(…, true) through a PrismaClient parameter, by raw tag or raw call, is outside any transaction', () => {
  assert.deepEqual(findingsOf('shop/src/db/scope.ts', [
    "import { PrismaClient, Prisma } from '@prisma/client';",
    'export async function scoped<T>(db: PrismaClient, shop: string, run: () => Promise<T>): Promise<T> {',
    "  await db.$executeRaw`SELECT set_config('shop.id', ${shop}, true)`;",
    '  try {',
    '    return await run();',
    '  } finally {',
    "    await db.$executeRawUnsafe(`SELECT set_config('shop.id', '', true)`);",
    '  }',
    '}',
    'export async function qualified(db: Prisma.PrismaClient, shop: string) {',
    "  await db.$queryRaw`SELECT set_config('shop.id', ${shop}, true)`;",
    '}',
  ]), ['3 set-local-outside-transaction', '7 set-local-outside-transaction', '11 set-local-outside-transaction']);
});

test('a parameter that may hold an interactive transaction, or a transaction callback on the client, is not flagged', () => {
  assert.deepEqual(findingsOf('shop/src/db/inside.ts', [
    "import { PrismaClient, Prisma } from '@prisma/client';",
    'export async function either(db: PrismaClient | Prisma.TransactionClient, shop: string) {',
    "  await db.$executeRaw`SELECT set_config('shop.id', ${shop}, true)`;",
    '}',
    'export async function inTx(tx: Prisma.TransactionClient, shop: string) {',
    "  await tx.$executeRaw`SELECT set_config('shop.id', ${shop}, true)`;",
    '}',
    'export async function wrapped(db: PrismaClient, shop: string) {',
    '  return db.$transaction(async (tx) => {',
    "    await tx.$executeRaw`SELECT set_config('shop.id', ${shop}, true)`;",
    '    return tx.order.findMany();',
    '  });',
    '}',
  ]), []);
});
