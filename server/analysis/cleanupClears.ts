// A call that clears a custom setting through the project's routine (`SELECT set_user_id(NULL)`) is the module's reset of
// what its setter call left (embeddedSettingPairs.ts) only when it is a cleanup: sent from a `finally` block, which every
// path out of the `try` reaches, as ruling 11 of the corpus policy reads a clear beside its setter. The same call made
// before other work (`set_user_id(NULL)`, then the caller's callback) is what that work relies on, sent alone on a pooled
// connection the work may not get: it keeps its finding. Read where the TS parser is at hand (embedded.ts).
import ts from 'typescript';
import type { Finding } from './types';
import { innermostNode } from './settingRestores';
import { tryOfFinally } from './astWalk';

/** The findings, with `writtenSetting` taken off each routine-call clear that no `finally` block of its function holds. */
export function onlyCleanupClears(source: ts.SourceFile, findings: Finding[]): Finding[] {
  if (!findings.some(isRoutineClear)) return findings;
  return findings.map((finding) => {
    if (!isRoutineClear(finding) || tryOfFinally(innermostNode(source, finding.start, finding.end)) !== undefined) return finding;
    const { writtenSetting: _precondition, ...kept } = finding;
    return kept;
  });
}

function isRoutineClear(finding: Finding): boolean {
  return finding.writtenSetting?.byRoutineCall === true && finding.writtenSetting.value === '';
}
