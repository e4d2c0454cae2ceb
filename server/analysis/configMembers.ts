// A configuration object a module of the project exports, read member by member (session 53). In test code a single
// connection's place may be taken from the application's configuration module (`host: postgresConfig.options.host`
// after `const { postgresConfig } = require('../server/config')`, where that module writes `host: process.env.POSTGRES_HOST
// || '127.0.0.1'`): in the test's run the module reads the test run's environment, so the member is that environment
// read (ownServerClients.ts judges it as the same read written in the test). Only object literals written out, and
// top-level variables holding one, are walked; a spread in one, a getter, a member given twice, a variable given another
// value, and any write along the member path (an assignment to the member or to an object holding it, `delete`,
// `Object.assign`/`merge`/`set` into one) leave the member unknown.
import ts from 'typescript';
import { unwrap } from './embeddedFlow';
import { hasModifier, walkDescendants } from './astWalk';
import { isCommonJsExports, isModuleExports } from './topLevelFunctions';
import { environmentName } from './environmentReads';

/** Member names of a configuration object that say where a connection goes (`host`, `hostname`, `connectionString`, `url`, `databaseUrl`). */
export const CONFIG_PLACE_MEMBER = /^(?:host(?:name|addr)?|connection_?string|(?:database_?|db_?)?ur[il])$/i;

/** Calls that write into the object they are handed first (`Object.assign(config.db, …)`, lodash's `merge`, `defaultsDeep`, `set`). */
const MUTATOR = /(?:^|\.)(?:assign|merge|mergeWith|defaults|defaultsDeep|extend|set|defineProperty|defineProperties)$/;

/** The member names read from an expression (`x.b.c` → `x`, [b, c]; no computed key), and the expression they are read from. */
export function memberPath(expression: ts.Expression): { base: ts.Expression; path: string[] } {
  const path: string[] = [];
  let current = unwrap(expression);
  while (ts.isPropertyAccessExpression(current)) {
    path.unshift(current.name.text);
    current = unwrap(current.expression);
  }
  return { base: current, path };
}

/** A chain of member reads `a.b.c` (no call, no computed key): its root name and the member names after it. */
export function memberChain(expression: ts.Expression): { root: ts.Identifier; path: string[] } | undefined {
  const { base, path } = memberPath(expression);
  return ts.isIdentifier(base) ? { root: base, path } : undefined;
}

/** Where a walk through a module starts: a value, the member path still to take from it, and the names that hold it (with the path from each). */
interface Start {
  value: ts.Expression;
  path: readonly string[];
  holders: Array<[name: string, path: readonly string[]]>;
  /** The export statements' own targets (`module.exports` of `module.exports = config`): not writes along the path. */
  exempt: Set<ts.Node>;
}

/**
 * The value the module `source` exports at `path`: from its whole CommonJS export (`module.exports = config`; `export
 * default config` for `exportName` 'default'), from a member it exports (`exports.db = …`, `export const db = …`), through
 * object literals written out and top-level variables holding one (`const config = { db: { host: … } }`). Undefined when
 * a step is not such a literal, or when code of the module writes along the path (writesAlong).
 */
export function exportedMember(source: ts.SourceFile, exportName: string | undefined, path: readonly string[]): Member | undefined {
  const start = exportStart(source, exportName, path);
  if (!start) return undefined;
  const found = memberAt(source, start);
  return found !== undefined && !start.holders.some(([name, from]) => writesAlong(source, name, from, start.exempt)) ? found : undefined;
}

/** A member's value, and the object literal written out that holds it (its siblings: the port beside the host). */
export interface Member {
  value: ts.Expression;
  object: ts.ObjectLiteralExpression | undefined;
}

function exportStart(source: ts.SourceFile, exportName: string | undefined, path: readonly string[]): Start | undefined {
  const wholes: ts.BinaryExpression[] = [];
  const members = new Map<string, ts.BinaryExpression[]>();
  const named = new Map<string, ts.VariableDeclaration>();
  let esmDefault: ts.ExportAssignment | undefined;
  for (const statement of source.statements) {
    if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const assignment = statement.expression;
      const left = assignment.left;
      if (isModuleExports(left)) wholes.push(assignment);
      else if (ts.isPropertyAccessExpression(left) && isCommonJsExports(left.expression)) members.set(left.name.text, [...(members.get(left.name.text) ?? []), assignment]);
    } else if (ts.isExportAssignment(statement) && !statement.isExportEquals) esmDefault = statement;
    else if (ts.isVariableStatement(statement) && hasModifier(statement, ts.SyntaxKind.ExportKeyword) && (statement.declarationList.flags & ts.NodeFlags.Const) !== 0) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) named.set(declaration.name.text, declaration);
    }
  }
  const commonJs = (exportsPath: readonly string[], assignment: ts.BinaryExpression, rest: readonly string[]): Start =>
    ({ value: assignment.right, path: rest, holders: [['module', ['exports', ...exportsPath]], ['exports', exportsPath]], exempt: new Set([assignment.left]) });
  const member = (name: string, rest: readonly string[]): Start | undefined => {
    const assigned = members.get(name);
    if (wholes.length === 0 && assigned?.length === 1 && !named.has(name)) return commonJs([name, ...rest], assigned[0], rest);
    const declaration = named.get(name);
    if (wholes.length === 0 && !assigned && declaration?.initializer) return { value: declaration.initializer, path: rest, holders: [[name, rest]], exempt: new Set() };
    return undefined;
  };
  if (exportName === undefined || exportName === 'default') {
    if (wholes.length === 1 && members.size === 0) return commonJs(path, wholes[0], path);
    if (exportName === 'default') return wholes.length === 0 && esmDefault ? { value: esmDefault.expression, path, holders: [], exempt: new Set() } : undefined;
    // `require('./config')` of a module exporting members one by one: the first member named is the export.
    return path.length > 0 ? member(path[0], path.slice(1)) : undefined;
  }
  // `import { db } from './config'` of a CommonJS module whose whole export holds `db`.
  if (wholes.length === 1 && members.size === 0 && named.size === 0) return commonJs([exportName, ...path], wholes[0], [exportName, ...path]);
  return member(exportName, path);
}

/** The value at the start's path, through object literals and the top-level variables holding them (each added to the start's holders). */
function memberAt(source: ts.SourceFile, start: Start): Member | undefined {
  let current = unwrap(start.value);
  let object: ts.ObjectLiteralExpression | undefined;
  let index = 0;
  for (;;) {
    if (ts.isIdentifier(current)) {
      const name = current.text;
      const declaration = topLevelVariable(source, name);
      // A leaf name the module does not declare is a global's value (`undefined`), as written.
      if (!declaration && index === start.path.length) return { value: current, object };
      if (!declaration?.initializer || start.holders.some(([held]) => held === name)) return undefined;
      start.holders.push([name, start.path.slice(index)]);
      current = unwrap(declaration.initializer);
      continue;
    }
    if (index === start.path.length) return { value: current, object };
    if (!ts.isObjectLiteralExpression(current) || current.properties.some(ts.isSpreadAssignment)) return undefined;
    object = current;
    const key = start.path[index];
    const found = current.properties.filter((property) => property.name !== undefined && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) && property.name.text === key);
    if (found.length !== 1) return undefined;
    const property = found[0];
    if (ts.isPropertyAssignment(property)) current = unwrap(property.initializer);
    else if (ts.isShorthandPropertyAssignment(property)) current = property.name;
    else return undefined;
    index++;
  }
}

/** A variable the module declares at its top level (`const config = { … }`, a `let` or `var` too). */
function topLevelVariable(source: ts.SourceFile, name: string): ts.VariableDeclaration | undefined {
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const declaration = statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === name);
    if (declaration) return declaration;
  }
  return undefined;
}

/**
 * Whether code of `source` writes along `path` from the name `root` (the names it holds, `config` → `config.db.host`): an
 * assignment (of any operator) to a read of `root` whose members are a prefix of `path` (the member itself, an object
 * holding it, `root` itself), a `delete`, `++`/`--` of one, a write through a computed key into one (`config.db[key] = …`),
 * or a call that writes into the object it is handed first (`Object.assign(config.db, …)`). `exempt` are the export
 * statements' own targets. Names are matched by their text: a shadowing name counts too, which only refuses more.
 */
export function writesAlong(source: ts.SourceFile, root: string, path: readonly string[], exempt: ReadonlySet<ts.Node> = new Set()): boolean {
  let writes = false;
  walkDescendants(source, (node) => {
    if (writes) return false;
    if (!ts.isIdentifier(node) || node.text !== root || !isValueUse(node)) return true;
    let read: ts.Expression = node;
    let index = 0;
    for (;;) {
      const parent = read.parent;
      if (ts.isPropertyAccessExpression(parent) && parent.expression === read) {
        // Past the path (a member of the leaf) or off it (a sibling member): not a write along it.
        if (index >= path.length || parent.name.text !== path[index]) return true;
        index++;
        read = parent;
      } else if (ts.isParenthesizedExpression(parent) || ts.isNonNullExpression(parent) || ts.isAsExpression(parent)) read = parent;
      else break;
    }
    if (exempt.has(read)) return true;
    writes = isWritten(read);
    return true;
  });
  return writes;
}

/** An identifier used as a value (not a declaration's name, a member's name or a property key). */
function isValueUse(node: ts.Identifier): boolean {
  const parent = node.parent;
  if ((ts.isPropertyAccessExpression(parent) || ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === node) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isBindingElement(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isClassDeclaration(parent)) && parent.name === node) return false;
  return !(ts.isBindingElement(parent) && parent.propertyName === node);
}

/** Whether a read is written: assigned to, deleted, incremented, written through a computed key, or handed first to a call that writes into it. */
function isWritten(read: ts.Expression): boolean {
  const parent = read.parent;
  if (ts.isBinaryExpression(parent) && parent.left === read && parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return true;
  if (ts.isDeleteExpression(parent) || ((ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent))
    && (parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken))) return true;
  if (ts.isElementAccessExpression(parent) && parent.expression === read) return isWritten(parent);
  return ts.isCallExpression(parent) && parent.arguments[0] === read && MUTATOR.test(parent.expression.getText());
}

/** The environment variables the members of an object literal read (configEnvironmentRead): `POSTGRES_PORT` of `port: process.env.POSTGRES_PORT || '5432'`. */
export function memberVariables(object: ts.ObjectLiteralExpression): string[] {
  const variables: string[] = [];
  for (const property of object.properties) {
    const variable = ts.isPropertyAssignment(property) ? configEnvironmentRead(property.initializer) : undefined;
    if (variable !== undefined) variables.push(variable);
  }
  return variables;
}

/**
 * The environment variable a configuration value reads: `process.env.X` (the environment object's member, as
 * environmentReads.ts's environmentName reads it), or that with a string written out as its default (`|| '127.0.0.1'`,
 * `?? 'localhost'`).
 */
export function configEnvironmentRead(value: ts.Expression): string | undefined {
  const read = unwrap(value);
  if (ts.isBinaryExpression(read) && (read.operatorToken.kind === ts.SyntaxKind.BarBarToken || read.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
    return ts.isStringLiteralLike(unwrap(read.right)) ? environmentName(read.left) : undefined;
  }
  return environmentName(read);
}
