// Prisma's raw tags (`client.$executeRaw\`…\``, `client.$queryRaw\`…\``) are members of the client itself. On a client a
// function hands out (`const admin = getAdminClient()`), outside any `$transaction`, each tag is its own implicit
// transaction, so a transaction-local `set_config(…, true)` sent that way is lost at once. The object a call returned is
// not a request context holding a client someone else began a transaction on: the tag is that object's own method.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

function rulesOf(lines: string[]): string[] {
  const text = lines.join('\n');
  return analyze(text, 'typescript', {}, 'src/jobs/cleanup.ts').map((f) => `${f.rule} ${text.slice(f.start, f.end).split('\n')[0]}`);
}

test('a raw tag on a client a function returns, outside $transaction, keeps set-local-outside-transaction', () => {
  assert.deepEqual(rulesOf([
    "import { getAdminClient } from '../db/clients';",
    'export async function purge(accountId: string) {',
    '  const admin = getAdminClient();',
    "  await admin.$executeRaw`SELECT set_config('app.purging', 'yes', true)`;",
    '  await admin.account.delete({ where: { id: accountId } });',
    '}',
  ]), ['set-local-outside-transaction set_config']);
});

test('the same tag inside $transaction, on a parameter, or on a client a request context holds is not flagged', () => {
  assert.deepEqual(rulesOf([
    "import { getAdminClient, currentRequest } from '../db/clients';",
    'export async function purge(accountId: string) {',
    '  const admin = getAdminClient();',
    '  await admin.$transaction(async (tx) => {',
    "    await tx.$executeRaw`SELECT set_config('app.purging', 'yes', true)`;",
    '    await tx.account.delete({ where: { id: accountId } });',
    '  });',
    '}',
    'export async function mark(db: { $executeRaw: (s: TemplateStringsArray) => Promise<number> }) {',
    "  await db.$executeRaw`SELECT set_config('app.purging', 'yes', true)`;",
    '}',
    'export async function note() {',
    '  const request = currentRequest();',
    "  await request.db.$executeRaw`SELECT set_config('app.purging', 'yes', true)`;",
    '}',
  ]), []);
});

// Prisma hands an interactive transaction's client out through `_createItxClient(params.transaction)` (client
// extensions that set RLS context per operation use it): a raw tag or `$queryRawUnsafe` on that client runs inside the
// open transaction, so its transaction-local settings hold for the operation that follows.
test('a client of an open interactive transaction handed out by _createItxClient keeps SET LOCAL and set_config(…, true)', () => {
  assert.deepEqual(rulesOf([
    'export async function withContext(prisma: any, params: any, role: string, key: string, value: string) {',
    '  const txClient = (prisma as any)._createItxClient(params.transaction);',
    '  await txClient.$queryRawUnsafe(`SET LOCAL ROLE ${role}`);',
    '  await txClient.$queryRaw`SELECT set_config(${key}, ${value}, true);`;',
    '}',
  ]), []);
});

test('a client an ordinary factory hands out beside it still loses them', () => {
  assert.deepEqual(rulesOf([
    "import { getAdminClient } from '../db/clients';",
    'export async function withContext(role: string, key: string, value: string) {',
    '  const txClient = getAdminClient();',
    '  await txClient.$queryRawUnsafe(`SET LOCAL ROLE ${role}`);',
    '  await txClient.$queryRaw`SELECT set_config(${key}, ${value}, true);`;',
    '}',
  ]), ['set-local-outside-transaction SET LOCAL ROLE ${role}', 'set-local-outside-transaction set_config']);
});
