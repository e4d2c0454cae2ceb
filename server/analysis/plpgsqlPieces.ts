// A PL/pgSQL statement holds SQL the parser cannot take whole: `IF <condition> THEN <statement>`,
// `WHILE <condition> LOOP`, `FOR r IN <query> LOOP`, `RETURN <expression>`, `RETURN NEXT <expression>`,
// `EXIT WHEN <condition>`, `ASSERT <condition>`, `RAISE NOTICE '…', <expressions>`. Each condition or expression is SQL that runs in the
// session (`IF NOT pg_try_advisory_lock(…) THEN`, `RETURN set_config(…)`), so it is cut out and
// analysed on its own, as is the statement after THEN/LOOP. Offsets stay those of the statement.
import { skipNonCode } from './splitter';
import { SQL_TRIVIA } from './sqlTrivia';

/** A part of a PL/pgSQL statement: `expression` (analyse as `SELECT <text>`) or a statement; `at` is its offset. */
export interface PlpgsqlPiece {
  text: string;
  at: number;
  expression: boolean;
}

/**
 * Block words and labels that may precede a statement inside the splitter's span, each followed by blanks and
 * comments (`BEGIN -- the caller's lock` before an `IF`: a comment's apostrophe is no string).
 */
const BLOCK_PREFIX = new RegExp(String.raw`(?:(?:begin|then|else|loop|exception|<<\s*[A-Za-z_]\w*\s*>>)(?:${SQL_TRIVIA})+)*`, 'iy');
/** Control words followed by an expression, ended by THEN or LOOP (`until`), or by the statement's end. */
const HEADS: { pattern: RegExp; until?: 'then' | 'loop' | 'when'; expression: boolean }[] = [
  { pattern: /(?:if|elsif|elseif|when|case\s+when)\s+/iy, until: 'then', expression: true },
  // A simple CASE's operand (`CASE kind WHEN 'a' THEN …`): read up to its first WHEN, which the line above then takes.
  { pattern: /case\s+(?!when\b)/iy, until: 'when', expression: true },
  { pattern: /while\s+/iy, until: 'loop', expression: true },
  { pattern: /foreach\s+[A-Za-z_][\w$]*(?:\s+slice\s+\d+)?\s+in\s+array\s+/iy, until: 'loop', expression: true },
  { pattern: /for\s+[A-Za-z_][\w$]*(?:\s*,\s*[A-Za-z_][\w$]*)*\s+in\s+(?!execute\b)/iy, until: 'loop', expression: false },
  // `FOR r IN EXECUTE <text expression> [USING …] LOOP`: the head is a string expression (read as one; a USING list
  // does not parse and is left), and the loop's body is read as any other.
  { pattern: /for\s+[A-Za-z_][\w$]*(?:\s*,\s*[A-Za-z_][\w$]*)*\s+in\s+execute\s+/iy, until: 'loop', expression: true },
  { pattern: /return\s+next\s+/iy, expression: true },
  { pattern: /return\s+(?!query\b|next\b)(?=\S)/iy, expression: true },
  { pattern: /(?:exit|continue)(?:\s+[A-Za-z_]\w*)?\s+when\s+/iy, expression: true },
  { pattern: /assert\s+/iy, expression: true },
  // RAISE's arguments after its format string (a USING clause after them does not parse: nothing found).
  { pattern: /raise\s+(?:(?:debug|log|info|notice|warning|exception)\s+)?'(?:[^']|'')*'\s*,\s*/iy, expression: true },
];

/**
 * The statement's pieces when it opens with a control word that takes an expression (after block words);
 * undefined when it does not (the caller parses it as it is).
 */
export function plpgsqlPieces(statement: string): PlpgsqlPiece[] | undefined {
  const pieces: PlpgsqlPiece[] = [];
  let at = 0;
  while (at < statement.length) {
    BLOCK_PREFIX.lastIndex = at;
    const start = at + (BLOCK_PREFIX.exec(statement)?.[0].length ?? 0);
    const head = matchHead(statement, start);
    if (!head) break;
    const end = head.until ? topLevelWord(statement, head.from, head.until) : statement.length;
    pieces.push({ text: statement.slice(head.from, end), at: head.from, expression: head.expression });
    at = end;
  }
  if (pieces.length === 0) return undefined;
  if (at < statement.length) pieces.push({ text: statement.slice(at), at, expression: false });
  return pieces;
}

/**
 * Where the statement behind the block words, labels and one condition or loop head at `start` begins
 * (`BEGIN IF n > 0 THEN EXECUTE …`, `LOOP EXECUTE …`, `FOR i IN 1..9 LOOP EXECUTE …`, `WHILE ok LOOP …`): the offset just
 * past them, or undefined when none stands at `start` or a head has no THEN/LOOP of its own in the statement.
 */
export function afterBlockWordsAndHead(statement: string, start: number): number | undefined {
  BLOCK_PREFIX.lastIndex = start;
  const from = start + (BLOCK_PREFIX.exec(statement)?.[0].length ?? 0);
  const head = matchHead(statement, from);
  if (head?.until) {
    const end = topLevelWord(statement, head.from, head.until);
    // A simple CASE's WHEN is itself a head (its value up to THEN), so the statement resumes at the word.
    if (end < statement.length) return head.until === 'when' ? end : end + head.until.length;
  }
  return from > start ? from : undefined;
}

function matchHead(statement: string, start: number): { from: number; until?: 'then' | 'loop' | 'when'; expression: boolean } | undefined {
  for (const head of HEADS) {
    head.pattern.lastIndex = start;
    const match = head.pattern.exec(statement);
    if (match) return { from: start + match[0].length, until: head.until, expression: head.expression };
  }
  return undefined;
}

/** Where `word` first stands outside parentheses, literals, comments and CASE … END, from `from` (else the end). */
function topLevelWord(text: string, from: number, word: string): number {
  let depth = 0;
  let cases = 0;
  let i = from;
  while (i < text.length) {
    const skipped = skipNonCode(text, i);
    if (skipped > i) {
      i = skipped;
      continue;
    }
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (/[A-Za-z_]/.test(c) && !/[\w$]/.test(text[i - 1] ?? ' ')) {
      const name = /^[A-Za-z_][\w$]*/.exec(text.slice(i, i + 64))![0].toLowerCase();
      if (depth === 0 && cases === 0 && name === word) return i;
      if (name === 'case') cases++;
      else if (name === 'end' && cases > 0) cases--;
      i += name.length;
      continue;
    }
    i++;
  }
  return text.length;
}
