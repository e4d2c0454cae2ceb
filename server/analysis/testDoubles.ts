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
// taken from a double pool (`await mockPool.connect()`, or its `.then((c) => …)` callback's parameter), what a local
// function returns when every value it returns is one (`const makeClient = () => ({ query: jest.fn() })`), a member
// destructured from such a result when that member of every object returned is one (`const { pool } = makeFakePool()`
// with `return { pool, isLocked }`), and a local function's parameter when every call of the function passes one there
// (`const runJob = async (client) => …; runJob(client1)`).
// A project module the test imports may be the double: a module mock (`jest.mock('../db', () => ({ default: mockPool
// }))`, `vi.mock`) at the top level of the test file, or of a setup file Jest or Vitest runs in the test's own module
// registry (`setupFiles`, `setupFilesAfterEnv`), whose factory gives the imported export a double and keeps nothing of
// the real module. A mock in the test file itself decides over the setup files' (`jest.unmock` brings the real module back).
import ts from 'typescript';
import { TEST_PATH } from './inProcess';
import { Flow, objectProperty, outermostWrapper, promiseResolvedInto, returnedValues, unwrap } from './embeddedFlow';
import { callsByName, walkDescendants } from './astWalk';
import { importedNames, requiredNames } from './ownServerHelpers';
import { projectModulePath } from './moduleResolution';
import { ModuleFacts } from './parsedModules';
import { registrySetupFiles } from './testSetupFiles';
import { connectionLentFrom } from './rolledBackCallbacks';

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
  /** Names the file imports from a project module whose module mock gives them a double (`import pool from '../db'`). */
  readonly mockedImports: ReadonlySet<string>;
}

const NONE: TestDoubles = { driverMocked: false, clients: new Set(), mocks: false, mockedImports: new Set() };

/** The test doubles a file shows; none outside test code, or in a file that names no mock at all. */
export function testDoublesOf(source: ts.SourceFile, fileName: string | undefined): TestDoubles {
  if (!fileName || !TEST_PATH.test(fileName)) return NONE;
  const mockedImports = importsMockedAsDoubles(source, fileName);
  const written = /\b(?:jest|vi)\b/.test(source.text) ? doublesWritten(source) : NONE;
  if (mockedImports.size === 0) return written;
  return { ...written, mocks: true, mockedImports };
}

/** The doubles written in a file (the header's first two kinds), whatever its name. */
function doublesWritten(source: ts.SourceFile): TestDoubles {
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
  return driverMocked || clients.size > 0 || mocks ? { driverMocked, clients, mocks, mockedImports: new Set() } : NONE;
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
  // `const { pool } = makeFakePool()`, when that is the nearest declaration of the name: the member of every object
  // the value destructured may be. A destructuring of anything else (`const { pool } = require('../db')`) is read below.
  const members = destructuredMembers(value, flow);
  if (members.length > 0) return members.every(next);
  const binding = flow.bindingOf(value);
  // No local binding: a name the file imports (or a global), a double when a module mock gives it one.
  if (!binding) return doubles.mockedImports.has(value.text);
  if ('variable' in binding) return flow.everyHeldValue(binding.variable, next);
  // `fakePool.connect().then((c) => …)`: the connection the promise resolves to.
  const promise = promiseResolvedInto(binding.parameterOf, binding.parameter);
  if (promise) return next(promise);
  // `withTransaction(mockPool as Pool, async (client) => …)`: the connection the helper checks out of that pool.
  const lender = poolLendingTo(binding.parameterOf, binding.parameter);
  if (lender) return next(lender);
  const index = binding.parameterOf.parameters.indexOf(binding.parameter);
  const arguments_ = ts.isIdentifier(binding.parameter.name) ? argumentsPassed(binding.parameterOf, index, flow) : undefined;
  return arguments_ !== undefined && arguments_.length > 0 && arguments_.every(next);
}

/**
 * The pool a callback's first parameter is lent a connection of: the callback is written in place as an argument of a
 * call of a project function that hands it a connection it checks out of one of its own parameters (rolledBackCallbacks.ts
 * connectionLentFrom), and that argument of the call is the pool.
 */
function poolLendingTo(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration): ts.Expression | undefined {
  if ((!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) || fn.parameters[0] !== parameter) return undefined;
  const written = outermostWrapper(fn);
  const call = written.parent;
  if (!ts.isCallExpression(call) || call.arguments.some(ts.isSpreadElement)) return undefined;
  const lender = connectionLentFrom(call, call.arguments.indexOf(written as ts.Expression));
  return lender !== undefined ? call.arguments[lender] : undefined;
}

/** The values a name a const destructures may have (memberValues), when that is its nearest declaration. */
function destructuredMembers(name: ts.Identifier, flow: Flow): ts.Expression[] {
  const nearest = flow.nearestDeclaration(name);
  const destructured = nearest && ts.isVariableDeclaration(nearest) && !ts.isIdentifier(nearest.name) ? flow.constDestructured(name) : undefined;
  const property = destructured?.property;
  return destructured && property && (ts.isIdentifier(property) || ts.isStringLiteral(property)) ? memberValues(destructured.object, property.text, flow) : [];
}

/**
 * The values a member of an object may have: the member of an object literal written there, or of every object a local
 * function returns (`return { pool, isLocked }`); none when any of those is not an object literal naming the member
 * without a spread.
 */
function memberValues(object: ts.Expression, name: string, flow: Flow): ts.Expression[] {
  const value = unwrap(object);
  const fn = ts.isCallExpression(value) ? flow.localFunction(value.expression) : undefined;
  const objects = ts.isObjectLiteralExpression(value) ? [value] : fn ? returnedValues(fn).map(unwrap) : [];
  // An object that spreads another may take the member from it: not followed.
  const members = objects.map((returned) => ts.isObjectLiteralExpression(returned) && !returned.properties.some(ts.isSpreadAssignment) ? objectProperty(returned, name) : undefined);
  return members.every((member) => member !== undefined) ? members as ts.Expression[] : [];
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
export function argumentsPassed(fn: ts.SignatureDeclaration, index: number, flow: Flow): ts.Expression[] | undefined {
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

/** A module mock's call at the top level of a file (hoisted above the imports, so it holds for the whole file). */
const TOP_LEVEL_MOCK = /^(?:jest|vi)\.mock$/;
/** What brings the real module back in a test file: `jest.unmock('../db')`, `vi.doUnmock`, `jest.dontMock`. */
const UNMOCK = /^(?:jest|vi)\.(?:unmock|doUnmock|dontMock)$/;
/** Any export of the mocked module: the factory's whole value is a double. */
const EVERY_EXPORT = '*';

/** One file's module mocks: the mocked module's file → the exports the mock makes doubles (none when it unmocks or may keep the real module). */
type ModuleMocks = ReadonlyMap<string, ReadonlySet<string>>;

const setupFileMocks = new ModuleFacts<ModuleMocks>((read) => moduleMocksOf(read.source, read.path));

/**
 * The names the test file imports (`import pool from '../db'`, `const { pool } = require('../db')`) from a project
 * module that a module mock replaces, giving the imported export a double: the test file's own mock of that module if it
 * has one, else the mocks of its registry setup files (a module mocked differently by two of them is not followed).
 */
function importsMockedAsDoubles(source: ts.SourceFile, fileName: string): ReadonlySet<string> {
  const own = moduleMocksOf(source, fileName);
  const setup = registrySetupFiles(fileName).map((file) => setupFileMocks.of(file)).filter((mocks): mocks is ModuleMocks => mocks !== undefined && mocks.size > 0);
  const names = new Set<string>();
  if (own.size === 0 && setup.length === 0) return names;
  for (const [local, imported] of [...importedNames(source), ...requiredNames(source)]) {
    const module = projectModulePath(fileName, imported.specifier);
    if (!module) continue;
    const doubled = own.get(module) ?? soleSetupMock(setup, module);
    if (doubled && (doubled.has(imported.name) || doubled.has(EVERY_EXPORT))) names.add(local);
  }
  return names;
}

/** The exports the setup files' mock of `module` makes doubles, when exactly one of them mocks it. */
function soleSetupMock(setup: readonly ModuleMocks[], module: string): ReadonlySet<string> | undefined {
  const mocks = setup.flatMap((mocksOfFile) => mocksOfFile.get(module) ?? []);
  return mocks.length === 1 ? mocks[0] : undefined;
}

/**
 * The top-level module mocks and unmocks of a file, by the file each names: for `jest.mock('../db', () => ({ default:
 * mockPool }))`, the exports whose value in every object the factory returns is a double (a mock function, an object
 * with mock members, a name holding one: isDouble in that file); all of them when the factory returns a double itself.
 * A factory keeping the real module, a mock without a factory (an automock or a `__mocks__` file, not read here) and an
 * unmock make no doubles.
 */
function moduleMocksOf(source: ts.SourceFile, fileName: string): ModuleMocks {
  const mocks = new Map<string, ReadonlySet<string>>();
  if (!/\b(?:jest|vi)\s*\.\s*(?:mock|unmock|doUnmock|dontMock)\b/.test(source.text)) return mocks;
  let flow: Flow | undefined;
  let doubles: TestDoubles | undefined;
  for (const statement of source.statements) {
    const call = ts.isExpressionStatement(statement) ? unwrap(statement.expression) : undefined;
    if (!call || !ts.isCallExpression(call)) continue;
    const callee = call.expression.getText(source);
    const [specifier, factory] = call.arguments;
    if (!specifier || !ts.isStringLiteralLike(specifier) || !(TOP_LEVEL_MOCK.test(callee) || UNMOCK.test(callee))) continue;
    const module = projectModulePath(fileName, specifier.text);
    if (!module) continue;
    const isFactory = factory !== undefined && (ts.isArrowFunction(factory) || ts.isFunctionExpression(factory));
    if (!TOP_LEVEL_MOCK.test(callee) || !isFactory || KEEPS_ACTUAL.test(factory.getText(source))) {
      mocks.set(module, new Set());
      continue;
    }
    flow ??= new Flow(source);
    doubles ??= doublesWritten(source);
    mocks.set(module, doubledExports(factory, doubles, flow));
  }
  return mocks;
}

/** The exports every value a mock factory returns gives a double (EVERY_EXPORT when the value is a double itself). */
function doubledExports(factory: ts.ArrowFunction | ts.FunctionExpression, doubles: TestDoubles, flow: Flow): ReadonlySet<string> {
  const returned = returnedValues(factory).map(unwrap);
  if (returned.length === 0) return new Set();
  // An object written in the factory is the module's exports, read member by member (a mock function beside a real
  // pool doubles only the former); any other value is the module itself, a double or not as a whole.
  if (!returned.every(ts.isObjectLiteralExpression)) return new Set(returned.every((value) => isDouble(value, doubles, flow, 0)) ? [EVERY_EXPORT] : []);
  const perValue = returned.map((object) => {
    const names = new Set<string>();
    for (const property of object.properties) {
      const member = ts.isPropertyAssignment(property) ? property.initializer : ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
      const name = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteralLike(property.name)) ? property.name.text : undefined;
      if (member && name && isDouble(member, doubles, flow, 0)) names.add(name);
    }
    return names;
  });
  return new Set([...perValue[0]].filter((name) => perValue.every((names) => names.has(name))));
}
