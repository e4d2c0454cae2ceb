// Test doubles: in test code (inProcess.ts's TEST_PATH) a query sent to a mocked driver or client reaches no
// database, so no pooler either. Two kinds of evidence, each written in the test file itself:
// - the file replaces a PostgreSQL driver module for the whole test (`jest.mock('pg')`, `vi.mock('pg', () => …)`,
//   `jest.unstable_mockModule('postgres', …)`), without keeping the real module's exports (`jest.requireActual`,
//   `vi.importActual`, `importOriginal` in the factory): every query the file sends goes to the double, also through
//   a library built on that driver;
// - the client is a double: its query method is cast to or wrapped as a mock (`pool.query as jest.Mock`,
//   `vi.mocked(pool.query)`, `jest.mocked(db)`), configured as one (`pool.query.mockResolvedValue(…)`), replaced by
//   one (`pool.query = jest.fn()`, `jest.spyOn(pool, 'query').mockResolvedValue(…)`), or the client is an object
//   written in the test whose members are mock functions (`const pool = { query: vi.fn() }`). Queries sent on that
//   client (the same expression: `pool`, `this.pool`) are not read for pooling findings.
// A double handed on stays one (followed back through the file, a few steps): an object written in the test whose
// members are mock functions or names holding one (`const query = jest.fn(); const pool = { query, connect }`), a
// variable every value of which is a double (`mockClient = { query: jest.fn() }` in a `beforeEach`), a connection
// taken from a double pool (`await mockPool.connect()`), what a local function returns when every value it returns is
// one (`const makeClient = () => ({ query: jest.fn() })`), and a local function's parameter when every call of the
// function passes one there (`const runJob = async (client) => …; runJob(client1)`).
import ts from 'typescript';
import { TEST_PATH } from './inProcess';
import { Flow, outermostWrapper, returnedValues, unwrap } from './embeddedFlow';
import { callsByName, walkDescendants } from './astWalk';

/** PostgreSQL driver modules a test may mock wholesale. */
const DRIVER_MODULES = new Set(['pg', 'pg-pool', 'postgres', 'pg-promise', '@neondatabase/serverless', '@vercel/postgres']);
/** The test runners' module-mock calls (`jest.mock`, `vi.mock`, `vi.doMock`, `jest.unstable_mockModule`). */
const MODULE_MOCK = /^(?:jest|vi)\.(?:mock|doMock|unstable_mockModule)$/;
/** What keeps the real module inside a mock factory: then the mock may pass the real driver through. */
const KEEPS_ACTUAL = /\b(?:requireActual|importActual|importOriginal)\b/;
/** A mock function made in place (`jest.fn()`, `vi.fn(…)`). */
const MOCK_FUNCTION = /^(?:jest|vi)\.fn$/;
/** Cast to a mock type: `jest.Mock`, `Mock`, `MockedFunction<…>`, `vi.Mock`, `MockInstance`. */
const MOCK_TYPE = /^(?:(?:jest|vi)\.)?Mock(?:ed)?(?:Function|Instance|Object)?\b/;
/** Configuring a mock: `mockResolvedValue`, `mockImplementation`, `mockReturnValueOnce`, … */
const MOCK_SETUP = /^mock[A-Z]\w*$/;
/** Methods that take one connection out of a pool (pg's `connect`, generic-pool's `acquire`, …): from a double pool, a double. */
const CHECKOUT = /^(?:connect|acquire|getConnection|connection|reserve)$/;
/** How many steps (names, calls, parameters) a receiver is followed back to a double. */
const MAX_DEPTH = 6;

export interface TestDoubles {
  /** The file mocks a PostgreSQL driver module for the whole test. */
  readonly driverMocked: boolean;
  /** Texts of receivers (`pool`, `this.db`) that are doubles. */
  readonly clients: ReadonlySet<string>;
  /** The file is test code that makes mock functions: a receiver may be a double made from them. */
  readonly mocks: boolean;
}

const NONE: TestDoubles = { driverMocked: false, clients: new Set(), mocks: false };

/** The test doubles a file shows; none outside test code, or in a file that names no mock at all. */
export function testDoublesOf(source: ts.SourceFile, fileName: string | undefined): TestDoubles {
  if (!fileName || !TEST_PATH.test(fileName) || !/\b(?:jest|vi)\b/.test(source.text)) return NONE;
  let driverMocked = false;
  const clients = new Set<string>();
  const receiverOfMember = (node: ts.Expression): string | undefined => {
    const value = unwrap(node);
    return ts.isPropertyAccessExpression(value) ? unwrap(value.expression).getText(source) : undefined;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(source);
      const first = node.arguments[0];
      if (MODULE_MOCK.test(callee) && first && ts.isStringLiteralLike(first) && DRIVER_MODULES.has(first.text) && !KEEPS_ACTUAL.test(node.getText(source))) driverMocked = true;
      // jest.mocked(pool.query) / vi.mocked(pool): the value is typed as (and is) a double.
      if (/^(?:jest|vi)\.mocked$/.test(callee) && first) {
        const value = unwrap(first);
        clients.add(receiverOfMember(value) ?? value.getText(source));
      }
      // jest.spyOn(pool, 'query').mockResolvedValue(…): replaced only once a mock behaviour is set.
      if (/^(?:jest|vi)\.spyOn$/.test(callee) && first && ts.isPropertyAccessExpression(node.parent) && MOCK_SETUP.test(node.parent.name.text)) clients.add(unwrap(first).getText(source));
    } else if ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && MOCK_TYPE.test(node.type.getText(source))) {
      const owner = receiverOfMember(node.expression);
      if (owner) clients.add(owner);
    } else if (ts.isPropertyAccessExpression(node) && MOCK_SETUP.test(node.name.text) && ts.isPropertyAccessExpression(unwrap(node.expression))) {
      const owner = receiverOfMember(node.expression);
      if (owner) clients.add(owner);
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && isMockFunction(node.right, source)) {
      const owner = receiverOfMember(node.left);
      if (owner) clients.add(owner);
    } else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const value = unwrap(node.initializer);
      if (ts.isObjectLiteralExpression(value) && value.properties.length > 0 && value.properties.some((p) => ts.isPropertyAssignment(p) && isMockFunction(p.initializer, source))) clients.add(node.name.text);
    }
    node.forEachChild(visit);
  };
  source.forEachChild(visit);
  const mocks = /\b(?:jest|vi)\.fn\b/.test(source.text);
  return driverMocked || clients.size > 0 || mocks ? { driverMocked, clients, mocks } : NONE;
}

/** Whether a query on `receiver` goes to a double (a mocked driver, or a mocked client, maybe handed on: isDouble). */
export function sentToDouble(doubles: TestDoubles, receiver: ts.Expression | undefined, flow: Flow): boolean {
  if (doubles.driverMocked) return true;
  if (!receiver) return false;
  // isDouble asks the written doubles first, then follows what mock functions were handed on to.
  return doubles.mocks ? isDouble(receiver, doubles, flow, 0) : doubles.clients.has(unwrap(receiver).getText());
}

/** Whether a value is a double written or handed on in this file (the header's list); false when not surely one. */
function isDouble(expression: ts.Expression, doubles: TestDoubles, flow: Flow, depth: number): boolean {
  const value = unwrap(expression);
  if (doubles.clients.has(value.getText())) return true;
  if (depth >= MAX_DEPTH) return false;
  const next = (e: ts.Expression): boolean => isDouble(e, doubles, flow, depth + 1);
  if (ts.isObjectLiteralExpression(value)) return hasMockMember(value, flow);
  if (ts.isCallExpression(value)) {
    const callee = unwrap(value.expression);
    if (ts.isPropertyAccessExpression(callee) && CHECKOUT.test(callee.name.text)) return next(callee.expression);
    const fn = flow.localFunction(callee);
    const returned = fn ? returnedValues(fn) : [];
    return returned.length > 0 && returned.every(next);
  }
  if (!ts.isIdentifier(value)) return false;
  const binding = flow.bindingOf(value);
  if (!binding) return false;
  if ('variable' in binding) return flow.everyHeldValue(binding.variable, next);
  const index = binding.parameterOf.parameters.indexOf(binding.parameter);
  const arguments_ = ts.isIdentifier(binding.parameter.name) ? argumentsPassed(binding.parameterOf, index, flow) : undefined;
  return arguments_ !== undefined && arguments_.length > 0 && arguments_.every(next);
}

/** An object literal with a member that is a mock function, written there or held by a name (`{ query: mockQuery }`). */
function hasMockMember(object: ts.ObjectLiteralExpression, flow: Flow): boolean {
  const source = object.getSourceFile();
  return object.properties.some((property) => {
    const member = ts.isPropertyAssignment(property) ? unwrap(property.initializer) : ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
    if (!member) return false;
    if (isMockFunction(member, source)) return true;
    const held = ts.isIdentifier(member) ? flow.constantInitializer(member) : undefined;
    return held !== undefined && isMockFunction(held, source);
  });
}

/**
 * What every call of a local function passes as its `index`th argument: undefined when the function's name is used
 * other than as a callee (handed to something that calls it with what this file does not show), when a call spreads
 * its arguments, or when the function has no name this file calls it by.
 */
function argumentsPassed(fn: ts.SignatureDeclaration, index: number, flow: Flow): ts.Expression[] | undefined {
  const name = functionName(fn);
  const scope = name && declaringScope(name);
  if (!name || !scope || index < 0) return undefined;
  const calls = (callsByName(fn.getSourceFile()).get(name.text) ?? [])
    .filter((call) => scope.pos <= call.pos && call.end <= scope.end && flow.localFunction(call.expression) === fn);
  // Every other occurrence of the name where it is visible is one of these calls' callee: the function is not handed
  // anywhere (nor shadowed: a same-named local there makes the counts differ, and the function is not followed).
  if (identifierCount(scope, name.text) - 1 !== calls.length) return undefined;
  const passed: ts.Expression[] = [];
  for (const call of calls) {
    if (call.arguments.some(ts.isSpreadElement)) return undefined;
    const argument = call.arguments[index];
    if (!argument) return undefined;
    passed.push(argument);
  }
  return passed;
}

/** The name a function is called by: its declared name, or the const it is written into (`const runJob = async (c) => …`). */
function functionName(fn: ts.SignatureDeclaration): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name;
  const holder = (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) ? outermostWrapper(fn).parent : undefined;
  return holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) && (holder.parent.flags & ts.NodeFlags.Const) !== 0 ? holder.name : undefined;
}

/** The block (or file) whose statements declare a function's name: where the name can be used. */
function declaringScope(name: ts.Identifier): ts.Node | undefined {
  let current: ts.Node | undefined = name.parent;
  while (current && !ts.isBlock(current) && !ts.isSourceFile(current) && !ts.isModuleBlock(current)) current = current.parent;
  return current;
}

/** How many times each identifier text occurs in a scope: counted once per scope, asked per parameter followed. */
const identifierCounts = new WeakMap<ts.Node, Map<string, number>>();

function identifierCount(scope: ts.Node, text: string): number {
  let counts = identifierCounts.get(scope);
  if (!counts) {
    const found = new Map<string, number>();
    walkDescendants(scope, (node) => {
      if (ts.isIdentifier(node)) found.set(node.text, (found.get(node.text) ?? 0) + 1);
    });
    identifierCounts.set(scope, (counts = found));
  }
  return counts.get(text) ?? 0;
}

function isMockFunction(node: ts.Expression, source: ts.SourceFile): boolean {
  let value = unwrap(node);
  // jest.fn().mockResolvedValue(…): the chain starts at a mock function.
  while (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && MOCK_SETUP.test(value.expression.name.text)) value = unwrap(value.expression.expression);
  return ts.isCallExpression(value) && MOCK_FUNCTION.test(value.expression.getText(source));
}
