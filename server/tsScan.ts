// A lexical scan of TS/JS (strings, templates with ${…}, comments, regexes, bracket depth): enough to
// find top-level statements and template text without the TypeScript compiler, which the language
// server's main thread never loads.

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
