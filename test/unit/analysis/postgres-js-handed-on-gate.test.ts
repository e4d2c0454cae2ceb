// A file that calls postgres.js's factory under a name a module of the project hands it on as (`import { makeDb } from
// './db'`, where db.ts has `export { postgres as makeDb }`) holds none of the TS/JS gate's words: the gate lets it through
// when the run knows that module (the CLI's read of the files it lints, the editor's workspace catalog). A file that
// imports from that module only what is not the driver, or a module that names the driver but hands on a client, stays
// turned away; so does any file when the run knows no such module.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyze, initAnalysis, resolveOptions, withWorkspaceCatalog } from '../../../server/analysis/index';
import { mayHoldFindings } from '../../../server/analysis/embeddedGate';
import { runLint } from '../../../cli/lint';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const FILES = {
  'src/db.ts': ["import postgres from 'postgres';", 'export { postgres as openStore };', 'export const shared = postgres(process.env.DATABASE_URL!, { prepare: false });'].join('\n'),
  'src/legacy.js': ["const postgres = require('postgres');", 'module.exports = postgres;'].join('\n'),
  'src/stores.ts': ["import { openStore } from './db';", 'const store = openStore(process.env.STORE_URL!);', 'export const count = () => store`select count(*) from items`;'].join('\n'),
  'src/old.ts': ["import connect from './legacy';", 'export const conn = connect(process.env.OLD_URL);'].join('\n'),
  'src/reads.ts': ["import { shared } from './db';", 'export const names = () => shared`select name from items`;'].join('\n'),
};

test('poolsafe lint reads a call of a factory a linted module hands on, in a file with none of the gate words', async (t) => {
  const root = scratchRepository('handed-on-gate', t).writeAll(FILES);
  let out = '';
  await runLint([root, '--format', 'json'], { stdout: (text) => (out += text), stderr: () => {}, version: 'test' });
  const findings = (JSON.parse(out).findings as { file: string; rule: string; line: number }[]).map((f) => `${f.file.slice(root.length + 1)}:${f.line} ${f.rule}`);
  assert.deepEqual(findings.sort(), ['src/old.ts:2 protocol-prepared-statement', 'src/stores.ts:2 protocol-prepared-statement']);
});

test("the editor's workspace catalog knows the same modules; without them, or for a file importing no driver, the gate turns it away", (t) => {
  const root = scratchRepository('handed-on-gate-editor', t).writeAll(FILES);
  const stores = join(root, 'src/stores.ts');
  const reads = join(root, 'src/reads.ts');
  const options = withWorkspaceCatalog({}, root);
  assert.deepEqual(analyze(FILES['src/stores.ts'], 'typescript', options, stores).map((f) => f.rule), ['protocol-prepared-statement']);
  assert.equal(mayHoldFindings(FILES['src/reads.ts'], reads, resolveOptions(options)), false);
  assert.equal(mayHoldFindings(FILES['src/stores.ts'], stores, resolveOptions({})), false);
});
