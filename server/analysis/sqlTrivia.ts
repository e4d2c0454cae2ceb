// The blanks and comments before a SQL statement: the one source of the pattern that every expression skipping
// them splices in (dynamicSql.ts's leadingTrivia, dialect.ts's expression SET, routineDefinitions.ts's definitions,
// plpgsqlPieces.ts's block words,
// ownSession.ts's dump preamble; incrementalTs.ts builds its TS/JS variant from the block comment).
//
// Each piece of trivia is matched one way only, so the expressions stay linear when what follows the trivia does
// not match: a blank is one character, a line comment runs to its newline (or the end of the text), a block
// comment to its first end. A run of blanks (`\s+`), a line comment that may stop anywhere (`--[^\n]*` with no
// newline after it) or a block comment that may run on to a later end (`\/\*[\s\S]*?\*\/`) can each split the
// same text in many ways, and a `(…)*` over them backtracks exponentially on a line of dashes, blank runs or
// several block comments when no statement follows: such expressions hung on real files.
// Nested block comments (PostgreSQL allows them) end at their first `*/` here, as before.

/** A block comment, to its first end. */
export const BLOCK_COMMENT = String.raw`\/\*(?:[^*]|\*+[^*/])*\*+\/`;
/** A SQL line comment with its newline; at the end of the text none (`(?![\s\S])`: the end whatever the flags). */
export const LINE_COMMENT = String.raw`--[^\n]*(?:\n|(?![\s\S]))`;
/** One piece of SQL trivia: a blank character, a line comment or a block comment. */
export const SQL_TRIVIA = String.raw`\s|${LINE_COMMENT}|${BLOCK_COMMENT}`;
/** Any run of SQL trivia (splice it after `^`). */
export const LEADING_SQL_TRIVIA = `(?:${SQL_TRIVIA})*`;

const LEADING = new RegExp(`^${LEADING_SQL_TRIVIA}`);

/** The length of the whitespace and comments that open a text (the statement splitter leaves them before a statement's first word). */
export function leadingTrivia(text: string): number {
  return LEADING.exec(text)![0].length;
}
