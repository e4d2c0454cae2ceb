// A postgres.js client handed to a function of the project (`await runMigrations(sql)`) prepares nothing there
// when that function only ever sends text through it with `unsafe(text)` (postgres.js' `unsafe` does not
// prepare unless asked) or ends it. The function is one of the file's own, or one a relative or aliased import
// names (read from disk, bounded, cached briefly); anything else done with the parameter — a tag, unsafe()
// asking to prepare, passing it on, storing it — may prepare, and the answer is false.
import ts from 'typescript';
import { resolve } from 'node:path';
import { importedNames } from './ownServerHelpers';
import { resolveModule } from './moduleResolution';
import { boundedText } from './folderEntries';
import { TimedCache } from './timedCache';
import { objectProperty } from './embeddedFlow';

const MAX_FILE_BYTES = 512 * 1024;
const CACHE_MS = 10_000;
const parsedFiles = new TimedCache<ts.SourceFile | undefined>(CACHE_MS, 64);

/** Whether `id` is an argument of a call to a project function that only sends unprepared text through it. */
export function isPassedToUnsafeOnlyFunction(id: ts.Identifier): boolean {
  const call = id.parent;
  if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression)) return false;
  const index = call.arguments.indexOf(id);
  if (index < 0) return false;
  const target = functionNamed(call.expression.text, id.getSourceFile());
  const parameter = target?.parameters[index];
  return parameter !== undefined && ts.isIdentifier(parameter.name) && target?.body !== undefined && usesOnlyUnsafe(parameter.name.text, target.body);
}

type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;

/** The file's own top-level function of that name, or the one an import of it names. */
function functionNamed(name: string, source: ts.SourceFile): FunctionLike | undefined {
  const own = topLevelFunction(source, name, false);
  if (own) return own;
  const imported = importedNames(source).get(name);
  if (!imported || imported.name === 'default') return undefined;
  const file = resolveModule(resolve(source.fileName), imported.specifier);
  if (!file) return undefined;
  const other = parsedFiles.get(file, () => {
    const text = boundedText(file, MAX_FILE_BYTES);
    return text === undefined ? undefined : ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  });
  return other && topLevelFunction(other, imported.name, true);
}

function topLevelFunction(source: ts.SourceFile, name: string, exported: boolean): FunctionLike | undefined {
  for (const statement of source.statements) {
    const isExported = ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (exported && !isExported) continue;
    if (ts.isFunctionDeclaration(statement) && statement.name?.text === name) return statement;
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const value = declaration.initializer;
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name && value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value))) return value;
    }
  }
  return undefined;
}

/** Every use of `name` in the body is `name.unsafe(text)` (not asking to prepare) or `name.end()`; at least one. */
function usesOnlyUnsafe(name: string, body: ts.Node): boolean {
  let uses = 0;
  let safe = true;
  const visit = (node: ts.Node): void => {
    if (!safe) return;
    if (ts.isIdentifier(node) && node.text === name && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) {
      uses++;
      if (!isUnsafeOrEnd(node)) safe = false;
    }
    node.forEachChild(visit);
  };
  visit(body);
  return safe && uses > 0;
}

function isUnsafeOrEnd(id: ts.Identifier): boolean {
  const access = id.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== id || !ts.isCallExpression(access.parent) || access.parent.expression !== access) return false;
  const call = access.parent;
  if (access.name.text === 'end') return true;
  if (access.name.text !== 'unsafe' || call.arguments.some(ts.isSpreadElement)) return false;
  const options = call.arguments.find((a, i) => i > 0 && ts.isObjectLiteralExpression(a)) as ts.ObjectLiteralExpression | undefined;
  const prepare = options && objectProperty(options, 'prepare');
  return prepare === undefined || prepare.kind === ts.SyntaxKind.FalseKeyword;
}
