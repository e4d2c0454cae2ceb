// Test-runner fixtures and declared types that say a value is a server the code started itself.
//
// Fixtures (vitest's `test.extend({ … })`, Playwright's alike): a fixture is a property of the object given to an
// `.extend(…)` call, written as a function `async ({ other }, use) => { …; await use(value); … }` (or as `[fn, {
// scope }]`, or as a plain value). A fixture function, and a test callback (`it('name', async ({ db }) => …)`), names
// the fixtures it wants by destructuring its first parameter: the value it gets for `db` is what the fixture `db`
// hands to `use`. ownServerClients.ts judges that value in the file that defines the fixture (this file, or a module of
// the repository it imports, through up to two re-exporting modules).
//
// Declared types: a variable or parameter declared with a type a module starting its own server exports
// (`let container: StartedPostgreSqlContainer`, `db: PGlite`, `Promise<StartedPostgreSqlContainer>`) can hold
// nothing else: TypeScript says what it is, however it is filled in later.
import ts from 'typescript';
import { nonNullishMembers } from './astWalk';
import { unwrap } from './embeddedFlow';
import { OWN_SERVER_MODULE } from './ownServerHelpers';

/** The property keys a fixture name is written as (`db`, `'db'`). */
function keyText(name: ts.PropertyName | ts.BindingName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

/** `.extend({ … })`'s object literal: the call's callee is a member named `extend`. */
function isExtendObject(object: ts.ObjectLiteralExpression): boolean {
  const call = object.parent;
  return ts.isCallExpression(call) && call.arguments.includes(object) && ts.isPropertyAccessExpression(call.expression)
    && call.expression.name.text === 'extend';
}

/** A fixture function: the value of a property of an `.extend({ … })` object, or the first element of `[fn, options]` there. */
function isFixtureFunction(fn: ts.SignatureDeclaration): boolean {
  let holder: ts.Node = fn.parent;
  if (ts.isArrayLiteralExpression(holder) && holder.elements[0] === fn) holder = holder.parent;
  return ts.isPropertyAssignment(holder) && ts.isObjectLiteralExpression(holder.parent) && isExtendObject(holder.parent);
}

/** A test callback: the last argument of a call whose first argument is the test's name (`it('…', async ({ db }) => …)`). */
function isTestCallback(fn: ts.SignatureDeclaration): boolean {
  const call = fn.parent;
  if (!ts.isCallExpression(call) || call.arguments.length < 2 || call.arguments[call.arguments.length - 1] !== fn) return false;
  const title = call.arguments[0];
  return ts.isStringLiteral(title) || ts.isNoSubstitutionTemplateLiteral(title) || ts.isTemplateExpression(title);
}

/**
 * The fixture a name destructured from the first parameter of a fixture function or a test callback stands for
 * (`async ({ postgresConnectionString: url }, use) => …` → `postgresConnectionString`); undefined for any other name.
 */
export function fixtureKey(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, name: string): { key: string; element: ts.BindingElement } | undefined {
  if (fn.parameters[0] !== parameter || !ts.isObjectBindingPattern(parameter.name)) return undefined;
  if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || !(isFixtureFunction(fn) || isTestCallback(fn))) return undefined;
  const element = parameter.name.elements.find((e) => ts.isIdentifier(e.name) && e.name.text === name);
  if (!element || element.dotDotDotToken || element.initializer) return undefined;
  const key = keyText(element.propertyName ?? element.name);
  return key === undefined ? undefined : { key, element };
}

/** The definitions of fixture `key` in a file: each `.extend({ key: … })` property's value (a `[fn, options]` pair's function). */
export function fixtureDefinitions(source: ts.SourceFile, key: string): ts.Expression[] {
  if (!source.text.includes('.extend') || !source.text.includes(key)) return [];
  const found: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node) && isExtendObject(node)) {
      for (const property of node.properties) {
        if (!property.name || keyText(property.name) !== key) continue;
        if (ts.isPropertyAssignment(property)) {
          const value = unwrap(property.initializer);
          found.push(ts.isArrayLiteralExpression(value) && value.elements.length > 0 ? value.elements[0] : property.initializer);
        } else if (ts.isMethodDeclaration(property)) found.push(property as unknown as ts.Expression);
        else if (ts.isShorthandPropertyAssignment(property)) found.push(property.name);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * What a fixture function hands to the test: the first argument of each call of its `use` parameter. Undefined when
 * `use` is not a plain parameter, is mentioned otherwise than called (handed on, where unseen code may call it), or a
 * call passes nothing or a spread.
 */
export function fixtureUses(fixture: ts.FunctionLikeDeclaration): ts.Expression[] | undefined {
  const use = fixture.parameters[1];
  if (!use || !ts.isIdentifier(use.name) || use.dotDotDotToken || !fixture.body) return undefined;
  const name = use.name.text;
  const values: ts.Expression[] = [];
  let sure = true;
  const visit = (node: ts.Node): void => {
    if (!sure) return;
    // An inner function declaring the same name hides the parameter.
    if (node !== fixture && ts.isFunctionLike(node) && node.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === name)) return;
    if (ts.isIdentifier(node) && node.text === name) {
      const call = node.parent;
      const argument = ts.isCallExpression(call) && call.expression === node ? call.arguments[0] : undefined;
      if (argument === undefined || ts.isSpreadElement(argument)) sure = false;
      else values.push(argument);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(fixture.body);
  return sure ? values : undefined;
}

/** The modules a file re-exports from (`export * from './postgres.js'`, `export { a } from './b'`), not type-only ones. */
export function reexportSpecifiers(source: ts.SourceFile): string[] {
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      specifiers.push(statement.moduleSpecifier.text);
    }
  }
  return specifiers;
}

/**
 * Local names a file imports from a module that starts its own server, type-only imports included (`type
 * StartedPostgreSqlContainer`), and the classes it imports from modules of the repository that `isOwnServerClass` says
 * extend one of such a module's (`StartedPostgresAlpineContainer extends AbstractStartedContainer`). Asked name by name
 * and each answer kept: `isOwnServerClass` reads (and parses) the module a name comes from, and a file's declared types
 * name few of the dozens of names it imports (session 52: all of them were read at a file's first typed declaration).
 */
export function ownServerTypeNames(source: ts.SourceFile, isOwnServerClass: (specifier: string, name: string) => boolean): OwnServerTypeNames {
  const candidates = new Map<string, Array<{ specifier: string; own: boolean; name: string }>>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const specifier = statement.moduleSpecifier.text;
    const own = OWN_SERVER_MODULE.test(specifier);
    if (!own && !specifier.startsWith('.')) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      const local = element.name.text;
      let list = candidates.get(local);
      if (!list) candidates.set(local, (list = []));
      list.push({ specifier, own, name: (element.propertyName ?? element.name).text });
    }
  }
  const answers = new Map<string, boolean>();
  return {
    mayHold: candidates.size > 0,
    has(name) {
      let answer = answers.get(name);
      if (answer === undefined) {
        answer = candidates.get(name)?.some((c) => c.own || isOwnServerClass(c.specifier, c.name)) ?? false;
        answers.set(name, answer);
      }
      return answer;
    },
  };
}

/** ownServerTypeNames's answer: whether a local name is one of those types, found when asked; none at all when `mayHold` is false. */
export interface OwnServerTypeNames {
  readonly mayHold: boolean;
  has(name: string): boolean;
}

/** Collections whose members are of their last type argument (`Map<Version, StartedContainer>`, `Array<PGlite>`). */
const COLLECTION = /^(?:Map|ReadonlyMap|Set|ReadonlySet|Array|ReadonlyArray|Record)$/;

/**
 * Whether a declared type is one of `names` (types of an own-server module), a `Promise<…>`/`Awaited<…>` of one, a
 * collection of them (`Map<K, T>`, `T[]`), or a union of one with `undefined`/`null` only (a handle filled in later).
 */
export function isOwnServerType(type: ts.TypeNode | undefined, names: OwnServerTypeNames): boolean {
  if (!type || !names.mayHold) return false;
  if (ts.isParenthesizedTypeNode(type)) return isOwnServerType(type.type, names);
  if (ts.isUnionTypeNode(type)) {
    const real = nonNullishMembers(type);
    return real.length === 1 && isOwnServerType(real[0], names);
  }
  if (ts.isArrayTypeNode(type)) return isOwnServerType(type.elementType, names);
  if (!ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return false;
  const name = type.typeName.text;
  if ((name === 'Promise' || name === 'Awaited') && type.typeArguments?.length === 1) return isOwnServerType(type.typeArguments[0], names);
  // A collection of such handles: what is taken out of it (`containers.get(version)`) is one.
  if (COLLECTION.test(name) && type.typeArguments?.length) return isOwnServerType(type.typeArguments[type.typeArguments.length - 1], names);
  return names.has(name);
}
