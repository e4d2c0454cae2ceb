// A `finally` put-back, inside a wrapper's callback, of the session setting the wrapper itself set before calling back:
// `withSpace(pool, async ({ client, spaceId }) => { set_config('app.space', other, false) …; try { … } finally {
// set_config('app.space', spaceId, false) } })`, where `withSpace` (followed to its definition, in the file or in the
// module it is imported from) sends `set_config('app.space', spaceId, false)` on that same client, unconditionally,
// before it hands the client and `spaceId` to the callback. The put-back leaves exactly the state the wrapper's own
// setter leaves (that setter keeps its finding), so it is read as a restore (settingRestores.ts: no finding of its own,
// and it undoes the switch only where it shares the switch's transaction). Anything not shown keeps the finding: a
// value that is not the callback's parameter, a wrapper that cannot be read, sets the setting in a branch, more than
// once, to another value, on another client, or calls the callback from more than one place.
import ts from 'typescript';
import { unwrap } from './embeddedFlow';
import { escapeRegExp } from './regexText';
import { tryOfFinally } from './astWalk';
import { importedNames } from './importedNames';
import { resolveModule } from './moduleResolution';
import { parsedModule } from './parsedModules';
import type { SettingRestore } from './settingRestores';

/** `set_config(name, $n, false)`: the name written out (`'app.x'`) or bound (`$1`), the value a bound parameter. */
const SESSION_SET_CONFIG = /\bset_config\s*\(\s*(?:'([\w.]+)'|\$(\d+))\s*(?:::\s*\w+\s*)?,\s*\$(\d+)\s*(?:::\s*\w+\s*)?,\s*false\s*\)/gi;

/** How a callback receives a value: its parameter at `index`, whole or as the member `key` of an object there. */
interface Received {
  index: number;
  key?: string;
}

/**
 * The restores among a query call's `set_config(…, $n, false)` calls (`sql`, the call's text) sent from a `finally` of
 * a wrapper's callback, as the file header says. `boundValue` gives the code bound to `$n` at a SQL offset.
 */
export function wrapperSetRestores(sql: string, call: ts.CallExpression, boundValue: (sqlAt: number, number: number) => ts.Expression | undefined, fileName: string | undefined): SettingRestore[] | undefined {
  const guarded = tryOfFinally(call);
  const callee = unwrap(call.expression);
  if (!guarded || !ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(unwrap(callee.expression))) return undefined;
  const client = (unwrap(callee.expression) as ts.Identifier).text;
  let restores: SettingRestore[] | undefined;
  for (const match of sql.matchAll(SESSION_SET_CONFIG)) {
    const at = match.index ?? 0;
    const setting = match[1]?.toLowerCase() ?? stringValue(boundValue(at + match[0].indexOf('$'), Number(match[2])));
    const value = boundValue(at + match[0].lastIndexOf('$'), Number(match[3]));
    if (setting === undefined || !value || !ts.isIdentifier(unwrap(value))) continue;
    if (setByWrapperBeforeCallback(call, client, (unwrap(value) as ts.Identifier).text, setting, fileName)) {
      (restores ??= []).push({ at: at + match[0].lastIndexOf('$'), setting, ...(match[1] === undefined && { nameBound: true as const }) });
    }
  }
  return restores;
}

/** A string literal's text, lower case (a bound setting name). */
function stringValue(expression: ts.Expression | undefined): string | undefined {
  const value = expression && unwrap(expression);
  return value && ts.isStringLiteralLike(value) ? value.text.toLowerCase() : undefined;
}

/**
 * Whether `client` and `value` are parameters of the callback holding `call`, handed straight to a wrapper whose
 * definition sets `setting` to that value on that client before its one call of the callback.
 */
function setByWrapperBeforeCallback(call: ts.CallExpression, client: string, value: string, setting: string, fileName: string | undefined): boolean {
  let callback: ts.Node | undefined = call.parent;
  while (callback && !ts.isArrowFunction(callback) && !ts.isFunctionExpression(callback)) callback = callback.parent;
  if (!callback || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return false;
  const receivedClient = receivedAs(callback, client);
  const receivedValue = receivedAs(callback, value);
  const wrapperCall = callback.parent;
  if (!receivedClient || !receivedValue || !ts.isCallExpression(wrapperCall) || !wrapperCall.arguments.includes(callback)) return false;
  // The callback's own code may not rebind either name: the put-back must send what the wrapper handed over.
  if (rebinds(callback.body, client) || rebinds(callback.body, value)) return false;
  const wrapper = wrapperDefinition(wrapperCall.expression, call.getSourceFile(), fileName);
  return wrapper !== undefined && setsBeforeCallingBack(wrapper, wrapperCall.arguments.indexOf(callback), receivedClient, receivedValue, setting);
}

/** How a callback's parameters bind `name`: a plain parameter, or a shorthand or renamed member of a destructured one. */
function receivedAs(callback: ts.ArrowFunction | ts.FunctionExpression, name: string): Received | undefined {
  for (const [index, parameter] of callback.parameters.entries()) {
    if (parameter.dotDotDotToken) return undefined;
    if (ts.isIdentifier(parameter.name)) {
      if (parameter.name.text === name) return parameter.initializer ? undefined : { index };
    } else if (ts.isObjectBindingPattern(parameter.name)) {
      for (const element of parameter.name.elements) {
        if (!ts.isIdentifier(element.name) || element.name.text !== name) continue;
        const key = element.propertyName ?? element.name;
        return element.dotDotDotToken || element.initializer || !ts.isIdentifier(key) ? undefined : { index, key: key.text };
      }
    }
  }
  return undefined;
}

/** Whether code within `scope` assigns `name` or declares it again (a variable, a parameter of an inner function). */
function rebinds(scope: ts.Node, name: string): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if ((ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isBindingElement(node)) && ts.isIdentifier(node.name) && node.name.text === name) found = true;
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
      && ts.isIdentifier(unwrap(node.left)) && (unwrap(node.left) as ts.Identifier).text === name) found = true;
    else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && ts.isIdentifier(node.operand) && node.operand.text === name
      && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(scope);
  return found;
}

type WrapperFunction = ts.FunctionDeclaration | ts.MethodDeclaration | ts.ArrowFunction | ts.FunctionExpression;

/**
 * The function a wrapper call names, read where it is written: `withSpace(…)` a top-level function of the file or one
 * it imports by name, `Store.withSpace(…)` a static method of such a class. Undefined when it cannot be read.
 */
function wrapperDefinition(callee: ts.Expression, source: ts.SourceFile, fileName: string | undefined): WrapperFunction | undefined {
  const named = unwrap(callee);
  const [holder, member] = ts.isIdentifier(named) ? [named.text, undefined]
    : ts.isPropertyAccessExpression(named) && ts.isIdentifier(unwrap(named.expression)) ? [(unwrap(named.expression) as ts.Identifier).text, named.name.text] : [undefined, undefined];
  if (holder === undefined) return undefined;
  const local = topLevelDeclaration(source, holder);
  const imported = local ? undefined : importedNames(source).get(holder);
  const module = imported && fileName ? resolveModule(fileName, imported.specifier) : undefined;
  const declared = local ?? (module && imported && imported.name !== 'default' ? topLevelDeclaration(parsedModule(module), imported.name) : undefined);
  if (!declared) return undefined;
  if (member === undefined) return ts.isClassDeclaration(declared) ? undefined : declared;
  if (!ts.isClassDeclaration(declared)) return undefined;
  const methods = declared.members.filter((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === member);
  return methods.length === 1 && methods[0].body && methods[0].modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword) ? methods[0] : undefined;
}

/** The one top-level function or class of a module by `name` (a `const` holding an arrow or a function expression too). */
function topLevelDeclaration(source: ts.SourceFile | undefined, name: string): ts.FunctionDeclaration | ts.ClassDeclaration | ts.ArrowFunction | ts.FunctionExpression | undefined {
  const found: (ts.FunctionDeclaration | ts.ClassDeclaration | ts.ArrowFunction | ts.FunctionExpression)[] = [];
  for (const statement of source?.statements ?? []) {
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === name) found.push(statement);
    if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const initializer = declaration.initializer && unwrap(declaration.initializer);
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name && initializer && (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer))) found.push(initializer);
    }
  }
  // An overloaded or redeclared name is not one definition.
  return found.length === 1 && (!ts.isFunctionDeclaration(found[0]) || found[0].body) ? found[0] : undefined;
}

/**
 * Whether the wrapper calls its callback parameter (`callbackIndex`) exactly once, in its own body (not in an inner
 * function), handing over a client and a value (as the callback receives them: a plain argument or a member of an
 * object literal) that an unconditional `await client.query('SELECT set_config(…, $n, false)', [...])` of `setting` to
 * that value, written before the call in a block holding it, set on that client; its body sets `setting` nowhere else,
 * and neither name is assigned there.
 */
function setsBeforeCallingBack(wrapper: WrapperFunction, callbackIndex: number, client: Received, value: Received, setting: string): boolean {
  const parameter = wrapper.parameters[callbackIndex];
  const body = wrapper.body;
  if (!parameter || parameter.dotDotDotToken || !ts.isIdentifier(parameter.name) || !body || !ts.isBlock(body)) return false;
  const callbackName = parameter.name.text;
  const calls: ts.CallExpression[] = [];
  let handedOn = false;
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === callbackName) {
      const parent = node.parent;
      if (ts.isCallExpression(parent) && parent.expression === node) calls.push(parent);
      else handedOn = true;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  if (handedOn || calls.length !== 1 || enclosingFunctionLike(calls[0]) !== wrapper) return false;
  const handedClient = handedOver(calls[0], client);
  const handedValue = handedOver(calls[0], value);
  if (handedClient === undefined || handedValue === undefined || rebinds(body, callbackName)) return false;
  if (assigns(body, handedClient) || assigns(body, handedValue)) return false;
  const setters = settersOf(body, setting);
  return setters.length === 1 && unconditionallyBefore(setters[0].statement, calls[0], body)
    && setters[0].client === handedClient && setters[0].value === handedValue;
}

/** The nearest function-like node holding `node`. */
function enclosingFunctionLike(node: ts.Node): ts.Node | undefined {
  let current = node.parent;
  while (current && !ts.isFunctionLike(current)) current = current.parent;
  return current;
}

/** The name a wrapper's callback call hands over as the callback receives it (`fn({ client, id })`, `fn(client, id)`). */
function handedOver(call: ts.CallExpression, received: Received): string | undefined {
  const argument = call.arguments[received.index] && unwrap(call.arguments[received.index]);
  if (!argument || call.arguments.slice(0, received.index + 1).some(ts.isSpreadElement)) return undefined;
  if (received.key === undefined) return ts.isIdentifier(argument) ? argument.text : undefined;
  if (!ts.isObjectLiteralExpression(argument) || argument.properties.some(ts.isSpreadAssignment)) return undefined;
  const members = argument.properties.filter((p) => p.name && ts.isIdentifier(p.name) && p.name.text === received.key);
  const member = members.length === 1 ? members[0] : undefined;
  if (member && ts.isShorthandPropertyAssignment(member)) return member.name.text;
  const initializer = member && ts.isPropertyAssignment(member) ? unwrap(member.initializer) : undefined;
  return initializer && ts.isIdentifier(initializer) ? initializer.text : undefined;
}

/** Whether `scope` assigns `name` after its declaration (`name = …`, `name++`): a `let` may change between set and call. */
function assigns(scope: ts.Node, name: string): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
      && ts.isIdentifier(unwrap(node.left)) && (unwrap(node.left) as ts.Identifier).text === name) found = true;
    else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && ts.isIdentifier(node.operand) && node.operand.text === name) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(scope);
  return found;
}

/** A query of the wrapper that sets the setting: its statement, and the client and value names when it is a plain `set_config(…, $n, false)`. */
interface Setter {
  statement: ts.Node;
  client?: string;
  value?: string;
}

/** Every query call in `body` whose written text sets `setting` (by name, written or bound, in any form). */
function settersOf(body: ts.Block, setting: string): Setter[] {
  const written = new RegExp(String.raw`\bset\s+(?:session\s+|local\s+)?"?${escapeRegExp(setting)}"?\s*(?:to\b|=)|\bset_config\s*\(\s*'${escapeRegExp(setting)}'`, 'i');
  const setters: Setter[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.arguments[0]) {
      const text = unwrap(node.arguments[0]);
      const sql = ts.isStringLiteralLike(text) ? text.text : undefined;
      const values = node.arguments[1] && unwrap(node.arguments[1]);
      const bound = (n: number) => (values && ts.isArrayLiteralExpression(values) && !values.elements.slice(0, n).some(ts.isSpreadElement) ? values.elements[n - 1] : undefined);
      const matches = sql === undefined ? [] : [...sql.matchAll(SESSION_SET_CONFIG)];
      const named = matches.filter((m) => (m[1]?.toLowerCase() ?? stringValue(bound(Number(m[2])))) === setting);
      if (named.length > 0 || (sql !== undefined && written.test(sql))) {
        const callee = unwrap(node.expression);
        const client = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(unwrap(callee.expression)) ? (unwrap(callee.expression) as ts.Identifier).text : undefined;
        const value = named.length === 1 && !written.test(sql!.replace(named[0][0], '')) ? bound(Number(named[0][3])) : undefined;
        setters.push({ statement: node, client, value: value && ts.isIdentifier(unwrap(value)) ? (unwrap(value) as ts.Identifier).text : undefined });
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return setters;
}

/**
 * Whether the query `setter` is an expression statement of its own (awaited or not) written before `call` in a block
 * that holds the call, that block being the wrapper's body or one it enters unconditionally (a `try` block): every run
 * that reaches the call has sent it.
 */
function unconditionallyBefore(setter: ts.Node, call: ts.CallExpression, body: ts.Block): boolean {
  let statement: ts.Node = setter.parent;
  if (ts.isAwaitExpression(statement)) statement = statement.parent;
  if (!ts.isExpressionStatement(statement) || !ts.isBlock(statement.parent)) return false;
  const block = statement.parent;
  if (block !== body && !(ts.isTryStatement(block.parent) && block.parent.tryBlock === block && block.parent.parent === body)) return false;
  // An early exit between the two skips the call too.
  return call.pos >= block.pos && call.end <= block.end && statement.end <= call.pos;
}
