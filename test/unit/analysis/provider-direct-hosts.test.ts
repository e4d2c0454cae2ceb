// A managed provider's direct endpoint written out in the code is a session of its own (directUrls.ts): Railway's
// public TCP proxy among them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string) => embeddedFindings(text, '/nowhere/smoke/check.ts').map(([rule, at]) => `${rule} ${at}`);

// Railway's public TCP proxy (`<name>.proxy.rlwy.net:<port>`) carries each client connection to the one server
// connection it opened for it: a provider's direct endpoint, as Supabase's `db.<ref>.supabase.co` is.
const smokeScript = (url: string) => [
  "import postgres from 'postgres';",
  `const sql = postgres('${url}');`,
  'export async function check(ids: string[]) {',
  '  for (const id of ids) await sql`SELECT status FROM orders WHERE id = ${id}`;',
  '}',
].join('\n');

test("a postgres.js pool on Railway's public TCP proxy host written out prepares on connections it keeps", () => {
  assert.deepEqual(found(smokeScript('postgresql://postgres:pw@viaduct.proxy.rlwy.net:41876/railway')), []);
  // The URL kept in a const of the script first.
  const viaConst = smokeScript('x').replace("postgres('x')", 'postgres(RAILWAY_URL)')
    .replace("import postgres from 'postgres';", "import postgres from 'postgres';\nconst RAILWAY_URL = 'postgresql://postgres:pw@viaduct.proxy.rlwy.net:41876/railway';");
  assert.deepEqual(found(viaConst), []);
});

test('a host that only contains the proxy domain, or the proxy on a pooler port, keeps the finding', () => {
  const flagged = ['protocol-prepared-statement postgres'];
  assert.deepEqual(found(smokeScript('postgresql://postgres:pw@viaduct.proxy.rlwy.net.example.com:41876/railway')), flagged);
  assert.deepEqual(found(smokeScript('postgresql://postgres:pw@viaduct.proxy.rlwy.net:6543/railway')), flagged);
  assert.deepEqual(found(smokeScript('postgresql://postgres:pw@db.example.com:5432/app')), flagged);
  // A `let` may be given another URL before the pool is made.
  const viaLet = smokeScript('x').replace("postgres('x')", 'postgres(url)')
    .replace("import postgres from 'postgres';", "import postgres from 'postgres';\nlet url = 'postgresql://postgres:pw@viaduct.proxy.rlwy.net:41876/railway';\nif (process.env.CI) url = process.env.DATABASE_URL!;");
  assert.deepEqual(found(viaLet), flagged);
});

/** A script with the proxy URL in a module const, making a pool in a loop over `loopHead` on `urlName`. */
const perTarget = (loopHead: string, urlName: string) => [
  "import postgres from 'postgres';",
  "const TARGET_URL = 'postgresql://postgres:pw@viaduct.proxy.rlwy.net:41876/railway';",
  'export async function checkEach(targets: any[], ids: string[]) {',
  `  for (${loopHead}) {`,
  `    const sql = postgres(${urlName});`,
  '    for (const id of ids) await sql`SELECT status FROM orders WHERE id = ${id}`;',
  '  }',
  '}',
].join('\n');

// Inside a loop whose variable has the const's name, the name is each element: a URL the code does not show.
test("a loop variable named as the module's direct-URL const is not that const", () => {
  const flagged = ['protocol-prepared-statement postgres'];
  assert.deepEqual(found(perTarget('const TARGET_URL of targets', 'TARGET_URL')), flagged);
  assert.deepEqual(found(perTarget('const { TARGET_URL } of targets', 'TARGET_URL')), flagged);
  assert.deepEqual(found(perTarget('const TARGET_URL in targets', 'TARGET_URL')), flagged);
  // A loop over something else reads the module's const.
  assert.deepEqual(found(perTarget('const target of targets', 'TARGET_URL')), []);
});

// A PgBouncer someone deploys behind the provider's proxy is reached through a host of the same kind: a string that
// says it goes to a pooler is read as one.
test("a provider's direct host in a string that names a pooler keeps the finding", () => {
  const flagged = ['protocol-prepared-statement postgres'];
  assert.deepEqual(found(smokeScript('postgresql://postgres:pw@viaduct.proxy.rlwy.net:41876/railway?pgbouncer=true')), flagged);
  assert.deepEqual(found(smokeScript('postgresql://pgbouncer:pw@viaduct.proxy.rlwy.net:41876/orders')), flagged);
  assert.deepEqual(found(smokeScript('postgresql://app:pw@viaduct.proxy.rlwy.net:41876/pgbouncer')), flagged);
  assert.deepEqual(found(smokeScript('postgresql://postgres:pw@db.abcdefghij.supabase.co:5432/postgres?pgbouncer=true')), flagged);
  // Options naming the provider's host, with a PgBouncer user.
  const options = smokeScript('x').replace("postgres('x')", "postgres({ host: 'viaduct.proxy.rlwy.net', port: 41876, user: 'pgbouncer', database: 'orders' })");
  assert.deepEqual(found(options), flagged);
  assert.deepEqual(found(options.replace("user: 'pgbouncer'", "user: 'orders_app'")), []);
});
