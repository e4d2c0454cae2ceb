// A function or method of the file being analysed that sends one of its parameters as a query's text (a helper
// `run(sql)` around `pool.query(sql)`, followed a few helpers deep): which parameter it is, on which receiver, and
// whether a query config keeps the caller's statement name. The TS/JS analysis (embedded.ts) judges the caller's
// text as sent by that query.
import ts from 'typescript';
import { Flow, STRING_REWRITES, calleeText, objectProperty, singleReturn, unwrap } from './embeddedFlow';
import { enclosingFunction, isWithin, walkDescendants } from './astWalk';
import { CONFIG_NAME, CONFIG_TEXT } from './codeWords';
import { BEGINS, COMMITS, ROLLS_BACK_ANY, literalText, receiverKey, textsSentOn } from './rolledBackCallbacks';
import { boundaryHelperCall } from './boundaryHelpers';
import { runsOnEveryPathTo } from './everyPath';

/** The methods of a driver or client that send their first argument as a query (`pool.query(text)`, `sql.unsafe(text)`, Prisma's `$queryRaw…`). */
export const QUERY_METHODS = /^(query|querySync|execute|raw|unsafe|\$queryRaw\w*|\$executeRaw\w*)$/;

/** A local function that sends one of its parameters as a query's text: where that parameter is, and the query's receiver. */
export interface QueryHelper {
  textIndex: number;
  /** The parameter the query is sent through (`pgpool` of `pgpool.query(sql)`), if the receiver is one. */
  receiverIndex?: number;
  receiver?: ts.Expression;
  /**
   * False when the helper sends only the text of the config it is given (`{ text: q.text }`): a `name` its
   * callers write never reaches the driver. True when it sends the config itself or carries its name along
   * (`{ name: \`${prefix}:${q.name}\`, text: q.text }`).
   */
  sendsCallersName: boolean;
  /**
   * The property of the caller's object that is sent (`sql` of `conn.query(lock.sql)`), when the helper sends a
   * property of its parameter rather than the parameter itself; with `eachElement`, of each object of the caller's
   * list (`for (const lock of locks) await conn.query(lock.sql)`).
   */
  textProperty?: string;
  eachElement?: boolean;
  /**
   * The property of the caller's object that holds the list walked, when the helper destructures it from its parameter
   * (`({ client, settings }) => { for (const s of settings) await client.query(s) }`): the caller's object literal holds
   * the list there (`explain({ client, settings: ['SET enable_seqscan = off'] })`). Without `textProperty`, each element
   * of the list is a text (eachElement).
   */
  listProperty?: string;
  /**
   * The helper has a transaction open on its receiver at every send of the text (transactionOpenAt): `await
   * conn.query('BEGIN'); await conn.query(step.sql); await conn.query('COMMIT')`. The caller's text runs inside it
   * — when that receiver is known to be one connection (embedded.ts judges the client the caller hands).
   */
  insideTransaction?: boolean;
}

/**
 * The first query call in a function's body (nested callbacks included) whose text is one of the function's
 * own parameters: sent as it is (`pool.query(sql)`, `pool.query(config)`), as a config's text
 * (`{ text: sql }`), or as the text of a config the helper rebuilds from it (`{ text: q.text, values: q.values }`),
 * written in place or held in a const. Later sends of the same parameter only say whether every send is inside the
 * helper's transaction.
 */
export function queryHelper(fn: ts.FunctionLikeDeclaration, flow: Flow, cache: Map<ts.Node, QueryHelper | null>, depth = 0): QueryHelper | undefined {
  if (!fn.body) return undefined;
  const cached = cache.get(fn);
  if (cached !== undefined) return cached ?? undefined;
  cache.set(fn, null); // a helper calling itself (or a cycle of them) forwards nothing more
  const parameterOf = (node: ts.Expression | undefined): ts.ParameterDeclaration | undefined => {
    const value = node && unwrap(node);
    const binding = value && ts.isIdentifier(value) ? flow.bindingOf(value) : undefined;
    return binding && 'parameterOf' in binding && binding.parameterOf === fn && ts.isIdentifier(binding.parameter.name) ? binding.parameter : undefined;
  };
  const parameterIndex = (node: ts.Expression | undefined): number | undefined => {
    const parameter = parameterOf(node);
    return parameter && fn.parameters.indexOf(parameter);
  };
  let found: QueryHelper | undefined;
  // Whether every send of the found parameter (the first and any later one) has a transaction open on its client.
  let everyInside = true;
  const note = (send: QueryHelper): void => {
    if (found === undefined) found = send;
    else if (send.textIndex !== found.textIndex) return;
    everyInside &&= send.insideTransaction === true;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && QUERY_METHODS.test(calleeText(node.expression)) && ts.isPropertyAccessExpression(node.expression) && node.arguments[0]) {
      const sent = forwardedParameter(node.arguments[0], flow, parameterOf, fn);
      if (sent) {
        const receiver = node.expression.expression;
        note({ ...sent, receiverIndex: parameterIndex(receiver), receiver, ...insideTransactionAt(node, receiver, fn, flow) });
      }
    } else if (ts.isCallExpression(node) && depth < MAX_HELPER_CHAIN && isLocalCallee(node.expression)) {
      // Through another helper of the file (`runCommand(sql) { return this.enqueue(sql) }`, where `enqueue`
      // sends it with `conn.query(sql)`): the text goes where that helper sends its own.
      const inner = flow.localFunction(node.expression);
      const next = inner && inner !== fn ? queryHelper(inner, flow, cache, depth + 1) : undefined;
      const sent = next && node.arguments[next.textIndex] ? forwardedParameter(node.arguments[next.textIndex], flow, parameterOf, fn) : undefined;
      // A property read on the way to a helper that reads a property again is not followed, nor a list walked on either side.
      if (next && sent && !(sent.textProperty !== undefined && next.textProperty !== undefined) && !walksList(sent) && !walksList(next)) {
        const property = sent.textProperty !== undefined ? { textProperty: sent.textProperty, eachElement: sent.eachElement } : { textProperty: next.textProperty, eachElement: next.eachElement };
        const through = next.receiverIndex !== undefined ? node.arguments[next.receiverIndex] : undefined;
        // Inside a transaction the inner helper opens, or one this helper opens on the client before handing it on.
        const inside = next.insideTransaction || (through !== undefined && transactionOpenAt(node, through, fn, flow)) ? { insideTransaction: true } : {};
        note(next.receiverIndex !== undefined
          ? { textIndex: sent.textIndex, sendsCallersName: sent.sendsCallersName && next.sendsCallersName, receiverIndex: parameterIndex(through), receiver: through, ...property, ...inside }
          : { textIndex: sent.textIndex, sendsCallersName: sent.sendsCallersName && next.sendsCallersName, receiver: next.receiver, ...property, ...inside });
      }
    }
  };
  // An arrow's body may be the query call itself (`(pool, sql) => pool.query(sql)`). Every send is read, not only the
  // first: a helper sending the text inside its transaction on one path and alone on another runs it alone there.
  visit(fn.body);
  walkDescendants(fn.body, visit);
  if (found && !everyInside) delete found.insideTransaction;
  cache.set(fn, found ?? null);
  return found;
}

/**
 * Whether the helper `fn` (read by queryHelper as `helper`) does nothing but send its caller's text on its own client: its
 * body is that one query call (`(text, params) => client.query(text, params)`, or `{ return client.query(text, params) }`),
 * on a client it does not take as a parameter. A call of it is then that client's query, sent where the call is.
 */
export function onlyForwards(fn: ts.FunctionLikeDeclaration, helper: QueryHelper): boolean {
  if (!fn.body || helper.receiver === undefined || helper.receiverIndex !== undefined || helper.textProperty !== undefined || helper.eachElement) return false;
  if (ts.isBlock(fn.body) && fn.body.statements.length !== 1) return false;
  const returned = singleReturn(fn);
  const call = returned && unwrap(returned);
  return call !== undefined && ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && call.expression.expression === helper.receiver;
}

const insideTransactionAt = (call: ts.CallExpression, receiver: ts.Expression, fn: ts.FunctionLikeDeclaration, flow: Flow): Pick<QueryHelper, 'insideTransaction'> =>
  transactionOpenAt(call, receiver, fn, flow) ? { insideTransaction: true } : {};

/**
 * Whether `fn` surely has a transaction open on `receiver` (a name or `this.x`) when `call` runs, read in source order
 * across nested blocks: a BEGIN sent on it (a literal, or a const holding one) comes before `call` and runs whenever
 * it does (everyPath.ts: a statement of a block around `call`, kept or awaited, or in a `try` block there), and nothing that ends or may end it is sent on it — in any
 * branch or callback — between that BEGIN and `call`, nor anywhere in a loop around `call` that the BEGIN is outside
 * of (the loop's next turn would run `call` after it), and the name is not given another client between. `call` must
 * sit in `fn` itself, not a callback of it.
 */
function transactionOpenAt(call: ts.CallExpression, receiver: ts.Expression, fn: ts.FunctionLikeDeclaration, flow: Flow): boolean {
  const key = receiverKey(receiver);
  if (key === undefined || !fn.body || enclosingFunction(call) !== fn) return false;
  const sent = textsSentOn(key, fn.body, (argument) => sentText(argument, flow)).filter((s) => QUERY_METHODS.test(calleeText(s.node.expression)));
  const begin = sent.filter((s) => s.node.end <= call.pos && BEGINS.test(s.text) && runsOnEveryPathTo(s.node, call, fn)).pop();
  if (!begin) return false;
  const loops = loopsAround(call, fn).filter((loop) => !isWithin(begin.node, loop));
  const ends = [...sent.filter((s) => COMMITS.test(s.text) || ROLLS_BACK_ANY.test(s.text)).map((s) => s.node), ...endingHelperCalls(key, fn.body)];
  const between = (node: ts.Node): boolean => node.pos >= begin.node.end && node.end <= call.pos;
  return !ends.some((end) => between(end) || loops.some((loop) => isWithin(end, loop))) && !reassignedBetween(key, fn.body, between);
}

/** The text a query sends: a literal, or the literal a const of the function or module holds (`const COMMIT = 'COMMIT'`). */
function sentText(argument: ts.Expression, flow: Flow): string | undefined {
  const value = unwrap(argument);
  const held = ts.isIdentifier(value) ? flow.constantInitializer(value) : undefined;
  return literalText(held ?? value);
}

/**
 * Calls in `body` of a helper of the project that ends the transaction on the client it is handed, here the one `key`
 * names (`await commit(conn)`, `rollback(conn)`: boundaryHelpers.ts).
 */
function endingHelperCalls(key: string, body: ts.Node): ts.CallExpression[] {
  const calls: ts.CallExpression[] = [];
  walkDescendants(body, (node) => {
    if (!ts.isCallExpression(node)) return;
    const handed = boundaryHelperCall(node);
    if (handed && handed.boundary !== 'BEGIN' && receiverKey(handed.client) === key) calls.push(node);
  });
  return calls;
}

/** The loops of `fn` whose body holds `call`. */
function loopsAround(call: ts.Node, fn: ts.FunctionLikeDeclaration): ts.IterationStatement[] {
  const loops: ts.IterationStatement[] = [];
  for (let node = call.parent; node && node !== fn; node = node.parent) if (ts.isIterationStatement(node, false)) loops.push(node);
  return loops;
}

/** Whether `body` assigns the receiver named `key` (`conn = await pool.connect()`) at a place `at` accepts. */
function reassignedBetween(key: string, body: ts.Node, at: (node: ts.Node) => boolean): boolean {
  let assigned = false;
  walkDescendants(body, (node) => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && receiverKey(node.left) === key && at(node)) assigned = true;
  }, () => assigned);
  return assigned;
}

/** How many helpers deep a query's text is followed from a caller (`a(sql)` → `b(sql)` → `conn.query(sql)`). */
const MAX_HELPER_CHAIN = 3;

/** A call of a function or method the file may define: `run(…)`, `this.run(…)`. */
function isLocalCallee(callee: ts.Expression): boolean {
  return ts.isIdentifier(callee) || (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword);
}

type Forwarded = Pick<QueryHelper, 'textIndex' | 'sendsCallersName' | 'textProperty' | 'eachElement' | 'listProperty'>;

/** A send of each text of a list the helper walks (`for (const s of settings) await client.query(s)`): not followed through another helper. */
function walksList(sent: Forwarded): boolean {
  return sent.eachElement === true && sent.textProperty === undefined;
}

const indexOf = (parameter: ts.ParameterDeclaration): number => (parameter.parent as ts.SignatureDeclaration).parameters.indexOf(parameter);

/** Which parameter a query call's argument forwards, and whether the config sent keeps that parameter's `name`. */
function forwardedParameter(argument: ts.Expression, flow: Flow, parameterOf: (node: ts.Expression | undefined) => ts.ParameterDeclaration | undefined, fn: ts.FunctionLikeDeclaration): Forwarded | undefined {
  const whole = parameterOf(argument);
  if (whole) return { textIndex: indexOf(whole), sendsCallersName: true };
  const property = forwardedProperty(argument, flow, parameterOf);
  if (property) return property;
  const element = forwardedElement(argument, flow, fn);
  if (element) return element;
  const rewritten = rewrittenParameter(argument, flow, parameterOf);
  if (rewritten) return { textIndex: indexOf(rewritten), sendsCallersName: false };
  const config = configObject(argument, flow);
  const text = config && (objectProperty(config, CONFIG_TEXT) ?? spreadConfigText(config, flow));
  if (!config || !text) return undefined;
  const asText = parameterOf(text);
  if (asText) return { textIndex: indexOf(asText), sendsCallersName: false };
  // `{ text: q.text, … }`: the caller's config, rebuilt; its name is sent only if the new one is made from it.
  const unwrapped = unwrap(text);
  const source = ts.isPropertyAccessExpression(unwrapped) && unwrapped.name.text === CONFIG_TEXT ? parameterOf(unwrapped.expression) : undefined;
  if (!source) return undefined;
  const name = objectProperty(config, CONFIG_NAME);
  return { textIndex: indexOf(source), sendsCallersName: name !== undefined && mentionsName(name, source.name as ts.Identifier) };
}

/**
 * `conn.query(step.sql)`: a property of a parameter sent as the text, or of each element of a parameter the helper
 * walks with `for (const step of steps)` (a const of the loop). Its callers' object literals hold the text at that
 * property (`run(conn, { sql: 'SELECT …', params })`, `cleanup(conn, [{ sql: 'SELECT …' }])`): read there by sentTexts.
 */
function forwardedProperty(argument: ts.Expression, flow: Flow, parameterOf: (node: ts.Expression | undefined) => ts.ParameterDeclaration | undefined): Forwarded | undefined {
  const value = unwrap(argument);
  if (!ts.isPropertyAccessExpression(value) || !ts.isIdentifier(value.expression)) return undefined;
  const textProperty = value.name.text;
  const object = parameterOf(value.expression);
  if (object) return { textIndex: indexOf(object), sendsCallersName: false, textProperty };
  const loop = flow.declaringLoop(value.expression);
  const walked = loop && parameterOf(loop.expression);
  return walked && { textIndex: indexOf(walked), sendsCallersName: false, textProperty, eachElement: true };
}

/**
 * `client.query(s)` where `s` is the const of a `for (const s of settings)` loop of the helper `fn`, and `settings` is its own
 * parameter or a property its parameter destructures (`{ client, settings }: { …; settings: string[] }`, a top-level
 * element without a rest): each element of the caller's list is a text the helper sends as a message of its own. Its
 * callers' lists are read by sentTexts.
 */
function forwardedElement(argument: ts.Expression, flow: Flow, fn: ts.FunctionLikeDeclaration): Forwarded | undefined {
  const value = unwrap(argument);
  const loop = ts.isIdentifier(value) ? flow.declaringLoop(value) : undefined;
  const list = loop && unwrap(loop.expression);
  const binding = list && ts.isIdentifier(list) ? flow.bindingOf(list) : undefined;
  // The helper's own parameter, walked in its own body (not a callback's, which runs when something else calls it).
  if (!binding || !('parameterOf' in binding) || binding.parameterOf !== fn || enclosingFunction(loop!) !== fn) return undefined;
  const textIndex = indexOf(binding.parameter);
  if (ts.isIdentifier(binding.parameter.name)) return { textIndex, sendsCallersName: false, eachElement: true };
  if (!ts.isObjectBindingPattern(binding.parameter.name)) return undefined;
  const element = binding.parameter.name.elements.find((e) => ts.isIdentifier(e.name) && e.name.text === (list as ts.Identifier).text);
  const key = element && !element.dotDotDotToken ? element.propertyName ?? element.name : undefined;
  return key && (ts.isIdentifier(key) || ts.isStringLiteral(key)) ? { textIndex, sendsCallersName: false, eachElement: true, listProperty: key.text } : undefined;
}

/** How deep sentTexts follows a caller's list through spreads and choices (`...(held ? [{ sql }] : [])`). */
const MAX_LIST_NESTING = 4;

/**
 * The expressions a call hands a helper as query texts at the helper's text argument: the argument itself, or, for a
 * helper that sends a property of it (QueryHelper.textProperty), that property of the object literal written there
 * (or held in a const) — of each object of the list written there with `eachElement`, also inside spreads of lists
 * and either side of a choice (`[...(locked ? [{ sql: 'SELECT pg_advisory_unlock($1)' }] : [])]`). Objects made
 * elsewhere are not read.
 */
export function sentTexts(argument: ts.Expression, helper: QueryHelper, flow: Flow): ts.Expression[] {
  const property = helper.textProperty;
  if (property === undefined && helper.eachElement) return listedTexts(argument, helper.listProperty, flow);
  if (property === undefined) return [argument];
  const objects: ts.ObjectLiteralExpression[] = [];
  const collect = (node: ts.Expression, depth: number, inList: boolean): void => {
    let value = unwrap(node);
    const held = ts.isIdentifier(value) ? flow.constantInitializer(value) : undefined;
    if (held) value = unwrap(held);
    if (ts.isObjectLiteralExpression(value) && inList === !!helper.eachElement) objects.push(value);
    if (depth >= MAX_LIST_NESTING) return;
    if (ts.isConditionalExpression(value)) for (const side of [value.whenTrue, value.whenFalse]) collect(side, depth + 1, inList);
    if (ts.isArrayLiteralExpression(value) && helper.eachElement && !inList) {
      for (const element of value.elements) {
        if (ts.isSpreadElement(element)) collect(element.expression, depth + 1, false);
        else collect(element, depth + 1, true);
      }
    }
  };
  collect(argument, 0, false);
  return objects.map((object) => objectProperty(object, property)).filter((text): text is ts.Expression => text !== undefined);
}

/**
 * The texts of the list a call hands a helper that sends each element (forwardedElement): the array literal written at
 * the argument, or at its `listProperty` in the object literal written there (either held in a const too), also inside
 * spreads of lists and either side of a choice. A list made elsewhere is not read.
 */
function listedTexts(argument: ts.Expression, listProperty: string | undefined, flow: Flow): ts.Expression[] {
  const written = (node: ts.Expression): ts.Expression => {
    const value = unwrap(node);
    const held = ts.isIdentifier(value) ? flow.constantInitializer(value) : undefined;
    return held ? unwrap(held) : value;
  };
  let list: ts.Expression | undefined = argument;
  if (listProperty !== undefined) {
    const object = written(argument);
    list = ts.isObjectLiteralExpression(object) && !object.properties.some(ts.isSpreadAssignment) ? objectProperty(object, listProperty) : undefined;
  }
  const texts: ts.Expression[] = [];
  const collect = (node: ts.Expression, depth: number): void => {
    const value = written(node);
    if (depth >= MAX_LIST_NESTING) return;
    if (ts.isConditionalExpression(value)) for (const side of [value.whenTrue, value.whenFalse]) collect(side, depth + 1);
    if (!ts.isArrayLiteralExpression(value)) return;
    for (const element of value.elements) {
      if (ts.isSpreadElement(element)) collect(element.expression, depth + 1);
      else texts.push(element);
    }
  };
  if (list) collect(list, 0);
  return texts;
}

/**
 * The parameter a query's text is rewritten from before it is sent: the first argument of a call whose result
 * (or a name destructured from it) is the text, such as a named-parameter helper turning `$name` into `$1`
 * (`const { text, values } = toPositional(sql, params); client.query(text, values)`), or a string method called
 * on the parameter (`sql.trim()`, also chained: `sql.replace(/\s+/, ' ').trim()`). Its callers' text is still read as a wrapper's is: only a whole statement or
 * a SET, without syntax errors.
 */
function rewrittenParameter(argument: ts.Expression, flow: Flow, parameterOf: (node: ts.Expression | undefined) => ts.ParameterDeclaration | undefined): ts.ParameterDeclaration | undefined {
  let value = unwrap(argument);
  if (ts.isIdentifier(value)) {
    const held = flow.constantInitializer(value) ?? flow.destructuringOf(value)?.initializer;
    if (!held) return undefined;
    value = unwrap(held);
  }
  if (!ts.isCallExpression(value)) return undefined;
  const first = value.arguments[0];
  if (first && parameterOf(first)) return parameterOf(first);
  // `sql.trim()`, and a chain of them: `query.replace(/\s+/, ' ').trim()`.
  let callee = value.expression;
  while (ts.isPropertyAccessExpression(callee) && STRING_REWRITES.has(callee.name.text)) {
    const target = unwrap(callee.expression);
    if (!ts.isCallExpression(target)) return parameterOf(target);
    callee = target.expression;
  }
  return undefined;
}

/** An object literal written in place, or held in a const of the helper. */
function configObject(argument: ts.Expression, flow: Flow): ts.ObjectLiteralExpression | undefined {
  const value = unwrap(argument);
  if (ts.isObjectLiteralExpression(value)) return value;
  const held = ts.isIdentifier(value) ? flow.constantInitializer(value) : undefined;
  return held && ts.isObjectLiteralExpression(unwrap(held)) ? (unwrap(held) as ts.ObjectLiteralExpression) : undefined;
}

/**
 * The text of the config the last spread of `{ ...query, values }` copies, when that is a const of the function holding
 * a config written in place, also through a cache filled in place (`const query = cache[key] = cache[key] || { text: sql,
 * name: key }`): the text a helper's callers hand it, sent with the values added.
 */
function spreadConfigText(config: ts.ObjectLiteralExpression, flow: Flow): ts.Expression | undefined {
  const spread = [...config.properties].reverse().find(ts.isSpreadAssignment);
  const name = spread && unwrap(spread.expression);
  const held = name && ts.isIdentifier(name) ? flow.constantInitializer(name) : undefined;
  if (!held) return undefined;
  let value = unwrap(held);
  while (ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.EqualsToken) value = unwrap(value.right);
  const choices = ts.isBinaryExpression(value) && (value.operatorToken.kind === ts.SyntaxKind.BarBarToken || value.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
    ? [value.left, value.right] : [value];
  const written = choices.map(unwrap).find(ts.isObjectLiteralExpression);
  return written && objectProperty(written, CONFIG_TEXT);
}

/** Whether an expression reads the given name (`q.name`, `${prefix}:${q.name}`). */
function mentionsName(expression: ts.Expression, name: ts.Identifier): boolean {
  let seen = false;
  walkDescendants(expression, (node) => {
    if (ts.isIdentifier(node) && node.text === name.text) seen = true;
    return !seen;
  });
  return seen || (ts.isIdentifier(expression) && expression.text === name.text);
}

/** Whether `use` sits in a function nested inside the function (not the module) that declares its variable. */
export function capturedFromEnclosingFunction(use: ts.Identifier, declaration: ts.VariableDeclaration): boolean {
  const declaredIn = enclosingFunction(declaration);
  return declaredIn !== undefined && enclosingFunction(use) !== declaredIn;
}
