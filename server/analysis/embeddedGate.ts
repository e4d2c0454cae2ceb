// Whether a TS/JS file can hold any finding, told from its tokens before it is parsed. Most files of a
// repository send no SQL (components, types, helpers): TypeScript's scanner alone reads them several
// times faster than its parser, and a file none of whose strings holds a word some finding needs is
// not parsed at all. The test only ever lets a file through that the full analysis could flag:
// - every finding on SQL text needs a rule's trigger word (vocabulary.ts) in that text, except a syntax
//   error (a whole statement, in a file importing a PostgreSQL driver or on a PostgreSQL path), a call
//   of a state function (.sql files' index), and the load-balancing rules (any statement: with them on,
//   every file is parsed);
// - the findings on code rather than text need `postgres` (postgres.js clients), `listen`
//   (sql.listen) or both `text` and `name` (a named query config) among the file's words.
// SQL text is made of string and template literals (each literal's own words are tested, cooked and
// raw); when the scanner cannot be sure what is a literal (an unterminated string or template, an
// unknown character) the file goes to the parser.
import ts from 'typescript';
import type { AnalysisOptions } from './types';
import { INTERESTING_STATEMENT } from './vocabulary';
import { moduleDialect, pathIsPostgres } from './embeddedDialect';
import { WHOLE_STATEMENT_START } from './statementStart';

/** Words that only start whole statements, anywhere in a literal (a statement may follow other text in a concatenation or a template). */
const STATEMENT_WORD = new RegExp(WHOLE_STATEMENT_START.source.replace('^\\s*', '\\b'), 'i');
/** Code words that findings on code need (extractor: postgres.js clients, sql.listen, `{ text, name }` configs). */
const CODE_WORDS = new Set(['postgres', 'listen', 'text', 'name']);

const K = ts.SyntaxKind;
const LITERALS = new Set([K.StringLiteral, K.NoSubstitutionTemplateLiteral, K.TemplateHead, K.TemplateMiddle, K.TemplateTail]);
/** Tokens after which `/` divides (an operand ends there); after any other token it opens a regular expression. */
const OPERAND_ENDS = new Set([
  K.Identifier, K.PrivateIdentifier, K.CloseParenToken, K.CloseBracketToken, K.CloseBraceToken, K.NumericLiteral, K.BigIntLiteral,
  K.StringLiteral, K.NoSubstitutionTemplateLiteral, K.TemplateTail, K.RegularExpressionLiteral, K.ThisKeyword, K.SuperKeyword,
  K.NullKeyword, K.TrueKeyword, K.FalseKeyword, K.PlusPlusToken, K.MinusMinusToken,
]);
/** `</div>`: a JSX closing tag, not a regular expression. */
const BEFORE_CLOSING_TAG = K.LessThanToken;

const scanner = ts.createScanner(ts.ScriptTarget.Latest, true);

interface Needs {
  /** The path names PostgreSQL: a statement in it may get a syntax error whatever it imports. */
  postgresPath: boolean;
  /** Names of state functions a literal may call. */
  stateFunctions?: RegExp;
}

/** Whether the analysis of `text` could report anything with these options; false only when it surely cannot. */
export function mayHoldFindings(text: string, fileName: string | undefined, options: AnalysisOptions): boolean {
  // The load-balancing rules read every statement's tables: no word tells them apart.
  if (options.loadBalancing) return true;
  const names = options.stateFunctions && options.stateFunctions.size > 0 ? [...options.stateFunctions.keys()] : [];
  const needs: Needs = {
    postgresPath: pathIsPostgres(fileName),
    stateFunctions: names.length > 0 ? new RegExp(names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i') : undefined,
  };
  scanner.setLanguageVariant(fileName && /\.[jt]sx$/i.test(fileName) ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard);
  scanner.setText(text);
  try {
    return scanTokens(needs);
  } finally {
    scanner.setText('');
  }
}

function scanTokens(needs: Needs): boolean {
  /** Per open brace: whether it closes a template hole (`${ … }`) rather than a block or object. */
  const braces: boolean[] = [];
  const codeWords = new Set<string>();
  let postgresFile = needs.postgresPath;
  let statementWords = false;
  let previous = K.Unknown;
  for (let token = scanner.scan(); token !== K.EndOfFileToken; token = scanner.scan()) {
    if ((token === K.SlashToken || token === K.SlashEqualsToken) && !OPERAND_ENDS.has(previous) && previous !== BEFORE_CLOSING_TAG) token = scanner.reScanSlashToken();
    else if (token === K.OpenBraceToken) braces.push(false);
    else if (token === K.TemplateHead) braces.push(true);
    else if (token === K.CloseBraceToken && braces.pop() === true) {
      token = scanner.reScanTemplateToken(false);
      if (token === K.TemplateMiddle) braces.push(true);
    }
    if (token === K.Unknown || scanner.isUnterminated()) return true;
    if (LITERALS.has(token)) {
      const raw = scanner.getTokenText();
      const cooked = scanner.getTokenValue();
      const holds = (pattern: RegExp): boolean => pattern.test(cooked) || (raw.includes('\\') && pattern.test(raw));
      if (holds(INTERESTING_STATEMENT) || (needs.stateFunctions && holds(needs.stateFunctions))) return true;
      if (moduleDialect(cooked) === 'postgres') postgresFile = true;
      if (!statementWords && holds(STATEMENT_WORD)) statementWords = true;
      if (cooked === 'postgres' || cooked === 'text' || cooked === 'name') codeWords.add(cooked);
      if (postgresFile && statementWords) return true;
    } else if (token === K.Identifier && CODE_WORDS.has(scanner.getTokenValue())) {
      codeWords.add(scanner.getTokenValue());
    }
    previous = token;
  }
  return codeWords.has('postgres') || codeWords.has('listen') || (codeWords.has('text') && codeWords.has('name'));
}
