// Prisma's raw tags (`tx.$queryRaw\`…\``, `tx.$executeRaw\`…\``) run on the client they are members of, like its
// `$queryRawUnsafe(…)` calls. Inside an interactive transaction (`prisma.$transaction(async (tx) => …)`) the whole
// callback runs on one server connection, so a session lock and its unlock sent through `tx` pair up as they do on
// a pg client between BEGIN and COMMIT: the unlock is no finding, the lock keeps one saying why (an error before the
// unlock leaves it held).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis, analyze } from '../../../server/analysis/index';

before(() => initAnalysis());

function findings(body: string[]): { rule: string; line: number; message: string }[] {
  const text = ["import { PrismaClient } from '@prisma/client';", 'const db = new PrismaClient();', ...body].join('\n');
  return analyze(text, 'typescript', {}, 'jobs.ts').map((f) => ({ rule: f.rule, line: text.slice(0, f.start).split('\n').length, message: f.message }));
}

test('a try-lock and its unlock through the tags of one interactive transaction: only the lock, for its error path', () => {
  const found = findings([
    'export async function once(id: number, job: () => Promise<void>) {',
    '  await db.$transaction(async (trx) => {',
    '    const [row] = await trx.$queryRaw<{ got: boolean }[]>`SELECT pg_try_advisory_lock(${id}) AS got`;',
    '    if (!row.got) return;',
    '    try { await job(); } finally { await trx.$executeRaw`SELECT pg_advisory_unlock(${id})`; }',
    '  });',
    '}',
  ]);
  assert.deepEqual(found.map((f) => `${f.rule} ${f.line}`), ['advisory-lock 5']);
  assert.match(found[0].message, /survive ROLLBACK/);
});

test('a tag and an unsafe call on the same transaction client pair up too', () => {
  const found = findings([
    'export async function rebuild() {',
    '  await db.$transaction(async (t) => {',
    "    await t.$executeRawUnsafe('SELECT pg_advisory_lock(77)');",
    '    await t.$executeRaw`REFRESH MATERIALIZED VIEW totals`;',
    '    await t.$queryRaw`SELECT pg_advisory_unlock(77)`;',
    '  });',
    '}',
  ]);
  assert.deepEqual(found.map((f) => `${f.rule} ${f.line}`), ['advisory-lock 5']);
});

test('the same lock and unlock through the client itself, outside a transaction, are both findings', () => {
  const found = findings([
    'export async function once(id: number) {',
    '  await db.$queryRaw`SELECT pg_advisory_lock(${id})`;',
    '  await db.$executeRaw`SELECT pg_advisory_unlock(${id})`;',
    '}',
  ]);
  assert.deepEqual(found.map((f) => `${f.rule} ${f.line}`), ['advisory-lock 4', 'advisory-lock 5']);
  assert.doesNotMatch(found[0].message, /survive ROLLBACK/);
});

test('an unlock in a second interactive transaction does not pair with the first one\'s lock', () => {
  const found = findings([
    'export async function twice(id: number) {',
    '  await db.$transaction(async (a) => { await a.$queryRaw`SELECT pg_advisory_lock(${id})`; });',
    '  await db.$transaction(async (b) => { await b.$executeRaw`SELECT pg_advisory_unlock(${id})`; });',
    '}',
  ]);
  assert.deepEqual(found.map((f) => `${f.rule} ${f.line}`), ['advisory-lock 4', 'advisory-lock 5']);
});

test('a parameter declared as a Prisma transaction client pairs its tags like a callback parameter', () => {
  const found = findings([
    "import type { Prisma } from '@prisma/client';",
    'export async function underLock(tc: Prisma.TransactionClient, id: number) {',
    '  await tc.$queryRaw`SELECT pg_advisory_lock(${id})`;',
    '  await tc.$executeRaw`SELECT pg_advisory_unlock(${id})`;',
    '}',
  ]);
  assert.deepEqual(found.map((f) => `${f.rule} ${f.line}`), ['advisory-lock 5']);
});
