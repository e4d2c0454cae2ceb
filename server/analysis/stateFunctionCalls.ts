// Calls of functions whose bodies create session state (the workspace index, stateFunctions.ts): a
// `SELECT tenant_enter('acme')` leaves the setting its function sets, so the call gets the finding
// the body has, with related information pointing at the body. Runs for .sql files and for the SQL
// embedded in TS/JS alike (both go through PlacedFacts).
import type { AnalysisOptions, Finding, StateFunction } from './types';
import { runsInOwnSession, severityFor, type PlacedFacts } from './context';
import type { Suppressions } from './suppression';
import { skipNonCode } from './splitter';
import { leadingTrivia } from './sqlTrivia';

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

/** The name is being defined, dropped, altered or commented on (`FUNCTION name(`, `FUNCTION IF EXISTS name(`), not called. */
const NAMED_AS_OBJECT = /\b(?:function|procedure|routine)\s+(?:if\s+exists\s+)?(?:(?:"(?:[^"]|"")+"|[\w$]+)\s*\.\s*)?"?$/i;
/**
 * A statement that only names routines, with their argument types, as the objects it acts on: `DROP FUNCTION [IF
 * EXISTS] a(text), b(uuid)`, `ALTER FUNCTION`, `COMMENT ON FUNCTION`, `GRANT EXECUTE ON FUNCTION a(int), b(int) TO
 * r`, `REVOKE … ON PROCEDURE`, `SECURITY LABEL … ON FUNCTION`, `ALTER EXTENSION e ADD FUNCTION`. Every name of its
 * list is an object, none a call (the later ones follow a comma, not the keyword).
 */
const NAMES_ROUTINES = /^(?:(?:drop|alter)\s+|comment\s+on\s+|security\s+label\s+(?:for\s+\S+\s+)?on\s+|(?:grant|revoke)\s[^;]*?\bon\s+|alter\s+extension\s+\S+\s+(?:add|drop)\s+)(?:function|procedure|routine|aggregate)\s/i;

export function applyStateFunctionCalls(statements: readonly PlacedFacts[], options: AnalysisOptions, suppressions: Suppressions): Finding[] {
  const index = options.stateFunctions;
  if (!index || index.size === 0 || runsInOwnSession(statements, options)) return [];
  const pattern = callPattern(index);
  const findings: Finding[] = [];
  for (const statement of statements) {
    const text = statement.text;
    if (!text || statement.facts.dialect || statement.facts.syntaxError) continue;
    if (NAMES_ROUTINES.test(text.slice(leadingTrivia(text)))) continue;
    let notCode: number[] | undefined;
    for (const match of text.matchAll(pattern)) {
      const at = match.index + match[0].indexOf(match[2]);
      notCode ??= textAndComments(text);
      if (NAMED_AS_OBJECT.test(text.slice(Math.max(0, at - 80), at)) || within(notCode, at)) continue;
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

const DOLLAR_TAG = /\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/y;

/**
 * The ranges of a statement that are no code, as [start, end) pairs: string literals (a RAISE message
 * naming a function, `'… tenant_enter(…) …'`) and comments. A dollar-quoted function body is code (its
 * calls run), so only its delimiters are stepped over and its own literals and comments are found too.
 */
function textAndComments(text: string): number[] {
  const ranges: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '$' && !/[\w$]/.test(text[i - 1] ?? ' ')) {
      DOLLAR_TAG.lastIndex = i;
      if (DOLLAR_TAG.test(text)) i = DOLLAR_TAG.lastIndex - 1;
      continue;
    }
    if (c !== "'" && c !== '-' && c !== '/') continue;
    const end = skipNonCode(text, i);
    if (end < 0) continue;
    ranges.push(i, end);
    i = end - 1;
  }
  return ranges;
}

function within(ranges: readonly number[], at: number): boolean {
  for (let k = 0; k < ranges.length; k += 2) if (ranges[k] <= at && at < ranges[k + 1]) return true;
  return false;
}
