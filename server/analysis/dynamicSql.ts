// PL/pgSQL dynamic SQL: `EXECUTE 'LISTEN ' || channel` runs in the caller's session like the statement
// it builds. The built text is not known, but its leading string literal says what kind of statement
// it is; that is enough for the session-state rules (never for a prepared statement: PL/pgSQL's
// EXECUTE itself is not one).
import type { RuleId } from './types';

export interface DynamicStatement {
  rule: RuleId;
  message: string;
  /** The string literal, relative to the PL/pgSQL statement. */
  start: number;
  end: number;
}

/**
 * `EXECUTE 'literal…'` or `EXECUTE format('literal…', …)`, possibly after block words (`BEGIN`,
 * `THEN`…) that the statement splitter leaves in front: where the literal's quote is.
 */
const EXECUTE_LITERAL = /^((?:\s*(?:begin|then|else|loop)\b)*\s*execute\s+(?:format\s*\(\s*)?E?)'/i;

/** Leading words of a built statement → the rule it trips (SET LOCAL and ON COMMIT DROP are transaction-scoped). */
const KINDS: { pattern: RegExp; rule: RuleId; what: string }[] = [
  { pattern: /^\s*set\s+(?!local\b|transaction\b|constraints\b)/i, rule: 'session-set', what: 'a session-level SET' },
  { pattern: /^\s*(?:select|perform)\b[^;]*\bset_config\s*\([^;]*,\s*false\s*\)/i, rule: 'session-set', what: 'set_config(…, false)' },
  { pattern: /^\s*listen\b/i, rule: 'listen', what: 'LISTEN' },
  { pattern: /^\s*prepare\b/i, rule: 'prepared-statement', what: 'PREPARE' },
  { pattern: /^\s*create\s+(?:(?:global|local)\s+)?temp(?:orary)?\s+(?![^;]*\bon\s+commit\s+drop\b)/i, rule: 'temp-table', what: 'a temporary table' },
  { pattern: /^\s*load\b/i, rule: 'load', what: 'LOAD' },
  { pattern: /^\s*declare\b[^;]*\bwith\s+hold\b/i, rule: 'cursor-with-hold', what: 'a WITH HOLD cursor' },
  { pattern: /^\s*(?:select|perform)\b[^;]*\bpg_(?:try_)?advisory_lock(?:_shared)?\s*\(/i, rule: 'advisory-lock', what: 'a session advisory lock' },
];

/** The session state a PL/pgSQL `EXECUTE` statement's literal announces, if any. */
export function dynamicStatement(plpgsql: string): DynamicStatement | undefined {
  const match = EXECUTE_LITERAL.exec(plpgsql);
  if (!match) return undefined;
  const start = match[1].length;
  const end = literalEnd(plpgsql, start + 1);
  const literal = plpgsql.slice(start + 1, end - 1).replace(/''/g, "'");
  const kind = KINDS.find(({ pattern }) => pattern.test(literal));
  if (!kind) return undefined;
  return {
    rule: kind.rule, start, end,
    message: `dynamic SQL builds ${kind.what}: it runs in the caller's session and outlives the transaction behind a transaction pooler.`,
  };
}

/** The offset after the closing quote of a literal whose text starts at `from`. */
function literalEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    if (text[i] !== "'") {
      i++;
      continue;
    }
    if (text[i + 1] !== "'") return i + 1;
    i += 2;
  }
  return text.length;
}
