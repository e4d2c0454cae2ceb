// Whether a piece of code runs at most once per run of the process: a seed or maintenance script's one transaction
// (drizzleDatabaseUses.ts: drizzle on postgres.js names a transaction's `commit`, and a commit sent once per run of a
// client never comes back on another server connection — protocol-prepared-statement's one-off reading).
//
// Read from the code around it: no loop between the code and its file's top level (a loop's header runs once), and
// each function in between either runs once where it is written (an IIFE, a `.then`/`.catch`/`.finally` or `new
// Promise` callback) or is a top-level function every call of which runs once per run in turn, in its file and — when
// it is exported — in each file of the project that imports it. A call inside a CommonJS entry guard (`if
// (require.main === module)`) runs only while its file is the process's main module, so such calls in two files
// never both run; any other pair of calls may. An exported function no file imports is for callers to come (a
// library's), unless its own file is a script with an entry guard. Anything else — the function passed as a value,
// re-exported, imported as a namespace or loaded with require/import() — may run any number of times.
import ts from 'typescript';
import { resolve } from 'node:path';
import { hasModifier, walkDescendants } from './astWalk';
import { isLoop } from './embeddedFlow';
import { resolveModule } from './moduleResolution';
import { importedNames } from './ownServerHelpers';
import { parsedModule } from './parsedModules';
import { functionName, inLoopHeader, inlineOnceCaller } from './postgresJsOneShot';
import { isReference } from './postgresJsUses';
import { importersOf, specifiersIn } from './projectImporters';
import { isExportedTopLevel, topLevelStatement } from './topLevelFunctions';

/** How many callers deep a function's calls are followed. */
const MAX_DEPTH = 4;

/**
 * How code runs at most once per run: `entryFiles` holds the files whose entry guard it runs under — only while one of
 * them is the main module, and then once; undefined when it runs once in any run that loads its file.
 */
interface OnceRun { entryFiles?: ReadonlySet<string> }

/** Whether `node` is evaluated at most once per run of the process (see the file comment). */
export function runsOncePerRun(node: ts.Node): boolean {
  return onceRun(node, 0) !== undefined;
}

function onceRun(node: ts.Node, depth: number): OnceRun | undefined {
  const file = resolve(node.getSourceFile().fileName); // the linted file may be named relative to where the CLI runs
  let guarded = false;
  let child: ts.Node = node;
  for (let current: ts.Node = node.parent; current; child = current, current = current.parent) {
    if (isLoop(current) && !inLoopHeader(current, child)) return undefined;
    if (ts.isIfStatement(current) && current.thenStatement === child && isEntryGuard(current.expression)) guarded = true;
    if (ts.isSourceFile(current)) break;
    if (!ts.isFunctionLike(current)) continue;
    const inline = inlineOnceCaller(current);
    if (inline) {
      current = inline;
      continue;
    }
    const callers = functionRuns(current, depth);
    if (!callers) return undefined;
    return guarded ? { entryFiles: new Set([file]) } : callers;
  }
  return guarded ? { entryFiles: new Set([file]) } : {};
}

/** `require.main === module` (either side, `==` too). */
function isEntryGuard(condition: ts.Expression): boolean {
  if (!ts.isBinaryExpression(condition)) return false;
  const operator = condition.operatorToken.kind;
  if (operator !== ts.SyntaxKind.EqualsEqualsEqualsToken && operator !== ts.SyntaxKind.EqualsEqualsToken) return false;
  const sides = [condition.left.getText(), condition.right.getText()].sort();
  return sides[0] === 'module' && sides[1] === 'require.main';
}

/** How a top-level function runs at most once per run: every call of it, here and in importers, does (combined). */
function functionRuns(fn: ts.SignatureDeclaration, depth: number): OnceRun | undefined {
  const name = functionName(fn);
  const source = fn.getSourceFile();
  if (name === undefined || depth >= MAX_DEPTH || !topLevelStatement(fn)) return undefined;
  const sites: OnceRun[] = [];
  const exported = new Set<string>();
  if (isExportedTopLevel(fn)) exported.add(hasModifier(fn, ts.SyntaxKind.DefaultKeyword) ? 'default' : name);
  if (!callsOf(source, name, depth, sites, exported)) return undefined;
  if (exported.size > 0) {
    const file = resolve(source.fileName);
    const importers = importersOf(file);
    if (importers === undefined || (importers.length === 0 && !hasEntryGuard(source))) return undefined;
    for (const importer of importers) if (!importerCalls(importer, file, exported, depth, sites)) return undefined;
  }
  return combined(sites);
}

/**
 * Every mention of `name` in `source` is a call that runs once per run (added to `sites`) or an export of it (its
 * exported name added to `exported`); false at the first other use.
 */
function callsOf(source: ts.SourceFile, name: string, depth: number, sites: OnceRun[], exported: Set<string>): boolean {
  let known = true;
  walkDescendants(source, (node) => {
    if (!ts.isIdentifier(node) || node.text !== name || !isReference(node) || isDeclaredName(node)) return;
    const parent = node.parent;
    if (ts.isExportAssignment(parent) && !parent.isExportEquals) exported.add('default');
    else if (ts.isExportSpecifier(parent) && !parent.parent.parent.moduleSpecifier) exported.add(parent.name.text);
    else if (ts.isCallExpression(parent) && parent.expression === node) {
      const run = onceRun(parent, depth + 1);
      if (run) sites.push(run);
      else known = false;
    } else known = false;
  }, () => !known);
  return known;
}

/**
 * The calls one importer makes of the exports: each name it imports them under is only called, and each call runs
 * once per run. A namespace import, a re-export or a load by require/import() is not followed.
 */
function importerCalls(importer: string, file: string, exported: ReadonlySet<string>, depth: number, sites: OnceRun[]): boolean {
  const source = parsedModule(importer);
  if (!source) return false;
  const named = new Set<string>();
  for (const statement of source.statements) {
    const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier
      && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
    if (specifier === undefined || resolveModule(importer, specifier) !== file) continue;
    named.add(specifier);
    const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
    if (ts.isExportDeclaration(statement) || (bindings && ts.isNamespaceImport(bindings))) return false;
  }
  if (specifiersIn(source.text).some((specifier) => !named.has(specifier) && resolveModule(importer, specifier) === file)) return false;
  for (const [local, imported] of importedNames(source)) {
    if (!exported.has(imported.name) || resolveModule(importer, imported.specifier) !== file) continue;
    // Exported again (`export { seed }`, `export default seed`): passed on to files not followed here.
    const passedOn = new Set<string>();
    if (!callsOf(source, local, depth, sites, passedOn) || passedOn.size > 0) return false;
  }
  return true;
}

/** One run each: a single site, or sites each under the entry guard of a different file (only one file is the main module). */
function combined(sites: readonly OnceRun[]): OnceRun | undefined {
  if (sites.length === 1) return sites[0];
  const files = new Set<string>();
  for (const site of sites) {
    if (site.entryFiles === undefined) return undefined;
    for (const file of site.entryFiles) {
      if (files.has(file)) return undefined;
      files.add(file);
    }
  }
  return files.size > 0 ? { entryFiles: files } : undefined;
}

/** Whether the file is a script that runs itself when it is the main module: a top-level `if (require.main === module)`. */
export function hasEntryGuard(source: ts.SourceFile): boolean {
  return source.statements.some((statement) => ts.isIfStatement(statement) && isEntryGuard(statement.expression));
}

/** The name a declaration gives (a function's, a variable's, a parameter's, an import's): not a mention. */
function isDeclaredName(id: ts.Identifier): boolean {
  const parent = id.parent;
  return ((ts.isFunctionDeclaration(parent) || ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isImportSpecifier(parent)
    || ts.isImportClause(parent) || ts.isBindingElement(parent)) && parent.name === id) || (ts.isImportSpecifier(parent) && parent.propertyName === id);
}
