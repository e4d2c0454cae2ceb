// The `prepare` option a postgres.js client is created with, followed through the shapes options take in
// real code: an options object held in a local name (`postgres(options)`), spreads of such objects
// (`postgres({ ...options, max: 2 })`) where a later property wins over an earlier one, objects merged by a
// call (`merge(defaults, overrides)`, `Object.assign({}, a, b)`: later arguments win) and the one value a local
// function returns (`postgres(buildOptions(opts))`). postgres.js's older option name `no_prepare` counts as
// the opposite of `prepare` (v3 still reads it).
import ts from 'typescript';
import { fieldValues, singleReturn, unwrap, type Flow } from './embeddedFlow';
import { isAssignmentExpression, propertyNameText, walkDescendants } from './astWalk';
import { calledFunction } from './rolledBackCallbacks';
import { NO_PREPARE_OPTION, PREPARE_OPTION } from './codeWords';
import { optionAssignmentsBefore } from './optionAssignments';

/** How many names deep an options object is followed (`const base = {…}; const options = { ...base }`). */
const MAX_OPTION_HOPS = 4;

/** The object literal an options expression is, or the one a local name holding it was bound to. */
export function optionsObject(expression: ts.Expression, flow: Flow, hops = 0): ts.ObjectLiteralExpression | undefined {
  if (ts.isObjectLiteralExpression(expression)) return expression;
  if (!ts.isIdentifier(expression) || hops >= MAX_OPTION_HOPS) return undefined;
  const value = flow.declaredInitializer(expression);
  return value ? optionsObject(value, flow, hops + 1) : undefined;
}

/**
 * The value the `prepare` option takes in an options object: the last `prepare` property, or the `prepare`
 * of a local object spread after it. A spread of something unknown (a parameter) says nothing.
 */
export function prepareOption(options: ts.ObjectLiteralExpression, flow: Flow, hops = 0): ts.Expression | undefined {
  let prepare: ts.Expression | undefined;
  for (const property of options.properties) {
    if (ts.isSpreadAssignment(property)) {
      prepare = (hops < MAX_OPTION_HOPS ? heldPrepareOption(property.expression, flow, hops + 1) : undefined) ?? prepare;
    } else if (ts.isPropertyAssignment(property) && propertyNamed(property.name, PREPARE_OPTION)) {
      prepare = property.initializer;
    } else if (ts.isShorthandPropertyAssignment(property) && property.name.text === PREPARE_OPTION) {
      prepare = property.name;
    } else if (ts.isPropertyAssignment(property) && propertyNamed(property.name, NO_PREPARE_OPTION)) {
      // `no_prepare: x` is `prepare: !x` (a node of its own, outside the file's text: no fix edits it).
      prepare = ts.factory.createLogicalNot(property.initializer);
    }
  }
  return prepare;
}

/**
 * The value the last `options.prepare = …` (or `options.no_prepare = …`, negated) written before `use` puts in the
 * options object a local name holds (`const poolOptions = {}; if (config.prepare !== undefined) poolOptions.prepare =
 * config.prepare`), in the function (or file) that declares it. Such a write decides the option wherever it stands:
 * taken as the option's value, conditional or not (a caller's setting copied in when given is the author's run-time
 * decision, as a parameter without a default is). Undefined when nothing writes it.
 */
export function assignedPrepareOption(use: ts.Identifier, flow: Flow): ts.Expression | undefined {
  let prepare: ts.Expression | undefined;
  for (const { option, assignment } of optionAssignmentsBefore(use, flow)) {
    if (option === PREPARE_OPTION) prepare = assignment.right;
    else if (option === NO_PREPARE_OPTION) prepare = ts.factory.createLogicalNot(assignment.right);
  }
  return prepare;
}

/** Calls that merge option objects into one, a later argument's property winning (lodash's and deepmerge's `merge`, `Object.assign`). */
const MERGING_CALL = /^(?:merge|mergeDeep|deepMerge|deepmerge|assign|extend|mergeOptions|mergeConfig)$/;

/**
 * The `prepare` value of options given by an expression other than a literal written at the call: a local name
 * holding an object, a merging call of several (the last one that sets it wins), or a call of a local function
 * whose one returned value is such options. Unknown (a parameter, another module's function): undefined.
 */
export function heldPrepareOption(expression: ts.Expression, flow: Flow, hops = 0): ts.Expression | undefined {
  const node = unwrap(expression);
  if (ts.isObjectLiteralExpression(node)) return prepareOption(node, flow, hops);
  if (hops >= MAX_OPTION_HOPS) return undefined;
  if (ts.isIdentifier(node)) {
    const assigned = assignedPrepareOption(node, flow);
    if (assigned) return assigned;
    const value = flow.declaredInitializer(node);
    return value ? heldPrepareOption(value, flow, hops + 1) : undefined;
  }
  if (!ts.isCallExpression(node)) return undefined;
  const callee = node.expression;
  const calleeName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (MERGING_CALL.test(calleeName)) {
    let prepare: ts.Expression | undefined;
    for (const argument of node.arguments) prepare = heldPrepareOption(argument, flow, hops + 1) ?? prepare;
    return prepare;
  }
  return calledFunctionPrepareOption(node, flow, hops);
}

/**
 * The `prepare` value of the options a called function returns: a function of the file whose one returned value is
 * such options, or a function of the file or of an imported project module (rolledBackCallbacks.ts' calledFunction)
 * that hands back the options it is given with fields of its own added (passedOnArgument): then the argument's
 * `prepare`, when it says one. A function of another module is read for nothing else (its values belong to its flow).
 */
function calledFunctionPrepareOption(call: ts.CallExpression, flow: Flow, hops: number): ts.Expression | undefined {
  const local = flow.localFunction(call.expression);
  const fn = local ?? calledFunction(call);
  const returned = fn && singleReturn(fn);
  if (!fn || !returned) return undefined;
  const own = local ? heldPrepareOption(returned, flow, hops + 1) : undefined;
  const argument = passedOnArgument(call, fn, returned);
  return (argument && heldPrepareOption(argument, flow, hops + 1)) ?? own;
}

/**
 * The argument of `call` whose options the function returns as they are or spread into an object literal
 * (`withDefaults({ prepare: false, … })` with `return { ...options, types }`): its one returned value is the parameter,
 * or a literal spreading it after which nothing can set `prepare` (no `prepare`/`no_prepare`, no other spread, no
 * computed key), and the body otherwise only reads the parameter or writes other named fields on it (`options.types =
 * …`). A parameter handed to a call, assigned, or written under `prepare` may come back changed: no argument.
 */
function passedOnArgument(call: ts.CallExpression, fn: ts.FunctionLikeDeclaration, returned: ts.Expression): ts.Expression | undefined {
  const value = unwrap(returned);
  const index = fn.parameters.findIndex((parameter) => ts.isIdentifier(parameter.name) && !parameter.dotDotDotToken && isPassedOn(value, parameter.name.text));
  const argument = index < 0 ? undefined : call.arguments[index];
  if (!argument || ts.isSpreadElement(argument) || !fn.body) return undefined;
  const name = (fn.parameters[index].name as ts.Identifier).text;
  let keeps = true;
  walkDescendants(fn.body, (node) => {
    if (ts.isIdentifier(node) && node.text === name && !isNameNotUse(node)) keeps &&= node === value || isPassingSpread(node, value) || onlyReadsOrAddsFields(node);
    return keeps;
  });
  return keeps ? argument : undefined;
}

/** `options` returned itself, or the last word on `prepare` in the returned literal (`{ …, ...options, types }`). */
function isPassedOn(value: ts.Expression, name: string): boolean {
  if (ts.isIdentifier(value)) return value.text === name;
  if (!ts.isObjectLiteralExpression(value)) return false;
  const spread = value.properties.findIndex((p) => ts.isSpreadAssignment(p) && ts.isIdentifier(p.expression) && p.expression.text === name);
  return spread >= 0 && value.properties.slice(spread + 1).every(setsNoPrepare);
}

/** A property of a returned literal that cannot be `prepare`: a named one other than `prepare`/`no_prepare`. */
function setsNoPrepare(property: ts.ObjectLiteralElementLike): boolean {
  if (ts.isSpreadAssignment(property)) return false;
  const name = ts.isShorthandPropertyAssignment(property) ? property.name.text : property.name && propertyNameText(property.name);
  return name !== undefined && !isPrepareOptionName(name);
}

/** The spread of the parameter in the returned literal itself. */
function isPassingSpread(node: ts.Identifier, value: ts.Expression): boolean {
  return ts.isSpreadAssignment(node.parent) && node.parent.parent === value;
}

/** `options.connection` read (not called), or a named field other than `prepare` written (`options.types = …`). */
function onlyReadsOrAddsFields(node: ts.Identifier): boolean {
  const access = node.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== node) return false;
  const parent = access.parent;
  if (ts.isCallExpression(parent) && parent.expression === access) return false;
  const deletedOrWritten = ts.isDeleteExpression(parent) || (isAssignmentExpression(parent) && parent.left === access);
  return !deletedOrWritten || !isPrepareOptionName(access.name.text);
}

/** `prepare` or `no_prepare`: a field that says whether the client prepares. */
function isPrepareOptionName(name: string): boolean {
  return name === PREPARE_OPTION || name === NO_PREPARE_OPTION;
}

/** An identifier that only names something: a property after a dot, an object key, a parameter's own name. */
function isNameNotUse(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node);
}

/**
 * Whether options come from the caller: a parameter of the enclosing function, given as it is, spread into a
 * literal (`{ ...connectionOptions, database }`) or held in a local name first.
 */
export function optionsFromParameter(expression: ts.Expression, flow: Flow, hops = 0): boolean {
  const node = unwrap(expression);
  if (hops >= MAX_OPTION_HOPS) return false;
  if (ts.isObjectLiteralExpression(node)) {
    return node.properties.some((property) => ts.isSpreadAssignment(property) && optionsFromParameter(property.expression, flow, hops + 1));
  }
  if (!ts.isIdentifier(node)) return false;
  const binding = flow.bindingOf(node);
  if (!binding) return false;
  if ('parameterOf' in binding) return true;
  return binding.variable.initializer !== undefined && optionsFromParameter(binding.variable.initializer, flow, hops + 1);
}

/**
 * An options object written in the file that turns preparing off (`prepare: false`, or the older `no_prepare: true`).
 * Run on the whole file: a line start takes that line's own blanks only (`^\s*` would try every line of a blank run).
 */
export const TURNS_PREPARE_OFF = new RegExp(String.raw`(?:[{,]\s*|^[ \t]*)(?:${PREPARE_OPTION}\s*:\s*false|${NO_PREPARE_OPTION}\s*:\s*true)\b`, 'm');

function propertyNamed(name: ts.PropertyName, wanted: string): boolean {
  return (ts.isIdentifier(name) || ts.isStringLiteral(name)) && name.text === wanted;
}

/** A computed `prepare` that reads a pooler or pool-mode setting (`mode !== 'transaction'`, `!behindPgBouncer`): the author's switch. */
const POOLER_SWITCH = /pool|bouncer|supavisor|transaction|mode|prepar/i;

/**
 * Whether a `prepare` value prepares when nothing is configured: true for `true`, a const or a parameter default
 * that is true (`{ prepareStatements = true }`), or a test of the query's own data (`id !== undefined`: some
 * runs prepare); false for `false`; undefined when the author decides at run time (a parameter without a
 * default, a test of a pooler or pool-mode setting) or when it cannot be told. `!`, `&&`, `||` and `??` combine.
 */
export function preparesByDefault(value: ts.Expression, flow: Flow, hops = 0): boolean | undefined {
  const node = unwrap(value);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (hops >= MAX_OPTION_HOPS) return undefined;
  if (ts.isIdentifier(node)) {
    const bound = boundValue(node, flow);
    return bound ? preparesByDefault(bound, flow, hops + 1) : undefined;
  }
  if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword) return fieldPrepares(node, flow, hops);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = preparesByDefault(node.operand, flow, hops + 1);
    return inner === undefined ? undefined : !inner;
  }
  if (!ts.isBinaryExpression(node)) return undefined;
  const operator = node.operatorToken.kind;
  if (operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken) {
    const left = preparesByDefault(node.left, flow, hops + 1);
    const right = preparesByDefault(node.right, flow, hops + 1);
    const and = operator === ts.SyntaxKind.AmpersandAmpersandToken;
    if (left === !and || right === !and) return !and;
    return left === and && right === and ? and : undefined;
  }
  if (operator === ts.SyntaxKind.QuestionQuestionToken) return preparesByDefault(node.right, flow, hops + 1);
  if (operator >= ts.SyntaxKind.FirstBinaryOperator && operator <= ts.SyntaxKind.LastBinaryOperator && COMPARISONS.has(operator)) {
    return POOLER_SWITCH.test(node.getText()) ? undefined : true;
  }
  return undefined;
}

/**
 * `prepare: this.prepare` in a class: what the class puts in that field (its initializer, each `this.prepare = …`,
 * a constructor parameter property's default), every value giving the same answer (`this.prepare = options.prepare ??
 * true` prepares when the caller configures nothing). A parameter property without default, a field the class never
 * fills, values that disagree, or `this` of a plain function inside the class: the author's decision at run time.
 */
function fieldPrepares(access: ts.PropertyAccessExpression, flow: Flow, hops: number): boolean | undefined {
  const owner = thisClass(access);
  if (!owner) return undefined;
  const name = access.name.text;
  const values = [...fieldValues(owner, name)];
  const ctor = owner.members.find(ts.isConstructorDeclaration);
  const property = ctor?.parameters.find((p) => ts.isParameterPropertyDeclaration(p, ctor) && ts.isIdentifier(p.name) && p.name.text === name);
  if (property) {
    if (!property.initializer) return undefined;
    values.push(property.initializer);
  }
  let verdict: boolean | undefined;
  for (const value of values) {
    const each = preparesByDefault(value, flow, hops + 1);
    if (each === undefined || (verdict !== undefined && each !== verdict)) return undefined;
    verdict = each;
  }
  return verdict;
}

/** The class whose instance `this` is at `node`: the enclosing class, unless a plain function (its own `this`) is between. */
function thisClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isFunctionDeclaration(current) || ts.isFunctionExpression(current)) return undefined;
    if (ts.isClassLike(current)) return current;
  }
  return undefined;
}

const COMPARISONS = new Set<ts.SyntaxKind>([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken, ts.SyntaxKind.LessThanToken, ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.GreaterThanEqualsToken]);

/** What a name holds when nothing is configured: a const's initializer, or a parameter's default (also a destructured one's). */
function boundValue(name: ts.Identifier, flow: Flow): ts.Expression | undefined {
  const binding = flow.bindingOf(name);
  if (!binding) return undefined;
  if ('variable' in binding) {
    const list = binding.variable.parent;
    const isConst = ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Const) !== 0;
    return isConst && ts.isIdentifier(binding.variable.name) ? binding.variable.initializer : undefined;
  }
  return defaultOf(binding.parameter.name, binding.parameter.initializer, name.text);
}

function defaultOf(binding: ts.BindingName, initializer: ts.Expression | undefined, wanted: string): ts.Expression | undefined {
  if (ts.isIdentifier(binding)) return binding.text === wanted ? initializer : undefined;
  for (const element of binding.elements) {
    if (ts.isOmittedExpression(element)) continue;
    const found = defaultOf(element.name, element.initializer, wanted);
    if (found) return found;
  }
  return undefined;
}
