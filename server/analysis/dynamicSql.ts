// PL/pgSQL dynamic SQL: `EXECUTE 'LISTEN ' || channel` runs in the caller's session like the statement
// it builds. The built text is not known, but its leading string literal says what kind of statement
// it is; that is enough for the session-state rules (never for a prepared statement: PL/pgSQL's
// EXECUTE itself is not one).
import type { RuleId } from './types';
import { leadingTrivia } from './sqlTrivia';

export interface DynamicStatement {
  rule: RuleId;
  message: string;
  /** The string literal, relative to the PL/pgSQL statement. */
  start: number;
  end: number;
  /** The setting a dynamic `SET name …` sets (lower case), when the literal names it. */
  setting?: string;
}


/** Block words the splitter leaves in front of a statement (`BEGIN`, `ELSE`…). */
const BLOCK_WORD = /^(?:begin|then|else|loop)\b/i;
/** A condition's opening word: it runs to its THEN (`IF n > 0 THEN`, `WHEN 'a' THEN`). */
const CONDITION_WORD = /^(?:if|elsif|when)\b/i;
const EXECUTE_WORD = /^execute\s+(?:format\s*\(\s*)?E?'/i;
/** Bound on the words, comments and conditions skipped before EXECUTE. */
const MAX_PREFIX_PARTS = 16;

/**
 * `EXECUTE 'literal…'` or `EXECUTE format('literal…', …)`, possibly after comments, block words and
 * conditions (`IF … THEN`) that the statement splitter leaves in front: where the literal's quote is
 * (a linear scan: a regex for this backtracks badly on long conditions).
 */
function executeLiteralStart(text: string): number | undefined {
  const at = statementStart(text);
  const execute = EXECUTE_WORD.exec(text.slice(at));
  return execute ? at + execute[0].length - 1 : undefined;
}

/**
 * Where a PL/pgSQL statement's own first word is, after the comments, block words and conditions
 * (`IF … THEN`) that the statement splitter leaves in front of it.
 */
export function statementStart(text: string): number {
  let at = leadingTrivia(text);
  for (let part = 0; part < MAX_PREFIX_PARTS; part++) {
    const rest = text.slice(at);
    const word = BLOCK_WORD.exec(rest)?.[0].length ?? (CONDITION_WORD.test(rest) ? conditionEnd(rest) : undefined);
    if (word === undefined) return at;
    at += word;
    at += leadingTrivia(text.slice(at));
  }
  return at;
}

/** The length of a condition up to and including its THEN (quoted strings skipped whole), or undefined. */
function conditionEnd(text: string): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") i = literalEnd(text, i + 1) - 1;
    else if (c === ';') return undefined;
    else if ((c === 't' || c === 'T') && /^then\b/i.test(text.slice(i, i + 5)) && !/[\w$]/.test(text[i - 1] ?? ' ')) return i + 4;
  }
  return undefined;
}

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
  const start = executeLiteralStart(plpgsql);
  return start === undefined ? undefined : literalStatement(plpgsql, start);
}

/** The session state the string literal whose quote is at `start` opens with, if any. */
function literalStatement(plpgsql: string, start: number): DynamicStatement | undefined {
  const end = literalEnd(plpgsql, start + 1);
  const literal = plpgsql.slice(start + 1, end - 1).replace(/''/g, "'");
  const kind = KINDS.find(({ pattern }) => pattern.test(literal));
  if (!kind) return undefined;
  const setting = kind.rule === 'session-set' ? /^\s*set\s+(?:session\s+)?([\w.]+)\s*(?:to\b|=)/i.exec(literal)?.[1].toLowerCase() : undefined;
  return {
    rule: kind.rule, start, end, setting,
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

/** The target of a PL/pgSQL assignment (`name :=`, or `name =`). */
const ASSIGNED_VARIABLE = /^([A-Za-z_][\w$]*)\s*:?=/;
/** An assigned value that is one whole constant string. */
const CONSTANT_VALUE = /^\s*'((?:[^']|'')*)'\s*(?:;\s*)?$/;
/** `EXECUTE name;` or `EXECUTE 'text';` ending the statement: dynamic SQL whose whole text is one value (no `||`, INTO or USING). */
const EXECUTE_ONE_VALUE = /\bexecute\s+(?:([A-Za-z_][\w$]*)|'((?:[^']|'')*)')\s*(?:;\s*)?$/i;

/**
 * The PL/pgSQL variables of one body known to hold a constant string, read statement by statement in
 * order, and the whole text an `EXECUTE` of one of them (or of a literal) runs: `sql := 'DROP TABLE t';
 * EXECUTE sql;` drops what `EXECUTE 'DROP TABLE t'` does.
 */
export class ConstantStrings {
  private readonly values = new Map<string, string>();

  /** Reads one statement of the body: an assignment records the variable's value, or forgets it when not constant. */
  read(statement: string): void {
    const text = statement.slice(leadingTrivia(statement));
    const target = ASSIGNED_VARIABLE.exec(text);
    if (!target) return;
    const constant = CONSTANT_VALUE.exec(text.slice(target[0].length));
    if (constant) this.values.set(target[1].toLowerCase(), unquote(constant[1]));
    else this.values.delete(target[1].toLowerCase());
  }

  /** The SQL text the statement runs with EXECUTE, when it is one known constant. */
  executed(statement: string): string | undefined {
    const match = EXECUTE_ONE_VALUE.exec(statement);
    if (!match) return undefined;
    return match[2] !== undefined ? unquote(match[2]) : this.values.get(match[1].toLowerCase());
  }
}

function unquote(literalBody: string): string {
  return literalBody.replace(/''/g, "'");
}

/** `name := format('literal…', …)` or `name := 'literal…' || …`: the variable and where the literal's quote is. */
const ASSIGNED_TEXT = /^([A-Za-z_][\w$]*)\s*:?=\s*(?:format\s*\(\s*)?E?'/i;
/** `SELECT format('literal…', …) INTO name`, also after a WITH: where the literal's quote is. */
const SELECTED_TEXT = /^(?:with\b[\s\S]*?\b)?select\s+(?:format\s*\(\s*)?E?'/i;
const SELECT_INTO = /\binto\s+(?:strict\s+)?([A-Za-z_][\w$]*)/i;
/** `EXECUTE name` (with USING or INTO after it): dynamic SQL whose text a variable holds. */
const EXECUTE_VARIABLE = /^execute\s+([A-Za-z_][\w$]*)\s*(?:;|$|using\b|into\b)/i;
/** A text that may end with ON COMMIT DROP (in a later literal of the same expression): not surely a lasting table. */
const ON_COMMIT_DROP = /\bon\s+commit\s+drop\b/i;

/**
 * The PL/pgSQL variables of one body that hold a statement built from a literal (`sql := format('CREATE TEMP
 * TABLE %I (…)', name)`, `SELECT format(…) INTO sql`), read statement by statement in order, and the session
 * state an `EXECUTE` of one of them creates: the finding is on the literal where the statement was built.
 */
export class BuiltStatements {
  private readonly built = new Map<string, DynamicStatement>();

  /** Reads one statement at `base`: an assignment of a built statement records it; any other assignment forgets the variable. */
  read(statement: string, base: number): void {
    const lead = afterBlockWords(statement);
    const text = statement.slice(lead);
    const assigned = ASSIGNED_TEXT.exec(text);
    const selected = assigned ? undefined : SELECTED_TEXT.exec(text);
    const match = assigned ?? selected;
    const quote = match ? match.index + match[0].length - 1 : -1;
    const name = assigned ? assigned[1] : selected ? SELECT_INTO.exec(text.slice(literalEnd(text, quote + 1)))?.[1] : ASSIGNED_VARIABLE.exec(text)?.[1];
    if (!name) return;
    const kind = match && !ON_COMMIT_DROP.test(text) ? literalStatement(text, quote) : undefined;
    if (kind) this.built.set(name.toLowerCase(), { ...kind, start: base + lead + kind.start, end: base + lead + kind.end });
    else this.built.delete(name.toLowerCase());
  }

  /** What an `EXECUTE name` statement runs, when the variable holds a built statement: positioned in the file. */
  executed(statement: string): DynamicStatement | undefined {
    const match = EXECUTE_VARIABLE.exec(statement.slice(afterBlockWords(statement)));
    return match ? this.built.get(match[1].toLowerCase()) : undefined;
  }
}

/** Where a statement's own words start: after the comments and block words (`BEGIN`, `ELSE`…) the splitter leaves in front. */
function afterBlockWords(text: string): number {
  let at = leadingTrivia(text);
  for (let part = 0; part < MAX_PREFIX_PARTS; part++) {
    const word = BLOCK_WORD.exec(text.slice(at));
    if (!word) break;
    at += word[0].length;
    at += leadingTrivia(text.slice(at));
  }
  return at;
}
