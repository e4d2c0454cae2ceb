// Readers that must not see part of a text (a comment, what an echo prints, the script around a here-document's
// program) read it with that part blanked: spaces in place of its characters, its newlines kept, so every offset and
// line number in the result is the text's own.

/** A span of a text, `[from, to)`. */
export type TextRange = readonly [from: number, to: number];

/**
 * The text with each range blanked (its newlines kept). Ranges may come in any order, be empty, touch or overlap;
 * parts outside the text are ignored. Each line's run of a range becomes one `' '.repeat`, and the result is joined
 * once: blanking character by character (`replace(/[^\n]/g, ' ')`) left V8 a string of ~30 bytes per character
 * (a 250 KB shell script with 38 node here-documents held ~300 MB).
 *
 * A `\r` is blanked like any other character; only `\n` stays. Four of the five readers always blanked it (echoes,
 * Groovy and PowerShell comments, look-ahead comments): their regular expressions read that place as a space, where
 * `.` would not match a kept `\r`. The fifth, nodeHeredocs.ts, kept it, but blanks only the script around a node
 * program, where no token of the program is: a `\n` still ends each line there, so the program's lines and offsets
 * are the same (and a script whose every line ends `\r\n` closes no here-document: `NODE\r` is not its word).
 */
export function blankedRanges(text: string, ranges: readonly TextRange[]): string {
  if (ranges.length === 0) return text;
  const parts: string[] = [];
  let done = 0; // the text before this index is in parts
  for (const [from, to] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const start = Math.max(from, done);
    const end = Math.min(to, text.length);
    if (start >= end) continue;
    parts.push(text.slice(done, start));
    pushBlanked(parts, text, start, end);
    done = end;
  }
  if (done === 0) return text;
  parts.push(text.slice(done));
  return parts.join('');
}

/** Pushes `[start, end)` of the text blanked: a run of spaces for each line's part, each newline as it is. */
function pushBlanked(parts: string[], text: string, start: number, end: number): void {
  for (let at = start; at < end;) {
    const newline = text.indexOf('\n', at);
    const runEnd = newline < 0 || newline >= end ? end : newline;
    parts.push(' '.repeat(runEnd - at));
    if (runEnd < end) parts.push('\n');
    at = runEnd + 1;
  }
}
