// Walks a TypeScript syntax tree without recursion: generated or hand-written code can nest thousands
// deep (`1 + 1 + … + 1`, a long chain of concatenations), which a recursive walk turns into a stack overflow.
import ts from 'typescript';

/** Kinds up to this one are tokens (identifiers, keywords, literals): ts.forEachChild gives them no children, so none are looked for. */
const LAST_TOKEN = ts.SyntaxKind.LastToken;

/** Whether a node carries a modifier (`export`, `static`, `private`, `readonly`…); false for a node that cannot have one. */
export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((modifier) => modifier.kind === kind) ?? false);
}

/** Whether a variable is declared by an `export const/let/var` statement. */
export function isExportedVariable(declaration: ts.VariableDeclaration): boolean {
  const statement = declaration.parent.parent;
  return ts.isVariableStatement(statement) && hasModifier(statement, ts.SyntaxKind.ExportKeyword);
}

/** `null` or `undefined` in a type (`db: Sql | undefined`, `_db: PGlite | null`). */
function isNullishType(type: ts.TypeNode): boolean {
  if (type.kind === ts.SyntaxKind.UndefinedKeyword || type.kind === ts.SyntaxKind.NullKeyword) return true;
  return ts.isLiteralTypeNode(type) && type.literal.kind === ts.SyntaxKind.NullKeyword;
}

/** A union's members but `null` and `undefined`: what an optional value holds when set (`Pool | undefined` → `Pool`). */
export function nonNullishMembers(union: ts.UnionTypeNode): ts.TypeNode[] {
  return union.types.filter((member) => !isNullishType(member));
}

/** A property's name as written, when it is an identifier or a string (`transaction`, `'watchPg'`). */
export function propertyNameText(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

/** `a = b`, `a += b`, `a ??= b`…: a binary expression whose operator is any of the assignment operators. */
export function isAssignmentExpression(node: ts.Node): node is ts.BinaryExpression {
  return ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}

/**
 * Calls `visit` on every node below `root` (not on `root`), parents before children, in source order.
 * Children of a node are skipped when `visit` returns false. `stop`, when it returns true, ends the walk.
 */
export function walkDescendants(root: ts.Node, visit: (node: ts.Node) => boolean | void, stop?: () => boolean): void {
  // One stack for the whole walk (no array per node): a node's children are pushed, then put in reverse
  // order in place so that the first child is popped first.
  const pending: ts.Node[] = [];
  const push = (child: ts.Node): void => {
    pending.push(child);
  };
  const pushChildren = (node: ts.Node): void => {
    const first = pending.length;
    ts.forEachChild(node, push);
    reverseFrom(pending, first);
  };
  pushChildren(root);
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (visit(node) !== false && node.kind > LAST_TOKEN) pushChildren(node);
    if (stop?.()) return;
  }
}

/** Puts `pending[first…]` (a node's children, pushed in order) in reverse order in place, so that the first child is popped first. */
function reverseFrom(pending: ts.Node[], first: number): void {
  for (let i = first, j = pending.length - 1; i < j; i++, j--) {
    const swap = pending[i];
    pending[i] = pending[j];
    pending[j] = swap;
  }
}

/** Per tree, its calls of a plain name (`f(…)`) by that name, in source order (callsByName). */
const callIndexes = new WeakMap<ts.SourceFile, ReadonlyMap<string, readonly ts.CallExpression[]>>();

/**
 * A file's syntax tree, each node's parent set, without JSDoc (no analysis reads it; TypeScript parses each doc
 * comment into nodes of its own by default). TypeScript's own parent pass (`setParentNodes`) walks the tree once more
 * with JSDoc in; this walk sets the parents and indexes the calls by name (callsByName) at once.
 */
export function parseWithParents(fileName: string, text: string, kind: ts.ScriptKind): ts.SourceFile {
  const source = ts.createSourceFile(fileName, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, kind);
  const calls = new Map<string, ts.CallExpression[]>();
  let parent: ts.Node = source;
  const pending: ts.Node[] = [];
  const push = (child: ts.Node): void => {
    (child as { parent: ts.Node }).parent = parent;
    pending.push(child);
  };
  const pushChildren = (node: ts.Node): void => {
    const first = pending.length;
    parent = node;
    ts.forEachChild(node, push);
    reverseFrom(pending, first);
  };
  pushChildren(source);
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (node.kind <= LAST_TOKEN) continue;
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) addCall(calls, node.expression.text, node);
    pushChildren(node);
  }
  callIndexes.set(source, calls);
  return source;
}

/** The calls of a plain name in a tree (`f(…)` for `f`), in source order: indexed by parseWithParents, or by one walk here. */
export function callsByName(source: ts.SourceFile): ReadonlyMap<string, readonly ts.CallExpression[]> {
  let calls = callIndexes.get(source);
  if (!calls) {
    const found = new Map<string, ts.CallExpression[]>();
    walkDescendants(source, (node) => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) addCall(found, node.expression.text, node);
    });
    callIndexes.set(source, (calls = found));
  }
  return calls;
}

/** Appended in place: a copy per call was quadratic in the calls of one name (a test file's thousand `expect(…)`). */
function addCall(calls: Map<string, ts.CallExpression[]>, name: string, call: ts.CallExpression): void {
  const list = calls.get(name);
  if (list) list.push(call);
  else calls.set(name, [call]);
}

/** The variable a list of statements declares by that name (`const url = …`; a block's or a file's own, not a nested block's). */
export function variableDeclaredIn(statements: readonly ts.Statement[], name: string): ts.VariableDeclaration | undefined {
  for (const statement of statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const found = statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === name);
    if (found) return found;
  }
  return undefined;
}

/** The function, method, accessor or constructor around a node (the nearest one). */
export function enclosingFunction(node: ts.Node): ts.SignatureDeclaration | undefined {
  let current = node.parent;
  while (current && !ts.isFunctionLike(current)) current = current.parent;
  return current;
}

/** The `try` whose `finally` block holds `node` within the same function (not in a callback that may run at another time). */
export function tryOfFinally(node: ts.Node): ts.TryStatement | undefined {
  for (let child = node, parent = node.parent; parent && !ts.isFunctionLike(child); child = parent, parent = parent.parent) {
    if (ts.isTryStatement(parent) && parent.finallyBlock === child) return parent;
  }
  return undefined;
}

/** The statement written right before `statement` in its block, if any. */
export function previousStatement(statement: ts.Statement): ts.Statement | undefined {
  const block = statement.parent;
  const statements = ts.isBlock(block) || ts.isSourceFile(block) || ts.isModuleBlock(block) || ts.isCaseOrDefaultClause(block) ? block.statements : undefined;
  const index = statements ? statements.indexOf(statement) : -1;
  return index > 0 ? statements![index - 1] : undefined;
}

/** Whether `node` lies within `container`'s text (leading trivia included): itself, or one of its descendants. */
export function isWithin(node: ts.Node, container: ts.Node): boolean {
  return container.pos <= node.pos && node.end <= container.end;
}

/** The names a binding declares (`client`, `{ client, db: pool }`, `[first, , third]`, nested patterns). */
export function boundNames(binding: ts.BindingName): string[] {
  if (ts.isIdentifier(binding)) return [binding.text];
  return binding.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : boundNames(element.name)));
}

/**
 * How many identifiers under `root` spell `name` (property names after a dot and object keys excepted): its declaration,
 * and every use of it, whatever the use.
 */
export function identifierMentions(root: ts.Node, name: string): number {
  let count = 0;
  walkDescendants(root, (node) => {
    if (!ts.isIdentifier(node) || node.text !== name) return;
    const parent = node.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.name === node) return;
    if (ts.isPropertyAssignment(parent) && parent.name === node) return;
    count++;
  });
  return count;
}

/**
 * The names a scope below a walk's root binds anew, by node: a function's parameters, its own name when it is a named
 * function expression, and the `var`s its body hoists (nested functions aside); a block's, a `case` block's or a
 * namespace's own `let`/`const`/function/class declarations (a `var` there is its function's or file's); a loop's
 * `let`/`const` variable; a `catch` clause's binding. Read once per node.
 */
const reboundNames = new WeakMap<ts.Node, ReadonlySet<string>>();

function namesBoundAnew(node: ts.Node): ReadonlySet<string> {
  let names = reboundNames.get(node);
  if (names) return names;
  const found = new Set<string>();
  const add = (binding: ts.BindingName): void => {
    for (const name of boundNames(binding)) found.add(name);
  };
  const addLexical = (statements: readonly ts.Statement[]): void => {
    for (const statement of statements) {
      if (ts.isVariableStatement(statement) && (statement.declarationList.flags & ts.NodeFlags.BlockScoped) !== 0) {
        for (const d of statement.declarationList.declarations) add(d.name);
      } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) found.add(statement.name.text);
    }
  };
  if (ts.isFunctionLike(node)) {
    for (const parameter of node.parameters) add(parameter.name);
    if (ts.isFunctionExpression(node) && node.name) found.add(node.name.text);
    const body = (node as { body?: ts.Node }).body;
    if (body && ts.isBlock(body)) {
      walkDescendants(body, (inner) => {
        if (ts.isVariableDeclarationList(inner) && (inner.flags & ts.NodeFlags.BlockScoped) === 0) for (const d of inner.declarations) add(d.name);
        return !ts.isFunctionLike(inner) && !ts.isClassLike(inner);
      });
    }
  } else if (ts.isBlock(node) || ts.isModuleBlock(node)) addLexical(node.statements);
  else if (ts.isCaseBlock(node)) for (const clause of node.clauses) addLexical(clause.statements);
  else if ((ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node)) && node.initializer && ts.isVariableDeclarationList(node.initializer)
    && (node.initializer.flags & ts.NodeFlags.BlockScoped) !== 0) for (const d of node.initializer.declarations) add(d.name);
  else if (ts.isCatchClause(node) && node.variableDeclaration) add(node.variableDeclaration.name);
  reboundNames.set(node, found);
  return found;
}

/** Whether `root` itself declares `name`: its own statements, its parameters (a function body's: its function's), its loop variable, a file's imports. */
function declaresItself(root: ts.Node, name: string): boolean {
  const statements = ts.isBlock(root) || ts.isSourceFile(root) || ts.isModuleBlock(root) || ts.isCaseOrDefaultClause(root) ? root.statements : undefined;
  if (statements) {
    for (const statement of statements) {
      if (ts.isVariableStatement(statement) && statement.declarationList.declarations.some((d) => boundNames(d.name).includes(name))) return true;
      if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === name) return true;
      if (ts.isImportDeclaration(statement) && importBinds(statement, name)) return true;
    }
    return ts.isBlock(root) && ts.isFunctionLike(root.parent) && root.parent.parameters.some((p) => boundNames(p.name).includes(name));
  }
  if (ts.isFunctionLike(root) || ts.isForStatement(root) || ts.isForOfStatement(root) || ts.isForInStatement(root) || ts.isCatchClause(root)) {
    if (namesBoundAnew(root).has(name)) return true;
    const body = (root as { body?: ts.Node }).body;
    return ts.isFunctionLike(root) && body !== undefined && ts.isBlock(body) && declaresItself(body, name);
  }
  return false;
}

function importBinds(statement: ts.ImportDeclaration, name: string): boolean {
  const clause = statement.importClause;
  if (!clause) return false;
  if (clause.name?.text === name) return true;
  const bindings = clause.namedBindings;
  if (!bindings) return false;
  return ts.isNamespaceImport(bindings) ? bindings.name.text === name : bindings.elements.some((e) => e.name.text === name);
}

/**
 * For a walk over `root` that follows, by name, the binding `root` itself declares (a const of its block, a parameter
 * of its function, an import of its file): whether a scope below `root` binds `name` again — a function with a
 * parameter or a hoisted `var` of that name, a block with its own `const`/`let`, a loop variable, a `catch` binding —
 * so that the name means another value in it, whose mentions are not the followed binding's (a function's own `const
 * sql` beside the module's `const sql = postgres(url)`). Undefined when `root` does not declare the name itself: the
 * binding followed is then not known to be root's, and no scope can be told apart.
 */
export function rebindsBelow(root: ts.Node, name: string): ((node: ts.Node) => boolean) | undefined {
  if (!declaresItself(root, name)) return undefined;
  // A function's body is its own scope, not one below it: its consts are the function's.
  const body = ts.isFunctionLike(root) ? (root as { body?: ts.Node }).body : undefined;
  return (node) => node !== root && node !== body && namesBoundAnew(node).has(name);
}

/** The nearest scope around `id` that declares its name itself (a block's const, a function's parameter, a file's import…); the file when none does (a global). */
export function bindingScopeOf(id: ts.Identifier): ts.Node {
  let node: ts.Node = id;
  while (node.parent) {
    node = node.parent;
    if (declaresItself(node, id.text)) return node;
  }
  return node;
}
