// Cross-file facts: functions of other modules of the project that send one of their parameters as a query's
// text (`export const run = (client, sql) => client.query(sql)`, `exports.exec = function (sql) { return
// pool.query(sql) }`, a method of the object or class instance a module exports). A file calling one
// (`import { run } from './db'`, `const db = require('./db'); db.exec(…)`) sends its text: the TS/JS analysis
// reads that argument as a query's, as it does for a helper of its own file. The module is found as
// ownServerHelpers finds its helpers (moduleResolution.ts: a relative path, a tsconfig alias, a workspace
// package), read from disk by parsedModules.ts (bounded in size, cached by modification time), so the CLI and the editor, which
// both analyse one file at a time, decide the same way. Only what a function does with its parameters is
// taken from the other file: its text stays where the caller writes it.
import ts from 'typescript';
import { Flow, unwrap } from './embeddedFlow';
import { resolveModule } from './moduleResolution';
import { TimedCache } from './timedCache';
import { ModuleFacts } from './parsedModules';

/** What a helper of another module does with its parameters: which one is sent as text, and which one it is sent through. */
export interface ForwardedText {
  textIndex: number;
  receiverIndex?: number;
  sendsCallersName: boolean;
}

/** Reads what a function does with its parameters, with the module's own flow (embedded.ts's queryHelper). */
export type Summarise = (fn: ts.FunctionLikeDeclaration, flow: Flow) => ForwardedText | undefined;

const RESOLVED_MS = 2_000;
/** A module without a query call sends nothing of its callers: most are never parsed. */
const SENDS_QUERIES = /\.\s*(?:query|querySync|execute|unsafe|raw)\s*\(/;

/** A module that sends queries (parsedModules.ts's read), its flow, and its verdict per exported name. */
interface HelperModule {
  source: ts.SourceFile;
  flow: Flow;
  helpers: Map<string, ForwardedText | null>;
}

const helperModules = new ModuleFacts<HelperModule | undefined>((read) => (SENDS_QUERIES.test(read.text) ? { source: read.source, flow: new Flow(read.source), helpers: new Map() } : undefined));
const resolved = new TimedCache<string | undefined>(RESOLVED_MS, 1024);

/** The helper `exported` of the module `specifier` names, seen from `importer`, if it forwards a parameter to a query call. */
export function importedQueryHelper(importer: string, specifier: string, exported: string, summarise: Summarise): ForwardedText | undefined {
  const path = projectModulePath(importer, specifier);
  if (!path || path === importer) return undefined;
  const facts = helperModules.of(path);
  if (!facts) return undefined;
  let helper = facts.helpers.get(exported);
  if (helper === undefined) {
    const fn = exportedFunction(facts.source, exported);
    helper = (fn && summarise(fn, facts.flow)) ?? null;
    facts.helpers.set(exported, helper);
  }
  return helper ?? undefined;
}

/** The file a module specifier of `importer` names (moduleResolution.ts), cached a short while per folder and specifier. */
export function projectModulePath(importer: string, specifier: string): string | undefined {
  const importerFolder = importer.replace(/[^/\\]*$/, '');
  return resolved.get(`${importerFolder}\u0000${specifier}`, () => resolveModule(importer, specifier));
}

type FunctionWithBody = ts.FunctionLikeDeclaration;

/**
 * The function a module exports under `name` (`default` for its default export): a top-level function or a const
 * bound to one, `exports.name = …`, `module.exports.name = …`, a method or property of the object literal given
 * to `module.exports`/`export default`, or a method of the class whose instance is exported that way
 * (`module.exports = new Db()`).
 */
function exportedFunction(source: ts.SourceFile, name: string): FunctionWithBody | undefined {
  const topLevel = new Map<string, FunctionWithBody>();
  const classes = new Map<string, ts.ClassDeclaration>();
  let exportedValue: ts.Expression | undefined;
  let found: FunctionWithBody | undefined;
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.body) {
      const isDefault = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword) ?? false;
      if (statement.name) topLevel.set(statement.name.text, statement);
      if (isDefault && name === 'default') found = statement;
    } else if (ts.isClassDeclaration(statement) && statement.name) {
      classes.set(statement.name.text, statement);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const value = declaration.initializer && unwrap(declaration.initializer);
        if (ts.isIdentifier(declaration.name) && value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value))) topLevel.set(declaration.name.text, value);
      }
    } else if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      exportedValue = statement.expression;
    } else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const { left, right } = statement.expression;
      if (isModuleExports(left)) exportedValue = right;
      else if (ts.isPropertyAccessExpression(left) && left.name.text === name && (isModuleExports(left.expression) || (ts.isIdentifier(left.expression) && left.expression.text === 'exports'))) {
        found = asFunction(right, topLevel) ?? found;
      }
    }
  }
  if (found) return found;
  const value = exportedValue && unwrap(exportedValue);
  if (value && name === 'default') return asFunction(value, topLevel);
  if (value && ts.isObjectLiteralExpression(value)) {
    for (const property of value.properties) {
      if (!property.name || !ts.isIdentifier(property.name) || property.name.text !== name) continue;
      if (ts.isMethodDeclaration(property) && property.body) return property;
      if (ts.isPropertyAssignment(property)) return asFunction(property.initializer, topLevel);
      if (ts.isShorthandPropertyAssignment(property)) return topLevel.get(name);
    }
  }
  if (value && ts.isNewExpression(value) && ts.isIdentifier(value.expression)) {
    const member = classes.get(value.expression.text)?.members.find((m) => ts.isMethodDeclaration(m) && m.name && ts.isIdentifier(m.name) && m.name.text === name);
    if (member && ts.isMethodDeclaration(member) && member.body) return member;
  }
  // An ES module's named export: `export function name`, `export const name = …` (or a top-level one re-exported by name).
  return topLevel.get(name);
}

function asFunction(value: ts.Expression, topLevel: Map<string, FunctionWithBody>): FunctionWithBody | undefined {
  const unwrapped = unwrap(value);
  if (ts.isArrowFunction(unwrapped) || ts.isFunctionExpression(unwrapped)) return unwrapped;
  return ts.isIdentifier(unwrapped) ? topLevel.get(unwrapped.text) : undefined;
}

function isModuleExports(node: ts.Expression): boolean {
  return ts.isPropertyAccessExpression(node) && node.name.text === 'exports' && ts.isIdentifier(node.expression) && node.expression.text === 'module';
}
