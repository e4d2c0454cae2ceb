// Queries written for several PostgreSQL versions at once: the lines for each version sit in line comments
// that open with an upper-case tag (`-- 11_AND_LATER pp.oid AS p_oid` beside `-- 10_AND_EARLIER pp.oid AS
// p_oid, …`), and the program that loads the file uncomments the tag of the server it talks to before
// sending the query. As written such a query may not parse (its select list ends in a comma before the
// tagged lines); the query sent does. Only consulted for a statement that failed to parse.

/**
 * A line comment whose first word is a tag, upper-case words or numbers joined by underscores with at least
 * one letter (`11_AND_LATER`, `PG_12_PLUS`), followed on the same line by the code it guards. A `TODO:` or a
 * prose comment (`-- Keep this in sync`) is no tag.
 */
const TAGGED_LINE = /^[ \t]*(--[ \t]*((?=[A-Z0-9_]*[A-Z])[A-Z0-9]+(?:_[A-Z0-9]+)+)[ \t]+)(?=\S)/gm;
/** A template holds its alternatives: a statement needs at least this many tagged lines. */
const MIN_TAGGED_LINES = 2;
/** How many distinct tags are tried at the most (one parse each). */
const MAX_TAGS = 4;

/**
 * The statement as its loader sends it for one of its version tags, when that text parses: the comment
 * opener and tag of that tag's lines blanked (same length, so offsets keep their places). Tags are tried in
 * the order they first appear; undefined when the statement has no such tags or no variant parses.
 */
export function versionVariant(statement: string, parses: (text: string) => boolean): string | undefined {
  if (!statement.includes('--')) return undefined;
  const tagged = [...statement.matchAll(TAGGED_LINE)];
  if (tagged.length < MIN_TAGGED_LINES) return undefined;
  const tags = [...new Set(tagged.map((line) => line[2]))].slice(0, MAX_TAGS);
  for (const tag of tags) {
    let variant = statement;
    for (const line of tagged) {
      if (line[2] !== tag) continue;
      const opener = line.index! + line[0].length - line[1].length;
      variant = variant.slice(0, opener) + ' '.repeat(line[1].length) + variant.slice(opener + line[1].length);
    }
    if (parses(variant)) return variant;
  }
  return undefined;
}
