// Follows the SQL that reaches a query call, within one file: string and template literals held in
// const/let bindings, concatenation of known and unknown strings, object properties, query-config
// objects (`{ text, name }`, `new Query(…)`, `new Cursor(…)`), and functions or methods whose single
// `return` yields SQL. Unknown operands become holes, so a known prefix (`'SET statement_timeout=…;' + sql`)
// is still analysed. No type checker: names are resolved lexically, and a let/var that is assigned
// anywhere in the file counts as unknown.
import ts from 'typescript';
import { holePart, literalPart, type Part, type TextPart } from './embeddedText';
import { leadingTrivia } from './sqlTrivia';
import { boundNames, hasModifier, identifierMentions, isAssignmentExpression, walkDescendants } from './astWalk';
import { CONFIG_NAME, CONFIG_TEXT } from './codeWords';
import { SESSION_ADVISORY_NAME } from './vocabulary';
import { reachedFor, type CaseElement } from './caseTables';

const MAX_DEPTH = 8;
/** Keys every query config or query result has: a read of one says nothing about which object it is. */
const SHARED_KEYS = new Set([CONFIG_TEXT, CONFIG_NAME, 'values', 'sql', 'query', 'statement', 'raw', 'rows']);
/** Constructors whose first argument is the query text or a query config (pg, pg-cursor, pg-query-stream, pg-promise). */
const QUERY_OBJECT_CLASSES = /^(Query|Cursor|QueryStream|PreparedStatement|ParameterizedQuery)$/;
/**
 * Classes named for a query object (`NamedCursor`, `PreparedQuery`, a subclass of pg's Query or
 * pg-cursor's Cursor): their first argument counts only when it is a query config (`{ text, name }`),
 * whose keys are node-postgres's.
 */
const QUERY_OBJECT_SUBCLASS = /[a-z0-9_](Query|Cursor|QueryStream|Statement)$/;

export interface ResolvedQuery {
  /** The known parts of the text; undefined when nothing of it is known. */
  parts?: Part[];
  /** The literal nodes the text came from (so a marker template that reaches a call is not analysed twice). */
  literals: ts.Node[];
  /** True when the text was reached through a name, property or call rather than written inline. */
  indirect: boolean;
  /**
   * The `name` of each query config the argument may be (both of `cond ? { name: 'a', … } : { name: 'b', … }`):
   * each is a protocol-level prepared statement.
   */
  preparedNames: ts.Expression[];
  /**
   * The texts a `for (const text of texts)` loop sends one by one, each a query message of its own, when the list it walks
   * is known in full (loopSentTexts); `parts` still holds them joined with `;` for the readers of one text.
   */
  messages?: SentMessage[];
  /** The calls of this file's functions whose returned text the text was read from (`const t = scopeSql(…); c.query(t)`). */
  followedCalls: ts.CallExpression[];
}

/** One text a loop sends on its own: its parts and the literals they came from. */
export interface SentMessage {
  parts: Part[];
  literals: ts.Node[];
  /** The case table's element whose property this text is (loopSentProperties). */
  element?: CaseElement;
}

/** A query config's text and name, and the names of the other configs a choice could have sent instead. */
interface QueryConfig {
  text?: ts.Expression;
  name?: ts.Expression;
  /** Names of every named config among the alternatives of a choice (`?:`, `||`, `??`), this one's included. */
  alternativeNames?: ts.Expression[];
}

type FunctionWithBody = ts.FunctionLikeDeclaration & { body?: ts.ConciseBody };

/** What following a text learnt, and how to read it. */
export interface FlowState {
  /** Set when the text was reached through a name, property or call. */
  indirect: boolean;
  /**
   * Read a choice (`temporary ? ' TEMPORARY' : ''`) as unknown (a hole). At a query call either branch
   * may run, so the one with more SQL is kept; text read where no call decides (a SQL builder analysed
   * on its own) holds only what every run sends.
   */
  choicesUnknown?: boolean;
  /**
   * With choicesUnknown: parameters of the builder read on its own that a caller sets to a literal `true`
   * (builderCallerChoices.ts); a choice testing one of them is read as its true arm, the text that caller sends.
   */
  parametersTrue?: ReadonlySet<ts.ParameterDeclaration>;
  /** Given, collects each call of a function of this file whose returned text was read (keptBuilders.ts: a builder's callers). */
  followedCalls?: ts.CallExpression[];
}

/** How many base classes of the file are looked through for a method `this.name(…)` calls. */
const MAX_INHERITED = 3;

/**
 * The wrappers an expression is read through: parentheses, `await`, type assertions (`as T`, `<T>`), `satisfies T`
 * and `!`. The analysis's one list of them: `unwrap` goes down through them, `outermostWrapper` up.
 */
type Wrapper = ts.ParenthesizedExpression | ts.AwaitExpression | ts.AsExpression | ts.NonNullExpression | ts.SatisfiesExpression | ts.TypeAssertion;

function isWrapper(node: ts.Node): node is Wrapper {
  return ts.isParenthesizedExpression(node) || ts.isAwaitExpression(node) || ts.isAsExpression(node)
    || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node) || ts.isTypeAssertionExpression(node);
}

/** An expression through parentheses, await, type assertions, `satisfies` and `!`. */
export function unwrap(node: ts.Expression): ts.Expression {
  let current = node;
  while (isWrapper(current)) current = current.expression;
  return current;
}

/**
 * A method bound with `bind` (`client.sql.bind(client)`, `pool.connect.bind(pool)`): the method's access, and the object
 * it is bound to (`bind`'s first argument, unless spread), which each call of the bound function runs on. The analysis's
 * one reading of `.bind(…)`.
 */
export function boundMethod(value: ts.Expression): { method: ts.PropertyAccessExpression; receiver?: ts.Expression } | undefined {
  if (!ts.isCallExpression(value) || !ts.isPropertyAccessExpression(value.expression) || value.expression.name.text !== 'bind') return undefined;
  const method = unwrap(value.expression.expression);
  if (!ts.isPropertyAccessExpression(method)) return undefined;
  const receiver = value.arguments[0];
  return receiver !== undefined && !ts.isSpreadElement(receiver) ? { method, receiver } : { method };
}

/**
 * The outermost of the wrappers (`unwrap`'s) around a node: `(await x) as T` for `x`; the node itself when none is.
 * Without `throughAwait`, an `await` ends the climb: a lazy query (a PrismaPromise) awaited is sent there, not handed on.
 */
export function outermostWrapper(node: ts.Node, { throughAwait = true } = {}): ts.Node {
  let current = node;
  while (current.parent && isWrapper(current.parent) && (throughAwait || !ts.isAwaitExpression(current.parent))) current = current.parent;
  return current;
}

export function objectProperty(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) && property.name.text === name) return property.initializer;
    if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) return property.name;
  }
  return undefined;
}

/**
 * `promise.then((value) => …)`: the promise whose resolved value a callback's first parameter receives (`pool.connect()`
 * for `c` in `pool.connect().then((c) => …)`); undefined for any other parameter or function.
 */
export function promiseResolvedInto(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration): ts.Expression | undefined {
  const call = fn.parent;
  return ts.isCallExpression(call) && call.arguments[0] === fn && fn.parameters[0] === parameter && ts.isPropertyAccessExpression(call.expression)
    && call.expression.name.text === 'then' ? call.expression.expression : undefined;
}

/** Containers that scope a declaration (approximation of JS scoping, enough for lookups). */
function isScopeKind(node: ts.Node): boolean {
  return ts.isBlock(node) || ts.isSourceFile(node) || ts.isModuleBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node) || ts.isFunctionLike(node) || ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node);
}

/**
 * isScopeKind's answer for each syntax kind, worked out once (each of its tests reads only a node's kind):
 * scopeOf asks it of every ancestor of every name the flow looks up, nine calls each, which was ~4% of a
 * whole-repository lint.
 */
const SCOPE_KINDS: readonly boolean[] = Array.from({ length: ts.SyntaxKind.Count }, (_, kind) => isScopeKind({ kind } as ts.Node));

function isScopeNode(node: ts.Node): boolean {
  return SCOPE_KINDS[node.kind];
}

function scopeOf(node: ts.Node): ts.Node | undefined {
  let current = node.parent;
  while (current && !isScopeNode(current)) current = current.parent;
  return current;
}

interface Assignment {
  node: ts.Expression;
  /** The assigned value of `x = value`; undefined for compound assignments. */
  value?: ts.Expression;
  /** The appended value of `x += value`. */
  appended?: ts.Expression;
  /** The value `x ||= value`, `x ??= value` or `x &&= value` may give (else x keeps what it held). */
  maybe?: ts.Expression;
}

/** What one scope declares directly (its own statements), found on first lookup in that scope. */
interface ScopeNames {
  variables: Map<string, ts.VariableDeclaration>;
  functions: Map<string, ts.FunctionDeclaration>;
  classes: Map<string, ts.ClassDeclaration>;
  /** Names bound by destructuring (`const { client } = ctx`): their declaration, whose value is the whole object. */
  destructured: Map<string, ts.VariableDeclaration>;
}

function statementsOf(scope: ts.Node): readonly ts.Statement[] {
  if (ts.isBlock(scope) || ts.isSourceFile(scope) || ts.isModuleBlock(scope) || ts.isCaseClause(scope) || ts.isDefaultClause(scope)) return scope.statements;
  return [];
}

function namesOf(scope: ts.Node): ScopeNames {
  const names: ScopeNames = { variables: new Map(), functions: new Map(), classes: new Map(), destructured: new Map() };
  const addList = (list: ts.VariableDeclarationList): void => {
    for (const d of list.declarations) {
      if (ts.isIdentifier(d.name)) names.variables.set(d.name.text, d);
      else for (const name of boundNames(d.name)) names.destructured.set(name, d);
    }
  };
  if (ts.isForStatement(scope) && scope.initializer && ts.isVariableDeclarationList(scope.initializer)) addList(scope.initializer);
  for (const statement of statementsOf(scope)) {
    if (ts.isVariableStatement(statement)) addList(statement.declarationList);
    else if (ts.isFunctionDeclaration(statement) && statement.name) names.functions.set(statement.name.text, statement);
    else if (ts.isClassDeclaration(statement) && statement.name) names.classes.set(statement.name.text, statement);
  }
  return names;
}

/**
 * Assignments inside `scope` (`x = …`, `x += …`, `x++`, `--x`), by the name assigned, each list in source order.
 * One walk gives every name's list: the flow asks for them per use of a let/var, and a bundle wraps thousands of
 * such uses in one function, so a walk per use was quadratic in the file's size (Flow caches this per scope).
 */
function assignmentsByName(scope: ts.Node): Map<string, Assignment[]> {
  const found = new Map<string, Assignment[]>();
  const add = (name: string, assignment: Assignment): void => {
    const list = found.get(name);
    if (list) list.push(assignment);
    else found.set(name, [assignment]);
  };
  walkDescendants(scope, (node) => {
    if (ts.isBinaryExpression(node) && ts.isIdentifier(node.left) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const operator = node.operatorToken.kind;
      const logical = operator === ts.SyntaxKind.BarBarEqualsToken || operator === ts.SyntaxKind.QuestionQuestionEqualsToken || operator === ts.SyntaxKind.AmpersandAmpersandEqualsToken;
      add(node.left.text, { node, value: operator === ts.SyntaxKind.EqualsToken ? node.right : undefined, appended: operator === ts.SyntaxKind.PlusEqualsToken ? node.right : undefined,
        maybe: logical ? node.right : undefined });
    } else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && ts.isIdentifier(node.operand)
      && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) {
      // Only ++ and -- assign; `!x`, `-x`, `~x`, `+x` read the name.
      add(node.operand.text, { node });
    }
  });
  return found;
}

function hasParameter(fn: ts.SignatureDeclaration, name: string): boolean {
  return fn.parameters.some((p) => bindsName(p.name, name));
}

/**
 * Whether a `for … of` or `for … in` loop declares `name` as its variable (`for (const url of urls)`): inside the loop
 * the name is each element, no declaration of an enclosing scope.
 */
function declaresLoopVariable(loop: ts.ForOfStatement | ts.ForInStatement, name: string): boolean {
  return ts.isVariableDeclarationList(loop.initializer) && loop.initializer.declarations.some((d) => bindsName(d.name, name));
}

/** Whether a binding (`client`, `{ client }`, `[client]`, `{ db: client }`) declares `name`. */
function bindsName(binding: ts.BindingName, name: string): boolean {
  if (ts.isIdentifier(binding)) return binding.text === name;
  return binding.elements.some((element) => !ts.isOmittedExpression(element) && bindsName(element.name, name));
}

/** What a name refers to: a parameter of an enclosing function, or a variable declared in a scope around it. */
export type Binding = { parameterOf: ts.SignatureDeclaration; parameter: ts.ParameterDeclaration } | { variable: ts.VariableDeclaration };

/** `null`, `undefined` or `void 0`: a variable set to it holds no object. */
export function isEmptyValue(value: ts.Expression): boolean {
  const bare = unwrap(value);
  return bare.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(bare) && bare.text === 'undefined') || ts.isVoidExpression(bare);
}

export function isConstDeclaration(declaration: ts.VariableDeclaration): boolean {
  return ts.isVariableDeclarationList(declaration.parent) && (declaration.parent.flags & ts.NodeFlags.Const) !== 0;
}

/**
 * The one value a function returns, if it has one. A bare `return;`, `return undefined` or `return null` that
 * gives up early (`if (keys.length === 0) return undefined;`) is no value of it: its callers send nothing then;
 * with `ignoreEmptyText`, neither is a `return ''`.
 */
export function singleReturn(fn: FunctionWithBody, ignoreEmptyText = false): ts.Expression | undefined {
  const body = fn.body;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return body;
  const returns: ts.ReturnStatement[] = [];
  walkDescendants(body, (node) => {
    if (ts.isReturnStatement(node) && node.expression && !isNoValue(node.expression) && !(ignoreEmptyText && isEmptyLiteral(node.expression))) returns.push(node);
    return !ts.isReturnStatement(node) && !ts.isFunctionLike(node);
  });
  return returns.length === 1 ? returns[0].expression : undefined;
}

/** `''`, `""`, a template without text: a returned "no SQL here", a placeholder a hook replaces. */
export function isEmptyLiteral(expression: ts.Expression): boolean {
  const value = unwrap(expression);
  return (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) && value.text === '';
}

/** A string, template or concatenation written in place. */
function isStringBuilt(node: ts.Expression): boolean {
  const value = unwrap(node);
  return ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value) || ts.isTemplateExpression(value)
    || (ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.PlusToken);
}

/** Nothing to send: `undefined`, `null` or `void …`. */
export function isNoValue(node: ts.Expression): boolean {
  const value = unwrap(node);
  return value.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(value) && value.text === 'undefined') || ts.isVoidExpression(value);
}

/** A class member's declared name (`db`, `#db`, `'db'`), the way `this.…` reads it. */
export function memberName(member: ts.ClassElement): string | undefined {
  return member.name && (ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name) || ts.isStringLiteral(member.name)) ? member.name.text : undefined;
}

/** The keys of a node-postgres query config that runs a statement by name alone (its text, if any, sent earlier). */
const NAME_ONLY_CONFIG_KEYS = new Set([CONFIG_NAME, 'values', 'rowMode', 'types', 'binary']);

/**
 * `{ name: 'insert-user', values: [id, email] }` with no text: node-postgres binds the statement it parsed earlier under
 * that name on the same connection (Bind/Execute only), the named statement itself. Only the shape node-postgres takes,
 * a name and values among its own config keys, counts: another library's `{ name, values }` argument holds more.
 */
function isNameOnlyConfig(node: ts.ObjectLiteralExpression): boolean {
  const keys = node.properties.map((property) => property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined);
  return keys.includes(CONFIG_NAME) && keys.includes('values') && keys.every((key) => key !== undefined && NAME_ONLY_CONFIG_KEYS.has(key));
}

/**
 * Whether a query config with a name prepares a named statement: not when the name is empty (`name: ''`
 * is the unnamed statement, as if there were none). A `null` text still counts: node-postgres sends it.
 */
function preparesNamedStatement(config: QueryConfig): boolean {
  const name = config.name && unwrap(config.name);
  return name !== undefined && !((ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) && name.text === '');
}

/** The names a query config (or any of a choice's alternatives) prepares statements under. */
function namesPrepared(config: QueryConfig): ts.Expression[] {
  if (config.alternativeNames) return config.alternativeNames;
  return preparesNamedStatement(config) ? [config.name!] : [];
}

/**
 * The values a choice may yield: both branches of `?:`, both sides of `||` and `??` (the right one is sent
 * when the left is missing). Undefined for anything else (`&&` yields a config or `false`, which no driver sends).
 */
export function choiceAlternatives(node: ts.Expression): ts.Expression[] | undefined {
  if (ts.isConditionalExpression(node)) return [node.whenTrue, node.whenFalse];
  if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.BarBarToken || node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) return [node.left, node.right];
  return undefined;
}

/** The member an assignment writes (`name` of `q.name = …` and `q['name'] = …`), if its target is a member. */
function writtenMember(target: ts.Expression): string | undefined {
  if (ts.isPropertyAccessExpression(target)) return target.name.text;
  if (ts.isElementAccessExpression(target) && ts.isStringLiteral(target.argumentExpression)) return target.argumentExpression.text;
  return undefined;
}

/** The value an assignment expression yields (`a = b = value` gives `value`); the expression itself otherwise. */
function assignedValue(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isBinaryExpression(current) && current.operatorToken.kind === ts.SyntaxKind.EqualsToken) current = unwrap(current.right);
  return current;
}

/** A function written in place and called at once (`(async () => { … })()`). */
function invokedFunction(callee: ts.Expression): FunctionWithBody | undefined {
  const fn = unwrap(callee);
  return ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) ? fn : undefined;
}

/** Every value a function returns (an arrow's expression body is its one), not those of functions nested in it. */
export function returnedValues(fn: FunctionWithBody): ts.Expression[] {
  const body = fn.body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body];
  const values: ts.Expression[] = [];
  walkDescendants(body, (node) => {
    if (ts.isReturnStatement(node) && node.expression && !isNoValue(node.expression)) values.push(node.expression);
    return !ts.isReturnStatement(node) && !ts.isFunctionLike(node);
  });
  return values;
}

/** How many consts in a row a literal's text is followed through (`const A = B; const B = 'x'`). */
const MAX_LITERAL_DEPTH = 4;

/**
 * The text of a string or number literal (a template literal without holes too), or of a const holding one where the
 * name is used (`flow.constantInitializer`: a shadowing parameter, loop variable or block local is not the const).
 */
export function literalText(expression: ts.Expression, flow: Flow, depth = 0): string | undefined {
  const value = unwrap(expression);
  if (ts.isStringLiteralLike(value) || ts.isNumericLiteral(value)) return value.text;
  if (!ts.isIdentifier(value) || depth >= MAX_LITERAL_DEPTH) return undefined;
  const initializer = flow.constantInitializer(value);
  return initializer && literalText(initializer, flow, depth + 1);
}

const moduleFlows = new WeakMap<ts.SourceFile, Flow>();

/** The flow of names of a module, made once per parsed source (`own`, the analysed file's flow, when given). */
export function flowOfModule(source: ts.SourceFile, own?: Flow): Flow {
  let flow = moduleFlows.get(source);
  if (!flow) moduleFlows.set(source, (flow = own ?? new Flow(source)));
  return flow;
}

export class Flow {
  /** Whether `{ sql }` objects are query configs: set for files that import PostgreSQL code (embeddedDialect.ts). */
  readsSqlConfigs = false;

  constructor(private readonly source: ts.SourceFile) {}

  /** The query text (or config) an argument of a query call stands for, if any of it is known. */
  resolveQuery(argument: ts.Expression): ResolvedQuery | undefined {
    const literals: ts.Node[] = [];
    const state: FlowState = { indirect: false, followedCalls: [] };
    const config = this.queryConfig(unwrap(argument), 0, state);
    const textNode = config ? config.text : argument;
    const looped = textNode && this.loopSentTexts(textNode, literals, state);
    const parts = textNode && withoutEmptyStart(looped ? looped.parts : this.stringParts(textNode, 0, literals, state));
    const known = parts && hasKnownText(parts) ? parts : undefined;
    const preparedNames = config ? namesPrepared(config) : [];
    if (!known && preparedNames.length === 0) return undefined;
    return { parts: known, literals, indirect: state.indirect, preparedNames, followedCalls: state.followedCalls!, ...(known && looped?.messages && { messages: looped.messages }) };
  }

  /**
   * The texts a query's text argument chooses between when it is a choice (choiceAlternatives: `tryLock ? 'SELECT
   * pg_try_advisory_lock(…)' : 'SELECT pg_advisory_lock(…)'`, `custom ?? 'SELECT …'`), written in place or as the one
   * value a name holds where it is used (constantInitializer: `const text = tryLock ? … : …`): the call may send any of
   * them. Undefined for any other argument.
   */
  sentChoice(argument: ts.Expression): { arms: ts.Expression[]; throughName: boolean } | undefined {
    const value = unwrap(argument);
    const arms = choiceAlternatives(value);
    if (arms) return { arms, throughName: false };
    const bound = ts.isIdentifier(value) ? this.constantInitializer(value) : undefined;
    const boundArms = bound && choiceAlternatives(unwrap(bound));
    return boundArms && { arms: boundArms, throughName: true };
  }

  /** The text of a query config written in place (`{ text }`, `{ statement }`, `{ raw }`), if `node` is one. */
  configText(node: ts.Expression): ts.Expression | undefined {
    const value = unwrap(node);
    return ts.isObjectLiteralExpression(value) ? this.queryConfig(value, 0, { indirect: false })?.text : undefined;
  }

  /** `{ text, name }`, `{ raw }`, `{ statement }`, `new Query(text | config)`, or a name bound to one of them. */
  private queryConfig(node: ts.Expression, depth: number, state: FlowState): QueryConfig | undefined {
    if (depth > MAX_DEPTH) return undefined;
    if (ts.isObjectLiteralExpression(node)) {
      const spread = node.properties.some(ts.isSpreadAssignment) ? this.spreadConfig(node, depth, state) : undefined;
      if (spread) return spread;
      const text = objectProperty(node, CONFIG_TEXT);
      if (text) return { text, name: objectProperty(node, CONFIG_NAME) };
      if (isNameOnlyConfig(node)) return { name: objectProperty(node, CONFIG_NAME) };
      // An adapter's wrapper that sends its `raw` text as it is (`adapter.execute({ drizzle, raw: sql })`).
      const raw = objectProperty(node, 'raw');
      if (raw) return { text: raw };
      // pgwire's `{ statement, params }`. Other libraries' configs may hold a `statement` that is no SQL
      // (a policy, a sentence): read as text reached through a name, it counts only when it looks like SQL.
      // Likewise a runtime's `{ sql, params }` (`conn.execute({ sql: 'SELECT set_config(…)' })`), in a file that
      // talks to PostgreSQL: the shape of many libraries' plans, handed to fakes in their unit tests too.
      const statement = objectProperty(node, 'statement') ?? (this.readsSqlConfigs ? objectProperty(node, 'sql') : undefined);
      if (statement) state.indirect = true;
      return statement ? { text: statement } : undefined;
    }
    if (ts.isNewExpression(node) && node.arguments?.length) {
      const first = unwrap(node.arguments[0]);
      if (QUERY_OBJECT_CLASSES.test(calleeText(node.expression))) return this.queryConfig(first, depth + 1, state) ?? { text: first };
      if (this.isQueryObjectSubclass(node.expression) && ts.isObjectLiteralExpression(first) && objectProperty(first, CONFIG_TEXT)) return this.queryConfig(first, depth + 1, state);
      return undefined;
    }
    // `named ? new NamedCursor({ name, text }) : new Cursor(text)`, `custom ?? { name: 'x', text }`: any one may be
    // sent, and each named one prepares a statement. The text read is a named one's (else the first known).
    const alternatives = choiceAlternatives(node);
    if (alternatives) {
      const choices = alternatives.map((branch) => this.queryConfig(unwrap(branch), depth + 1, state)).filter((c): c is QueryConfig => c !== undefined);
      const chosen = choices.find(preparesNamedStatement) ?? choices[0];
      return chosen && { ...chosen, alternativeNames: choices.flatMap(namesPrepared) };
    }
    const init = ts.isIdentifier(node) ? this.constantInitializer(node) : undefined;
    if (init) {
      // A cache filled in place (`const q = cache[key] = cache[key] || { name: key, text }`) holds the assigned value.
      const inner = assignedValue(unwrap(init));
      // A config, a query object, or a choice of them (`const q = named ? new Query({ name, text }) : new Query(text)`).
      if (ts.isObjectLiteralExpression(inner) || ts.isNewExpression(inner) || choiceAlternatives(inner)) {
        const found = this.queryConfig(inner, depth + 1, state);
        if (found) state.indirect = true;
        return found && this.withNamesWrittenOnto(node, found);
      }
    }
    // A variable holding what a call returns, or several values (`let config; if (…) config = stmt.asConfig(values); else
    // config = text`): only a named config among them counts, since each may be the one sent.
    const fromVariable = ts.isIdentifier(node) ? this.namedConfigAmong(this.variableValues(node), depth, state) : undefined;
    if (fromVariable) return fromVariable;
    // A config kept elsewhere: an object's member or a class field (`this.findUser`, `QUERIES.findUser`), or what a
    // factory of this file returns (`userQuery(table)`). Only a config counts: other values say nothing.
    const held = this.heldConfigValues(node);
    if (held) {
      const found = held.map((value) => this.queryConfig(unwrap(value), depth + 1, state)).filter((c): c is QueryConfig => c !== undefined);
      if (found.length === 0) return undefined;
      state.indirect = true;
      const chosen = found.find(preparesNamedStatement) ?? found[0];
      return this.withNamesWrittenOnto(node, found.length === 1 ? chosen : { ...chosen, alternativeNames: found.flatMap(namesPrepared) });
    }
    const copy = ts.isCallExpression(node) ? this.objectAssignConfig(node, depth, state) : undefined;
    if (copy) return copy;
    // What a function or method of this file returns where it has several returns (`return cached ? { ...q, values } :
    // (async () => { …; return { name, text, values } })()`), also a method called on another receiver when this file's
    // classes declare exactly one method of that name (`statement.asQueryConfig(values)`).
    if (ts.isCallExpression(node)) {
      const fn = this.calledFunction(node.expression) ?? invokedFunction(node.expression) ?? this.onlyClassMethod(node.expression);
      return fn ? this.namedConfigAmong(returnedValues(fn), depth, state) : undefined;
    }
    return undefined;
  }

  /**
   * A config held by a const or a class field, with the names the file writes onto it afterwards (`this.query = { text };
   * if (prepare) this.query.name = 'getTile'`): the object sent may carry any of them, or none when the write is skipped.
   */
  private withNamesWrittenOnto(holder: ts.Expression, config: QueryConfig): QueryConfig {
    const written = this.namesWrittenOnto(holder).filter((name) => preparesNamedStatement({ name }));
    if (written.length === 0) return config;
    return { ...config, name: config.name ?? written[0], alternativeNames: [...namesPrepared(config), ...written] };
  }

  /** The values of `holder.name = …` (also `holder['name'] = …`) for the const or `this.field` that `holder` is. */
  private namesWrittenOnto(holder: ts.Expression): ts.Expression[] {
    const sameHolder = this.holderMatcher(holder);
    if (!sameHolder) return [];
    if (!this.nameWrites) {
      const writes: ts.BinaryExpression[] = [];
      walkDescendants(this.source, (node) => {
        if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && writtenMember(node.left) === CONFIG_NAME) writes.push(node);
        return true;
      });
      this.nameWrites = writes;
    }
    return this.nameWrites
      .filter((write) => sameHolder(unwrap((write.left as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression)))
      .map((write) => write.right);
  }

  private nameWrites: ts.BinaryExpression[] | undefined;

  /** A test for the same holder: a const of the file (by its declaration) or a field of the same class (`this.field`). */
  private holderMatcher(holder: ts.Expression): ((node: ts.Expression) => boolean) | undefined {
    if (ts.isPropertyAccessExpression(holder) && holder.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const owner = enclosingClass(holder);
      return owner && ((node) => ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword
        && node.name.text === holder.name.text && enclosingClass(node) === owner);
    }
    if (!ts.isIdentifier(holder)) return undefined;
    const binding = this.bindingOf(holder);
    const declaration = binding && 'variable' in binding ? binding.variable : undefined;
    if (!declaration || !isConstDeclaration(declaration)) return undefined;
    return (node) => ts.isIdentifier(node) && node.text === holder.text && this.bindsTo(node, declaration);
  }

  /**
   * `Object.assign({}, this.query)`, `Object.assign({ rowMode: 'array' }, base, { name })`: a new object copying each
   * argument's config in turn, a later text or name winning as at run time. Only into an object written in place (a
   * write into a held object is that object's own story); undefined when no argument gives a text or a name.
   */
  private objectAssignConfig(call: ts.CallExpression, depth: number, state: FlowState): QueryConfig | undefined {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'assign' || !ts.isIdentifier(callee.expression) || callee.expression.text !== 'Object') return undefined;
    if (call.arguments.length < 2 || !ts.isObjectLiteralExpression(unwrap(call.arguments[0])) || call.arguments.some(ts.isSpreadElement)) return undefined;
    let config: QueryConfig = {};
    let copiedAny = false;
    for (const argument of call.arguments) {
      const value = unwrap(argument);
      const copied = ts.isObjectLiteralExpression(value) && !value.properties.some(ts.isSpreadAssignment)
        ? { text: objectProperty(value, CONFIG_TEXT), name: objectProperty(value, CONFIG_NAME) }
        : this.queryConfig(value, depth + 1, state);
      if (!copied || (!copied.text && !copied.name && !copied.alternativeNames)) continue;
      copiedAny = true;
      const names = copied.name ? namesPrepared(copied) : [...namesPrepared(config), ...namesPrepared(copied)];
      config = { text: copied.text ?? config.text, name: copied.name ?? config.name, ...(names.length > 1 && { alternativeNames: names }) };
    }
    if (copiedAny && (config.text || config.name)) state.indirect = true;
    return copiedAny && (config.text || config.name) ? config : undefined;
  }

  /** The one named config among values that may each be sent (the others: unnamed configs, texts, unknowns), if any. */
  private namedConfigAmong(values: readonly ts.Expression[] | undefined, depth: number, state: FlowState): QueryConfig | undefined {
    if (!values || values.length === 0 || depth >= MAX_DEPTH) return undefined;
    const named = values.map((value) => this.queryConfig(unwrap(value), depth + 1, state))
      .filter((c): c is QueryConfig => c !== undefined && namesPrepared(c).length > 0);
    if (named.length === 0) return undefined;
    state.indirect = true;
    return named.length === 1 ? named[0] : { ...named[0], alternativeNames: named.flatMap(namesPrepared) };
  }

  /** Every value a variable (not a parameter) may hold, except reads of itself (`config = await config`). */
  private variableValues(use: ts.Identifier): ts.Expression[] | undefined {
    const binding = this.bindingOf(use);
    if (!binding || !('variable' in binding) || !ts.isIdentifier(binding.variable.name)) return undefined;
    return this.heldValues(binding.variable)?.filter((value) => {
      const bare = unwrap(value);
      return !(ts.isIdentifier(bare) && bare.text === use.text);
    });
  }

  /** `receiver.method(…)` where the file's classes declare exactly one member of that name, a method (not `this.method`: calledFunction's). */
  private onlyClassMethod(callee: ts.Expression): ts.MethodDeclaration | undefined {
    if (!ts.isPropertyAccessExpression(callee) || callee.expression.kind === ts.SyntaxKind.ThisKeyword) return undefined;
    if (!this.classMembersByName) {
      const byName = new Map<string, ts.ClassElement[]>();
      walkDescendants(this.source, (node) => {
        if (ts.isClassLike(node)) {
          for (const member of node.members) {
            const key = memberName(member);
            if (key !== undefined) byName.set(key, [...(byName.get(key) ?? []), member]);
          }
        }
        return true;
      });
      this.classMembersByName = byName;
    }
    const members = this.classMembersByName.get(callee.name.text) ?? [];
    return members.length === 1 && ts.isMethodDeclaration(members[0]) ? members[0] : undefined;
  }

  private classMembersByName: Map<string, ts.ClassElement[]> | undefined;

  /**
   * `{ ...this.findUser, values }`, `{ ...base, name: 'find-user' }`: the config a spread copies, with the properties
   * written around it; a later one wins, as at run time. Undefined when neither a spread nor the object gives a text or a name.
   */
  private spreadConfig(node: ts.ObjectLiteralExpression, depth: number, state: FlowState): QueryConfig | undefined {
    let config: QueryConfig = {};
    let fromSpread = false;
    for (const property of node.properties) {
      if (ts.isSpreadAssignment(property)) {
        const copied = this.queryConfig(unwrap(property.expression), depth + 1, state);
        if (!copied) continue;
        fromSpread = true;
        const names = namesPrepared(copied);
        config = { text: copied.text ?? config.text, name: copied.name ?? config.name, ...(names.length > 1 && { alternativeNames: names }) };
        continue;
      }
      const key = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
      if (key !== CONFIG_TEXT && key !== CONFIG_NAME) continue;
      const value = ts.isPropertyAssignment(property) ? property.initializer : ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
      if (!value) continue;
      // A name written after the spread replaces every name the spread could have brought.
      config = key === CONFIG_TEXT ? { ...config, text: value } : { text: config.text, name: value };
    }
    return fromSpread && (config.text || config.name) ? config : undefined;
  }

  /**
   * The values a config may be read from, other than a name: every value the class assigns to `this.field` (its
   * initializer and each `this.field = …`), a member of a const object literal, or the single return of a
   * function of this file called here. Undefined for anything else.
   */
  private heldConfigValues(node: ts.Expression): readonly ts.Expression[] | undefined {
    if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const owner = enclosingClass(node);
      return owner ? fieldValues(owner, node.name.text) : undefined;
    }
    // `const { findUser: query } = this`: the field, under whatever name it is read.
    const field = ts.isIdentifier(node) ? this.fieldDestructuredFromThis(node) : undefined;
    if (field !== undefined) {
      const owner = enclosingClass(node);
      return owner ? fieldValues(owner, field) : undefined;
    }
    if (ts.isPropertyAccessExpression(node)) {
      const value = this.propertyValue(node);
      return value ? [value] : undefined;
    }
    if (ts.isCallExpression(node)) {
      const fn = this.calledFunction(node.expression);
      const value = fn && singleReturn(fn);
      return value ? [value] : undefined;
    }
    return undefined;
  }

  /**
   * A class named for a query object (`NamedCursor`), or one this file declares extending pg's Query or
   * pg-cursor's Cursor (through local subclasses too): `new` of it with a query config is a query.
   */
  private isQueryObjectSubclass(callee: ts.Expression, depth = 0): boolean {
    const name = calleeText(callee);
    if (QUERY_OBJECT_SUBCLASS.test(name)) return true;
    if (!ts.isIdentifier(callee) || depth > 3) return false;
    const declared = this.lookUp(callee, (names) => names.classes.get(name));
    const base = declared?.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    return base !== undefined && (QUERY_OBJECT_CLASSES.test(calleeText(base)) || this.isQueryObjectSubclass(base, depth + 1));
  }

  /** The parts of a string expression; undefined when nothing about it is known. */
  stringParts(expression: ts.Expression, depth: number, literals: ts.Node[], state: FlowState): Part[] | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const node = unwrap(expression);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      literals.push(node);
      return [literalOf(node, this.source)];
    }
    if (ts.isNumericLiteral(node)) return [literalPart(node.text, node.text, node.getStart(this.source), false)];
    if (ts.isTemplateExpression(node)) {
      literals.push(node);
      return this.templateParts(node, depth, literals, state);
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      // A long concatenation (`'SELECT …' +` one line at a time) nests to the left: its chain costs no depth.
      const chained = ts.isBinaryExpression(node.left) && node.left.operatorToken.kind === ts.SyntaxKind.PlusToken;
      const left = this.stringParts(node.left, chained ? depth : depth + 1, literals, state);
      const right = this.stringParts(node.right, depth + 1, literals, state);
      if (!left && !right) return undefined;
      return [...(left ?? [this.hole(node.left)]), ...(right ?? [this.hole(node.right)])];
    }
    if (ts.isConditionalExpression(node)) {
      if (state.choicesUnknown) {
        const decided = this.callerDecidedArm(node, state.parametersTrue);
        return decided && this.stringParts(decided, depth + 1, literals, state);
      }
      // Either branch is real code; keep the one that names a session advisory lock (`permanent ?
      // 'pg_advisory_lock' : 'pg_advisory_xact_lock'` may send it), else the one with more known SQL (a
      // prefix added when a timeout is set).
      const whenTrue = this.stringParts(node.whenTrue, depth + 1, literals, state);
      const whenFalse = this.stringParts(node.whenFalse, depth + 1, literals, state);
      const sessionLock = [whenTrue, whenFalse].filter(namesSessionLock);
      if (sessionLock.length === 1) return sessionLock[0];
      return knownLength(whenTrue) >= knownLength(whenFalse) ? whenTrue : whenFalse;
    }
    const named = ts.isIdentifier(node) ? this.nameParts(node, depth, literals, state) : undefined;
    if (named) return named;
    const joined = ts.isCallExpression(node)
      ? this.joinedParts(node, depth, literals, state) ?? this.mappedParts(node, depth, literals, state) ?? this.formattedParts(node, depth, literals, state)
        ?? this.rawParts(node, depth, literals, state) ?? this.concatenatedParts(node, depth, literals, state)
        ?? this.rewrittenParts(node, depth, literals, state)
      : undefined;
    if (joined) return joined;
    const target = this.followName(node);
    if (target) {
      state.indirect = true;
      if (ts.isCallExpression(node)) state.followedCalls?.push(node);
      return this.stringParts(target, depth + 1, literals, state);
    }
    return undefined;
  }

  /** The true arm of a choice whose condition is one of `parametersTrue` itself (`temp ? 'TEMP TABLE' : 'TABLE'`). */
  private callerDecidedArm(choice: ts.ConditionalExpression, parametersTrue: ReadonlySet<ts.ParameterDeclaration> | undefined): ts.Expression | undefined {
    const condition = unwrap(choice.condition);
    const binding = parametersTrue?.size && ts.isIdentifier(condition) ? this.bindingOf(condition) : undefined;
    return binding && 'parameterOf' in binding && parametersTrue!.has(binding.parameter) ? choice.whenTrue : undefined;
  }

  /**
   * `items.join(', ')` where `items` is an array literal held in a name that is never reassigned, filled
   * by `items.push(…)` before the join: its elements and each pushed value (once, even when pushed in a
   * loop), separated by the separator. Undefined for any other call.
   */
  private joinedParts(call: ts.CallExpression, depth: number, literals: ts.Node[], state: FlowState): Part[] | undefined {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'join' || !ts.isIdentifier(callee.expression) || call.arguments.length > 1) return undefined;
    const separator = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
    if (separator && !ts.isStringLiteral(separator) && !ts.isNoSubstitutionTemplateLiteral(separator)) return undefined;
    const items = this.heldListItems(callee.expression, call);
    const between = separator ? literalOf(separator, this.source) : literalPart(',', ',', call.arguments.end, false);
    return items && this.listParts(items, between, depth, literals, state);
  }

  /**
   * The elements of an array literal held in a name that is never reassigned, and each value pushed onto it
   * (`items.push(…)`) before `use`, once even when pushed in a loop. Undefined for a name holding anything else.
   */
  private heldListItems(list: ts.Identifier, use: ts.Node): ts.Expression[] | undefined {
    const declaration = this.lookUp(list, (names) => names.variables.get(list.text));
    const initializer = declaration?.initializer && unwrap(declaration.initializer);
    const scope = declaration && scopeOf(declaration);
    if (!initializer || !ts.isArrayLiteralExpression(initializer) || !scope || this.assignmentsIn(scope, list.text).length > 0) return undefined;
    const items: ts.Expression[] = [...initializer.elements];
    walkDescendants(scope, (node) => {
      if (ts.isCallExpression(node) && node.end <= use.pos && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'push'
        && ts.isIdentifier(node.expression.expression) && node.expression.expression.text === list.text) items.push(...node.arguments);
    });
    return items;
  }

  /** List items' texts with `between` after each but the last (a spread or unknown item is a hole); undefined when none is known. */
  private listParts(items: readonly ts.Expression[], between: Part, depth: number, literals: ts.Node[], state: FlowState): Part[] | undefined {
    const known = items.map((item) => (ts.isSpreadElement(item) ? undefined : this.stringParts(item, depth + 1, literals, state)));
    return this.joinedList(items, known, between, state);
  }

  /** The items' known texts (`known`, per item) with `between` after each but the last; undefined when none is known. */
  private joinedList(items: readonly ts.Expression[], known: readonly (Part[] | undefined)[], between: Part, state: FlowState): Part[] | undefined {
    if (known.every((parts) => parts === undefined)) return undefined;
    state.indirect = true;
    return items.flatMap((item, i) => [...(i > 0 ? [between] : []), ...(known[i] ?? [this.hole(item)])]);
  }

  /**
   * `for (const statement of statements) await client.query(statement)`: the loop's variable, sent as the whole text,
   * is each text of the list it walks. The list is written in the loop's head or held in a name (heldListItems: with
   * what is pushed onto it before the loop). `parts` joins the texts with `;`; `messages` holds each on its own, as the
   * loop sends them (one query message each), when the list is known in full: written in the loop's head, or an array
   * literal held in a name the code only walks (walkedOnly), every element a text with some SQL known. Else the list may
   * hold more (a push, a callee that fills it) or an element may be anything (a `BEGIN` kept elsewhere): read as one text.
   * Undefined for any other argument, or a list made elsewhere (a parameter, a call's result).
   */
  private loopSentTexts(argument: ts.Expression, literals: ts.Node[], state: FlowState): { parts?: Part[]; messages?: SentMessage[] } | undefined {
    const value = unwrap(argument);
    if (ts.isPropertyAccessExpression(value)) return this.loopSentProperties(value, literals, state);
    const loop = ts.isIdentifier(value) ? this.declaringLoop(value) : undefined;
    const mapping = !loop && ts.isIdentifier(value) ? this.elementCallbackCall(value) : undefined;
    const walker = loop ?? mapping;
    if (!walker) return undefined;
    const listExpression = loop ? loop.expression : (mapping!.expression as ts.PropertyAccessExpression).expression;
    const list = unwrap(listExpression);
    const items = this.walkedListItems(list, walker);
    if (!items) return undefined;
    const read = items.map((item) => {
      const own: ts.Node[] = [];
      const parts = ts.isSpreadElement(item) ? undefined : this.stringParts(item, 1, own, state);
      literals.push(...own);
      return { parts: withoutEmptyStart(parts), literals: own, joined: parts };
    });
    const parts = this.joinedList(items, read.map((item) => item.joined), literalPart(';', ';', listExpression.end, false), state);
    const inFull = (!ts.isIdentifier(list) || this.walkedOnly(list)) && read.every((item) => item.parts && hasKnownText(item.parts));
    return { parts, ...(inFull && { messages: read.map(({ parts, literals }) => ({ parts: parts!, literals })) }) };
  }

  /**
   * The texts of the list a loop or an element callback walks: an array literal written there (a spread of an object's
   * array member, `[...QUERIES.setup, other]`, adds that member's elements; any other spread is a hole), a name holding one
   * (heldListItems), or an object's array member (memberListItems). Undefined for any other list.
   */
  private walkedListItems(list: ts.Expression, walker: ts.Node): ts.Expression[] | undefined {
    if (ts.isIdentifier(list)) return this.heldListItems(list, walker);
    if (ts.isPropertyAccessExpression(list)) return this.memberListItems(list);
    if (!ts.isArrayLiteralExpression(list)) return undefined;
    return list.elements.flatMap((element) => {
      const spread = ts.isSpreadElement(element) ? unwrap(element.expression) : undefined;
      return (spread && ts.isPropertyAccessExpression(spread) && this.memberListItems(spread)) || [element];
    });
  }

  /**
   * `QUERIES.setup` where `const QUERIES = { setup: ['SET …', …] }`: the elements of an array literal an object literal
   * held in a const writes as a member, when no spread is in that object (it may hide or replace the member) and the file
   * never changes the member (`QUERIES.setup.push(…)`, `QUERIES.setup = …`, `QUERIES.setup[0] = …`). Undefined otherwise.
   */
  private memberListItems(access: ts.PropertyAccessExpression): ts.Expression[] | undefined {
    const owner = access.expression;
    if (!ts.isIdentifier(owner) || !ts.isIdentifier(access.name)) return undefined;
    const declaration = this.lookUp(owner, (names) => names.variables.get(owner.text));
    const object = declaration && isConstDeclaration(declaration) && declaration.initializer && unwrap(declaration.initializer);
    if (!object || !ts.isObjectLiteralExpression(object) || object.properties.some(ts.isSpreadAssignment)) return undefined;
    const member = objectProperty(object, access.name.text);
    const list = member && unwrap(member);
    if (!list || !ts.isArrayLiteralExpression(list) || memberChanged(this.source, owner.text, access.name.text)) return undefined;
    return [...list.elements];
  }

  /**
   * `list.map((statement) => client.query(statement))` (or `forEach`): the call whose callback's first parameter is `use`,
   * each element of the list in turn. Undefined for any other name.
   */
  private elementCallbackCall(use: ts.Identifier): ts.CallExpression | undefined {
    const binding = this.bindingOf(use);
    if (!binding || !('parameter' in binding)) return undefined;
    const callback = binding.parameterOf;
    const call = callback.parent;
    if (!ts.isArrowFunction(callback) && !ts.isFunctionExpression(callback)) return undefined;
    if (callback.parameters[0] !== binding.parameter || !ts.isCallExpression(call) || call.arguments[0] !== callback) return undefined;
    const callee = call.expression;
    return ts.isPropertyAccessExpression(callee) && ELEMENT_CALLBACK_METHODS.has(callee.name.text) ? call : undefined;
  }

  /**
   * `for (const c of cases) await client.query(c.query)`: a property of the loop's own element, sent as the whole text, is
   * that property of each element of a case table known in full — an array literal written in the loop's head, or held in
   * a const the code only walks (walkedOnly) — whose every element is an object literal (no spread) writing the property
   * with a text of some SQL known. Each element the query is reached for (caseTables.ts's reachedFor: a branch on an
   * element's property) is a query message of its own, read where the element writes it, carrying the element so a test's
   * per-element assertion that it fails can be read (expectedFailures.ts's elementExpectedToFail). A table whose branch
   * on the element cannot be decided sends nothing known (`{}`); undefined for anything else (read as before).
   */
  private loopSentProperties(access: ts.PropertyAccessExpression, literals: ts.Node[], state: FlowState): { parts?: Part[]; messages?: SentMessage[] } | undefined {
    if (!ts.isIdentifier(access.expression) || !ts.isIdentifier(access.name)) return undefined;
    const variable = access.expression;
    const loop = this.declaringLoop(variable, true);
    if (!loop) return undefined;
    const list = unwrap(loop.expression);
    const items = ts.isArrayLiteralExpression(list) ? [...list.elements]
      : ts.isIdentifier(list) && this.walkedOnly(list) ? this.heldListItems(list, loop) : undefined;
    if (!items || items.length === 0) return undefined;
    const objects = items.map((item) => (ts.isSpreadElement(item) ? undefined : unwrap(item)));
    if (!objects.every((object): object is ts.ObjectLiteralExpression => object !== undefined && ts.isObjectLiteralExpression(object)
      && object.properties.every((property) => !ts.isSpreadAssignment(property)))) return undefined;
    const texts = objects.map((object) => objectProperty(object, access.name.text));
    if (texts.some((text) => text === undefined)) return undefined;
    const own: FlowState = { indirect: false };
    const read = texts.map((text) => {
      const elementLiterals: ts.Node[] = [];
      return { parts: withoutEmptyStart(this.stringParts(text!, 1, elementLiterals, own)), literals: elementLiterals };
    });
    if (!read.every((item) => item.parts && hasKnownText(item.parts))) return undefined;
    const messages: SentMessage[] = [];
    for (const [i, object] of objects.entries()) {
      const element = { object, variable: variable.text };
      const reached = reachedFor(access, loop, element);
      if (reached === undefined) return {};
      if (reached) messages.push({ parts: read[i].parts!, literals: read[i].literals, element });
    }
    state.indirect = true;
    for (const message of messages) literals.push(...message.literals);
    if (messages.length === 0) return {};
    const between = literalPart(';', ';', loop.expression.end, false);
    return { parts: messages.flatMap((message, i) => [...(i > 0 ? [between] : []), ...message.parts]), messages };
  }

  /**
   * Whether the name a loop walks holds an array literal in a const the module does not export, and every other mention of
   * the name in its scope is the list of a `for (… of name)` loop: nothing pushes onto it, assigns into it or hands it on.
   */
  private walkedOnly(list: ts.Identifier): boolean {
    const declaration = this.lookUp(list, (names) => names.variables.get(list.text));
    const statement = declaration?.parent.parent;
    if (!declaration || !isConstDeclaration(declaration) || !statement || (ts.isVariableStatement(statement) && hasModifier(statement, ts.SyntaxKind.ExportKeyword))) return false;
    const scope = scopeOf(declaration);
    if (!scope) return false;
    let walks = 0;
    walkDescendants(scope, (node) => {
      if (ts.isForOfStatement(node) && ts.isIdentifier(node.expression) && node.expression.text === list.text) walks++;
    });
    return identifierMentions(scope, list.text) === walks + 1;
  }

  /**
   * The nearest `for (const name of …)` around a use of `name`, in the same function, that the use reads (no closer
   * declaration of the name inside the loop; the flow's scopes do not hold a loop's own variable). With
   * `throughCallbacks`, also from inside an arrow or function expression handed to a call in the loop's body (`t.test(c.name,
   * async (t) => { await client.query(c.query) })`): the callback closes over that iteration's element.
   */
  declaringLoop(use: ts.Identifier, throughCallbacks = false): ts.ForOfStatement | undefined {
    const handedCallback = (node: ts.Node) => throughCallbacks && (ts.isArrowFunction(node) || ts.isFunctionExpression(node))
      && ts.isCallExpression(node.parent) && node.parent.arguments.includes(node);
    for (let node: ts.Node = use.parent; !ts.isSourceFile(node) && (!ts.isFunctionLike(node) || handedCallback(node)); node = node.parent) {
      if (!ts.isForOfStatement(node) || !ts.isVariableDeclarationList(node.initializer) || !(node.initializer.flags & ts.NodeFlags.Const)) continue;
      const [declaration] = node.initializer.declarations;
      if (!declaration || !ts.isIdentifier(declaration.name) || declaration.name.text !== use.text) continue;
      const binding = this.bindingOf(use);
      const closer = binding && ('variable' in binding ? binding.variable : binding.parameter);
      return closer && closer.pos >= node.pos && closer.end <= node.end ? undefined : node;
    }
    return undefined;
  }

  /**
   * `items.map((item) => \`…\`).join(', ')` or `Array.from(items, (item) => \`…\`).join(', ')`, also with the mapped
   * list held in a const before the join: the text each element is made from. One element stands for them all (their holes differ, their SQL does not).
   */
  private mappedParts(call: ts.CallExpression, depth: number, literals: ts.Node[], state: FlowState): Part[] | undefined {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'join' || call.arguments.length > 1) return undefined;
    // Written in place, or held in a const first (`const statements = channels.map((c) => \`LISTEN ${c}\`)`).
    const target = unwrap(callee.expression);
    const held = ts.isIdentifier(target) ? this.constantInitializer(target) : undefined;
    const elements = held ? unwrap(held) : target;
    const mapper = ts.isCallExpression(elements) ? mapperOf(elements) : undefined;
    const element = mapper && singleReturn(mapper);
    const parts = element && this.stringParts(element, depth + 1, literals, state);
    if (parts) state.indirect = true;
    return parts;
  }

  /**
   * `format('SET search_path TO %I', schema)` (pg-format, util.format), pg-promise's
   * `as.format('SET search_path TO $1:name', [s])`: the format string, its placeholders left for the
   * analysis to fill. Undefined for any other call, or a first argument that is not a known string.
   */
  private formattedParts(call: ts.CallExpression, depth: number, literals: ts.Node[], state: FlowState): Part[] | undefined {
    const name = calleeText(call.expression);
    const formatNamed = name === 'format';
    if ((!formatNamed && !FORMAT_HELPER.test(name)) || call.arguments.length === 0) return undefined;
    // Other names (pg-escape's `escape`, `sprintf`, `pgFormat`) also name value-quoting helpers (`escape(value)`): only
    // a format string, given with the values it formats, is SQL to read.
    if (!formatNamed && call.arguments.length < 2) return undefined;
    const parts = this.stringParts(call.arguments[0], depth + 1, literals, state);
    if (!formatNamed && !parts?.some((part) => part.kind === 'text' && FORMAT_PLACEHOLDER.test(part.text))) return undefined;
    if (parts) state.indirect = true;
    return parts;
  }

  /**
   * pg-promise's `pgp.helpers.concat(queries)`: one text of the queries given, each a string or a
   * `{ query, values }` object, in an array literal or made by `items.map(fn)` (one element stands for all).
   * Their texts joined with `;`. Undefined for any other call.
   */
  private concatenatedParts(call: ts.CallExpression, depth: number, literals: ts.Node[], state: FlowState): Part[] | undefined {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'concat' || call.arguments.length !== 1) return undefined;
    const owner = callee.expression;
    const helpers = (ts.isIdentifier(owner) && owner.text === 'helpers') || (ts.isPropertyAccessExpression(owner) && owner.name.text === 'helpers');
    if (!helpers) return undefined;
    const list = unwrap(call.arguments[0]);
    let items: ts.Expression[] = [];
    if (ts.isArrayLiteralExpression(list)) items = list.elements.filter((e) => !ts.isSpreadElement(e));
    else if (ts.isCallExpression(list)) {
      const mapper = mapperOf(list);
      const element = mapper && singleReturn(mapper);
      if (element) items = [element];
    }
    const texts = items.map((item) => {
      const value = unwrap(item);
      const text = ts.isObjectLiteralExpression(value) ? objectProperty(value, 'query') : value;
      return text && this.stringParts(text, depth + 1, literals, state);
    });
    if (texts.length === 0 || texts.some((parts) => parts === undefined)) return undefined;
    state.indirect = true;
    const between = literalPart(';', ';', call.arguments[0].end, false);
    return texts.flatMap((parts, i) => [...(i > 0 ? [between] : []), ...parts!]);
  }

  /**
   * `\`SET …; DO $$ … $$;\`.replace(/\\n/g, '')`, `text.trim()`, `base.concat(more)` (stringRewrite): the text the
   * methods start from, with what `concat` appends. The replacements are not made: they fill in names or spacing, and
   * the statements the text was written with are the ones sent. Read as text reached through a name (it may be any
   * string), so only SQL-looking text counts and no syntax error is reported. Undefined when the start is not known.
   */
  private rewrittenParts(call: ts.CallExpression, depth: number, literals: ts.Node[], state: FlowState): Part[] | undefined {
    const rewrite = stringRewrite(call);
    const base = rewrite && this.stringParts(rewrite.base, depth + 1, literals, state);
    if (!base) return undefined;
    state.indirect = true;
    return [...base, ...rewrite.appended.flatMap((more) => this.stringParts(more, depth + 1, literals, state) ?? [this.hole(more)])];
  }

  /**
   * `sql.raw(text)` (slonik, pgkit, Drizzle, Kysely), `Prisma.raw(text)`: SQL text inserted as it is, so the
   * query it stands for is that text. Undefined for any other call, or a text that is not known.
   */
  private rawParts(call: ts.CallExpression, depth: number, literals: ts.Node[], state: FlowState): Part[] | undefined {
    if (!ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'raw' || call.arguments.length !== 1) return undefined;
    const parts = this.stringParts(call.arguments[0], depth + 1, literals, state);
    if (parts) state.indirect = true;
    return parts;
  }

  /**
   * `sql.raw(fn)`, `SQL.plain(fn)`, `sql.unsafe(fn)` in a tagged template's hole, where `fn` is known to be
   * a session advisory-lock function's name (a constant, or either branch of a choice): the name's parts.
   * Other raw text stays a hole (a word such as `asc` alone would not parse where it stands for more).
   */
  rawSessionLockName(hole: ts.Expression): Part[] | undefined {
    const call = unwrap(hole);
    if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || !RAW_INSERTS.has(call.expression.name.text) || call.arguments.length !== 1) return undefined;
    const parts = this.stringParts(call.arguments[0], 1, [], { indirect: false });
    const onlyName = parts?.length === 1 && parts[0].kind === 'text' && SESSION_ADVISORY_NAME.test(parts[0].text) && /^\s*[a-z_]+\s*$/i.test(parts[0].text);
    return onlyName ? parts : undefined;
  }

  /** Plain templates interpolate strings, so a `${…}` may itself be known SQL. */
  private templateParts(node: ts.TemplateExpression, depth: number, literals: ts.Node[], state: FlowState): Part[] {
    const head = templatePiece(node.head, this.source);
    const parts: Part[] = [head];
    const own = [head.text];
    const reachedBefore = state.indirect;
    for (const span of node.templateSpans) {
      parts.push(...(this.stringParts(span.expression, depth + 1, literals, state) ?? [templateHole(span, this.source)]));
      const piece = templatePiece(span.literal, this.source);
      parts.push(piece);
      own.push(piece.text);
    }
    // A template written out is text of its own, wherever its holes' text comes from: a knex migration's
    // `${extensions}\n create schema …; set search_path = …` (a file read into a const first) was read as text reached
    // through a name, which may be anything, and its opening blanks made it no SQL. Only a template with no text of its
    // own besides blanks and comments (`${query}`) is as indirect as its holes.
    if (!reachedBefore && holdsOwnText(own)) state.indirect = false;
    return parts;
  }

  private hole(node: ts.Expression): Part {
    return holePart(node.getStart(this.source), node.getEnd());
  }

  /**
   * What a name, property or call stands for: a constant's initializer, a function's returned expression, or
   * the one value this file writes to a property that a name is destructured from or read through.
   */
  private followName(node: ts.Expression): ts.Expression | undefined {
    if (ts.isIdentifier(node)) return this.constantInitializer(node) ?? this.destructuredPropertyValue(node);
    if (ts.isPropertyAccessExpression(node)) return this.propertyValue(node) ?? this.propertyWrittenOnce(node.name.text);
    if (ts.isCallExpression(node)) {
      const fn = this.calledFunction(node.expression);
      return fn && singleReturn(fn);
    }
    return undefined;
  }

  private readonly scopes = new Map<ts.Node, ScopeNames>();
  private readonly assignments = new Map<ts.Node, Map<string, Assignment[]>>();

  /**
   * Whether the file assigns `name` anywhere (`name = …`, `name += …`, `name++`, `--name`), a shadowing local's
   * included: the file's assignment index, read once for every name asked.
   */
  assignedInFile(name: string): boolean {
    return this.assignmentsIn(this.source, name).length > 0;
  }

  /** Assignments to `name` inside `scope`, in source order (one walk per scope, however many names are asked). */
  private assignmentsIn(scope: ts.Node, name: string): readonly Assignment[] {
    let byName = this.assignments.get(scope);
    if (!byName) {
      byName = assignmentsByName(scope);
      this.assignments.set(scope, byName);
    }
    return byName.get(name) ?? [];
  }

  /**
   * The declaration `use` refers to, walking out through the scopes around it (a parameter of the
   * same name shadows it). Each scope's own statements are read once, on the first lookup in it.
   */
  private lookUp<T>(use: ts.Identifier, pick: (names: ScopeNames) => T | undefined): T | undefined {
    for (let scope = scopeOf(use); scope; scope = scopeOf(scope)) {
      if (ts.isFunctionLike(scope) && hasParameter(scope, use.text)) return undefined;
      if ((ts.isForOfStatement(scope) || ts.isForInStatement(scope)) && declaresLoopVariable(scope, use.text)) return undefined;
      let names = this.scopes.get(scope);
      if (!names) {
        names = namesOf(scope);
        this.scopes.set(scope, names);
      }
      const found = pick(names);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * The parameter or variable declaration `use` refers to (undefined for imports, globals, loop variables…).
   * Cached per name: the checks of one query call ask it of the same receiver several times.
   */
  bindingOf(use: ts.Identifier): Binding | undefined {
    if (this.bindings.has(use)) return this.bindings.get(use);
    const binding = this.findBinding(use);
    this.bindings.set(use, binding);
    return binding;
  }

  private readonly bindings = new Map<ts.Identifier, Binding | undefined>();

  /** Whether `use` refers to the variable `declaration` declares (not another value of the same name). */
  bindsTo(use: ts.Identifier, declaration: ts.VariableDeclaration): boolean {
    const binding = this.bindingOf(use);
    return binding !== undefined && 'variable' in binding && binding.variable === declaration;
  }

  /**
   * Every value the variable `use` refers to may hold: its initializer, then each plain assignment (`x = …`) in the
   * scope that declares it. Undefined for a parameter, a name not declared in the file, or a variable some other
   * assignment changes (`x += …`, `x ||= …`, `x++`), whose value is not one of these.
   */
  valuesOf(use: ts.Identifier): (ts.Expression | undefined)[] | undefined {
    const binding = this.bindingOf(use);
    if (!binding || !('variable' in binding) || !ts.isIdentifier(binding.variable.name)) return undefined;
    const declaration = binding.variable;
    const scope = scopeOf(declaration);
    const assignments = scope ? this.assignmentsIn(scope, use.text) : [];
    if (assignments.some((a) => a.value === undefined)) return undefined;
    const values = assignments.map((a) => a.value);
    return declaration.initializer || isConstDeclaration(declaration) ? [declaration.initializer, ...values] : values;
  }

  /**
   * What a `const` name holds, seen through casts, parentheses and await on either side (`const q = r.query.bind(r) as
   * Fn`, `(q)(…)`): the one value a const can have. Undefined for a let, a parameter or a name not declared in the file.
   */
  constInitializer(name: ts.Expression): ts.Expression | undefined {
    const named = unwrap(name);
    const binding = ts.isIdentifier(named) ? this.bindingOf(named) : undefined;
    const constant = binding && 'variable' in binding && (binding.variable.parent.flags & ts.NodeFlags.Const) !== 0;
    return constant && binding.variable.initializer ? unwrap(binding.variable.initializer) : undefined;
  }

  /** The initializer of the variable `use` is bound to (not a parameter's, not a later assignment's), if it has one. */
  declaredInitializer(use: ts.Identifier): ts.Expression | undefined {
    const binding = this.bindingOf(use);
    return binding && 'variable' in binding ? binding.variable.initializer : undefined;
  }

  private findBinding(use: ts.Identifier): Binding | undefined {
    for (let scope = scopeOf(use); scope; scope = scopeOf(scope)) {
      const parameter = ts.isFunctionLike(scope) ? scope.parameters.find((p) => bindsName(p.name, use.text)) : undefined;
      if (parameter) return { parameterOf: scope as ts.SignatureDeclaration, parameter };
      let names = this.scopes.get(scope);
      if (!names) {
        names = namesOf(scope);
        this.scopes.set(scope, names);
      }
      const variable = names.variables.get(use.text);
      if (variable) return { variable };
    }
    return undefined;
  }

  /** The variable declaration `use` reads (lookUp: a parameter or a for…of/for…in loop variable of the name hides it). */
  variableOf(use: ts.Identifier): ts.VariableDeclaration | undefined {
    return this.lookUp(use, (names) => names.variables.get(use.text));
  }

  /**
   * The declaration of `use`'s name in the nearest scope around it that declares the name in any form (a class or
   * function declaration first, then a variable or a destructuring); undefined when a parameter or loop variable of
   * the name is nearer, or no scope of the file declares it (an import, a global).
   */
  nearestDeclaration(use: ts.Identifier): ts.ClassDeclaration | ts.FunctionDeclaration | ts.VariableDeclaration | undefined {
    const name = use.text;
    return this.lookUp(use, (names) => names.classes.get(name) ?? names.functions.get(name) ?? names.variables.get(name) ?? names.destructured.get(name));
  }

  /** The declaration that destructures `use` out of an object (`const { client } = ctx`), if that is how it is bound. */
  destructuringOf(use: ts.Identifier): ts.VariableDeclaration | undefined {
    return this.lookUp(use, (names) => names.destructured.get(use.text));
  }

  /**
   * Every value a variable may hold wherever it is read: a const's initializer; a let's or var's initializer and the
   * value of each `name = …` in its scope (a module-level `let client = null` that a function fills in later). Empty
   * starts (`null`, `undefined`, none) hold nothing; a logical assignment (`x ||= v`, `??=`, `&&=`) adds the value it may
   * give; another compound assignment (`+=`, `++`) makes it unknown (undefined).
   */
  heldValues(declaration: ts.VariableDeclaration): ts.Expression[] | undefined {
    const held = declaration.initializer && !isEmptyValue(declaration.initializer) ? [declaration.initializer] : [];
    if (isConstDeclaration(declaration) || !ts.isIdentifier(declaration.name)) return held;
    const scope = scopeOf(declaration);
    for (const assignment of scope ? this.assignmentsIn(scope, declaration.name.text) : []) {
      // `db ||= connect(url)` (a hook's lazy start): the variable keeps what it held, or takes that value.
      const value = assignment.value ?? assignment.maybe;
      if (!value) return undefined;
      if (!isEmptyValue(value)) held.push(value);
    }
    return held;
  }

  /** Whether a variable holds something and every value it may hold (heldValues) passes `test`. */
  everyHeldValue(declaration: ts.VariableDeclaration, test: (value: ts.Expression) => boolean): boolean {
    const values = this.heldValues(declaration);
    return values !== undefined && values.length > 0 && values.every(test);
  }

  /** The value of the const (or the let/var's reaching value) `use` refers to, when it is one expression. */
  constantInitializer(use: ts.Identifier): ts.Expression | undefined {
    const values = this.reachingValues(use);
    return values?.length === 1 ? values[0] : undefined;
  }

  /**
   * The expressions whose concatenation is the value `use` refers to: a const's initializer, or a
   * let/var's reaching value followed by what `+=` appended to it before the use.
   */
  private reachingValues(use: ts.Identifier): ts.Expression[] | undefined {
    const declaration = this.lookUp(use, (names) => names.variables.get(use.text));
    if (!declaration) return this.reassignedParameter(use);
    if (declaration.initializer && declaration.initializer.pos <= use.pos && use.pos < declaration.initializer.end) return undefined;
    if (isConstDeclaration(declaration)) return declaration.initializer && [declaration.initializer];
    const scope = scopeOf(declaration);
    return scope && reachingValue(declaration, use, this.assignmentsIn(scope, use.text));
  }

  /**
   * A parameter the function assigns before `use` (`if (!query.startsWith('SET')) query = \`SET search_path TO …;\` +
   * query; return query`): the value that assignment gives, as a let's reaching value is read (the caller's text is
   * a hole in it). Undefined when no assignment comes before the use: what the caller passes is not known here.
   */
  private reassignedParameter(use: ts.Identifier): ts.Expression[] | undefined {
    const binding = this.bindingOf(use);
    if (!binding || !('parameterOf' in binding) || !ts.isIdentifier(binding.parameter.name)) return undefined;
    const body = (binding.parameterOf as ts.FunctionLikeDeclaration).body;
    const mine = body ? this.assignmentsIn(body, use.text) : [];
    if (!mine.some((assignment) => assignment.node.end <= use.pos)) return undefined;
    const values = reachingValue({ initializer: undefined, end: binding.parameter.end, scope: body! }, use, mine);
    return values && values.length > 0 ? values : undefined;
  }

  /** A name's text: its reaching value, with the parts `+=` appended (conditionally or not) in source order. */
  private nameParts(use: ts.Identifier, depth: number, literals: ts.Node[], state: FlowState): Part[] | undefined {
    const values = this.reachingValues(use);
    if (!values || values.length === 0) return undefined;
    state.indirect = true;
    const parts = values.map((value) => this.stringParts(value, depth + 1, literals, state));
    if (parts.every((p) => p === undefined)) return undefined;
    // An empty start (`let query = ''`) is no text: what is appended to it is where the SQL starts.
    return parts.flatMap((p, i) => p ?? [this.hole(values[i])]).filter((p) => p.kind !== 'text' || p.text !== '');
  }

  /** The field a const destructures from `this` under `use`'s name (`const { queryConfig: query } = this`: queryConfig). */
  private fieldDestructuredFromThis(use: ts.Identifier): string | undefined {
    const destructured = this.constDestructured(use);
    if (!destructured || unwrap(destructured.object).kind !== ts.SyntaxKind.ThisKeyword) return undefined;
    const { property } = destructured;
    return ts.isIdentifier(property) || ts.isStringLiteral(property) ? property.text : undefined;
  }

  /** `const { roleSql } = setup`, `const { role: roleSql } = setup` (never reassigned): the value this file writes to that property. */
  private destructuredPropertyValue(use: ts.Identifier): ts.Expression | undefined {
    const property = this.constDestructured(use)?.property;
    return property && (ts.isIdentifier(property) || ts.isStringLiteral(property)) ? this.propertyWrittenOnce(property.text) : undefined;
  }

  /** `const { X: name } = object` (not a rest, not with a default): the property `name` reads, and the object it is read from. */
  constDestructured(name: ts.Identifier): { property: ts.PropertyName; object: ts.Expression } | undefined {
    const declaration = this.destructuringOf(name);
    if (!declaration || !ts.isObjectBindingPattern(declaration.name) || !declaration.initializer || !isConstDeclaration(declaration)) return undefined;
    const element = declaration.name.elements.find((e) => ts.isIdentifier(e.name) && e.name.text === name.text);
    if (!element || element.dotDotDotToken || element.initializer) return undefined;
    return { property: element.propertyName ?? (element.name as ts.Identifier), object: declaration.initializer };
  }

  private propertyWrites?: Map<string, ts.Expression[]>;

  /**
   * The value of a property that this file writes exactly once (`result.roleSql = \`SET ROLE …\``, or
   * `{ roleSql: … }`), as a string, template or concatenation: an object built by one function and read by
   * another (SQL set up in one place and sent in another) holds that text whenever it holds the property.
   * Written twice or more, or with any other value, it is unknown; so is a query config's own key (`q.text`
   * may be any config's text, not the one config this file writes).
   */
  private propertyWrittenOnce(name: string): ts.Expression | undefined {
    if (SHARED_KEYS.has(name)) return undefined;
    if (!this.propertyWrites) this.propertyWrites = propertyWritesOf(this.source);
    const writes = this.propertyWrites.get(name);
    return writes?.length === 1 && isStringBuilt(writes[0]) ? writes[0] : undefined;
  }

  /**
   * `this.prop` (class field or getter), `obj.prop` of a const object literal, and one level further: a
   * property of the object literal a getter or field returns (`this.words.listen` where `get words()` returns
   * `{ listen: … }`), also through a const holding it (`const w = this.words; w.listen`).
   */
  private propertyValue(node: ts.PropertyAccessExpression, depth = 0): ts.Expression | undefined {
    const name = node.name.text;
    if (node.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const member = enclosingClass(node)?.members.find((m) => memberName(m) === name);
      if (member && ts.isPropertyDeclaration(member) && member.initializer && isReadonlyOrNeverAssigned(member)) return member.initializer;
      if (member && ts.isGetAccessorDeclaration(member)) return singleReturn(member);
      return undefined;
    }
    let holder: ts.Expression | undefined;
    if (ts.isIdentifier(node.expression)) holder = this.constantInitializer(node.expression);
    else if (depth < 2 && ts.isPropertyAccessExpression(node.expression) && node.expression.expression.kind === ts.SyntaxKind.ThisKeyword) holder = node.expression;
    let object = holder && unwrap(holder);
    // A const or member access that stands for `this.words`: the object its getter or field gives.
    if (object && depth < 2 && ts.isPropertyAccessExpression(object) && object.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const value = this.propertyValue(object, depth + 1);
      object = value && unwrap(value);
    }
    if (object && ts.isObjectLiteralExpression(object)) return objectProperty(object, name);
    return undefined;
  }

  /** The class declaration of this file a name refers to in its scope (`new Executor(…)`, `extends Base`). */
  localClass(name: ts.Identifier): ts.ClassDeclaration | undefined {
    return this.lookUp(name, (names) => names.classes.get(name.text));
  }

  /** The function of this file a call's callee names (a function, a const arrow or function, a method of `this`). */
  localFunction(callee: ts.Expression): FunctionWithBody | undefined {
    return this.calledFunction(callee);
  }

  private calledFunction(callee: ts.Expression): FunctionWithBody | undefined {
    if (ts.isIdentifier(callee)) {
      const init = this.constantInitializer(callee);
      if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return init;
      return this.lookUp(callee, (names) => names.functions.get(callee.text));
    }
    if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const object = thisObjectLiteral(callee);
      if (object) return objectMethod(object, callee.name.text);
      return this.classMethod(enclosingClass(callee), callee.name.text);
    }
    return undefined;
  }

  /**
   * A method of the class, or one it inherits from a class of this file (`class Jobs extends AppPool`, where
   * `AppPool` declares `keep(text) { … client.query(text) … }`; `this.keep(…)` in `Jobs` calls it), a few classes up.
   */
  private classMethod(owner: ts.ClassLikeDeclaration | undefined, name: string, depth = 0): ts.MethodDeclaration | undefined {
    if (!owner) return undefined;
    const member = owner.members.find((m) => memberName(m) === name);
    if (member) return ts.isMethodDeclaration(member) ? member : undefined;
    const base = owner.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    if (!base || !ts.isIdentifier(base) || depth >= MAX_INHERITED) return undefined;
    return this.classMethod(this.lookUp(base, (names) => names.classes.get(base.text)), name, depth + 1);
  }
}

/** Every value the file writes to each property name: `x.name = value` and `{ name: value }` (a shorthand's value is its name). */
function propertyWritesOf(source: ts.SourceFile): Map<string, ts.Expression[]> {
  const writes = new Map<string, ts.Expression[]>();
  const add = (name: string, value: ts.Expression): void => {
    const list = writes.get(name);
    if (list) list.push(value);
    else writes.set(name, [value]);
  };
  walkDescendants(source, (node) => {
    if (ts.isBinaryExpression(node) && ts.isPropertyAccessExpression(node.left) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      // A compound assignment (`x.sql += …`) is a write whose value is not what it appends.
      add(node.left.name.text, node.operatorToken.kind === ts.SyntaxKind.EqualsToken ? node.right : node);
    } else if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) {
      add(node.name.text, node.initializer);
    } else if (ts.isShorthandPropertyAssignment(node)) {
      add(node.name.text, node.name);
    }
  });
  return writes;
}

/** Array methods that call their first argument with each element in turn, first of all. */
const ELEMENT_CALLBACK_METHODS = new Set(['map', 'forEach']);

/** Whether the file changes `owner.member`: assigns it or into it, or calls a mutating method on it (`push`, `splice`…). */
function memberChanged(source: ts.SourceFile, owner: string, member: string): boolean {
  const isMember = (node: ts.Node): boolean => ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)
    && node.expression.text === owner && node.name.text === member;
  let changed = false;
  walkDescendants(source, (node) => {
    if (isAssignmentExpression(node) && (isMember(node.left) || (ts.isElementAccessExpression(node.left) && isMember(node.left.expression)))) changed = true;
    if (ts.isPropertyAccessExpression(node) && isMember(node.expression) && MUTATING_ARRAY_METHODS.has(node.name.text)) changed = true;
  }, () => changed);
  return changed;
}

const MUTATING_ARRAY_METHODS = new Set(['push', 'unshift', 'splice', 'pop', 'shift', 'fill', 'copyWithin', 'reverse', 'sort']);

/** The callback that makes each element: of `items.map(fn)`, or of `Array.from(items, fn)`. */
function mapperOf(call: ts.CallExpression): FunctionWithBody | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const isArrayFrom = callee.name.text === 'from' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Array';
  const fn = callee.name.text === 'map' ? call.arguments[0] : isArrayFrom ? call.arguments[1] : undefined;
  return fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) ? fn : undefined;
}

/**
 * The object literal `this` stands for at `node`: the one holding the nearest enclosing non-arrow
 * function as a method (`{ async connect() { this.query(…) }, async query(…) {…} }`, a driver object).
 */
function thisObjectLiteral(node: ts.Node): ts.ObjectLiteralExpression | undefined {
  let current = node.parent;
  while (current && (!ts.isFunctionLike(current) || ts.isArrowFunction(current))) current = current.parent;
  if (!current) return undefined;
  const holder = ts.isFunctionExpression(current) && ts.isPropertyAssignment(current.parent) ? current.parent : current;
  return ts.isObjectLiteralExpression(holder.parent) ? holder.parent : undefined;
}

/** A method of an object literal by name (`query(…) {…}` or `query: function (…) {…}`). */
function objectMethod(object: ts.ObjectLiteralExpression, name: string): FunctionWithBody | undefined {
  for (const property of object.properties) {
    if (!property.name || !ts.isIdentifier(property.name) || property.name.text !== name) continue;
    if (ts.isMethodDeclaration(property)) return property;
    if (ts.isPropertyAssignment(property) && ts.isFunctionExpression(property.initializer)) return property.initializer;
  }
  return undefined;
}

export function isLoop(node: ts.Node): boolean {
  return ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node);
}

/**
 * The value a let/var has where it is used: the last plain assignment written before the use (or the
 * initializer), then whatever `+=` appended after it (a query string built up statement by statement,
 * some of them under conditions: each may be sent). An assignment of the name passed through string methods
 * that keep its statements (`sql = sql.replaceAll('{owner}', role)`, maybe under an `if`) leaves the value as it
 * was, with what `concat` appends: the statements sent are still the ones written there. Unknown after another
 * compound assignment (`-=`, `++`), or when a loop around the use also assigns it (the value depends on the iteration).
 */
function reachingValue(declaration: ts.VariableDeclaration | { initializer: undefined; end: number; scope: ts.Node }, use: ts.Identifier, mine: readonly Assignment[]): ts.Expression[] | undefined {
  const scope = 'scope' in declaration ? declaration.scope : scopeOf(declaration);
  for (let node: ts.Node | undefined = use.parent; node && node !== scope; node = node.parent) {
    if (isLoop(node) && mine.some((a) => a.node.pos >= node!.pos && a.node.end <= node!.end)) return undefined;
  }
  let values = declaration.initializer ? [declaration.initializer] : [];
  let at = declaration.end;
  for (const assignment of mine) {
    // An assignment whose right side holds the use has not happened yet when the use is evaluated.
    if (assignment.node.end > use.pos || assignment.node.pos < at) continue;
    const rewrite = assignment.value && selfRewrite(assignment.value, use.text);
    if (rewrite) values = [...values, ...rewrite];
    else if (assignment.value) values = [assignment.value];
    else if (assignment.appended) values = [...values, assignment.appended];
    else return undefined;
    at = assignment.node.pos;
  }
  return values;
}

/**
 * String methods that give back the text they are called on with its statements kept: trimmed, words replaced
 * in it (a schema or role name filled in), or more appended (`concat`).
 */
export const STRING_REWRITES = new Set(['trim', 'trimStart', 'trimEnd', 'replace', 'replaceAll', 'concat']);

/**
 * `text.replaceAll('{owner}', role)`, `text.trim()`, `text.concat(more)`, chained or not: the text they start from and
 * what `concat` appends to it, in order (often nothing). Undefined for any other expression, a spread `concat`, or a
 * replace whose pattern spans a statement's end (`;`), which may take whole statements out.
 */
export function stringRewrite(value: ts.Expression): { base: ts.Expression; appended: ts.Expression[] } | undefined {
  const appended: ts.Expression[] = [];
  let current = unwrap(value);
  while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression) && STRING_REWRITES.has(current.expression.name.text)) {
    const method = current.expression.name.text;
    if ((method === 'replace' || method === 'replaceAll') && patternSpansStatementEnd(current.arguments[0])) return undefined;
    if (method === 'concat') {
      if (current.arguments.some(ts.isSpreadElement)) return undefined;
      appended.unshift(...current.arguments);
    }
    current = unwrap(current.expression.expression);
  }
  return current !== unwrap(value) ? { base: current, appended } : undefined;
}

/**
 * `sql = sql.replaceAll('{owner}', role)`, `sql = sql.trim()`, `sql = sql.concat(more)`: a name reassigned to its own
 * text passed through STRING_REWRITES (stringRewrite). What `concat` appends to it; undefined for any other value.
 */
function selfRewrite(value: ts.Expression, name: string): ts.Expression[] | undefined {
  const rewrite = stringRewrite(value);
  return rewrite && ts.isIdentifier(rewrite.base) && rewrite.base.text === name ? rewrite.appended : undefined;
}

/** A replace pattern written in place (string or regular expression) that holds a `;`. */
function patternSpansStatementEnd(pattern: ts.Expression | undefined): boolean {
  const value = pattern && unwrap(pattern);
  return value !== undefined && (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value) || ts.isRegularExpressionLiteral(value)) && value.text.includes(';');
}

/** The class (declaration or expression) whose body holds `node`, the innermost one. */
export function enclosingClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  let current = node.parent;
  while (current && !ts.isClassLike(current)) current = current.parent;
  return current;
}

/**
 * What each field of a class is given, by field name: read once per class. A class's `this.<field>` receivers are many
 * (a generated parser's class has thousands of `this.state = …`), and each asked the same question of the whole class.
 */
const fieldValuesByClass = new WeakMap<ts.ClassLikeDeclaration, ReadonlyMap<string, readonly ts.Expression[]>>();

/** What a class puts in a field: its initializer and the value of each `this.field = …` in the class. */
export function fieldValues(owner: ts.ClassLikeDeclaration, name: string): readonly ts.Expression[] {
  let byName = fieldValuesByClass.get(owner);
  if (!byName) {
    const found = new Map<string, ts.Expression[]>();
    const add = (field: string, value: ts.Expression): void => {
      const values = found.get(field);
      if (values) values.push(value);
      else found.set(field, [value]);
    };
    for (const member of owner.members) {
      if (!ts.isPropertyDeclaration(member) || !member.initializer) continue;
      const field = memberName(member);
      if (field !== undefined) add(field, member.initializer);
    }
    walkDescendants(owner, (node) => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)
        && node.left.expression.kind === ts.SyntaxKind.ThisKeyword) add(node.left.name.text, node.right);
    });
    byName = found;
    fieldValuesByClass.set(owner, byName);
  }
  return byName.get(name) ?? [];
}

/** A class field keeps its initializer when it is readonly or no `this.field = …` appears in the class. */
function isReadonlyOrNeverAssigned(member: ts.PropertyDeclaration): boolean {
  if (hasModifier(member, ts.SyntaxKind.ReadonlyKeyword)) return true;
  const name = memberName(member);
  let assigned = false;
  walkDescendants(member.parent, (node) => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
      && ts.isPropertyAccessExpression(node.left) && node.left.expression.kind === ts.SyntaxKind.ThisKeyword && node.left.name.text === name) assigned = true;
    return !assigned;
  }, () => assigned);
  return !assigned;
}

/** Parts without the empty texts they open with (the head of `${prefix}${sql}`): the SQL starts after them. */
/** Whether a template's own pieces hold anything besides blanks and comments. */
function holdsOwnText(pieces: readonly string[]): boolean {
  return pieces.some((piece) => leadingTrivia(piece) < piece.length);
}

function withoutEmptyStart(parts: Part[] | undefined): Part[] | undefined {
  if (!parts) return undefined;
  let first = 0;
  while (first < parts.length - 1 && isEmptyText(parts[first])) first++;
  return first === 0 ? parts : parts.slice(first);
}

/** Whether some text part holds more than blanks: some of the text is known. */
function hasKnownText(parts: readonly Part[]): boolean {
  return parts.some((part) => part.kind === 'text' && part.text.trim() !== '');
}

function isEmptyText(part: Part): boolean {
  return part.kind === 'text' && part.text === '';
}

/** Methods of SQL tags that insert their argument as raw SQL text inside a tagged template. */
const RAW_INSERTS = new Set(['raw', 'plain', 'unsafe']);

function namesSessionLock(parts: Part[] | undefined): boolean {
  return parts !== undefined && parts.some((p) => p.kind === 'text' && SESSION_ADVISORY_NAME.test(p.text));
}

function knownLength(parts: Part[] | undefined): number {
  return parts ? parts.reduce((n, p) => n + (p.kind === 'text' ? p.text.length : 0), 0) : -1;
}

/**
 * Format helpers that fill a format string's `%s`/`%I`/`%L` placeholders, besides `format` itself (pg-format,
 * util.format, pg-promise's as.format): pg-escape's default export `escape(fmt, …)`, sprintf-js's `sprintf`/`vsprintf`,
 * and pg-format imported under another name (`pgFormat`, `pgformat`, `pg_format`, `pgEscape`).
 */
const FORMAT_HELPER = /^(?:pg_?(?:format|escape)|escape|v?sprintf)$/i;
/** A format string's placeholder: `%s`, `%I`, `%L`, also positional (`%1$s`). */
const FORMAT_PLACEHOLDER = /%(?:\d+\$)?[sIL]/;

/**
 * The name a callee, tag or receiver is called by, read for what its spelling says (`query`, `sql`, `pool`): a private
 * member's `#` is dropped, so `this.#sql` reads as `this.sql` does. Not a key of the member (`#sql` and `sql` are two
 * members: keyOf and the class-member lookups keep the `#`).
 */
export function calleeText(expression: ts.Expression): string {
  if (ts.isPropertyAccessExpression(expression)) return ts.isPrivateIdentifier(expression.name) ? expression.name.text.slice(1) : expression.name.text;
  if (ts.isIdentifier(expression)) return expression.text;
  return '';
}

/** A string or no-substitution template literal as one text part (escapes mapped). */
export function literalOf(node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral, source: ts.SourceFile): Part {
  const start = node.getStart(source);
  return literalPart(node.text, source.text.slice(start + 1, node.getEnd() - 1), start + 1, ts.isNoSubstitutionTemplateLiteral(node));
}

/** A template head/middle/tail: its text sits between "`" or "}" and "${" or "`". */
export function templatePiece(node: ts.TemplateHead | ts.TemplateMiddle | ts.TemplateTail, source: ts.SourceFile): TextPart {
  const start = node.getStart(source);
  const closeLength = ts.isTemplateTail(node) ? 1 : 2;
  return literalPart(node.text, source.text.slice(start + 1, node.getEnd() - closeLength), start + 1, true);
}

/** A `${…}` of a template, from `$` to `}` (a span starts right after the `${` that ends the text before it). */
function templateHole(span: ts.TemplateSpan, source: ts.SourceFile): Part {
  return holePart(span.pos - 2, span.literal.getStart(source) + 1);
}

/**
 * Parts of a template whose `${…}` are bound parameters (a sql`…` tag), not interpolated text. A hole
 * may insert raw text instead (`${sql.raw(fn)}`, dumbo's `${SQL.plain(fn)}`): when `rawName` finds that
 * the text is the name of a session advisory-lock function, the name stands there.
 */
export function taggedTemplateParts(template: ts.TemplateLiteral, source: ts.SourceFile, rawName?: (hole: ts.Expression) => Part[] | undefined): Part[] {
  if (ts.isNoSubstitutionTemplateLiteral(template)) return [literalOf(template, source)];
  const parts: Part[] = [templatePiece(template.head, source)];
  for (const span of template.templateSpans) {
    parts.push(...(rawName?.(span.expression) ?? [templateHole(span, source)]));
    parts.push(templatePiece(span.literal, source));
  }
  return parts;
}

/**
 * The array given to Prisma's `$transaction([…])` or to Neon's `sql.transaction([…])` (their batch form: one
 * transaction for the array's queries).
 */
export function isBatchTransaction(array: ts.ArrayLiteralExpression): boolean {
  const outer = outermostWrapper(array);
  const call = outer.parent;
  return call !== undefined && ts.isCallExpression(call) && call.arguments[0] === outer && BATCH_TRANSACTIONS.test(calleeText(call.expression));
}
const BATCH_TRANSACTIONS = /^\$?transaction$/;

/**
 * Calls whose callback runs inside a transaction (knex, Drizzle, Sequelize, Prisma, postgres.js, pg-promise…),
 * also those named for the isolation level they begin it with (Zapatos' `serializable(pool, cb)`,
 * `repeatableReadRO(pool, cb)`, `readCommitted(pool, cb)`).
 */
const TRANSACTION_WRAPPERS = /^(begin|transaction|\$transaction|transact|tx|(?:serializable|repeatableRead|readCommitted)(?:RO(?:Deferrable)?)?)$|^(?!(commit|rollback|end|abort|close|finish))\w*Transaction$/;

/** `db.transaction(cb)`, `sql.begin(cb)`, Kysely's `db.transaction().execute(cb)`. */
export function isTransactionWrapper(call: ts.CallExpression): boolean {
  const name = calleeText(call.expression);
  if (TRANSACTION_WRAPPERS.test(name)) return true;
  if (name === 'execute' && ts.isPropertyAccessExpression(call.expression) && ts.isCallExpression(call.expression.expression)) {
    return calleeText(call.expression.expression.expression) === 'transaction';
  }
  return false;
}
