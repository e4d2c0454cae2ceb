// A postgres.js migrator that bounds its lock waits for one step (`SET lock_timeout = N` right before a `try`) and puts
// the built-in default back in the `finally` (`SET lock_timeout = 0`) on the same client: the `finally` SET is the restore
// half of the pair (settingRestores.ts finallySettingRestores), whether the client sends it through `unsafe(…)` or as its
// own tagged template. The change keeps its finding; a `finally` SET to a timeout of the code's own, or one sent through
// another client, keeps its finding too.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

/** The findings of a module that makes two postgres.js clients, as `rule text`. */
const found = (body: string): string[] =>
  embeddedFindings(`${CLIENTS}${body}\ndeclare function migrate(): Promise<void>;\n`, 'src/migrate.ts').map(([rule, at]) => `${rule} ${at}`);

const CLIENTS = `import postgres from 'postgres';
const sql = postgres(process.env.DATABASE_URL!, { max: 1, prepare: false });
const other = postgres(process.env.REPORTING_URL!, { max: 1, prepare: false });
`;

test('a finally unsafe SET lock_timeout = 0 after an unsafe SET of it right before the try: only the change is reported', () => {
  assert.deepEqual(found(`
export async function run(lockTimeoutMs?: number) {
  if (lockTimeoutMs !== undefined) {
    await sql.unsafe(\`SET lock_timeout = \${lockTimeoutMs}\`);
  }
  try {
    await migrate();
  } finally {
    if (lockTimeoutMs !== undefined) await sql.unsafe(\`SET lock_timeout = 0\`).catch(() => {});
  }
}
`), ['session-set SET lock_timeout = ${lockTimeoutMs}']);
});

test('a finally tagged-template SET back to the default after a tagged-template SET in the try: only the change is reported', () => {
  assert.deepEqual(found(`
export async function run() {
  try {
    await sql\`SET lock_timeout = '3s'\`;
    await migrate();
  } finally {
    await sql\`SET lock_timeout = 0\`;
  }
}
`), ["session-set SET lock_timeout = '3s'"]);
});

test("a finally tagged-template SET to a timeout of the code's own keeps its finding", () => {
  assert.deepEqual(found(`
export async function run() {
  await sql\`SET lock_timeout = 0\`;
  try {
    await migrate();
  } finally {
    await sql\`SET lock_timeout = '5s'\`;
  }
}
`), ['session-set SET lock_timeout = 0', "session-set SET lock_timeout = '5s'"]);
});

test('a finally tagged-template SET through another client than the change keeps its finding', () => {
  assert.deepEqual(found(`
export async function run() {
  await sql\`SET lock_timeout = '3s'\`;
  try {
    await migrate();
  } finally {
    await other\`SET lock_timeout = 0\`;
  }
}
`), ["session-set SET lock_timeout = '3s'", 'session-set SET lock_timeout = 0']);
});

test('a finally SET statement_timeout = 0 is no restore: providers give roles their own statement timeout', () => {
  assert.deepEqual(found(`
export async function run() {
  await sql.unsafe("SET statement_timeout = '30s'");
  try {
    await migrate();
  } finally {
    await sql.unsafe('SET statement_timeout = 0');
  }
}
`), ["session-set SET statement_timeout = '30s'", 'session-set SET statement_timeout = 0']);
});

test('a finally SET built with a sql tag and handed to another database object keeps its finding', () => {
  assert.deepEqual(embeddedFindings(`import { drizzle } from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';
import { Pool } from 'pg';
const db = drizzle(new Pool({ connectionString: process.env.DATABASE_URL }));
const audit = drizzle(new Pool({ connectionString: process.env.AUDIT_URL }));
export async function run() {
  await db.execute(sql\`SET lock_timeout = '3s'\`);
  try {
    await migrate();
  } finally {
    await audit.execute(sql\`SET lock_timeout = 0\`);
  }
}
declare function migrate(): Promise<void>;
`, 'src/migrate.ts').filter(([rule]) => rule === 'session-set').map(([rule, at]) => `${rule} ${at}`),
  ["session-set SET lock_timeout = '3s'", 'session-set SET lock_timeout = 0']);
});
