// A finding as its rule and the line it starts on (counted from 1): the form the analysis unit tests compare
// (`session-set 4`), so a test names the lines it expects flagged.
import type { Finding } from '../../server/analysis/types';

/** `rule line` (the usual form), `line rule` (tests that sort or read by line first), or `rule line text` (what it points at too). */
export type RuleLineForm = 'rule line' | 'line rule' | 'rule line text';

/** A finding in `text` as `rule line`, or in another form. */
export function ruleLine(text: string, finding: Pick<Finding, 'rule' | 'start' | 'end'>, form: RuleLineForm = 'rule line'): string {
  const line = text.slice(0, finding.start).split('\n').length;
  if (form === 'line rule') return `${line} ${finding.rule}`;
  if (form === 'rule line text') return `${finding.rule} ${line} ${text.slice(finding.start, finding.end)}`;
  return `${finding.rule} ${line}`;
}
