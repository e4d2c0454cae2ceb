// How code reads its environment: the one list of environment objects (`process.env`, `import.meta.env`, `Bun.env`)
// and Deno's `Deno.env.get('X')` call, for every module that asks whether a value comes from an environment variable
// (a test database's URL, a drizzle connection string, a server the code started).
import ts from 'typescript';
import { resolve } from 'node:path';
import { calleeText, isConstDeclaration, isNoValue, returnedValues, unwrap } from './embeddedFlow';
import { boundNames, walkDescendants } from './astWalk';
import { fileImports } from './ownServerHelpers';
import { resolveModule } from './moduleResolution';
import { moduleRead } from './parsedModules';

/** The environment objects whose members are the variables (`process.env.X`, `import.meta.env.X`, `Bun.env.X`). */
export const ENVIRONMENT_OBJECT = /^(?:process\.env|import\.meta\.env|Bun\.env)$/;
/** What owns such an object as its `env` member (`const { env } = process`, `Reflect.get(process, 'env')`). */
export const ENVIRONMENT_OWNER = /^(?:process|import\.meta|Bun)$/;

/**
 * The name of an environment variable read (`process.env.X`, `process.env['X']`, `import.meta.env.X`, `Bun.env.X`,
 * `Deno.env.get('X')`), or undefined.
 */
export function environmentName(expression: ts.Expression): string | undefined {
  const value = unwrap(expression);
  if (ts.isCallExpression(value)) {
    const isDeno = ts.isPropertyAccessExpression(value.expression) && value.expression.name.text === 'get' && value.expression.expression.getText() === 'Deno.env';
    const argument = value.arguments[0];
    return isDeno && argument && ts.isStringLiteralLike(argument) ? argument.text : undefined;
  }
  if (ts.isPropertyAccessExpression(value) && ENVIRONMENT_OBJECT.test(value.expression.getText())) return value.name.text;
  if (ts.isElementAccessExpression(value) && ts.isStringLiteralLike(value.argumentExpression) && ENVIRONMENT_OBJECT.test(value.expression.getText())) {
    return value.argumentExpression.text;
  }
  return undefined;
}

/**
 * The dotenv file a hand-written reader opens: the application's own `.env`, or the developer's machine-local
 * `.env.local` (git-ignored by convention; a committed one is read with the application's env files), from the working
 * folder.
 */
const DOTENV_FILE = /^(?:\.\/)?\.env(?:\.local)?$/;
/** Methods that cut a part out of a text (its positions and separators are their arguments), adding none of their own. */
const CUTS_TEXT = /^(?:slice|substring|substr|split|at)$/;
/** Methods that put their second argument in place of what their first matches (with `''`, they only take text out). */
const REMOVES_TEXT = /^replace(?:All)?$/;
/** The calls that read a file's text. */
const READS_FILE = /^readFile(?:Sync)?$/;

/**
 * The variable a function reads from the environment or, when the environment does not set it, from the developer's
 * `.env` file (a hand-written dotenv reader: `if (process.env.X) return process.env.X; … readFileSync(…'.env'…) …
 * if (key !== 'X') continue; … return value`): the same variable, as `dotenv` would have put it in the environment. Each
 * value the function returns is that variable's read or a variable of its own body (the line's value); its body names
 * the `.env` file, reads a file, names the variable as a string and reads no other variable. Undefined otherwise.
 */
export function dotenvFallbackVariable(fn: ts.FunctionLikeDeclaration): string | undefined {
  if (!fn.body || !ts.isBlock(fn.body)) return undefined;
  const read = new Set<string>();
  const strings = new Set<string>();
  const locals = new Set<string>();
  let readsFile = false;
  walkDescendants(fn.body, (node) => {
    const variable = ts.isExpression(node) ? environmentName(node) : undefined;
    if (variable !== undefined) read.add(variable);
    if (ts.isStringLiteralLike(node)) strings.add(node.text);
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) locals.add(node.name.text);
    if (ts.isCallExpression(node) && READS_FILE.test(calleeText(node.expression))) readsFile = true;
    return !ts.isFunctionLike(node) || node === fn;
  });
  const [variable] = read;
  if (read.size !== 1 || !strings.has(variable) || !readsFile || ![...strings].some((text) => DOTENV_FILE.test(text))) return undefined;
  const returnsOnlyIt = returnedValues(fn).every((value) => {
    const returned = unwrap(value);
    return environmentName(returned) === variable || (ts.isIdentifier(returned) && locals.has(returned.text));
  });
  return returnsOnlyIt ? variable : undefined;
}

/**
 * The parameter naming the variable a function reads from the environment or, when the environment does not set it,
 * from the developer's dotenv file, as its caller names it (`envKey('DATABASE_URL')` where `function envKey(key) { if
 * (process.env[key]) return process.env[key]; const text = readFileSync('.env.local', 'utf8'); const m =
 * text.match(new RegExp('^' + key + '=(.*)$', 'm')); return m ? m[1].trim() : undefined }`): the parameterised form of
 * dotenvFallbackVariable. Its body names the `.env` (or `.env.local`) file and reads a file; every environment read of
 * the body is the environment object's member at that one parameter (`isEnvironment` tells the environment object,
 * aliases included), the parameter is used besides (to pick the file's line) and never assigned, and the body writes no
 * URL of its own. Each value it returns is that read (trimmed, or through a const of the body holding it), or the line's
 * value: a local of the body made from the file's text, or a member or a cut of one (`m[1]`, `line.slice(n)`, trimmed,
 * quotes replaced by nothing), also as the other side of `… || undefined` or the other branch of a `?:` one branch of
 * which is no value (`undefined`, `null`). A return of no value is the variable unset. Undefined (not such a reader)
 * otherwise.
 */
export function dotenvFallbackParameter(fn: ts.FunctionLikeDeclaration, isEnvironment: (object: ts.Expression) => boolean): number | undefined {
  const body = fn.body;
  if (!body || !ts.isBlock(body) || fn.parameters.length === 0) return undefined;
  // Most functions called with an argument are no such reader: their text names no env file or reads none.
  const text = body.getText();
  if (!text.includes('.env') || !text.includes('readFile')) return undefined;
  const parameters = fn.parameters.map((parameter) => (ts.isIdentifier(parameter.name) && !parameter.dotDotDotToken ? parameter.name.text : undefined));
  let key: string | undefined;
  let readsOther = false;
  let readsFile = false;
  let namesFile = false;
  let keyUses = 0;
  const identifiers: ts.Identifier[] = [];
  walkDescendants(body, (node) => {
    if (ts.isStringLiteralLike(node) && DOTENV_FILE.test(node.text)) namesFile = true;
    if (ts.isCallExpression(node) && READS_FILE.test(calleeText(node.expression))) readsFile = true;
    if ((ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && isEnvironment(node.expression)) {
      const member = ts.isElementAccessExpression(node) ? unwrap(node.argumentExpression) : undefined;
      const name = member && ts.isIdentifier(member) && parameters.includes(member.text) ? member.text : undefined;
      if (name === undefined || (key !== undefined && key !== name)) readsOther = true;
      key ??= name;
      return false;
    }
    if (ts.isExpression(node) && environmentName(node) !== undefined) readsOther = true;
    if (ts.isIdentifier(node)) identifiers.push(node);
    return undefined;
  });
  // A URL written out in the body may be a fallback of its own (`… : 'postgres://db.example.com/app'`).
  if (key === undefined || readsOther || !readsFile || !namesFile || writesUrl(body)) return undefined;
  for (const identifier of identifiers) {
    if (identifier.text !== key || !isValueUse(identifier)) continue;
    // `key = 'OTHER_URL'`: the caller's name is not what is read.
    const parent = identifier.parent;
    if (ts.isBinaryExpression(parent) && parent.left === identifier && parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return undefined;
    keyUses++;
  }
  if (keyUses === 0) return undefined;
  const fromFile = localsFromFile(body);
  const heldRead = new Set<string>();
  walkDescendants(body, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && isConstDeclaration(node) && node.initializer && isKeyRead(node.initializer)) heldRead.add(node.name.text);
    return undefined;
  });
  function isKeyRead(expression: ts.Expression): boolean {
    const value = withoutTrim(unwrap(expression));
    if (ts.isIdentifier(value)) return heldRead.has(value.text);
    return ts.isElementAccessExpression(value) && isEnvironment(value.expression) && ts.isIdentifier(unwrap(value.argumentExpression)) && (unwrap(value.argumentExpression) as ts.Identifier).text === key;
  }
  function isLineValue(expression: ts.Expression): boolean {
    let value = withoutTrim(unwrap(expression));
    // `m ? m[1] : undefined`, `found || undefined`: the value, or none.
    if (ts.isConditionalExpression(value)) {
      const other = isNoValue(value.whenTrue) ? value.whenFalse : isNoValue(value.whenFalse) ? value.whenTrue : undefined;
      if (!other) return false;
      value = withoutTrim(unwrap(other));
    } else if (ts.isBinaryExpression(value) && ORS.has(value.operatorToken.kind) && isNoValue(value.right)) {
      value = withoutTrim(unwrap(value.left));
    }
    // A member of the line or a cut of it (`m[1]`, `line.slice(name.length + 1)`, `match.groups.value.trim()`, quotes
    // taken off with `.replace(/^"|"$/g, '')`).
    for (;;) {
      value = withoutTrim(value);
      if (ts.isPropertyAccessExpression(value) || ts.isElementAccessExpression(value)) value = unwrap(value.expression);
      else if (ts.isCallExpression(value) && cutsText(value)) value = unwrap((value.expression as ts.PropertyAccessExpression).expression);
      else break;
    }
    return ts.isIdentifier(value) && fromFile.has(value.text);
  }
  const returned = returnedValues(fn);
  const index = parameters.indexOf(key);
  return returned.length > 0 && returned.every((value) => isKeyRead(value) || isLineValue(value)) ? index : undefined;
}

/** `value.trim()` (also `trimStart()`/`trimEnd()`): the same setting without its surrounding blanks, `value`. */
export function withoutTrim(expression: ts.Expression): ts.Expression {
  return ts.isCallExpression(expression) && expression.arguments.length === 0 && ts.isPropertyAccessExpression(expression.expression)
    && /^trim(?:Start|End)?$/.test(expression.expression.name.text) ? unwrap(expression.expression.expression) : expression;
}

/** `a || b`, `a ?? b`. */
const ORS = new Set([ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken]);

/** A method call that cuts a part out of the text it is called on (CUTS_TEXT), or replaces parts of it by nothing. */
function cutsText(call: ts.CallExpression): boolean {
  if (!ts.isPropertyAccessExpression(call.expression)) return false;
  const method = call.expression.name.text;
  if (CUTS_TEXT.test(method)) return true;
  const replacement = call.arguments[1];
  return REMOVES_TEXT.test(method) && call.arguments.length === 2 && replacement !== undefined && ts.isStringLiteralLike(replacement) && replacement.text === '';
}

/** Whether a body writes a URL out (a string or template text holding `://`). */
function writesUrl(body: ts.Node): boolean {
  let found = false;
  walkDescendants(body, (node) => {
    if ((ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) && node.text.includes('://')) found = true;
    return undefined;
  }, () => found);
  return found;
}

/** An identifier read as a value: not a declaration's name, nor a property's name. */
function isValueUse(identifier: ts.Identifier): boolean {
  const parent = identifier.parent;
  if ((ts.isPropertyAccessExpression(parent) || ts.isPropertyAssignment(parent)) && parent.name === identifier) return false;
  return !((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isBindingElement(parent)) && parent.name === identifier);
}

/**
 * The locals of a body whose values are made from a file's text: declared (also destructured, and a `for … of`'s
 * variable) with a value that reads a file or mentions such a local (`const text = readFileSync(…)`, `const m =
 * text.match(…)`, `for (const line of text.split('\n'))`), followed to a fixed point.
 */
function localsFromFile(body: ts.Block): Set<string> {
  const declared: { names: string[]; source: ts.Node }[] = [];
  walkDescendants(body, (node) => {
    if (ts.isVariableDeclaration(node)) {
      const source = node.initializer ?? (ts.isVariableDeclarationList(node.parent) && ts.isForOfStatement(node.parent.parent) ? node.parent.parent.expression : undefined);
      if (source) declared.push({ names: boundNames(node.name), source });
    }
    return undefined;
  });
  const names = new Set<string>();
  for (let grown = true; grown; ) {
    grown = false;
    for (const { names: bound, source } of declared) {
      if (bound.every((name) => names.has(name)) || !madeFromFile(source, names)) continue;
      bound.forEach((name) => names.add(name));
      grown = true;
    }
  }
  return names;
}

/** Whether an expression reads a file or mentions one of `names` as a value. */
function madeFromFile(source: ts.Node, names: ReadonlySet<string>): boolean {
  let found = ts.isCallExpression(source) && READS_FILE.test(calleeText(source.expression));
  walkDescendants(source, (node) => {
    if (ts.isCallExpression(node) && READS_FILE.test(calleeText(node.expression))) found = true;
    if (ts.isIdentifier(node) && names.has(node.text) && isValueUse(node)) found = true;
    return undefined;
  }, () => found);
  return found;
}

/**
 * A copy of the environment object a module validates and exports (`export const env = schema.parse(process.env)`,
 * `const parsed = schema.safeParse(process.env); export const env = { ...parsed.data, EXTRA: … }`): its members are
 * the variables of the same names, but those the copy writes out itself (`written`: `EXTRA`). The schema, written out
 * as `z.object({...})` in the module or in one of the project's it imports, also gives the only keys the copy keeps
 * (`keys`: zod drops the others) and the defaults it puts in for unset variables (`defaults`: `X:
 * z.string().default('…')`, or `.catch('…')`).
 */
export interface EnvironmentCopy {
  readonly written: ReadonlySet<string>;
  readonly keys?: ReadonlySet<string>;
  readonly defaults: ReadonlyMap<string, ts.Expression>;
}

/**
 * The copy of the environment `name` holds, or undefined when it is not one (read from the module's top-level consts
 * only). A schema that reshapes what it checks (`.transform`, `.pipe`, `z.preprocess`) makes no copy: its keys need not
 * be the variables' names (`{ databaseUrl: e.DATABASE_URL }`); nor does one whose members are not seen (a package's, a
 * spread of another object): any of them may put in a default.
 */
export function environmentCopy(source: ts.SourceFile, name: string): EnvironmentCopy | undefined {
  const initializer = topLevelConstInitializer(source, name);
  return initializer === undefined ? undefined : copyOf(source, initializer, 0);
}

/** How many consts deep a copy is followed (`env` → `parsed.data` → `parsed` → `schema.safeParse(raw)` → `raw`). */
const MAX_COPY_DEPTH = 4;
/** A validator's method handing back the object it was given, checked (zod's `parse`, `safeParse(…).data`, `parseAsync`). */
const VALIDATES = /^(?:parse|parseAsync)$/;
const VALIDATES_SAFELY = /^(?:safeParse|safeParseAsync)$/;
/** A schema's methods (zod) whose output is not the object checked: its keys and values may be anything. */
const RESHAPES = /^(?:transform|pipe|preprocess)$/;
/** zod's object schema makers, whose literal argument names the keys kept. */
const OBJECT_SCHEMA = /^(?:object|strictObject|looseObject)$/;
/** A member schema's methods giving the value put in when the variable is unset (or invalid). */
const GIVES_DEFAULT = /^(?:default|catch)$/;
const THE_ENVIRONMENT: EnvironmentCopy = { written: new Set(), defaults: new Map() };

function copyOf(source: ts.SourceFile, expression: ts.Expression, depth: number): EnvironmentCopy | undefined {
  if (depth > MAX_COPY_DEPTH) return undefined;
  const value = unwrap(expression);
  if (ENVIRONMENT_OBJECT.test(value.getText(source))) return THE_ENVIRONMENT;
  if (ts.isIdentifier(value)) {
    const held = topLevelConstInitializer(source, value.text);
    return held === undefined ? undefined : copyOf(source, held, depth + 1);
  }
  // `schema.parse(process.env)`: the environment, checked.
  if (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && VALIDATES.test(value.expression.name.text) && value.arguments.length === 1) {
    return checkedCopy(source, value.expression.expression, value.arguments[0]!, depth + 1);
  }
  // `parsed.data` of `const parsed = schema.safeParse(process.env)` (or of the call itself).
  if (ts.isPropertyAccessExpression(value) && value.name.text === 'data') return safelyValidated(source, value.expression, depth + 1);
  // `{ ...copy, EXTRA: … }`: the spread copies, less what the literal writes itself.
  if (ts.isObjectLiteralExpression(value)) return spreadCopy(source, value, depth + 1);
  return undefined;
}

function safelyValidated(source: ts.SourceFile, expression: ts.Expression, depth: number): EnvironmentCopy | undefined {
  let value = unwrap(expression);
  if (ts.isIdentifier(value)) {
    const held = topLevelConstInitializer(source, value.text);
    if (held === undefined) return undefined;
    value = unwrap(held);
  }
  if (!ts.isCallExpression(value) || !ts.isPropertyAccessExpression(value.expression) || !VALIDATES_SAFELY.test(value.expression.name.text) || value.arguments.length !== 1) return undefined;
  return checkedCopy(source, value.expression.expression, value.arguments[0]!, depth);
}

/** `schema`'s check of `checked`: the copy `checked` is, with the keys and defaults of the schema when it is written out. */
function checkedCopy(source: ts.SourceFile, schema: ts.Expression, checked: ts.Expression, depth: number): EnvironmentCopy | undefined {
  const shape = schemaShape(source, schema, depth);
  const inner = shape && copyOf(source, checked, depth);
  if (!shape || !inner) return undefined;
  return { written: inner.written, keys: shape.keys, defaults: new Map([...inner.defaults, ...shape.defaults]) };
}

type SchemaShape = { keys: Set<string>; defaults: Map<string, ts.Expression> };

/**
 * The keys and defaults of a schema written out as `z.object({...})` (through consts of the module or of a module of
 * the project it imports them from, `.extend({...})`, `.strict()` and other calls that keep its keys); undefined for
 * one that reshapes or is not seen whole.
 */
function schemaShape(source: ts.SourceFile, expression: ts.Expression, depth: number): SchemaShape | undefined {
  if (depth > MAX_COPY_DEPTH * 2) return undefined;
  const value = unwrap(expression);
  if (ts.isIdentifier(value)) {
    const held = heldValue(source, value.text);
    return held && schemaShape(held.source, held.value, depth + 1);
  }
  if (!ts.isCallExpression(value) || !ts.isPropertyAccessExpression(value.expression)) return undefined;
  const method = value.expression.name.text;
  if (RESHAPES.test(method)) return undefined;
  const members = value.arguments[0] && objectLiteral(source, value.arguments[0]);
  if (OBJECT_SCHEMA.test(method)) return members && membersShape(members);
  const base = schemaShape(source, value.expression.expression, depth + 1);
  if (method !== 'extend' || base === undefined) return base;
  const added = members && membersShape(members);
  return added && { keys: new Set([...base.keys, ...added.keys]), defaults: new Map([...base.defaults, ...added.defaults]) };
}

/** An object literal written out, or held by a top-level const of the module (`z.object(shape)`). */
function objectLiteral(source: ts.SourceFile, expression: ts.Expression): ts.ObjectLiteralExpression | undefined {
  let value = unwrap(expression);
  if (ts.isIdentifier(value)) value = unwrap(topLevelConstInitializer(source, value.text) ?? value);
  return ts.isObjectLiteralExpression(value) ? value : undefined;
}

/**
 * The value a name of the module holds: its top-level const's, or, for a name it imports (or requires) from a module
 * of the project, that module's exported const of that name (or its `export default`), with the module it is in.
 */
function heldValue(source: ts.SourceFile, name: string): { source: ts.SourceFile; value: ts.Expression } | undefined {
  const own = topLevelConstInitializer(source, name);
  if (own !== undefined) return { source, value: own };
  const imported = fileImports(source).get(name);
  const file = imported && resolveModule(resolve(source.fileName), imported.specifier);
  const other = file === undefined ? undefined : moduleRead(file)?.source;
  if (!other || !imported) return undefined;
  const value = imported.name === 'default' ? defaultExport(other) : topLevelConstInitializer(other, imported.name);
  return value && { source: other, value };
}

/** The expression a module exports as its default (`export default z.object({...})`). */
function defaultExport(source: ts.SourceFile): ts.Expression | undefined {
  return source.statements.find((statement): statement is ts.ExportAssignment => ts.isExportAssignment(statement) && !statement.isExportEquals)?.expression;
}

function membersShape(members: ts.ObjectLiteralExpression): SchemaShape | undefined {
  const shape: SchemaShape = { keys: new Set(), defaults: new Map() };
  for (const member of members.properties) {
    const key = ts.isPropertyAssignment(member) && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)) ? member.name.text : undefined;
    // A spread or computed member may add any key, with its default.
    if (key === undefined) return undefined;
    shape.keys.add(key);
    const fallback = memberDefault((member as ts.PropertyAssignment).initializer);
    if (fallback) shape.defaults.set(key, fallback);
  }
  return shape;
}

/** The value a member's schema puts in for an unset variable (`z.string().url().default('…')`), read down its chain. */
function memberDefault(schema: ts.Expression): ts.Expression | undefined {
  for (let value = unwrap(schema); ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression); value = unwrap(value.expression.expression)) {
    if (GIVES_DEFAULT.test(value.expression.name.text) && value.arguments.length === 1) return value.arguments[0];
  }
  return undefined;
}

function spreadCopy(source: ts.SourceFile, literal: ts.ObjectLiteralExpression, depth: number): EnvironmentCopy | undefined {
  const written = new Set<string>();
  const defaults = new Map<string, ts.Expression>();
  let keys: Set<string> | undefined;
  let unbounded = false;
  let spreads = 0;
  for (const property of literal.properties) {
    if (ts.isSpreadAssignment(property)) {
      const inner = copyOf(source, property.expression, depth);
      if (inner === undefined) return undefined;
      inner.written.forEach((each) => written.add(each));
      inner.defaults.forEach((fallback, key) => defaults.set(key, fallback));
      if (!inner.keys) unbounded = true;
      else keys = new Set([...(keys ?? []), ...inner.keys]);
      spreads++;
    } else {
      const key = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
      // A computed key may be any variable's name.
      if (key === undefined) return undefined;
      written.add(key);
    }
  }
  return spreads > 0 ? { written, keys: unbounded ? undefined : keys, defaults } : undefined;
}

/** The initializer of a top-level `const name = …` of the module (exported or not). */
function topLevelConstInitializer(source: ts.SourceFile, name: string): ts.Expression | undefined {
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return declaration.initializer;
    }
  }
  return undefined;
}
