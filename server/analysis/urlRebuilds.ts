// A project function that rebuilds a connection URL from its argument (puts a password into a stored DSN, parses the
// DSN into host/port/user fields for a driver's options) gives back the argument's server: a direct URL stays direct,
// a pooled one pooled (directUrls.ts follows the argument). That holds only when the body shows it: its result is made
// from the parameter with reads and slices that add no endpoint of their own. A body that writes a host or port
// (`url.port = '6543'`, `searchParams.set('host', …)`), puts text naming a server into the result
// (`dsn.replace('db.x.supabase.co:5432', 'x.pooler.supabase.com:6543')`), takes the host from anything but the parameter,
// or hands the URL to a function not known to keep it, may return another server: its argument is not followed.
import ts from 'typescript';
import { identifierMentions, walkDescendants } from './astWalk';
import { calledFunction } from './rolledBackCallbacks';
import { unwrap } from './embeddedFlow';
import { POOLER_PORT_TEXT } from './poolerEndpoints';
import type { TopLevelFunction } from './topLevelFunctions';

/** Parts of a URL or a driver's options that choose the server. */
const ENDPOINT_PARTS = new Set(['host', 'hostname', 'hostaddr', 'port', 'href', 'origin', 'connectionstring', 'url', 'uri', 'dsn']);
/** Methods of a string, URL or URLSearchParams that read or cut what they are called on: their arguments are positions and keys. */
const READING_METHODS = new Set(['slice', 'substring', 'substr', 'split', 'trim', 'trimStart', 'trimEnd', 'indexOf', 'lastIndexOf',
  'get', 'getAll', 'has', 'startsWith', 'endsWith', 'includes', 'at', 'toString', 'toJSON', 'join']);
/** Methods that put their second argument into the text in place of what the first matches. */
const REPLACING_METHODS = new Set(['replace', 'replaceAll']);
/** Global functions that change a value's encoding or type, never the server it names. */
const ENCODING_FUNCTIONS = new Set(['decodeURIComponent', 'encodeURIComponent', 'decodeURI', 'encodeURI', 'String', 'Number', 'parseInt']);
/** Text a rebuilt URL may add of its own: punctuation between the argument's parts, after an optional scheme. */
const PUNCTUATION_ONLY = /^(?:postgres(?:ql)?:\/\/)?[^A-Za-z0-9]*$/;

/**
 * The argument of `call` whose URL the called project function (rolledBackCallbacks.ts's calledFunction) returns rebuilt
 * with the same server (keepsParameterEndpoint): `addPassword(env.DIRECT_URL, secret)` gives `env.DIRECT_URL`.
 */
export function rebuiltUrlArgument(call: ts.CallExpression): ts.Expression | undefined {
  const fn = calledFunction(call);
  if (!fn) return undefined;
  const index = fn.parameters.findIndex((parameter, at) => at < call.arguments.length && keepsParameterEndpoint(fn, parameter));
  return index < 0 || ts.isSpreadElement(call.arguments[index]) ? undefined : call.arguments[index];
}

/** Whether every value `fn` returns takes its server from `parameter` (the file's description above). */
function keepsParameterEndpoint(fn: TopLevelFunction, parameter: ts.ParameterDeclaration): boolean {
  if (!ts.isIdentifier(parameter.name) || !fn.body) return false;
  const body = fn.body;
  const derived = namesDerivedFrom(body, parameter.name.text);
  if (derived === undefined || writesEndpoint(body)) return false;
  const returned = ts.isBlock(body) ? returnedValues(body) : [body];
  const derivedValues = [...derived.values].map(({ value }) => value);
  return returned.length > 0 && [...returned, ...derivedValues].every((value) => isRebuiltValue(value, derived.names) && addsNoServer(value, derived.names));
}

/** A local of the function and a value it is given (its initializer or an assignment). */
interface LocalValue { name: string; value: ts.Expression }

/**
 * The parameter and the locals whose values are made from it (followed to a fixed point), with those values. Undefined
 * when the parameter itself is assigned: its value is then not the caller's.
 */
function namesDerivedFrom(body: ts.ConciseBody, parameter: string): { names: Set<string>; values: Set<LocalValue> } | undefined {
  const locals = localValues(body);
  if (locals.some(({ name }) => name === parameter)) return undefined;
  const names = new Set([parameter]);
  const values = new Set<LocalValue>();
  for (let grown = true; grown;) {
    grown = false;
    for (const local of locals) {
      if (values.has(local) || !mentionsAny(local.value, names)) continue;
      values.add(local);
      if (!names.has(local.name)) grown = true;
      names.add(local.name);
    }
  }
  // A derived local given another value besides (`url = fallback`) may hold that one: it is checked with the others.
  for (const local of locals) if (names.has(local.name)) values.add(local);
  return { names, values };
}

/** Values the function's own locals get: `const x = …`, `let x; x = …` (not inside nested functions). */
function localValues(body: ts.ConciseBody): LocalValue[] {
  const found: LocalValue[] = [];
  walkDescendants(body, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) found.push({ name: node.name.text, value: node.initializer });
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left)) found.push({ name: node.left.text, value: node.right });
    return !ts.isFunctionLike(node);
  });
  return found;
}

function mentionsAny(node: ts.Node, names: ReadonlySet<string>): boolean {
  return [...names].some((name) => identifierMentions(node, name) > 0 || (ts.isIdentifier(node) && node.text === name));
}

/** The values of the function's `return` statements (nested functions' excepted). */
function returnedValues(body: ts.Block): ts.Expression[] {
  const values: ts.Expression[] = [];
  walkDescendants(body, (node) => {
    if (ts.isReturnStatement(node) && node.expression) values.push(node.expression);
    return !ts.isFunctionLike(node);
  });
  return values;
}

/** Whether the body sets a part that chooses the server: `url.port = …`, `url['host'] = …`, `searchParams.set('host', …)`, `Object.assign(url, …)`. */
function writesEndpoint(body: ts.ConciseBody): boolean {
  let writes = false;
  walkDescendants(body, (node) => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const part = memberName(node.left);
      if (part !== undefined && ENDPOINT_PARTS.has(part.toLowerCase())) writes = true;
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const key = node.arguments[0];
      if ((method === 'set' || method === 'append') && (!key || !ts.isStringLiteralLike(key) || ENDPOINT_PARTS.has(key.text.toLowerCase()))) writes = true;
      if (method === 'assign' && ts.isIdentifier(node.expression.expression) && node.expression.expression.text === 'Object') writes = true;
    }
    return !writes;
  }, () => writes);
  return writes;
}

function memberName(target: ts.Expression): string | undefined {
  if (ts.isPropertyAccessExpression(target)) return target.name.text;
  if (ts.isElementAccessExpression(target)) return ts.isStringLiteralLike(target.argumentExpression) ? target.argumentExpression.text : 'host';
  return undefined;
}

/**
 * Whether a value takes its server from the derived names: an object's server fields (`{ host, port }`) made from them,
 * a URL text (a template or a `+` chain) whose parts not made from them sit before an `@` (the user and password),
 * either arm of a choice, or a read of a derived value (`url.href`, `url.toString()`, `dsn.slice(at + 1)`,
 * `Number(url.port)`). Text, numbers and `undefined` add no server of their own here (addsNoServer reads what they say).
 */
function isRebuiltValue(value: ts.Expression, derived: ReadonlySet<string>): boolean {
  const inner = unwrap(value);
  if (ts.isObjectLiteralExpression(inner)) return inner.properties.every((property) => isRebuiltField(property, derived));
  if (ts.isTemplateExpression(inner)) return inner.templateSpans.every((span, at) => isRebuiltValue(span.expression, derived) || userInfoFollows(inner, at));
  if (isConcatenation(inner)) {
    const parts = concatenated(inner);
    return parts.every((part, at) => isRebuiltValue(part, derived) || parts.slice(at + 1).some((next) => ts.isStringLiteralLike(next) && next.text.includes('@')));
  }
  if (ts.isConditionalExpression(inner)) return isRebuiltValue(inner.whenTrue, derived) && isRebuiltValue(inner.whenFalse, derived);
  if (ts.isBinaryExpression(inner) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(inner.operatorToken.kind)) {
    return isRebuiltValue(inner.left, derived) && isRebuiltValue(inner.right, derived);
  }
  if (ts.isStringLiteralLike(inner) || ts.isNumericLiteral(inner) || (ts.isIdentifier(inner) && inner.text === 'undefined') || inner.kind === ts.SyntaxKind.NullKeyword) return true;
  return isReadOfRebuilt(inner, derived);
}

/**
 * A read of a rebuilt value (`url` of `url.pathname.split('/')[0].trim()`): a member or index read, a reading or replacing
 * method, an encoding function or `new URL(…)` of one (`Number(url.port)`, `new URL(dsn)`), or a derived name itself.
 */
function isReadOfRebuilt(value: ts.Expression, derived: ReadonlySet<string>): boolean {
  if (ts.isPropertyAccessExpression(value) || ts.isElementAccessExpression(value)) return isRebuiltValue(value.expression, derived);
  if (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression)) {
    const method = value.expression.name.text;
    return (READING_METHODS.has(method) || REPLACING_METHODS.has(method)) && isRebuiltValue(value.expression.expression, derived);
  }
  if (ts.isCallExpression(value) || ts.isNewExpression(value)) {
    const args = value.arguments ?? [];
    return isKnownConversion(value) && args.length > 0 && args.every((argument) => isRebuiltValue(argument, derived));
  }
  return ts.isIdentifier(value) && derived.has(value.text);
}

/** An encoding function's call (`decodeURIComponent(…)`, `Number(…)`) or `new URL(text)`: the server it names is its argument's. */
function isKnownConversion(call: ts.CallExpression | ts.NewExpression): boolean {
  const callee = call.expression;
  if (!ts.isIdentifier(callee)) return false;
  return ts.isNewExpression(call) ? callee.text === 'URL' && call.arguments?.length === 1 : ENCODING_FUNCTIONS.has(callee.text);
}

function isConcatenation(value: ts.Expression): value is ts.BinaryExpression {
  return ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.PlusToken;
}

/** The parts of a `+` chain, in order. */
function concatenated(value: ts.Expression): ts.Expression[] {
  const inner = unwrap(value);
  return isConcatenation(inner) ? [...concatenated(inner.left), ...concatenated(inner.right)] : [inner];
}

function isRebuiltField(property: ts.ObjectLiteralElementLike, derived: ReadonlySet<string>): boolean {
  if (ts.isSpreadAssignment(property)) return isRebuiltValue(property.expression, derived);
  if (ts.isShorthandPropertyAssignment(property)) return !ENDPOINT_PARTS.has(property.name.text.toLowerCase()) || derived.has(property.name.text);
  if (!ts.isPropertyAssignment(property)) return false;
  const key = ts.isIdentifier(property.name) || ts.isStringLiteralLike(property.name) ? property.name.text : undefined;
  if (key === undefined) return false;
  return !ENDPOINT_PARTS.has(key.toLowerCase()) || isRebuiltValue(property.initializer, derived);
}

/** Whether an `@` is written after span `at` of a URL template: what that span puts in is the user or password. */
function userInfoFollows(template: ts.TemplateExpression, at: number): boolean {
  return template.templateSpans.slice(at).some((span) => span.literal.text.includes('@'));
}

/**
 * Whether a value adds no server of its own: the text it writes is punctuation (a number no pooler's port), text replaced
 * in is punctuation, and what is made from the derived names is handed to no call but reading methods, encoding functions
 * and `new URL(…)`. Comparisons and a reading method's arguments (positions, keys) add nothing to the value.
 */
function addsNoServer(value: ts.Expression, derived: ReadonlySet<string>): boolean {
  let adds = false;
  const check = (node: ts.Node): void => {
    if (adds || ts.isFunctionLike(node) || isComparison(node)) return;
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) adds = !PUNCTUATION_ONLY.test(node.text);
    else if (ts.isNumericLiteral(node)) adds = POOLER_PORT_TEXT.test(node.text);
    else if (ts.isElementAccessExpression(node)) check(node.expression);
    else if (ts.isCallExpression(node) || ts.isNewExpression(node)) checkCall(node);
    else ts.forEachChild(node, check);
  };
  const checkCall = (call: ts.CallExpression | ts.NewExpression): void => {
    const args = call.arguments ?? [];
    const member = ts.isPropertyAccessExpression(call.expression) ? call.expression : undefined;
    if (member && READING_METHODS.has(member.name.text)) return check(member.expression);
    if (member && REPLACING_METHODS.has(member.name.text)) return [member.expression, ...args.slice(1)].forEach(check);
    if (!isKnownConversion(call) && args.some((argument) => mentionsAny(argument, derived))) adds = true;
    else args.forEach(check);
  };
  check(value);
  return !adds;
}

function isComparison(node: ts.Node): boolean {
  return ts.isBinaryExpression(node) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken,
    ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken].includes(node.operatorToken.kind);
}
