import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, LineIndex, offsetToPosition } from '../../../server/analysis/index';

before(() => initAnalysis());

test('UTF-8 byte offsets of the AST map to UTF-16 offsets (é and a surrogate-pair emoji)', () => {
  const sql = "SELECT 'é😀é', pg_advisory_lock(1);";
  const finding = analyzeSql(sql).find((f) => f.rule === 'advisory-lock')!;
  assert.equal(sql.slice(finding.start, finding.end), 'pg_advisory_lock');
});

test('error cursor (code points) maps to UTF-16 after non-ASCII text', () => {
  const sql = "-- 😀 é\nSELECT '😀😀', 1 FROM WHERE;";
  const finding = analyzeSql(sql)[0];
  assert.equal(finding.rule, 'syntax-error');
  assert.equal(sql.slice(finding.start, finding.end), 'WHERE');
});

test('LineIndex round-trips offsets and positions', () => {
  const text = 'a\né😀\n\nxyz';
  const index = new LineIndex(text);
  for (let offset = 0; offset <= text.length; offset++) assert.equal(index.offsetAt(index.positionAt(offset)), offset);
  assert.deepEqual(offsetToPosition(text, text.indexOf('x')), { line: 3, character: 0 });
  assert.deepEqual(index.positionAt(text.indexOf('😀') + 2), { line: 1, character: 3 });
});
