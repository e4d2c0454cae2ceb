// Plain parenthesis matching for texts whose strings and comments a reader has already blanked or never holds (a
// shell command's words, a clause of SQL code): no quote is skipped here.

/**
 * The offset of the `)` that closes the `(` at `open`; undefined when the text ends first, or when a character of
 * `stopAt` comes first (a `;` ends the statement a clause belongs to).
 */
export function closingParenthesis(text: string, open: number, stopAt = ''): number | undefined {
  let depth = 0;
  for (let at = open; at < text.length; at++) {
    const char = text[at];
    if (char === '(') depth++;
    else if (char === ')' && --depth === 0) return at;
    else if (stopAt.includes(char)) return undefined;
  }
  return undefined;
}
