// The parentheses of a shell script that open and close a subshell or a command substitution (`( cd db && ls )`,
// `$(cd db && pwd)`), read in one pass: a `)` that only ends a `case` pattern (`start)`), one escaped (`\)`) and one in
// quoted text (`tr -d ")"`, `'(x'`) are none, while a `$( … )` inside double quotes is one. Quotes are read on their line
// (a quote left open there ends with it), as the other line readers of scripts do, so that a stray apostrophe in a
// comment or a here-document hides no more than its line.

/** A subshell's opening or closing parenthesis, at its offset in the script. */
export interface SubshellParenthesis {
  at: number;
  opens: boolean;
}

/** What is open at a point of the scan: a subshell or substitution, a double-quoted word, a `case` (whose patterns end in `)`). */
type Open = '(' | '"' | 'case';

/** Whether `word` stands at `at` as a word of its own (no letter, digit or `_` on either side). */
function isWordAt(script: string, at: number, word: string): boolean {
  return script.startsWith(word, at) && !/\w/.test(script[at - 1] ?? '') && !/\w/.test(script[at + word.length] ?? '');
}

/** Where the single-quoted word whose quote is at `quote` closes on its line, or -1 when it does not. */
function singleQuoteClose(script: string, quote: number): number {
  for (let i = quote + 1; i < script.length && script[i] !== '\n'; i++) if (script[i] === "'") return i;
  return -1;
}

/**
 * The script's subshell parentheses in order: each `(` that opens one, and each `)` that closes the innermost open one
 * (a `)` with none open is left out). Linear: each character is read at most twice (a single quote's line once more).
 */
export function subshellParentheses(script: string): SubshellParenthesis[] {
  const found: SubshellParenthesis[] = [];
  const open: Open[] = [];
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    const innermost = open[open.length - 1];
    if (c === '\\') {
      i++;
    } else if (innermost === '"') {
      if (c === '"' || c === '\n') open.pop();
      else if (c === '$' && script[i + 1] === '(') {
        open.push('(');
        found.push({ at: ++i, opens: true });
      }
    } else if (c === "'") {
      i = Math.max(i, singleQuoteClose(script, i));
    } else if (c === '"') {
      open.push('"');
    } else if (c === '(') {
      open.push('(');
      found.push({ at: i, opens: true });
    } else if (c === ')') {
      if (innermost === '(') {
        open.pop();
        found.push({ at: i, opens: false });
      }
    } else if (c === 'c' && isWordAt(script, i, 'case')) {
      open.push('case');
    } else if (c === 'e' && innermost === 'case' && isWordAt(script, i, 'esac')) {
      open.pop();
    }
  }
  return found;
}
