// A finding's quick fix applied to the text it was found in (edits applied from the end, so offsets hold).
import assert from 'node:assert/strict';
import type { Finding } from '../../server/analysis/index';

export function applyFix(text: string, finding: Finding): string {
  assert.ok(finding.fix, 'expected a quick fix');
  let out = text;
  for (const edit of [...finding.fix.edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.newText + out.slice(edit.end);
  return out;
}
