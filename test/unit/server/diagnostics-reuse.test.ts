// Diagnostics reused from the previous publish must equal freshly built ones after any edit.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { ChunkedTextDocument } from '../../../server/chunkedDocument';
import { RuleDocs, toDiagnostic, toDiagnostics, type Published } from '../../../server/diagnostics';

before(() => initAnalysis());

const SQL = [
  'SET search_path TO app;',
  "SELECT pg_advisory_lock(1), 'é';",
  "BEGIN;\nSELECT nextval('s');\nCOMMIT;\nSELECT currval('s');", // a finding with a related location
  'LISTEN jobs;',
  'SELECT 1 FROM WHERE;',
  'PREPARE q AS SELECT 1;',
].join('\n');

const EDITS: { line: number; character: number; text: string; endLine?: number }[] = [
  { line: 1, character: 0, text: 'x' }, // same lines: later findings move on their line only
  { line: 0, character: 0, text: '\n' }, // every later finding moves down a line
  { line: 3, character: 0, text: 'LISTEN other;\n' }, // a new finding in the middle
  { line: 5, character: 0, text: '', endLine: 6 }, // a finding removed
  { line: 0, character: 4, text: ' LOCAL' }, // a finding's rule and message change (SET -> SET LOCAL)
  { line: 0, character: 0, text: '-- poolsafe-disable-next-line\n' }, // a finding suppressed
];

test('diagnostics reused from the previous publish equal freshly built ones after each kind of edit (same line, new line, added, removed, changed, suppressed)', () => {
  const docs = new RuleDocs('/ext');
  const document = new ChunkedTextDocument('file:///a.sql', 'sql', 1, SQL);
  let findings = analyzeSql(document.getText());
  let published: Published = { findings, diagnostics: toDiagnostics(findings, document, docs) };
  let reusedAny = false;
  for (const [k, edit] of EDITS.entries()) {
    const end = { line: edit.endLine ?? edit.line, character: edit.endLine !== undefined ? 0 : edit.character };
    document.update([{ range: { start: { line: edit.line, character: edit.character }, end }, text: edit.text }], k + 2);
    findings = analyzeSql(document.getText());
    const diagnostics = toDiagnostics(findings, document, docs, published);
    assert.deepEqual(diagnostics, findings.map((f) => toDiagnostic(f, document, docs)), `after edit ${k}`);
    reusedAny ||= diagnostics.some((d) => published.diagnostics.includes(d));
    published = { findings, diagnostics };
  }
  assert.ok(reusedAny, 'unchanged diagnostics are the previous objects');
  // Same text and positions, another severity (a settings change): nothing may be reused.
  const stricter = analyzeSql(document.getText(), { rules: { listen: 'error', 'advisory-lock': 'hint' } });
  assert.deepEqual(toDiagnostics(stricter, document, docs, published), stricter.map((f) => toDiagnostic(f, document, docs)));
});
