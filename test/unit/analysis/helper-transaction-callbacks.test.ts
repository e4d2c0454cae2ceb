// A project's own helper, whatever it is called, that checks a client out, sends BEGIN on it, runs the callback
// with that client and then sends COMMIT: the callback's queries share one transaction on one server
// connection. A session unlock there releases the lock the same callback took earlier (the lock itself keeps
// its finding, for the error path). The helper
// may be in the same file, in another module, or in a package of the workspace reached through its index.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';

before(() => initAnalysis());

const found = (text: string, file = 'f.ts') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

/** Opens a transaction for an account, runs the work on the same client, commits (rolls back on error). */
const ACCOUNT_HELPER = `import pg from 'pg';
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
export async function asAccount(accountId, work) {
  const conn = await pool.connect();
  try {
    await conn.query('BEGIN');
    await conn.query('SELECT app.enter_account($1)', [accountId]);
    const value = await work(conn);
    await conn.query('COMMIT');
    return value;
  } catch (err) {
    await conn.query('ROLLBACK');
    throw err;
  } finally {
    conn.release();
  }
}
`;

const WORKER = `export async function rebuildIndex(accountId, name) {
  await asAccount(accountId, async (db) => {
    await db.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    try {
      await db.query('REINDEX TABLE documents');
    } finally {
      await db.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    }
  });
}
`;

const LOCK_ONLY = ['advisory-lock pg_advisory_lock'];
const UNPAIRED = ['advisory-lock pg_advisory_lock', 'advisory-lock pg_advisory_unlock'];

test('a same-file helper that runs the callback between BEGIN and COMMIT: the unlock is the transaction\'s', () => {
  assert.deepEqual(found(ACCOUNT_HELPER + WORKER), LOCK_ONLY);
  // Written as an arrow function that commits in a .then chain after the call.
  const arrow = `import pg from 'pg';
const pool = new pg.Pool();
const underAccount = async (id, work) => {
  const c = await pool.connect();
  await c.query('begin');
  return work(c).then(async (out) => { await c.query('commit'); c.release(); return out; });
};
`;
  assert.deepEqual(found(arrow + WORKER.replace('asAccount(', 'underAccount(')), LOCK_ONLY);
});

test('a helper that never begins, commits before the work, or hands over another client: the callback\'s queries are separate', () => {
  assert.deepEqual(found(ACCOUNT_HELPER.replace("    await conn.query('BEGIN');\n", '') + WORKER), UNPAIRED);
  const committedFirst = ACCOUNT_HELPER.replace("    const value = await work(conn);\n    await conn.query('COMMIT');", "    await conn.query('COMMIT');\n    const value = await work(conn);");
  assert.deepEqual(found(committedFirst + WORKER), UNPAIRED);
  const otherClient = ACCOUNT_HELPER.replace('const value = await work(conn);', 'const value = await work(await pool.connect());');
  assert.deepEqual(found(otherClient + WORKER), UNPAIRED);
  // Only checks a client out and releases it: no transaction at all.
  const plain = "import pg from 'pg';\nconst pool = new pg.Pool();\nexport async function asAccount(id, work) {\n  const conn = await pool.connect();\n  try { return await work(conn); } finally { conn.release(); }\n}\n";
  assert.deepEqual(found(plain + WORKER), UNPAIRED);
  // The unlock sent through the pool inside the callback is not on the transaction's client.
  assert.deepEqual(found(ACCOUNT_HELPER + WORKER.replace("await db.query('SELECT pg_advisory_unlock", "await pool.query('SELECT pg_advisory_unlock")), ['advisory-lock pg_advisory_lock', 'advisory-lock pg_advisory_unlock']);
});

function inWorkspace(t: Cleanup, helperIndex: string, caller: string): string[] {
  const repo = scratchRepository('helper-tx', t);
  repo.writeAll({
    'package.json': JSON.stringify({ name: 'suite', private: true, workspaces: ['libs/*', 'services/*'] }),
    'libs/store/package.json': JSON.stringify({ name: '@suite/store', main: './src/index.js' }),
    'libs/store/src/accounts.ts': `${ACCOUNT_HELPER}export const forAccount = (id, fn) => asAccount(id, fn);\n`,
    'libs/store/src/index.ts': helperIndex,
    'services/indexer/package.json': JSON.stringify({ name: 'indexer' }),
  });
  return embeddedFindings(caller, repo.write('services/indexer/src/job.ts', caller)).map(([rule, at]) => `${rule} ${at}`);
}

test('a helper in a workspace package, reached through its index\'s re-export, also one that hands its callback on whole', (t) => {
  const named = "export { asAccount, forAccount } from './accounts.js';\n";
  assert.deepEqual(inWorkspace(t, named, `import { asAccount } from '@suite/store';\n${WORKER}`), LOCK_ONLY);
  assert.deepEqual(inWorkspace(t, "export * from './accounts';\n", `import { forAccount } from '@suite/store';\n${WORKER.replace('asAccount(', 'forAccount(')}`), LOCK_ONLY);
  // Renamed on the way out and on the way in.
  const renamed = "export { asAccount as inAccount } from './accounts.js';\n";
  assert.deepEqual(inWorkspace(t, renamed, `import { inAccount as scoped } from '@suite/store';\n${WORKER.replace('asAccount(', 'scoped(')}`), LOCK_ONLY);
});

test('a workspace helper that does not open a transaction, or a name the package does not export, leaves the callback\'s queries separate', (t) => {
  const plain = "import pg from 'pg';\nconst pool = new pg.Pool();\nexport async function asAccount(id, work) {\n  const conn = await pool.connect();\n  try { return await work(conn); } finally { conn.release(); }\n}\n";
  const repoIndex = "export { asAccount } from './plain.js';\n";
  const repo = scratchRepository('helper-tx-plain', t);
  repo.writeAll({
    'package.json': JSON.stringify({ name: 'suite', private: true, workspaces: ['libs/*', 'services/*'] }),
    'libs/store/package.json': JSON.stringify({ name: '@suite/store', main: './src/index.js' }),
    'libs/store/src/plain.ts': plain,
    'libs/store/src/index.ts': repoIndex,
  });
  const caller = `import { asAccount } from '@suite/store';\n${WORKER}`;
  assert.deepEqual(embeddedFindings(caller, repo.write('services/indexer/src/job.ts', caller)).map(([rule, at]) => `${rule} ${at}`), UNPAIRED);
  // The index exports only another name: the helper is unknown, its callback judged on its own.
  assert.deepEqual(inWorkspace(t, "export { forAccount } from './accounts.js';\n", `import { asAccount } from '@suite/store';\n${WORKER}`), UNPAIRED);
});
