// A hook a project class runs inside a transaction: a function handed to the class's constructor in its options object
// (`new Engine({ db, beforeQuery })`) or as an argument (`new Runner(db, hook)`), kept in a private field, maybe handed
// on to another class the same way, and in the end called with the transaction handle inside a driver's transaction
// callback (`db.transaction(async (tx) => { await hook(tx, ctx); … })`, rolledBackCallbacks.ts's
// callsWithTransactionHandle). Every way the hook's value goes is read, and each must be one of those steps or a test of
// whether it is set (`if (!this.hook)`): called anywhere else, returned, stored elsewhere or handed to anything else, it
// may run outside any transaction, and the answer is no. Then the hook's parameters are the transaction's handle
// (embedded.ts): a `SET LOCAL` it sends on them lasts until the transaction ends.
import ts from 'typescript';
import { isPrivateMember, constructorOf } from './classMembers';
import { hasModifier, propertyNameText, walkDescendants } from './astWalk';
import { isConstDeclaration, memberName, outermostWrapper } from './embeddedFlow';
import { isTruthinessTest } from './drizzleDatabaseUses';
import { declaringScope, isReference } from './postgresJsUses';
import { callsWithTransactionHandle } from './rolledBackCallbacks';
import { classNamed } from './unsafeOnlyFunctions';

/** How many steps (a class, a field, a name) the hook's value is followed through. */
const MAX_STEPS = 8;

/**
 * Whether a function (an arrow or function expression kept in a `const`, or written as a property of a constructor's
 * options object) runs only as a class's transaction hook, as the comment above reads it.
 */
export function runsAsClassTransactionHook(fn: ts.SignatureDeclaration): boolean {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return false;
  const first = fn.parameters[0];
  // A function that reads no member of its first parameter sends nothing on a handle there: nothing to follow (and
  // most functions kept in a `const` are spared a walk of their scope).
  if (!first || !ts.isIdentifier(first.name) || !fn.body || !readsMemberOf(fn.body, first.name.text)) return false;
  const written = outermostWrapper(fn);
  const holder = written.parent;
  if (ts.isVariableDeclaration(holder) && holder.initializer === written) return constRunsInTransaction(holder, 0);
  return ts.isPropertyAssignment(holder) && holder.initializer === written && ts.isNewExpression(outermostWrapper(holder.parent).parent)
    && mentionRunsInTransaction(fn, 0);
}

/** Whether `body` reads a member of `name` (`tx.execute`, `tx.query`). */
function readsMemberOf(body: ts.Node, name: string): boolean {
  let reads = false;
  walkDescendants(body, (node) => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === name) reads = true;
    return undefined;
  }, () => reads);
  return reads;
}

/**
 * One place the hook's value is (a name, `this.field`, `options.hook`, the function itself): every way it goes from
 * there runs it inside a transaction, on the handle.
 */
function mentionRunsInTransaction(mention: ts.Expression, steps: number): boolean {
  if (steps > MAX_STEPS) return false;
  const use = outermostWrapper(mention, { throughAwait: false }) as ts.Expression;
  const parent = use.parent;
  if (isTruthinessTest(use)) return true;
  if (ts.isCallExpression(parent) && parent.expression === use) return callsWithTransactionHandle(parent);
  if (ts.isNewExpression(parent) && parent.arguments?.includes(use)) return argumentRunsInTransaction(parent, parent.arguments.indexOf(use), steps + 1);
  if ((ts.isShorthandPropertyAssignment(parent) && parent.name === use) || (ts.isPropertyAssignment(parent) && parent.initializer === use)) {
    return optionRunsInTransaction(parent, steps + 1);
  }
  if (ts.isVariableDeclaration(parent) && parent.initializer === use) return constRunsInTransaction(parent, steps + 1);
  const field = storedField(use);
  const owner = field === undefined ? undefined : enclosingOwnClass(use);
  return field !== undefined && owner !== undefined && fieldRunsInTransaction(owner, field, steps + 1);
}

/** `this.<field> = <use>;` as a statement of its own: the field's name. */
function storedField(use: ts.Expression): string | undefined {
  const assignment = use.parent;
  if (!ts.isBinaryExpression(assignment) || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken || assignment.right !== use) return undefined;
  if (!ts.isExpressionStatement(assignment.parent)) return undefined;
  const target = assignment.left;
  return ts.isPropertyAccessExpression(target) && target.expression.kind === ts.SyntaxKind.ThisKeyword ? target.name.text : undefined;
}

/** The class whose `this` a node's code reads: the nearest class around it, with no plain function (its own `this`) between. */
function enclosingOwnClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isClassLike(current)) return current;
    if (ts.isFunctionDeclaration(current) || ts.isFunctionExpression(current)) return undefined;
  }
  return undefined;
}

/** A `const` holding the hook: every mention of its name in its scope runs it in a transaction (at least one). */
function constRunsInTransaction(declaration: ts.VariableDeclaration, steps: number): boolean {
  if (!ts.isIdentifier(declaration.name) || !isConstDeclaration(declaration)) return false;
  return everyMention(declaringScope(declaration), declaration.name, (mention) => mentionRunsInTransaction(mention, steps), true);
}

/**
 * Whether the name `declared` binds is mentioned within `scope` (not in its own declaration) and `judge` accepts every
 * mention, read in order and stopped at the first it refuses; no when something else in the scope is declared under the
 * same name (a shadowing name would need scoping rules: none is read). `atLeastOne` asks for one mention at least.
 */
function everyMention(scope: ts.Node, declared: ts.Identifier, judge: (mention: ts.Identifier) => boolean, atLeastOne: boolean): boolean {
  let mentions = 0;
  let refused = false;
  walkDescendants(scope, (node) => {
    if (!ts.isIdentifier(node) || node === declared || node.text !== declared.text || !isReference(node)) return undefined;
    const parent = node.parent;
    const declares = (ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isBindingElement(parent) || ts.isFunctionDeclaration(parent)
      || ts.isClassDeclaration(parent)) && parent.name === node;
    mentions++;
    if (declares || !judge(node)) refused = true;
    return undefined;
  }, () => refused);
  return !refused && (!atLeastOne || mentions > 0);
}

/** The hook as a property of an object literal handed to a project class's constructor (`new Engine({ beforeQuery })`). */
function optionRunsInTransaction(property: ts.PropertyAssignment | ts.ShorthandPropertyAssignment, steps: number): boolean {
  const name = propertyNameText(property.name);
  const argument = outermostWrapper(property.parent) as ts.Expression;
  const made = argument.parent;
  if (name === undefined || !ts.isNewExpression(made) || !made.arguments?.includes(argument)) return false;
  const found = constructorParameter(made, made.arguments.indexOf(argument));
  if (!found || hasModifiers(found.parameter)) return false;
  // The options object is read only for its members (and tested): its member `name` is the hook's next place.
  return everyMention(found.body, found.parameter.name, (mention) => {
    const access = mention.parent;
    if (ts.isPropertyAccessExpression(access) && access.expression === mention) return access.name.text !== name || mentionRunsInTransaction(access, steps);
    return isTruthinessTest(mention);
  }, false);
}

/** The hook as an argument of a project class's constructor (`new Runner(db, hook)`): the parameter there, and its field. */
function argumentRunsInTransaction(made: ts.NewExpression, index: number, steps: number): boolean {
  const found = constructorParameter(made, index);
  if (!found) return false;
  const { parameter, body, owner } = found;
  if (!everyMention(body, parameter.name, (mention) => mentionRunsInTransaction(mention, steps), false)) return false;
  // `constructor(private hook: Hook)`: the parameter is the field too.
  if (!hasModifiers(parameter)) return true;
  return hasModifier(parameter, ts.SyntaxKind.PrivateKeyword) && fieldRunsInTransaction(owner, parameter.name.text, steps);
}

/** A constructor's parameter with a plain name, the constructor's body and its class. */
type ConstructorParameter = { parameter: ts.ParameterDeclaration & { name: ts.Identifier }; body: ts.Block; owner: ts.ClassDeclaration };

/**
 * The parameter of a project class's constructor (found as unsafeOnlyFunctions.ts's classNamed finds it) that argument
 * `index` of `made` fills: a plain name, not a rest parameter, with no spread argument before it.
 */
function constructorParameter(made: ts.NewExpression, index: number): ConstructorParameter | undefined {
  if (!ts.isIdentifier(made.expression) || !made.arguments || made.arguments.slice(0, index + 1).some(ts.isSpreadElement)) return undefined;
  const owner = classNamed(made.expression.text, made.getSourceFile());
  const constructor = owner && constructorOf(owner);
  const parameter = constructor?.parameters[index];
  if (!owner || !constructor?.body || !parameter || !ts.isIdentifier(parameter.name) || parameter.dotDotDotToken) return undefined;
  return { parameter: parameter as ConstructorParameter['parameter'], body: constructor.body, owner };
}

/** A parameter property's modifiers (`private`, `readonly`, …): the parameter is a field of the instance too. */
function hasModifiers(parameter: ts.ParameterDeclaration): boolean {
  return (ts.getModifiers(parameter)?.length ?? 0) > 0;
}

/**
 * A private field of the class holding the hook: only the class's own code reads it (an instance made with `new` is of
 * this very class), and every `this.<field>` there other than a write runs it in a transaction; `this` is read only to
 * reach members (`const { hook } = this` would take it out unseen).
 */
function fieldRunsInTransaction(owner: ts.ClassLikeDeclaration, field: string, steps: number): boolean {
  if (steps > MAX_STEPS || !isPrivateField(owner, field)) return false;
  let safe = true;
  walkDescendants(owner, (node) => {
    if (node !== owner && ts.isClassLike(node)) return false;
    if (node.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
    const access = node.parent;
    if (!ts.isPropertyAccessExpression(access) || access.expression !== node) safe = false;
    else if (access.name.text === field && !isWrite(access)) safe = mentionRunsInTransaction(access, steps);
    return undefined;
  }, () => !safe);
  return safe;
}

/** The class declares the field private (`private hook?: Hook`, `#hook`, or `constructor(private hook: Hook)`). */
function isPrivateField(owner: ts.ClassLikeDeclaration, field: string): boolean {
  const member = owner.members.find((m) => ts.isPropertyDeclaration(m) && memberName(m) === field);
  if (member) return isPrivateMember(member);
  const parameter = constructorOf(owner)?.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === field);
  return parameter !== undefined && hasModifier(parameter, ts.SyntaxKind.PrivateKeyword);
}

/** `this.<field> = …` as the target of a plain assignment: another value put there. */
function isWrite(access: ts.PropertyAccessExpression): boolean {
  const parent = access.parent;
  return ts.isBinaryExpression(parent) && parent.left === access && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken;
}
