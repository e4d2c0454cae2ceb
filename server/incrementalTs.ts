// Incremental analysis of one TS/JS document for the editor. Parsing a 5,000-line file with the
// TypeScript compiler on every keystroke costs more than the latency budget, so the file is cut into
// top-level chunks (a lexical scan: strings, templates with ${…}, comments, regexes, bracket depth) and
// each chunk is analysed alone, cached by its text: a keystroke re-analyses one chunk. SQL sequences are
// per function scope, so declarations can stand alone; consecutive top-level *executable* statements
// stay together in one chunk so module-level sequences (BEGIN … COMMIT in a script) keep their context.
import { analyze, type AnalysisOptions, type DocumentLanguage, type Finding } from './analysis/index';

interface Chunk {
  start: number;
  text: string;
}

interface CachedChunk {
  optionsKey: string;
  findings: Finding[];
}

const STATEMENT_START = /[A-Za-z_$@]/;
const CONTINUATION_WORDS = /^(else|catch|finally)\b/;
const ASI_STATEMENT_WORDS = /^(import|export|const|let|var|function|async|class|interface|type|enum|declare|abstract|namespace|module|await|if|for|while|do|switch|try|return|throw)\b/;
/** After these, a `/` starts a regular expression rather than a division. */
const REGEX_PRECEDERS = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);

/** [A-Za-z0-9_$] and non-ASCII (identifiers may use Unicode letters). */
function isWordCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36 || code > 127;
}

function skipString(text: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < text.length && text[j] !== quote && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
  return j + 1;
}

function skipRegex(text: string, i: number): number {
  let j = i + 1;
  let inClass = false;
  while (j < text.length && text[j] !== '\n') {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) return j + 1;
    j++;
  }
  return j;
}

interface ScanResult {
  /** Offsets where a top-level statement starts at column 0 and the previous one has ended. */
  starts: number[];
  /** Whether `stopAt` (when given) lies inside the text of a template literal. */
  inTemplate: boolean;
}

/** One lexical pass over TS/JS: strings, templates with ${…}, comments, regexes and bracket depth. */
function scan(text: string, stopAt = text.length): ScanResult {
  const starts = [0];
  let depth = 0;
  const templateDepths: number[] = []; // bracket depth at each open `${`, to know which `}` closes it
  let inTemplate = false;
  let previous = ''; // last significant code character
  let i = 0;
  while (i < stopAt) {
    const c = text[i];
    if (inTemplate) {
      if (c === '\\') i += 2;
      else if (c === '`') {
        inTemplate = false;
        previous = '`';
        i++;
      } else if (c === '$' && text[i + 1] === '{') {
        templateDepths.push(depth);
        depth++;
        inTemplate = false;
        previous = '{';
        i += 2;
      } else i++;
      continue;
    }
    if (i > 0 && text[i - 1] === '\n' && depth === 0 && templateDepths.length === 0 && isStatementStart(text, i, previous)) starts.push(i);
    if (c === '/' && text[i + 1] === '/') {
      const newline = text.indexOf('\n', i);
      i = newline < 0 ? text.length : newline;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else if (c === '\'' || c === '"') {
      i = skipString(text, i, c);
      previous = c;
    } else if (c === '`') {
      inTemplate = true;
      i++;
    } else if (c === '/' && REGEX_PRECEDERS.has(previous)) {
      i = skipRegex(text, i);
      previous = '/';
    } else {
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        depth = Math.max(0, depth - 1);
        if (c === '}' && templateDepths.length > 0 && templateDepths[templateDepths.length - 1] === depth) {
          templateDepths.pop();
          inTemplate = true;
        }
      }
      const code = text.charCodeAt(i);
      if (code > 32) previous = isWordCode(code) ? 'w' : c;
      i++;
    }
  }
  return { starts, inTemplate: inTemplate && i === stopAt };
}

/** Offsets where a top-level statement starts at column 0 and the previous one has ended. */
export function topLevelStatementStarts(text: string): number[] {
  return scan(text).starts;
}

/** True when `offset` lies inside the text of a template literal (e.g. a line of a multi-line SQL template). */
export function isInsideTemplate(text: string, offset: number): boolean {
  return scan(text, offset).inTemplate;
}

function isStatementStart(text: string, i: number, previous: string): boolean {
  const c = text[i];
  const comment = c === '/' && (text[i + 1] === '/' || text[i + 1] === '*');
  if (!comment && !STATEMENT_START.test(c)) return false;
  const head = text.slice(i, i + 16);
  if (CONTINUATION_WORDS.test(head)) return false;
  if (previous === '' || previous === ';' || previous === '}') return true;
  // Without semicolons (ASI), a new line starting with a statement keyword starts a statement.
  return (previous === 'w' || previous === ')' || previous === ']' || previous === '\'' || previous === '"' || previous === '`') && ASI_STATEMENT_WORDS.test(head);
}

const DECLARATION = /^(?:export\s+(?:default\s+)?)?(?:declare\s+)?(?:(?:async\s+)?function\b|(?:abstract\s+)?class\b|interface\b|type\b|enum\b|namespace\b|module\b|import\b|(?:const|let|var)\s+[\w$]+\s*(?::[^=]*)?=\s*(?:async\s*)?(?:function\b|\([^)]*\)\s*(?::[^=]*)?=>|[\w$]+\s*=>))/;

/** True for top-level statements that run no SQL themselves (functions, classes, types, imports). */
function isDeclaration(statement: string): boolean {
  const code = statement.replace(/^(?:\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|@[\w$.]+(?:\([^)]*\))?)*/, '');
  return DECLARATION.test(code);
}

/** Top-level chunks: each declaration alone, consecutive executable statements together. */
export function chunkTopLevel(text: string): Chunk[] {
  const starts = topLevelStatementStarts(text);
  const chunks: Chunk[] = [];
  let previousExecutable = false;
  for (let s = 0; s < starts.length; s++) {
    const piece = text.slice(starts[s], s + 1 < starts.length ? starts[s + 1] : text.length);
    const executable = !isDeclaration(piece);
    if (executable && previousExecutable && chunks.length > 0) chunks[chunks.length - 1].text += piece;
    else chunks.push({ start: starts[s], text: piece });
    previousExecutable = executable;
  }
  return chunks;
}

function shift(finding: Finding, by: number): Finding {
  return {
    ...finding,
    start: finding.start + by,
    end: finding.end + by,
    fix: finding.fix && { title: finding.fix.title, edits: finding.fix.edits.map((e) => ({ ...e, start: e.start + by, end: e.end + by })) },
    related: finding.related?.map((r) => ({ ...r, start: r.start + by, end: r.end + by })),
  };
}

export class IncrementalTsDocument {
  private cache = new Map<string, CachedChunk>();

  constructor(private readonly language: DocumentLanguage, private readonly fileName?: string) {}

  analyze(text: string, options?: Partial<AnalysisOptions>): Finding[] {
    const optionsKey = JSON.stringify(options ?? {});
    const next = new Map<string, CachedChunk>();
    const findings: Finding[] = [];
    for (const chunk of chunkTopLevel(text)) {
      let cached = this.cache.get(chunk.text) ?? next.get(chunk.text);
      if (!cached || cached.optionsKey !== optionsKey) {
        cached = { optionsKey, findings: analyze(chunk.text, this.language, options, this.fileName) };
      }
      next.set(chunk.text, cached);
      for (const finding of cached.findings) findings.push(shift(finding, chunk.start));
    }
    this.cache = next;
    return findings;
  }
}
