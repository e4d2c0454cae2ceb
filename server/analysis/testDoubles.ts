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
import ts from 'typescript';
import { TEST_PATH } from './inProcess';
import { unwrap } from './embeddedFlow';

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

export interface TestDoubles {
  /** The file mocks a PostgreSQL driver module for the whole test. */
  readonly driverMocked: boolean;
  /** Texts of receivers (`pool`, `this.db`) that are doubles. */
  readonly clients: ReadonlySet<string>;
}

const NONE: TestDoubles = { driverMocked: false, clients: new Set() };

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
  return driverMocked || clients.size > 0 ? { driverMocked, clients } : NONE;
}

/** Whether a query on `receiver` goes to a double (a mocked driver, or a mocked client). */
export function sentToDouble(doubles: TestDoubles, receiver: ts.Expression | undefined): boolean {
  if (doubles.driverMocked) return true;
  if (!receiver || doubles.clients.size === 0) return false;
  return doubles.clients.has(unwrap(receiver).getText());
}

function isMockFunction(node: ts.Expression, source: ts.SourceFile): boolean {
  let value = unwrap(node);
  // jest.fn().mockResolvedValue(…): the chain starts at a mock function.
  while (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && MOCK_SETUP.test(value.expression.name.text)) value = unwrap(value.expression.expression);
  return ts.isCallExpression(value) && MOCK_FUNCTION.test(value.expression.getText(source));
}

