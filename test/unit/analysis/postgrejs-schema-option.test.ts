// postgrejs (also published as postgresql-client): a Connection or Pool configured with `schema` sends
// `SET search_path = '…'` as a statement of its own each time a connection is opened. Behind a transaction pooler that
// SET stays on whichever server connection served it: a session-set at the option, as for knex's searchPath and
// pg-promise's schema, whether the option is written in the config or copied onto it afterwards.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** Each finding's rule, line (1-based) and the text it covers, of a file `src/adapter.ts` holding `lines`. */
function findingsOf(lines: string[], fileName = 'src/adapter.ts'): string[] {
  const text = lines.join('\n');
  return analyze(text, 'typescript', {}, fileName).map((f) => ruleLine(text, f, 'rule line text'));
}

test('a schema option of a postgresql-client or postgrejs Connection or Pool is reported where it is written or assigned', () => {
  assert.deepEqual(findingsOf([
    "import { Pool } from 'postgrejs';",
    "export const pool = new Pool({ host: process.env.PGHOST, schema: 'app', max: 10 });",
  ]), ["session-set 2 schema: 'app'"]);
  assert.deepEqual(findingsOf([
    "import { Connection as PgConnection, ConnectionConfiguration } from 'postgresql-client';",
    'export async function open(options: { host?: string; schema?: string }) {',
    '  const settings: ConnectionConfiguration = { host: options.host };',
    '  if (options.schema)',
    '    settings.schema = options.schema;',
    '  const connection = new PgConnection(settings);',
    '  await connection.connect();',
    '  return connection;',
    '}',
  ]), ['session-set 5 settings.schema = options.schema']);
});

test("a config without schema, schema set to nothing or only after the connection is made, and another module's Connection are not reported", () => {
  assert.deepEqual(findingsOf([
    "import { Connection } from 'postgresql-client';",
    'export function open(url: string, schema?: string) {',
    "  const first = new Connection({ host: 'db', schema: undefined });",
    '  const settings = { host: url } as Record<string, unknown>;',
    '  const second = new Connection(settings);',
    '  settings.schema = schema;',
    '  return [first, second];',
    '}',
  ]), []);
  assert.deepEqual(findingsOf([
    "import { Connection } from './connection';",
    "export const connection = new Connection({ schema: 'app' });",
  ]), []);
});
