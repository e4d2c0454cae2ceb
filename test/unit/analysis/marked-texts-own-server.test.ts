// A text marked `/* sql */` that no query call of the file sends is analysed on its own, where it runs unknown. Handed
// to a method of a client of a server no pooler fronts — the test's local database, the suite's own server —
// (`conn.stream(/* sql */ `…`)`, `conn.run({ statement: /* sql */ `…` })`), it runs there if anywhere: only what holds
// without a pooler is reported. The same text on a client of a remote server keeps its findings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

const repo = scratchRepository('marked-texts-own-server', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => ruleLine(text, f));
}

test('a /* sql */-marked text handed to a method of a client of a server no pooler fronts runs there, if anywhere', () => {
  repo.write('package.json', '{"name": "g"}');
  const streamed = (url: string) => [
    "import { open } from '../src/driver';",
    `const ledger = open('${url}');`,
    "it('streams', async () => {",
    '  for await (const _ of ledger.stream(/* sql */ `SET search_path TO ledger, public`)) break;',
    '  await ledger.stream({ statement: /* sql */ `CREATE TEMP TABLE staged (id int)` });',
    '});',
  ];
  assert.deepEqual(findingsOf(repo.write('test/local.test.ts', streamed('postgres://app@localhost:5432/ledger'))), []);
  assert.deepEqual(findingsOf(repo.write('test/remote.test.ts', streamed('postgres://app@ledger.example.com:5432/ledger'))), ['session-set 4', 'temp-table 5']);
});
