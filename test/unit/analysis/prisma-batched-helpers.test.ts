// Prisma's raw query methods make a lazy PrismaPromise: nothing is sent until it is awaited or run in a batch
// `prisma.$transaction([...])`, which sends all of the array's queries in one transaction on one connection. A helper
// that builds a `SET LOCAL` and returns the promise un-awaited sends nothing itself; when every call of it in the project
// is an element of such a batch, the setting lives inside that transaction. A call that awaits it alone, a helper
// nothing calls (ruling 10), or one that awaits the query itself keeps the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository, type FileText } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

let count = 0;
/** Writes a project of `files` and returns the lines of `checked` that get findings, with their rules. */
function findingsIn(files: Record<string, FileText>, checked: string): string[] {
  const repo = scratchRepository(`prisma-batched-${count++}`, { after });
  repo.writeAll({ 'package.json': '{ "name": "shop", "dependencies": { "@prisma/client": "^5" } }', ...files });
  const path = repo.path(checked);
  const text = readFileSync(path, 'utf8');
  return analyze(text, 'typescript', {}, path).map((f) => ruleLine(text, f, 'line rule'));
}

/** A module whose helper returns a `SET LOCAL` query un-awaited (`body`: how it returns it). */
const scopeModule = (body: string[]) => [
  "import { PrismaClient } from '@prisma/client';",
  'export function tenantSetting(db: PrismaClient, tenant: string) {',
  "  const text = `SET LOCAL app.tenant = '${tenant.replace(/'/g, \"''\")}'`;",
  ...body,
  '}',
];
const RETURNED = ['  return db.$executeRawUnsafe(text);'];

const batchCaller = [
  "import { PrismaClient } from '@prisma/client';",
  "import { tenantSetting } from './scope';",
  'export async function ordersOf(db: PrismaClient, tenant: string) {',
  '  const [, orders] = await db.$transaction([tenantSetting(db, tenant), db.order.findMany()]);',
  '  return orders;',
  '}',
];

test('a returned raw SET LOCAL whose every call is an element of a batch $transaction is inside it', () => {
  assert.deepEqual(findingsIn({ 'src/scope.ts': scopeModule(RETURNED), 'src/orders.ts': batchCaller }, 'src/scope.ts'), []);
});

test('the same helper called in its own file only, as an arrow body, inside the batch', () => {
  const file = [
    "import { PrismaClient } from '@prisma/client';",
    "const roleQuery = (db: PrismaClient, role: string) => db.$executeRawUnsafe(`SET LOCAL ROLE ${role}`);",
    'export async function asReader(db: PrismaClient) {',
    "  return db.$transaction([roleQuery(db, 'reader'), db.item.count()]);",
    '}',
  ];
  assert.deepEqual(findingsIn({ 'src/roles.ts': file }, 'src/roles.ts'), []);
});

test('a unit test calling the helper alone on a mock does not decide where the application sends it', () => {
  const unitTest = [
    "import { tenantSetting } from '../src/scope';",
    "test('builds the text', () => { tenantSetting({ $executeRawUnsafe: jest.fn() } as never, 'acme'); });",
  ];
  assert.deepEqual(findingsIn({ 'src/scope.ts': scopeModule(RETURNED), 'src/orders.ts': batchCaller, 'test/scope.test.ts': unitTest }, 'src/scope.ts'), []);
});

test('a caller that awaits it alone, no caller at all, or a helper that awaits the query keeps the finding', () => {
  const awaitedAlone = [
    "import { PrismaClient } from '@prisma/client';",
    "import { tenantSetting } from './scope';",
    'export async function report(db: PrismaClient) {',
    "  await tenantSetting(db, 'acme');",
    '  return db.order.count();',
    '}',
  ];
  assert.deepEqual(findingsIn({ 'src/scope.ts': scopeModule(RETURNED), 'src/orders.ts': batchCaller, 'src/report.ts': awaitedAlone }, 'src/scope.ts'), ['3 set-local-outside-transaction']);
  assert.deepEqual(findingsIn({ 'src/scope.ts': scopeModule(RETURNED) }, 'src/scope.ts'), ['3 set-local-outside-transaction']);
  // Awaited inside the helper: sent there, on its own, before any caller's batch.
  const awaited = scopeModule(['  return await db.$executeRawUnsafe(text);']).map((line) => line.replace('export function', 'export async function'));
  assert.deepEqual(findingsIn({ 'src/scope.ts': awaited, 'src/orders.ts': batchCaller }, 'src/scope.ts'), ['3 set-local-outside-transaction']);
  // Handed to something other than a batch transaction (an array sent by Promise.all runs each alone).
  const allCaller = batchCaller.map((line) => line.replace('db.$transaction([', 'Promise.all(['));
  assert.deepEqual(findingsIn({ 'src/scope.ts': scopeModule(RETURNED), 'src/orders.ts': allCaller }, 'src/scope.ts'), ['3 set-local-outside-transaction']);
});

/** A module whose helpers return Prisma's tagged raw queries, one on a parameter, one on the module's own client and taking nothing. */
const taggedModule = [
  "import { PrismaClient } from '@prisma/client';",
  'export const prisma = new PrismaClient();',
  'export function asRole(db: PrismaClient) {',
  '  return db.$executeRaw`SET LOCAL ROLE app_reader`;',
  '}',
  'export const asAuditor = () => prisma.$queryRaw`SELECT set_config(\'app.role\', \'auditor\', true)`;',
];

test("the tagged $executeRaw`…`/$queryRaw`…` and a helper that takes no argument are read like the raw calls", () => {
  const caller = [
    "import { asRole, asAuditor, prisma } from './roles';",
    'export async function listings() {',
    '  const [, rows] = await prisma.$transaction([asRole(prisma), prisma.listing.findMany()]);',
    '  const [, audits] = await prisma.$transaction([asAuditor(), prisma.audit.findMany()]);',
    '  return [rows, audits];',
    '}',
  ];
  assert.deepEqual(findingsIn({ 'src/roles.ts': taggedModule, 'src/listings.ts': caller }, 'src/roles.ts'), []);
  // A no-argument helper on its module's client, called in its own file only, with the raw method.
  const own = [
    "import { PrismaClient } from '@prisma/client';",
    'const prisma = new PrismaClient();',
    "function asWriter() { return prisma.$executeRawUnsafe('SET LOCAL ROLE app_writer'); }",
    'export const saveAll = (rows: object[]) => prisma.$transaction([asWriter(), prisma.row.createMany({ data: rows })]);',
  ];
  assert.deepEqual(findingsIn({ 'src/rows.ts': own }, 'src/rows.ts'), []);
});

test('the tagged forms and the no-argument helper awaited alone, or awaited into the batch, keep the finding', () => {
  const alone = [
    "import { asRole, asAuditor, prisma } from './roles';",
    'export async function listings() {',
    '  await asAuditor();',
    '  const [, rows] = await prisma.$transaction([asRole(prisma), prisma.listing.findMany()]);',
    '  return rows;',
    '}',
  ];
  assert.deepEqual(findingsIn({ 'src/roles.ts': taggedModule, 'src/listings.ts': alone }, 'src/roles.ts'), ['6 set-local-outside-transaction']);
  const awaitedIn = [
    "import { asRole, asAuditor, prisma } from './roles';",
    'export async function listings() {',
    '  return prisma.$transaction([await asRole(prisma), asAuditor()]);',
    '}',
  ];
  assert.deepEqual(findingsIn({ 'src/roles.ts': taggedModule, 'src/listings.ts': awaitedIn }, 'src/roles.ts'), ['4 set-local-outside-transaction']);
});
