// A test suite whose setup module wraps every test in a transaction: the helper opens it (a container's
// `transacting(cb)`, a driver's `transaction(cb)`), and inside it calls the test's callback with the transaction's
// handle and an application built on that same handle. The requests the test makes through the application insert
// rows (drawing sequences) in that transaction, on that connection, where the linter cannot see them; so a currval
// or lastval the test then sends on the handle reads this transaction's value. Everything else stays flagged: a helper
// that opens no transaction, one that hands over only the handle, a currval sent before the application is used, a
// currval on some other client, and the same shape outside test code.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** The suite's setup: three wrappers, one without a transaction, one handing over only the handle. */
const SETUP = `const { root, buildApp, httpClient } = require('./harness');

const inTx = (body) => function () {
  return new Promise((done, fail) => {
    root.transacting((tx) => {
      const undo = (next) => (value) => tx.run('rollback').then(() => next(value));
      return body.call(this, httpClient(buildApp(tx)), tx).then(undo(done), undo(fail));
    });
  });
};

const noTx = (body) => function () {
  return body.call(this, httpClient(buildApp(root)), root);
};

const handleOnly = (body) => () => root.transacting((tx) => body(tx, 'unused'));

const viaKnex = (body) => () => knex.transaction((trx) => body(makeServer(trx), trx));

module.exports = { inTx, noTx, handleOnly, viaKnex };
`;

/** A test that uploads through the application, then reads the id the upload drew. */
const spec = (wrapper: string, read = "select currval('widgets_id_seq')") => `const { ${wrapper} } = require('../setup');
const { sql } = require('slonik');

describe('widgets', () => {
  it('stores the upload', ${wrapper}(async (api, { db }) => {
    await api.post('/widgets').send({ name: 'w' }).expect(200);
    const id = await db.oneFirst(sql\`${read}\`);
    (await db.one(sql\`select * from widget_parts where widget_id = \${id}\`)).should.be.ok();
  }));
});
`;

function findingsIn(files: Record<string, string>, file: string): string[] {
  const repo = scratchRepository('test-tx-currval');
  try {
    repo.writeAll(files);
    return embeddedFindings(files[file]!, repo.path(file)).map(([rule, at]) => `${rule} ${at}`);
  } finally {
    repo.remove();
  }
}

const inSuite = (specText: string) => findingsIn({ 'test/setup.js': SETUP, 'test/api/widgets.js': specText }, 'test/api/widgets.js');

test('currval/lastval on the handle after the application was used, in a test the setup helper runs in its transaction: no finding', () => {
  assert.deepEqual(inSuite(spec('inTx')), []);
  assert.deepEqual(inSuite(spec('inTx', 'select lastval()')), []);
  // A driver's transaction callback in the helper, the test's callback called directly, the handle destructured or not.
  assert.deepEqual(inSuite(spec('viaKnex')), []);
  assert.deepEqual(inSuite(spec('inTx').replace('{ db }', 'tx').replace(/db\.one/g, 'tx.db.one')), []);
});

test('the same read stays a finding where nothing in view shares the transaction with it', () => {
  // The helper opens no transaction: each request and the currval may run on different server connections.
  assert.deepEqual(inSuite(spec('noTx')), ['currval currval']);
  // Only the handle is handed over: every query of the transaction is in view, and none drew the sequence.
  const handleOnly = spec('handleOnly').replace('async (api, { db })', 'async ({ db }, unused)').replace("await api.post('/widgets').send({ name: 'w' }).expect(200);", 'unused.toString();');
  assert.deepEqual(inSuite(handleOnly), ['currval currval']);
  // Sent before the test uses the application: nothing can have drawn the sequence in this transaction yet.
  const before = spec('inTx').replace(/(\n {4}await api\.post[^\n]*)(\n {4}const id[^\n]*)/, '$2$1');
  assert.deepEqual(inSuite(before), ['currval currval']);
  // Sent on another client than the handle (a pool the test file makes).
  const otherClient = spec('inTx').replace("const { sql } = require('slonik');", "const { sql } = require('slonik');\nconst pool = require('pg').Pool();")
    .replace('await db.oneFirst(sql`', 'await pool.query(`');
  assert.deepEqual(inSuite(otherClient), ['currval currval']);
});

test('outside test code the same helper and callback keep the finding', () => {
  const files = { 'lib/setup.js': SETUP, 'lib/jobs/widgets.js': spec('inTx') };
  assert.deepEqual(findingsIn(files, 'lib/jobs/widgets.js'), ['currval currval']);
});
