// set_config written as a select-list fragment (a Kysely sql fragment handed to selectNoFrom or select): the builder
// sends SELECT set_config(...), so the fragment is read as that statement. And Effect's withTransaction(Effect.gen(...)):
// the generator's queries run inside the transaction the wrapper opens.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'context.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('a session-level set_config fragment in a Kysely select list is a session-set finding', () => {
  const text = [
    "import { Kysely, sql } from 'kysely';",
    'declare const store: Kysely<any>;',
    'export async function actAs(role: string) {',
    "  await store.selectNoFrom([sql<string>`set_config('role', ${role}, false)`.as('r')]).execute();",
    "  return store.selectFrom('notes').selectAll().execute();",
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set set_config']);
});

test('a transaction-local set_config fragment inside a Kysely transaction is no finding; a qualified session one is', () => {
  const text = [
    "import { Kysely, sql } from 'kysely';",
    'declare const store: Kysely<any>;',
    'export const scoped = (tenant: string) => store.transaction().execute(async (tx) => {',
    "  await tx.selectNoFrom(sql<string>`set_config('app.tenant', ${tenant}, true)`.as('t')).execute();",
    "  return tx.selectFrom('orders').selectAll().execute();",
    '});',
    "export const sticky = (tenant: string) => store.selectNoFrom(sql`pg_catalog.set_config('app.tenant', ${tenant}, false)`.as('t')).execute();",
  ].join('\n');
  assert.deepEqual(found(text), ['session-set pg_catalog.set_config']);
});

test("fragments that merely read a setting, or call another function, are not read as set_config; one beside them that sets is", () => {
  const text = [
    "import { Kysely, sql } from 'kysely';",
    'declare const store: Kysely<any>;',
    "export const who = () => store.selectNoFrom(sql<string>`current_setting('app.tenant', true)`.as('t')).execute();",
    "export const other = (v: string) => store.selectNoFrom(sql<string>`my_set_config(${v})`.as('t')).execute();",
    "export const sets = (v: string) => store.selectNoFrom(sql<string>`set_config('app.tenant', ${v}, false)`.as('t')).execute();",
  ].join('\n');
  assert.deepEqual(found(text), ['session-set set_config']);
});

test("Effect's withTransaction(Effect.gen(...)): a transaction-local set_config inside is no finding, a session one still is", () => {
  const text = [
    "import { sql } from 'kysely';",
    "import { Effect } from 'effect';",
    'declare const db: any;',
    'export const withUser = (user: string, role: string, work: any) =>',
    '  db.withTransaction(',
    '    Effect.gen(function* () {',
    "      yield* db.selectNoFrom([sql<string>`set_config('app.user', ${user}, true)`.as('u')]);",
    "      yield* db.selectNoFrom([sql<string>`pg_catalog.set_config('role', ${role}, false)`.as('r')]);",
    '      return yield* work;',
    '    }),',
    '  );',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set pg_catalog.set_config']);
});

test('Effect.gen outside a transaction wrapper opens no transaction: its transaction-local set_config is lost', () => {
  const text = [
    "import { sql } from 'kysely';",
    "import { Effect } from 'effect';",
    'declare const db: any;',
    'export const withUser = (user: string, work: any) =>',
    '  Effect.gen(function* () {',
    "    yield* db.selectNoFrom([sql<string>`set_config('app.user', ${user}, true)`.as('u')]);",
    '    return yield* work;',
    '  });',
  ].join('\n');
  assert.deepEqual(found(text), ['set-local-outside-transaction set_config']);
});

test('a transaction-local set_config fragment composed into another query is no finding where it is written; a session one is', () => {
  // The local fragment is joined into a SELECT sent inside $transaction([...]): where the fragment is written says
  // nothing of the transaction its query runs in. The session one stays on the connection wherever it runs.
  const text = [
    "import { Prisma, PrismaClient } from '@prisma/client';",
    'declare const client: PrismaClient;',
    'export async function scoped(settings: [string, string][], work: any) {',
    '  const parts = settings.map(([k, v]) => Prisma.sql`SET_CONFIG(${k}, ${v}, TRUE)`);',
    '  const sql = Prisma.sql`SELECT ${Prisma.join(parts)}`;',
    '  return client.$transaction([client.$executeRaw(sql), work]);',
    '}',
    'export async function sticky(settings: [string, string][]) {',
    '  const parts = settings.map(([k, v]) => Prisma.sql`set_config(${k}, ${v}, false)`);',
    '  return client.$executeRaw(Prisma.sql`SELECT ${Prisma.join(parts)}`);',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set set_config']);
});

test("a composed set_config fragment's is_local is read as PostgreSQL reads a boolean: 'no' and '0' are session-wide, 'yes' and 'on' local", () => {
  // Every fragment is joined into a SELECT sent outside any transaction: only a session-wide one is judged where it is written.
  const composed = (name: string, isLocal: string) => [
    `export async function ${name}(settings: [string, string][]) {`,
    `  const parts = settings.map(([k, v]) => Prisma.sql\`set_config(\${k}, \${v}, ${isLocal})\`);`,
    '  return client.$executeRaw(Prisma.sql`SELECT ${Prisma.join(parts)}`);',
    '}',
  ];
  const text = [
    "import { Prisma, PrismaClient } from '@prisma/client';",
    'declare const client: PrismaClient;',
    ...composed('saysNo', "'no'"),
    ...composed('saysZero', "'0'"),
    ...composed('saysYes', "'yes'"),
    ...composed('saysOn', "'on'"),
  ].join('\n');
  const inFunction = (start: number) => /[^]*function (\w+)/.exec(text.slice(0, start))?.[1];
  const findings = analyze(text, 'typescript', {}, 'context.ts').map((f) => `${f.rule} in ${inFunction(f.start)}`);
  assert.deepEqual(findings, ['session-set in saysNo', 'session-set in saysZero']);
});
