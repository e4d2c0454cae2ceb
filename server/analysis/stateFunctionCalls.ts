// Calls of functions whose bodies create session state (the workspace index, stateFunctions.ts): a
// `SELECT tenant_enter('acme')` leaves the setting its function sets, so the call gets the finding
// the body has, with related information pointing at the body. Runs for .sql files and for the SQL
// embedded in TS/JS alike (both go through PlacedFacts).
import type { AnalysisOptions, Finding, StateFunction } from './types';
import { runsInOwnSession, severityFor, type PlacedFacts } from './context';
import type { Suppressions } from './suppression';

const patterns = new WeakMap<ReadonlyMap<string, StateFunction>, RegExp>();

/** `name(`, optionally schema-qualified or quoted, for every indexed name (one regex per index). */
function callPattern(index: ReadonlyMap<string, StateFunction>): RegExp {
  let pattern = patterns.get(index);
  if (!pattern) {
    const names = [...index.keys()].map((name) => name.replace(/[$]/g, '\\$')).join('|');
    pattern = new RegExp(String.raw`(?<![\w$."])(?:(?:"(?:[^"]|"")+"|[\w$]+)\s*\.\s*)?("?)(${names})\1\s*\(`, 'gi');
    patterns.set(index, pattern);
  }
  return pattern;
}

/** The name is being defined, dropped, altered or commented on (`FUNCTION name(`), not called. */
const NAMED_AS_OBJECT = /\b(?:function|procedure|routine)\s+(?:(?:"(?:[^"]|"")+"|[\w$]+)\s*\.\s*)?"?$/i;

export function applyStateFunctionCalls(statements: readonly PlacedFacts[], options: AnalysisOptions, suppressions: Suppressions): Finding[] {
  const index = options.stateFunctions;
  if (!index || index.size === 0 || runsInOwnSession(statements, options)) return [];
  const pattern = callPattern(index);
  const findings: Finding[] = [];
  for (const statement of statements) {
    const text = statement.text;
    if (!text || statement.facts.dialect || statement.facts.syntaxError) continue;
    for (const match of text.matchAll(pattern)) {
      const at = match.index + match[0].indexOf(match[2]);
      if (NAMED_AS_OBJECT.test(text.slice(Math.max(0, at - 80), at)) || inLineComment(text, at)) continue;
      const site = index.get(match[2].toLowerCase());
      const severity = site && severityFor(site.rule, options);
      if (!site || !severity) continue;
      const start = statement.start + at;
      if (suppressions.isSuppressed(site.rule, start)) continue;
      findings.push({
        rule: site.rule, severity, start, end: start + match[2].length,
        message: `${site.name}() creates session state in its body (${site.rule}): ${site.message}`,
        related: [{ message: `${site.name}() creates the session state here`, start: 0, end: 0, location: { file: site.file, range: site.range } }],
      });
    }
  }
  return findings;
}

function inLineComment(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at) + 1;
  return text.slice(lineStart, at).includes('--');
}
