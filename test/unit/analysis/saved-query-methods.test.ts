// A driver's query method saved aside before the code patches the driver (to send an RLS setting before each of the
// application's queries) is still the driver's query: what the patch sends through it, with `.call(self, text)`,
// `.apply(self, [text])` or as a bound function, reaches the same pooled connections.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string) => embeddedFindings(text).map(([rule, at]) => `${rule} ${at}`);

const prototypePatch = (send: string) => [
  "import { Client } from 'pg';",
  'const originalQuery = Client.prototype.query;',
  'Client.prototype.query = function (this: any, ...args: any[]) {',
  '  const self = this;',
  '  const tenant = currentTenant();',
  `  ${send}`,
  '  return originalQuery.apply(self, args);',
  '};',
].join('\n');

test("SQL sent through pg's prototype query saved aside is judged like client.query", () => {
  const setting = "set_config('app.tenant', $1, false)";
  assert.deepEqual(found(prototypePatch(`originalQuery.call(self, "SELECT ${setting}", [tenant]);`)), ['session-set set_config']);
  assert.deepEqual(found(prototypePatch(`originalQuery.apply(self, ["SELECT ${setting}", [tenant]]);`)), ['session-set set_config']);
  // Transaction-scoped, or a query of no session state: nothing to report.
  assert.deepEqual(found(prototypePatch('originalQuery.call(self, "SELECT count(*) FROM audit", []);')), []);
  // Another method saved aside is not the driver's query.
  assert.deepEqual(found(prototypePatch(`const log = console.log; log.call(self, "SELECT ${setting}");`)), []);
});

test('a query method bound and cast to a function type is still the bound query', () => {
  const text = (cast: string) => [
    "import { DataSource } from 'typeorm';",
    'export function patch(dataSource: DataSource, tenant: string) {',
    '  const runner = dataSource.createQueryRunner();',
    `  const originalQuery = runner.query.bind(runner)${cast};`,
    "  return originalQuery('SET search_path TO tenant_a', []);",
    '}',
  ].join('\n');
  assert.deepEqual(found(text('')), ['session-set SET search_path TO tenant_a']);
  assert.deepEqual(found(text(' as (query: string, parameters?: unknown[]) => Promise<unknown>')), ['session-set SET search_path TO tenant_a']);
});

// A helper that tidies its text before sending it (`query.replace(/\s+/, ' ').trim()`) still sends its caller's text.
test('a query helper sending its text through a chain of string rewrites forwards the text', () => {
  const store = (send: string) => [
    "import { Client } from 'pg';",
    'export function queryStore(client: Client) {',
    '  const runner = (query: string, values: unknown[]) => () => client',
    `    .query(${send}, values)`,
    '    .then((result) => result.rows);',
    "  const getLock = runner('SELECT pg_advisory_lock($1, $2) AS locked', [7, 8]);",
    "  const count = runner('SELECT count(*) FROM migrations', []);",
    '  return { getLock, count };',
    '}',
  ].join('\n');
  assert.deepEqual(found(store("query.replace(/\\s+/, ' ').trim()")), ['advisory-lock pg_advisory_lock']);
  assert.deepEqual(found(store('query.trim().replaceAll("\\n", " ")')), ['advisory-lock pg_advisory_lock']);
  // Something else than the parameter tidied: no helper.
  assert.deepEqual(found(store("'SELECT 1'.trim()")), []);
});
