// SQL templates a test only renders to text and compares, never sends: `expect(sql\`…\`.toSQL()).toBe(…)`,
// or `const q = sql\`…\`` whose every use is such a rendering. A query builder's unit test checks the text a
// template makes (a `SET LOCAL` among them); no connection ever runs it, so it holds no pooling hazard.
// So does a template that is the expected value of an expect matcher (`expect(trx.execute).toHaveBeenCalledWith(
// sql\`SELECT set_config(…, true)\`)`): the matcher compares it with what a mock received, it never awaits it. The
// value `expect(…)` itself takes is not one of these: `await expect(sql\`…\`).resolves…` runs a postgres.js query.
import ts from 'typescript';
import { expectChain } from './assertionChains';
import { walkDescendants } from './astWalk';
import type { Flow } from './embeddedFlow';
import { outsideParentheses } from './postgresJsUses';

/** Methods that turn a query object into its text without sending it (toSQL/makeSQL, knex's toQuery, Kysely's compile). */
const RENDER_METHODS = new Set(['toSQL', 'toSql', 'makeSQL', 'toQuery', 'compile']);
/** Assertion calls that compare a value: `expect(v)`, `assert(v)`, `assertEquals(v, w)`, `assert.equal(v, w)`, `t.is(v, w)`. */
const ASSERTION_FUNCTION = /^(expect|assert\w*)$/;
const ASSERTION_OBJECT = /^(assert|expect|t)$/;

/** Whether a tagged template is only compared by an assertion (rendered into one, or a matcher's expected value), directly or through a const nothing else uses. */
export function isOnlyRendered(template: ts.TaggedTemplateExpression, flow: Flow): boolean {
  if (!comparesAnything(template.getSourceFile())) return false;
  const outer = outsideParentheses(template);
  if (isComparedOnly(outer)) return true;
  const declaration = outer.parent;
  if (!ts.isVariableDeclaration(declaration) || declaration.initializer !== outer || !ts.isIdentifier(declaration.name)) return false;
  if (!ts.isVariableDeclarationList(declaration.parent) || (declaration.parent.flags & ts.NodeFlags.Const) === 0) return false;
  const name = declaration.name;
  let uses = 0;
  let allRendered = true;
  walkDescendants(declaration.parent.parent.parent, (node) => {
    if (ts.isIdentifier(node) && node !== name && node.text === name.text && refersTo(node, declaration, flow)) {
      uses += 1;
      if (!isComparedOnlyUse(node)) allRendered = false;
    }
    return allRendered;
  }, () => !allRendered);
  return allRendered && uses > 0;
}

const RENDER_CALL = new RegExp(`\\.(${[...RENDER_METHODS].join('|')})\\s*\\(|\\bexpect\\s*\\(`);
const rendering = new WeakMap<ts.SourceFile, boolean>();

/** Whether the file calls any render method or `expect` at all (most files do not: their templates need no further look). */
function comparesAnything(source: ts.SourceFile): boolean {
  let found = rendering.get(source);
  if (found === undefined) {
    found = RENDER_CALL.test(source.text);
    rendering.set(source, found);
  }
  return found;
}

function refersTo(use: ts.Identifier, declaration: ts.VariableDeclaration, flow: Flow): boolean {
  const parent = use.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === use) return false;
  if (ts.isPropertyAssignment(parent) && parent.name === use) return false;
  return flow.bindsTo(use, declaration);
}

/**
 * The fields of a query object a test compares one by one with what a stub received (`expect(queryStub).to.have.been
 * .calledWith(q.text, q.values)`): node-postgres's config fields, also sql-template-strings' statement's `sql`.
 */
const COMPARED_FIELDS: ReadonlySet<string> = new Set(['text', 'values', 'sql']);

/** A use of a const's query object that only an assertion compares: the object itself, or one of its COMPARED_FIELDS. */
function isComparedOnlyUse(use: ts.Identifier): boolean {
  const value = outsideParentheses(use);
  if (isComparedOnly(value)) return true;
  const access = value.parent;
  return ts.isPropertyAccessExpression(access) && access.expression === value && COMPARED_FIELDS.has(access.name.text) && isComparedOnly(outsideParentheses(access));
}

/** A value only compared by an assertion: rendered into one, or the expected argument of an expect matcher. */
function isComparedOnly(value: ts.Node): boolean {
  return isRenderedForAssertion(value) || isMatcherArgument(value);
}

/** An argument of a matcher in an `expect(…)` chain (`.toHaveBeenCalledWith(v)`, `.resolves.toEqual(v)`), not of `expect` itself. */
function isMatcherArgument(value: ts.Node): boolean {
  const matcher = value.parent;
  if (!ts.isCallExpression(matcher) || !matcher.arguments.includes(value as ts.Expression)) return false;
  const chain = expectChain(matcher);
  return chain !== undefined && chain.head !== matcher;
}

/** `value.toSQL(…)` whose text goes straight into an assertion. */
function isRenderedForAssertion(value: ts.Node): boolean {
  const access = value.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== value || !RENDER_METHODS.has(access.name.text)) return false;
  const render = access.parent;
  if (!ts.isCallExpression(render) || render.expression !== access) return false;
  const assertion = outsideParentheses(render).parent;
  return ts.isCallExpression(assertion) && assertion.arguments.includes(outsideParentheses(render) as ts.Expression) && isAssertionCallee(assertion.expression);
}

function isAssertionCallee(callee: ts.Expression): boolean {
  if (ts.isIdentifier(callee)) return ASSERTION_FUNCTION.test(callee.text);
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && ASSERTION_OBJECT.test(callee.expression.text);
}
