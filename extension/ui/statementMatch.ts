// Finds where a statement seen by the pooler was written in a source file. The pooler sees the text
// the driver sent (`$1` placeholders, different whitespace, no trailing `;`); source files hold it in
// a .sql file or inside a TS/JS template or string with `${…}` holes. Matching works on the word
// tokens of both, so layout, quoting and placeholders do not matter.

export interface SourceMatch {
  /** 0-based line and UTF-16 column of the statement's first token. */
  line: number;
  column: number;
}

interface Token {
  text: string;
  offset: number;
}

/**
 * Word, number and operator tokens, lower-cased; `$1` and `${…}` are holes. Quotes are skipped, not
 * paired: in a TS file a quote may be the host language's string delimiter around the SQL.
 */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\$\{[^}]*\}|\$\d+|[A-Za-z_][A-Za-z0-9_$]*|\d+(?:\.\d+)?|[^\sA-Za-z0-9_$'"`;,()]+/g;
  for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
    const raw = match[0];
    const hole = raw.startsWith('${') || /^\$\d+$/.test(raw);
    tokens.push({ text: hole ? '?' : raw.toLowerCase(), offset: match.index });
  }
  return tokens;
}

/** How many leading tokens must match: enough to be specific, few enough for long statements. */
const TOKENS_TO_MATCH = 12;

export function findStatement(source: string, statement: string): SourceMatch | undefined {
  const wanted = tokenize(statement).slice(0, TOKENS_TO_MATCH);
  if (wanted.length === 0) return undefined;
  const tokens = tokenize(source);
  outer: for (let start = 0; start + wanted.length <= tokens.length; start++) {
    for (let i = 0; i < wanted.length; i++) {
      const have = tokens[start + i].text;
      if (have !== wanted[i].text && have !== '?' && wanted[i].text !== '?') continue outer;
    }
    return positionOf(source, tokens[start].offset);
  }
  return undefined;
}

function positionOf(source: string, offset: number): SourceMatch {
  let line = 0;
  let lineStart = 0;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart };
}
