// pgtyped's `sql` tag (`@pgtyped/runtime`) defines a query object; its text reaches the database only when the object's
// `run(params, client)` is called, on that client. A transaction-local setting defined at the top of a module and run
// inside a transaction callback is therefore fine; run on a pool, or on a fresh connection with no BEGIN, it is lost
// and still reported, at the definition. A query the module exports (or uses any other way) keeps the reading of its
// text where it is written, as does a `sql` tag of another library.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (lines: string[]) => embeddedFindings(lines.join('\n'), '/nowhere/ledger/src/tenancy/scope.provider.ts').map(([rule, at]) => `${rule} ${at}`);

const pgtypedImport = "import { sql } from '@pgtyped/runtime';";
const scopeQuery = (tag = 'sql', exported = false) =>
  `${exported ? 'export ' : ''}const applyScope = ${tag}<IApplyScopeQuery>\`SELECT set_config('ledger.org_id', $orgId, true) AS org\`;`;
const localSetting = 'set-local-outside-transaction set_config';

const transactionalService = (run: string) => [
  'export class LedgerService {',
  '  constructor(private db: { transaction<T>(work: (c: unknown) => Promise<T>): Promise<T> }) {}',
  '  async close(orgId: string) {',
  '    return this.db.transaction(async (conn) => {',
  `      ${run}`,
  "      return conn;",
  '    });',
  '  }',
  '}',
];

test('an inline pgtyped query run only inside a transaction callback, on its client: no finding', () => {
  assert.deepEqual(found([
    pgtypedImport,
    scopeQuery(),
    ...transactionalService('await applyScope.run({ orgId }, conn);'),
  ]), []);
});

test('the same query renamed on import, and run after BEGIN on a connection the function took: no finding', () => {
  assert.deepEqual(found([
    "import { sql as typed } from '@pgtyped/runtime';",
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    scopeQuery('typed'),
    'export async function close(orgId: string) {',
    '  const conn = await pool.connect();',
    "  await conn.query('BEGIN');",
    '  await applyScope.run({ orgId }, conn);',
    "  await conn.query('COMMIT');",
    '  conn.release();',
    '}',
  ]), []);
});

test('run on the pool, or on one of its connections with no BEGIN: reported once, at the definition', () => {
  const onPool = [
    pgtypedImport,
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    scopeQuery(),
    'export async function close(orgId: string) {',
    '  await applyScope.run({ orgId }, pool);',
    '}',
  ];
  assert.deepEqual(found(onPool), [localSetting]);
  // Run twice on the pool: still one finding, at the one text.
  assert.deepEqual(found([...onPool, 'export async function again(orgId: string) { await applyScope.run({ orgId }, pool); }']), [localSetting]);
  assert.deepEqual(found([
    pgtypedImport,
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    scopeQuery(),
    'export async function close(orgId: string) {',
    '  const conn = await pool.connect();',
    '  await applyScope.run({ orgId }, conn);',
    '  conn.release();',
    '}',
  ]), [localSetting]);
});

test('run once inside a transaction and once outside: the run outside keeps the finding', () => {
  assert.deepEqual(found([
    pgtypedImport,
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    scopeQuery(),
    ...transactionalService('await applyScope.run({ orgId }, conn);'),
    'export async function peek(orgId: string) {',
    '  await applyScope.run({ orgId }, pool);',
    '}',
  ]), [localSetting]);
});

test('an exported query, one never run in the file, or one handed on, is read where it is written', () => {
  // Exported: other modules may run it anywhere; today's reading stays, even beside a run inside a transaction.
  assert.deepEqual(found([pgtypedImport, scopeQuery('sql', true), ...transactionalService('await applyScope.run({ orgId }, conn);')]), [localSetting]);
  // Defined and not run here.
  assert.deepEqual(found([pgtypedImport, scopeQuery(), 'export const queries = [];']), [localSetting]);
  // Handed to a helper besides the run call: where the helper sends it is not read.
  assert.deepEqual(found([
    pgtypedImport,
    scopeQuery(),
    'declare function later(q: unknown): void;',
    'later(applyScope);',
    ...transactionalService('await applyScope.run({ orgId }, conn);'),
  ]), [localSetting]);
});

test('a sql tag that is not pgtyped\'s, with a run method of the same name, keeps its reading', () => {
  assert.deepEqual(found([
    "import { sql } from 'slonik';",
    scopeQuery(),
    ...transactionalService('await applyScope.run({ orgId }, conn);'),
  ]), [localSetting]);
});
