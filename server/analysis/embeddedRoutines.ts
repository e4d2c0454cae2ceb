// SQL routines defined in TS/JS string literals: a setup script's `CREATE OR REPLACE FUNCTION set_tenant_context(…)`
// sent through a driver defines a function the application calls elsewhere (`SELECT set_tenant_context($1)`). For
// the index of routines whose bodies create session state (stateFunctions.ts), such a file is read as the text of
// the literals that hold a definition, every other character blanked (newlines kept, a `;` where each literal
// closes), so a body's finding keeps its line and column in the file. A `${…}` hole inside is filled with `x`s of
// its length (a name or a value where one goes). Test code defines routines in its test database only: skipped.
// The literals are found by a small scanner, not the TypeScript compiler: this module is loaded by every CLI run and
// by the editor's workspace index, which must not load the compiler for .sql-only projects.
import { TEST_PATH } from './testPath';

/** A statement that creates a function or procedure, anywhere in a text. */
const DEFINES_ROUTINE = /\bcreate\s+(?:or\s+replace\s+)?(?:function|procedure)\b/i;
/** TS/JS sources (not declaration files). */
const SCRIPT_FILE = /(?<!\.d)\.(?:[cm]?[jt]s|[jt]sx)$/i;
/** What may stand before a `/` that opens a regular expression literal (not a division). */
const REGEX_BEFORE = /(?:^|[(,=:[!&|?{};~+\-*%<>^]|\b(?:return|typeof|case|do|else|in|of|void|yield|await|delete|throw|new))\s*$/;

/** Whether a file of this name is TS/JS whose literals may define routines (a cheap test before reading it). */
export function isScriptFile(fileName: string): boolean {
  return SCRIPT_FILE.test(fileName);
}

/** Whether a text may define a routine (read before the TS/JS file is kept for the index). */
export function mayDefineRoutine(text: string): boolean {
  return DEFINES_ROUTINE.test(text);
}

/** A string or template literal: its content's range and, for a template, its `${…}` holes. */
interface Literal { from: number; to: number; holes: [number, number][] }

/**
 * The SQL routine definitions a TS/JS text's string literals hold, at their own offsets (everything else blanked),
 * or undefined when it holds none (or is test code).
 */
export function embeddedRoutineText(text: string, fileName: string): string | undefined {
  if (!DEFINES_ROUTINE.test(text) || TEST_PATH.test(fileName)) return undefined;
  const kept = literalsOf(text).filter((literal) => DEFINES_ROUTINE.test(text.slice(literal.from, literal.to)));
  if (kept.length === 0) return undefined;
  const out = new Array<string>(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text[i] === '\n' || text[i] === '\r' ? text[i] : ' ';
  for (const { from, to, holes } of kept) {
    for (let i = from; i < to; i++) out[i] = text[i];
    if (to < text.length) out[to] = ';';
    for (const [start, end] of holes) for (let i = start; i < end; i++) if (out[i] !== '\n' && out[i] !== '\r') out[i] = 'x';
  }
  return out.join('');
}

/**
 * The file's outermost string and template literals, skipping comments and regular expression literals. A template's
 * holes are skipped as code (literals inside them are not reported). Unterminated input ends the scan.
 */
function literalsOf(text: string): Literal[] {
  const found: Literal[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '/' && REGEX_BEFORE.test(text.slice(Math.max(0, i - 12), i))) {
      i = skipRegex(text, i);
    } else if (c === '"' || c === "'") {
      const end = skipQuoted(text, i);
      found.push({ from: i + 1, to: end - 1, holes: [] });
      i = end;
    } else if (c === '`') {
      const literal: Literal = { from: i + 1, to: n, holes: [] };
      i = skipTemplate(text, i, literal.holes);
      literal.to = i - 1;
      found.push(literal);
    } else i++;
  }
  return found;
}

/** The offset after a '…' or "…" string opening at `start`. */
function skipQuoted(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote || text[i] === '\n') return i + 1;
  }
  return text.length;
}

/** The offset after a regular expression literal opening at `start` (classes may hold `/`). */
function skipRegex(text: string, start: number): number {
  let inClass = false;
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '\n') return i;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) return i + 1;
  }
  return text.length;
}

/** The offset after a template literal opening at `start`; its `${…}` holes (from `$` to after `}`) go into `holes`. */
function skipTemplate(text: string, start: number, holes: [number, number][]): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '`') return i + 1;
    else if (c === '$' && text[i + 1] === '{') {
      const end = skipCode(text, i + 2);
      holes.push([i, end]);
      i = end - 1;
    }
  }
  return text.length;
}

/** The offset after the `}` that closes code opened at `start` (a hole's expression), skipping its own literals. */
function skipCode(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i + 1;
      depth--;
    } else if (c === '"' || c === "'") i = skipQuoted(text, i) - 1;
    else if (c === '`') i = skipTemplate(text, i, []) - 1;
    else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    }
  }
  return text.length;
}
