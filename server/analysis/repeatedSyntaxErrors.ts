// One file should not drown its reader in one syntax error repeated thousands of times. When the same message
// (`syntax error at or near "["`) stands at many statements of a file, the file is written in a notation the
// parser does not read — a tool's own format, a template language, a newer server's syntax — or one mistake was
// copied everywhere: either way one warning says it as well as thousands. The first occurrence stays, naming how
// many more statements fail the same way; the others are dropped. Distinct mistakes are each still reported.
import type { Finding } from './types';

/** How many times one syntax error message may stand in a file before the later ones fold into the first. */
export const REPEATED_SYNTAX_ERRORS = 20;

/** The findings with each syntax error message that repeats more than REPEATED_SYNTAX_ERRORS times folded into its first occurrence. */
export function foldRepeatedSyntaxErrors(findings: Finding[]): Finding[] {
  let errors = 0;
  for (const finding of findings) if (finding.rule === 'syntax-error') errors++;
  if (errors <= REPEATED_SYNTAX_ERRORS) return findings;
  const counts = new Map<string, number>();
  for (const finding of findings) if (finding.rule === 'syntax-error') counts.set(finding.message, (counts.get(finding.message) ?? 0) + 1);
  if (![...counts.values()].some((count) => count > REPEATED_SYNTAX_ERRORS)) return findings;
  const seen = new Set<string>();
  const kept: Finding[] = [];
  for (const finding of findings) {
    const count = finding.rule === 'syntax-error' ? counts.get(finding.message) ?? 0 : 0;
    if (count <= REPEATED_SYNTAX_ERRORS) {
      kept.push(finding);
      continue;
    }
    if (seen.has(finding.message)) continue;
    seen.add(finding.message);
    kept.push({ ...finding, message: `${finding.message} (and ${count - 1} more statements of this file fail the same way: if this file is not PostgreSQL, or not sent as written, turn syntax-error off for it)` });
  }
  return kept;
}
