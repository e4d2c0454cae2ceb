// Whether a TS/JS file can hold any finding, told from its tokens before it is parsed. Most files of a
// repository send no SQL (components, types, helpers): TypeScript's scanner alone reads them several
// times faster than its parser, and a file none of whose strings holds a word some finding needs is
// not parsed at all. The test only ever lets a file through that the full analysis could flag:
// - every finding on SQL text needs a rule's trigger word (vocabulary.ts) in that text, except a syntax
//   error (a whole statement, in a file importing a PostgreSQL driver or on a PostgreSQL path), a call
//   of a state function (.sql files' index), and the load-balancing rules (any statement: with them on,
//   every file is parsed);
// - the findings on code rather than text need one of codeWords.ts's words among the file's words, except a
//   subscription on an emitter a helper is handed, in a package that depends on pg-ipc (listenLibraries.ts), and a
//   call of postgres.js's factory that a module of the project hands on under a name of its own (`import { makeDb }
//   from './db'`): the workspace's modules that may hand it on are known from the one read of its scripts
//   (postgresJsModules.ts), and only a file naming one of them in a specifier has that module's exports read; and a
//   lock call of an advisory-lock mutex whose factory a module of the project makes (`createMutex('cron').tryLock()`
//   on `import { createMutex } from './data'`): a file whose text holds such a call (codeWords.ts's MUTEX_LOCK_CALL);
//   and a file whose text runs `prisma migrate deploy` (prismaMigrate.ts) or names node-pg-migrate (nodePgMigrateCli.ts),
//   which may start its CLI through child_process.
// SQL text is made of string and template literals (each literal's own words are tested, cooked and
// raw); when the scanner cannot be sure what is a literal (an unterminated string or template, an
// unknown character) the file goes to the parser. Before the scan, the raw text (textRulesOut): a file
// without a backslash whose whole text holds none of those words cannot hold them in a literal either.
import ts from 'typescript';
import type { AnalysisOptions } from './types';
import { FINDING_WORDS } from './vocabulary';
import { moduleDialect, pathIsPostgres, POSTGRES_MODULE_IN_TEXT } from './embeddedDialect';
import { WHOLE_STATEMENT_START } from './statementStart';
import { CODE_WORDS, EMITTER_SUBSCRIBE_METHODS, PG_IPC_MODULES, PREPARED_STATEMENT_FACTORY, PREPARED_STATEMENT_WORD, codeMayHoldFindings, mayCallMutexLock } from './codeWords';
import { owningPackage, packageDependencies } from './moduleResolution';
import { mayRunMigrateDeploy } from './prismaMigrate';
import { mayRunNodePgMigrate } from './nodePgMigrateCli';
import { ownDriverPackage } from './driverStatements';
import { escapeRegExp } from './regexText';
import { indexedRoutineNames } from './routineDefinitions';
import { DENO_LAND_PACKAGE_IN_TEXT, denoLandPackage, packageSpecifier } from './packageSpecifiers';
import { lastSegment, namesOf, specifiersIn } from './projectImporters';
import { projectModulePath } from './moduleResolution';
import { resolve } from 'node:path';
import { handedOnDriverNames } from './importedPostgresJsClients';
import { isGraphileWorkerPresetFile } from './graphileWorkerPresets';

/** Words that only start whole statements, anywhere in a literal (a statement may follow other text in a concatenation or a template). */
const STATEMENT_WORD = new RegExp(WHOLE_STATEMENT_START.source.replace('^\\s*', '\\b'), 'i');

// Token kinds read once: ts.SyntaxKind is a large object in dictionary mode, slow to look up per token.
const K = ts.SyntaxKind;
const END = K.EndOfFileToken;
const UNKNOWN = K.Unknown;
const IDENTIFIER = K.Identifier;
const SLASH = K.SlashToken;
const SLASH_EQUALS = K.SlashEqualsToken;
const OPEN_BRACE = K.OpenBraceToken;
const CLOSE_BRACE = K.CloseBraceToken;
const TEMPLATE_HEAD = K.TemplateHead;
const TEMPLATE_MIDDLE = K.TemplateMiddle;
/** `</div>`: a JSX closing tag, not a regular expression. */
const BEFORE_CLOSING_TAG = K.LessThanToken;
/** Per token kind, whether it is a string or template literal (an array: read for every token of every file). */
const LITERALS: readonly boolean[] = kindTable([K.StringLiteral, K.NoSubstitutionTemplateLiteral, K.TemplateHead, K.TemplateMiddle, K.TemplateTail]);
/** Tokens after which `/` divides (an operand ends there); after any other token it opens a regular expression. */
const OPERAND_ENDS: readonly boolean[] = kindTable([
  K.Identifier, K.PrivateIdentifier, K.CloseParenToken, K.CloseBracketToken, K.CloseBraceToken, K.NumericLiteral, K.BigIntLiteral,
  K.StringLiteral, K.NoSubstitutionTemplateLiteral, K.TemplateTail, K.RegularExpressionLiteral, K.ThisKeyword, K.SuperKeyword,
  K.NullKeyword, K.TrueKeyword, K.FalseKeyword, K.PlusPlusToken, K.MinusMinusToken,
]);
/** The shortest identifier PREPARED_STATEMENT_FACTORY can match: shorter ones (most) are not tested. */
const FACTORY_MIN_LENGTH = PREPARED_STATEMENT_WORD.length;

function kindTable(kinds: readonly number[]): boolean[] {
  const table = new Array<boolean>(K.Count).fill(false);
  for (const kind of kinds) table[kind] = true;
  return table;
}

const scanner = ts.createScanner(ts.ScriptTarget.Latest, true);

interface Needs {
  /** The path names PostgreSQL: a statement in it may get a syntax error whatever it imports. */
  postgresPath: boolean;
  /** Names of state functions a literal may call. */
  stateFunctions?: RegExp;
  /** The driver whose own package the file is in: its name counts as written (its relative imports are the driver). */
  ownDriver?: string;
}

/** Whether the analysis of `text` could report anything with these options; false only when it surely cannot. */
export function mayHoldFindings(text: string, fileName: string | undefined, options: AnalysisOptions): boolean {
  // The load-balancing rules read every statement's tables: no word tells them apart.
  if (options.loadBalancing) return true;
  // graphile-worker's preset file names no module: its options are what the runner connects with (graphileWorkerPresets.ts).
  if (isGraphileWorkerPresetFile(fileName)) return true;
  const needs: Needs = {
    postgresPath: pathIsPostgres(fileName),
    stateFunctions: options.stateFunctions && stateFunctionNames(options.stateFunctions),
    ownDriver: ownDriverPackage(fileName),
  };
  if (textRulesOut(text, needs)) return mayBeIpcHelper(text, fileName) || importsHandedOnDriver(text, fileName, options.postgresJsModules) || mayCallMutexLock(text) || mayRunMigrateDeploy(text) || mayRunNodePgMigrate(text);
  scanner.setLanguageVariant(fileName && /\.[jt]sx$/i.test(fileName) ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard);
  scanner.setText(text);
  let found: boolean;
  try {
    found = scanTokens(needs);
  } finally {
    scanner.setText('');
  }
  return found || mayBeIpcHelper(text, fileName) || importsHandedOnDriver(text, fileName, options.postgresJsModules) || mayCallMutexLock(text) || mayRunMigrateDeploy(text) || mayRunNodePgMigrate(text);
}

/**
 * A file naming, in a specifier, a module of the workspace that hands on postgres.js's factory, and holding a name it
 * exports it under (any name for a default export): a call of it makes a client with none of the code words. Most
 * workspaces have no candidate module, and a file's specifiers are resolved only when their last segment names one.
 */
function importsHandedOnDriver(text: string, fileName: string | undefined, modules: ReadonlySet<string> | undefined): boolean {
  if (!fileName || !modules || modules.size === 0) return false;
  const names = candidateNames(modules);
  for (const specifier of specifiersIn(text)) {
    if (!names.has(lastSegment(specifier))) continue;
    const path = projectModulePath(resolve(fileName), specifier);
    if (path === undefined || !modules.has(path)) continue;
    for (const name of handedOnDriverNames(path)) if (name === 'default' || new RegExp(String.raw`(?<![\w$])${escapeRegExp(name)}(?![\w$])`).test(text)) return true;
  }
  return false;
}

/** Per set of candidate modules (one per workspace read), the last segments a specifier naming one of them ends in. */
const CANDIDATE_NAMES = new WeakMap<ReadonlySet<string>, ReadonlySet<string>>();

function candidateNames(modules: ReadonlySet<string>): ReadonlySet<string> {
  let names = CANDIDATE_NAMES.get(modules);
  if (!names) CANDIDATE_NAMES.set(modules, (names = new Set([...modules].flatMap((module) => [...namesOf(module)]))));
  return names;
}

/** A listener added to an emitter (`emitter.addListener(name, fn)`, `.on(…)`): on a pg-ipc emitter a helper is handed, a LISTEN. */
const EMITTER_SUBSCRIBE = new RegExp(String.raw`\.\s*(?:${EMITTER_SUBSCRIBE_METHODS.map(escapeRegExp).join('|')})\s*\(`);

/**
 * A file that subscribes on an emitter, in a package that depends on pg-ipc (or postgres-ipc), or is one: the emitter may
 * be one another module hands it, or the package's own (`require('.')`; listenLibraries.ts), with none of the code words
 * in this file.
 */
function mayBeIpcHelper(text: string, fileName: string | undefined): boolean {
  if (!fileName || !EMITTER_SUBSCRIBE.test(text)) return false;
  const dependencies = packageDependencies(fileName);
  const owner = owningPackage(fileName)?.name;
  return PG_IPC_MODULES.some((module) => dependencies.has(module) || owner === module);
}

/**
 * Whether the raw text alone shows that the token scan would find nothing (most files: one pass of a few regular
 * expressions instead of the scanner over every token). Each literal's cooked text is a piece of the raw text when the
 * file holds no backslash (no escape, no line continuation), and each identifier is too; so a word no literal or
 * identifier can hold unless the whole text holds it: no finding word, no state function's name, no statement word in
 * a file that may be PostgreSQL's, and code words that make no code finding. A file with a backslash is scanned.
 */
function textRulesOut(text: string, needs: Needs): boolean {
  if (text.includes('\\') || literalNeedsAnalysis(text, needs)) return false;
  if ((needs.postgresPath || POSTGRES_MODULE_IN_TEXT.test(text)) && STATEMENT_WORD.test(text)) return false;
  const words = new Set<string>(needs.ownDriver ? [needs.ownDriver] : []);
  for (const match of text.matchAll(CODE_WORD_IN_TEXT)) words.add(match[0].endsWith(FACTORY_ENDING) ? PREPARED_STATEMENT_WORD : match[0]);
  // A deno.land/x module is its npm or JSR package (`deno.land/x/postgresjs` is `postgres`), as scanTokens reads its literal.
  for (const match of text.matchAll(DENO_LAND_PACKAGE_IN_TEXT)) {
    const npmName = denoLandPackage(match[1]);
    if (npmName && CODE_WORDS.has(npmName)) words.add(npmName);
    if (npmName && moduleDialect(npmName) === 'postgres' && STATEMENT_WORD.test(text)) return false;
  }
  return !codeMayHoldFindings(words);
}

/**
 * The code words standing alone in a text (not inside a longer identifier: an identifier or a literal equal to one
 * is), and every end of an identifier PREPARED_STATEMENT_FACTORY matches (its word without the capital, which the
 * factory's name may or may not have).
 */
const FACTORY_ENDING = PREPARED_STATEMENT_WORD.slice(1);
// `/` escaped too (a module path among the words, `drizzle-orm/postgres-js`): the pattern's text is also read as a literal.
// The leading `\b` changes no match (every code word starts with a word character, so the lookbehind implies it) but
// lets the engine skip to word starts instead of trying the lookbehind at every character, as FINDING_WORDS does
// (vocabulary.ts; this pattern over bench/lint.mjs's tree: 1.4× faster).
const CODE_WORD_IN_TEXT = new RegExp(String.raw`\b(?<![\w$])(?:${[...CODE_WORDS].map((word) => escapeRegExp(word).replace(/\//g, '\\/')).join('|')})(?!\w)|${FACTORY_ENDING}`, 'g');

/** The names of an index's state functions as one pattern, made once per index (a run lints every file with the same one). */
const STATE_FUNCTION_NAMES = new WeakMap<ReadonlyMap<string, unknown>, RegExp | undefined>();

function stateFunctionNames(index: ReadonlyMap<string, unknown>): RegExp | undefined {
  if (!STATE_FUNCTION_NAMES.has(index)) STATE_FUNCTION_NAMES.set(index, index.size > 0 ? new RegExp(indexedRoutineNames(index.keys()).map(escapeRegExp).join('|'), 'i') : undefined);
  return STATE_FUNCTION_NAMES.get(index);
}

function scanTokens(needs: Needs): boolean {
  /** Per open brace: whether it closes a template hole (`${ … }`) rather than a block or object. */
  const braces: boolean[] = [];
  const codeWords = new Set<string>(needs.ownDriver ? [needs.ownDriver] : []);
  let postgresFile = needs.postgresPath;
  let statementWords = false;
  let previous: number = UNKNOWN;
  for (let token: number = scanner.scan(); token !== END; token = scanner.scan()) {
    if ((token === SLASH || token === SLASH_EQUALS) && !OPERAND_ENDS[previous] && previous !== BEFORE_CLOSING_TAG) token = scanner.reScanSlashToken();
    else if (token === OPEN_BRACE) braces.push(false);
    else if (token === TEMPLATE_HEAD) braces.push(true);
    else if (token === CLOSE_BRACE && braces.pop() === true) {
      token = scanner.reScanTemplateToken(false);
      if (token === TEMPLATE_MIDDLE) braces.push(true);
    }
    if (token === UNKNOWN || scanner.isUnterminated()) return true;
    if (LITERALS[token]) {
      const cooked = scanner.getTokenValue();
      if (literalNeedsAnalysis(cooked, needs)) return true;
      // A module's name is read however it is written (Deno's `npm:pg@8`, `jsr:@db/postgres`, an esm.sh or deno.land URL).
      const specifier = packageSpecifier(cooked);
      if (!postgresFile && moduleDialect(specifier) === 'postgres') postgresFile = true;
      if (!statementWords && STATEMENT_WORD.test(cooked)) statementWords = true;
      if (CODE_WORDS.has(specifier)) codeWords.add(specifier);
      if (postgresFile && statementWords) return true;
      // Escapes (`\x53ET`) are read cooked above; their raw text is tested too, as the analysis may keep it.
      const raw = cooked.length > 0 && scanner.getTokenText();
      if (raw && raw.includes('\\') && (literalNeedsAnalysis(raw, needs) || (postgresFile && STATEMENT_WORD.test(raw)))) return true;
    } else if (token === IDENTIFIER) {
      const word = scanner.getTokenValue();
      if (CODE_WORDS.has(word)) codeWords.add(word);
      else if (word.length >= FACTORY_MIN_LENGTH && PREPARED_STATEMENT_FACTORY.test(word)) codeWords.add(PREPARED_STATEMENT_WORD);
    }
    previous = token;
  }
  return codeMayHoldFindings(codeWords);
}

function literalNeedsAnalysis(text: string, needs: Needs): boolean {
  return FINDING_WORDS.test(text) || (needs.stateFunctions !== undefined && needs.stateFunctions.test(text));
}
