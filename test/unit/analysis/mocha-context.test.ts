// A Mocha suite whose harness starts the database and puts its URL on the test context (`this.conString`, filled in by
// a plugin the suite loads; nothing in the file assigns it), or whose own `before` hook does (`this.url = …`): a single
// connection made from it in a test is the suite's own database, so its session lock and LISTEN get no finding. The
// same property assigned the environment's production URL, a pool's session SET on it, `this` of a class method, and
// the same code outside test code keep their findings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('mocha-context', { after });
before(() => initAnalysis());

function rulesOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'javascript', {}, file).map((f) => f.rule);
}

const SPEC = [
  "require('mocha-docker-postgres');",
  "var pg = require('pg');",
  "describe('lock', function () {",
  '  before(function () { return this.dockerPostgres(); });',
  "  it('takes the lock', function (done) {",
  '    var client = new pg.Client(this.conString);',
  '    client.connect(function () {',
  "      client.query('SELECT pg_try_advisory_lock(1)', function () {",
  "        client.query('LISTEN released', done);",
  '      });',
  '    });',
  '  });',
  '});',
];

test("a single client on the Mocha context's URL that a harness fills in gets no lock or LISTEN finding", () => {
  assert.deepEqual(rulesOf(repo.write('harness/test/lock.spec.js', SPEC)), []);
});

test('nor one on a URL the suite\'s own hook puts there from a local literal', () => {
  const file = repo.write('hook/test/lock.spec.js', SPEC.map((line) => line.replace('return this.dockerPostgres();', "this.conString = 'postgres://postgres@localhost:5432/test';")));
  assert.deepEqual(rulesOf(file), []);
});

test("the context given a remote URL, a pool's session SET, a class's this, and application code keep their findings", () => {
  const production = repo.write('production/test/lock.spec.js', SPEC.map((line) => line.replace('return this.dockerPostgres();', "this.conString = 'postgres://app@db.example.com:5432/app';")));
  assert.deepEqual(rulesOf(production).sort(), ['advisory-lock', 'listen']);
  const pool = repo.write('pool/test/set.spec.js', [
    "var pg = require('pg');",
    "describe('settings', function () {",
    "  it('sets', async function () {",
    '    var pool = new pg.Pool({ connectionString: this.conString });',
    "    await pool.query(\"SET search_path TO tenant_1\");",
    '  });',
    '});',
  ]);
  assert.deepEqual(rulesOf(pool), ['session-set']);
  const method = repo.write('method/test/lock.spec.js', [
    "var pg = require('pg');",
    'class Locker {',
    '  async lock() {',
    '    var client = new pg.Client(this.conString);',
    '    await client.connect();',
    "    await client.query('SELECT pg_advisory_lock(1)');",
    '  }',
    '}',
    'module.exports = Locker;',
  ]);
  assert.deepEqual(rulesOf(method), ['advisory-lock']);
  assert.deepEqual(rulesOf(repo.write('app/lib/lock.js', SPEC)).sort(), ['advisory-lock', 'listen']);
});
