// A test's own helper that makes a pg client from the options it is handed (`function getClient(config) { return new
// pg.Client(config) }`) makes it where the driver defaults to (libpq's PGHOST, else this machine) when every call of
// the helper in the file hands it nothing, or options written in place that name no host, URL or pooler port
// (`getClient({ query_timeout: 500 })`): the suite's own database, as `new pg.Client()` written there would be.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('test-client-helper-options', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'javascript', {}, file).map((f) => ruleLine(text, f));
}

test("a helper's client is the local test database when every call gives no options or options naming no host", () => {
  repo.write('loader/package.json', '{"name": "loader"}');
  const spec = repo.write('loader/test/import.js', [
    "const pg = require('pg');",                                          // 1
    "describe('import', () => {",                                         // 2
    '  function connectFresh(settings) {',                                // 3
    '    const client = new pg.Client(settings);',                       // 4
    '    client.connect();',                                              // 5
    '    return client;',                                                 // 6
    '  }',                                                                // 7
    "  it('loads rows', async () => {",                                   // 8
    '    const client = connectFresh();',                                 // 9
    "    await client.query('CREATE TEMP TABLE incoming (n int)');",      // 10
    "    await client.query('INSERT INTO incoming VALUES (1)');",         // 11
    '  });',                                                              // 12
    "  it('times out', async () => {",                                    // 13
    '    const client = connectFresh({ query_timeout: 250 });',           // 14
    "    await client.query('CREATE TEMP TABLE slow_rows (n int)');",     // 15
    "    await client.query('SELECT pg_sleep(1) FROM slow_rows');",       // 16
    '  });',                                                              // 17
    '});',                                                                // 18
  ].join('\n'));
  assert.deepEqual(findingsOf(spec), []);
});

test('a call that names a host or a URL, a helper handed on, or one in application code keeps the findings', () => {
  repo.write('sender/package.json', '{"name": "sender"}');
  const spec = repo.write('sender/test/send.js', [
    "const pg = require('pg');",                                          // 1
    'function localClient(settings) {',                                   // 2
    '  return new pg.Client(settings);',                                  // 3
    '}',                                                                  // 4
    'function sharedClient(settings) {',                                  // 5
    '  return new pg.Client(settings);',                                  // 6
    '}',                                                                  // 7
    "it('sends', async () => {",                                          // 8
    '  const a = localClient();',                                         // 9
    "  await a.query('CREATE TEMP TABLE outbox_a (n int)');",             // 10
    "  await a.query('INSERT INTO outbox_a VALUES (1)');",                // 11
    "  const b = sharedClient({ host: 'outbox.internal.example.com' });", // 12
    "  await b.query('CREATE TEMP TABLE outbox_b (n int)');",             // 13
    "  await b.query('INSERT INTO outbox_b VALUES (1)');",                // 14
    '});',                                                                // 15
  ].join('\n'));
  assert.deepEqual(findingsOf(spec), ['temp-table 13']);
  const handedOn = repo.write('sender/test/handed.js', [
    "const pg = require('pg');",                                          // 1
    'function makeClient(settings) {',                                    // 2
    '  return new pg.Client(settings);',                                  // 3
    '}',                                                                  // 4
    'module.exports = { makeClient };',                                   // 5
    "it('sends', async () => {",                                          // 6
    '  const c = makeClient();',                                          // 7
    "  await c.query('CREATE TEMP TABLE outbox_c (n int)');",             // 8
    "  await c.query('INSERT INTO outbox_c VALUES (1)');",                // 9
    '});',                                                                // 10
  ].join('\n'));
  assert.deepEqual(findingsOf(handedOn), ['temp-table 8']);
  const app = repo.write('sender/src/send.js', [
    "const pg = require('pg');",                                          // 1
    'function appClient(settings) {',                                     // 2
    '  return new pg.Client(settings);',                                  // 3
    '}',                                                                  // 4
    'async function send() {',                                            // 5
    '  const d = appClient();',                                           // 6
    "  await d.query('CREATE TEMP TABLE outbox_d (n int)');",             // 7
    "  await d.query('INSERT INTO outbox_d VALUES (1)');",                // 8
    '}',                                                                  // 9
    'send();',                                                            // 10
  ].join('\n'));
  assert.deepEqual(findingsOf(app), ['temp-table 7']);
});
