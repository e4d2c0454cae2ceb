// Clients of a server the code started itself: a value returned by a helper that surely starts its own
// PostgreSQL (ownServerHelpers.ts: PGlite, @prisma/dev's local server, embedded or container PostgreSQL,
// found in another file of the repository or called here), and whatever is made from it — its connection
// string, a `Client` or driver created with it, a callback's parameter given it (`withClient(url, (c) => …)`),
// a variable every assignment of which is one of these, a local function's parameter every call passes one.
// Such a client reaches that server directly: no transaction pooler is between. Pools stay pools: a pool
// made from such a value (`new Pool({ connectionString })`) may still run each query on another connection.
import ts from 'typescript';
import { calleeText, unwrap, type Flow } from './embeddedFlow';
import { walkDescendants } from './astWalk';
import { NAMES_POOLER, OWN_SERVER_MODULE, importedNames, startsOwnServer, type ImportedName } from './ownServerHelpers';

const MAX_DEPTH = 8;
/** Constructors and factories of pools (pg, postgres.js, knex, Drizzle, …), and anything named for a pool, pooler or proxy. */
const POOL_MAKER = /^(?:postgres|knex|Knex|Sequelize|drizzle|PrismaClient)$|pool|bouncer|proxy/i;
const POOL_NAME = /(?:^|\.)(?:pool|\w*Pool)$/;

export class OwnServerClients {
  private imports: Map<string, ImportedName> | undefined;
  private readonly helperVerdicts = new Map<string, boolean>();
  private callsByName: Map<string, ts.CallExpression[]> | undefined;
  private readonly verdicts = new Map<ts.Node, boolean>();

  /** A file that names a pooler may start one in front of its server (a test of pooling itself): nothing is sure there. */
  private readonly namesPooler: boolean;

  constructor(private readonly source: ts.SourceFile, private readonly flow: Flow, private readonly fileName: string | undefined) {
    this.namesPooler = NAMES_POOLER.test(source.text);
  }

  /** Whether queries on `receiver` go to a server the code started itself (not a pool of it). */
  reaches(receiver: ts.Expression): boolean {
    if (!this.fileName || this.namesPooler || POOL_NAME.test(receiver.getText(this.source))) return false;
    return this.fromOwnServer(receiver, 0);
  }

  private fromOwnServer(expression: ts.Expression, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    const value = unwrap(expression);
    if (ts.isCallExpression(value) || ts.isNewExpression(value)) return this.callFromOwnServer(value, depth);
    if (ts.isPropertyAccessExpression(value)) return this.fromOwnServer(value.expression, depth + 1);
    if (!ts.isIdentifier(value)) return false;
    // Names are judged once: a cycle (`a = f(b); b = g(a)`) is not one.
    const cached = this.verdicts.get(value);
    if (cached !== undefined) return cached;
    this.verdicts.set(value, false);
    const verdict = this.nameFromOwnServer(value, depth);
    this.verdicts.set(value, verdict);
    return verdict;
  }

  /** A call of an own-server helper, or a call (not a pool's maker) given such a value (`new Client({ connectionString: db.url })`). */
  private callFromOwnServer(call: ts.CallExpression | ts.NewExpression, depth: number): boolean {
    if (ts.isIdentifier(call.expression) && this.startsServer(call.expression.text)) return true;
    if (POOL_MAKER.test(calleeText(call.expression))) return false;
    // A method of such a value (`container.getConnectionUri()`, `server.connect()`).
    if (ts.isPropertyAccessExpression(call.expression) && this.fromOwnServer(call.expression.expression, depth + 1)) return true;
    const local = ts.isCallExpression(call) ? this.flow.localFunction(call.expression) : undefined;
    if (local && this.returnsOwnServer(local, depth)) return true;
    return (call.arguments ?? []).some((argument) => this.argumentFromOwnServer(argument, depth + 1));
  }

  /** An argument, or a property of an object literal written as one (`{ kind: 'pgClient', client }`). */
  private argumentFromOwnServer(argument: ts.Expression, depth: number): boolean {
    const value = unwrap(argument);
    if (!ts.isObjectLiteralExpression(value)) return !ts.isFunctionLike(value) && this.fromOwnServer(value, depth);
    return value.properties.some((p) => (ts.isPropertyAssignment(p) ? this.fromOwnServer(p.initializer, depth)
      : ts.isShorthandPropertyAssignment(p) ? this.fromOwnServer(p.name, depth) : false));
  }

  private returnsOwnServer(fn: ts.FunctionLikeDeclaration, depth: number): boolean {
    if (!fn.body) return false;
    if (!ts.isBlock(fn.body)) return this.fromOwnServer(fn.body, depth + 1);
    const returns: ts.Expression[] = [];
    walkDescendants(fn.body, (node) => {
      if (ts.isReturnStatement(node) && node.expression) returns.push(node.expression);
      return !ts.isFunctionLike(node);
    });
    return returns.length > 0 && returns.every((r) => this.fromOwnServer(r, depth + 1));
  }

  private nameFromOwnServer(name: ts.Identifier, depth: number): boolean {
    const binding = this.flow.bindingOf(name);
    if (!binding) {
      // `const { connectionString } = database`: whatever the object it was taken from is.
      const initializer = this.flow.destructuringOf(name)?.initializer;
      return initializer !== undefined && this.fromOwnServer(initializer, depth + 1);
    }
    if ('variable' in binding) return this.variableFromOwnServer(binding.variable, depth);
    const fn = binding.parameterOf;
    const call = fn.parent;
    if (ts.isCallExpression(call) && call.arguments.includes(fn as ts.Expression)) {
      // A callback's parameter: `withClient(url, async (client) => …)`, `withDevDatabase(async (db) => …)`.
      return (ts.isIdentifier(call.expression) && this.startsServer(call.expression.text))
        || call.arguments.some((argument) => argument !== fn && this.argumentFromOwnServer(argument, depth + 1));
    }
    return this.parameterFromOwnServer(fn, binding.parameter, depth);
  }

  /** A variable whose initializer and every plain assignment (`database = await createDevDatabase()` in a hook) is such a value. */
  private variableFromOwnServer(variable: ts.VariableDeclaration, depth: number): boolean {
    const values: ts.Expression[] = variable.initializer ? [variable.initializer] : [];
    let scope: ts.Node = variable;
    while (scope.parent && !ts.isBlock(scope) && !ts.isSourceFile(scope) && !ts.isFunctionLike(scope)) scope = scope.parent;
    let other = false;
    if (ts.isIdentifier(variable.name)) {
      const name = variable.name.text;
      walkDescendants(scope, (node) => {
        if (ts.isBinaryExpression(node) && ts.isIdentifier(node.left) && node.left.text === name && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
          if (node.operatorToken.kind === ts.SyntaxKind.EqualsToken) values.push(node.right);
          else other = true;
        }
        return !other;
      });
    }
    return !other && values.length > 0 && values.every((v) => this.fromOwnServer(v, depth + 1));
  }

  /** A named local function's parameter: every call of the function in this file passes such a value there. */
  private parameterFromOwnServer(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, depth: number): boolean {
    const index = fn.parameters.indexOf(parameter);
    const name = fn.name && ts.isIdentifier(fn.name) ? fn.name.text
      : ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) ? fn.parent.name.text : undefined;
    if (!name || index < 0 || parameter.dotDotDotToken) return false;
    const calls = this.callsNamed(name).filter((call) => this.flow.localFunction(call.expression) === fn);
    return calls.length > 0 && calls.every((call) => call.arguments[index] !== undefined && this.fromOwnServer(call.arguments[index], depth + 1));
  }

  private callsNamed(name: string): ts.CallExpression[] {
    if (!this.callsByName) {
      const calls = new Map<string, ts.CallExpression[]>();
      walkDescendants(this.source, (node) => {
        if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) calls.set(node.expression.text, [...(calls.get(node.expression.text) ?? []), node]);
        return true;
      });
      this.callsByName = calls;
    }
    return this.callsByName.get(name) ?? [];
  }

  /** Whether a name this file imports starts a server: a function of an own-server module, or a helper of the repository that calls one. */
  private startsServer(local: string): boolean {
    this.imports ??= importedNames(this.source);
    const imported = this.imports.get(local);
    if (!imported) return false;
    if (OWN_SERVER_MODULE.test(imported.specifier)) return true;
    let verdict = this.helperVerdicts.get(local);
    if (verdict === undefined) {
      verdict = startsOwnServer(this.fileName!, imported);
      this.helperVerdicts.set(local, verdict);
    }
    return verdict;
  }
}
