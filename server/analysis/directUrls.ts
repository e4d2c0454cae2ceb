// Whether a LISTEN/NOTIFY library's subscriber (listenLibraries.ts) connects with a URL the project keeps for
// sessions of its own, past the pooler. Two ways a project says so in its names:
//   - the name itself: `DIRECT_URL`, `directUrl`, `DATABASE_URL_UNPOOLED`, `POSTGRES_URL_NON_POOLING`;
//   - a pooled sibling beside it: a project with both `databaseURL` and `databasePoolURL` (`DATABASE_URL` and
//     `DATABASE_POOL_URL`) sends its pooled queries through the one that names the pool, so the other one is
//     the direct connection (the same words with a pool word added).
// The URL is followed where the code shows it: a literal name (`process.env.DIRECT_URL`, `config.directUrl`, a
// destructured setting, a const, either side of a `?:`), and, when the subscriber is made in a class from a
// constructor parameter, into every `new Class(url)` of the project (through barrel re-exports); a parameter of a named
// function, into every call of it in the project (up to MAX_CALLER_HOPS calls out); through a project function that
// rebuilds the URL from its argument with the same server (urlRebuilds.ts: `withPassword(directUrl, secret)`, or the
// fields a parser reads off it into driver options). Every URL that can reach the subscriber must be direct; anything not
// followed keeps the finding.
import ts from 'typescript';
import { type Flow, enclosingClass, flowOfModule, isConstDeclaration, isEmptyLiteral, isEmptyValue, literalText, objectProperty, singleReturn, unwrap } from './embeddedFlow';
import { memberChain } from './configMembers';
import { classMethod, isPrivateMember } from './classMembers';
import { dirname, resolve } from 'node:path';
import { hasPooledSibling, namesDirectUrl } from './urlNames';
import { resolveModule } from './moduleResolution';
import { variableDeclaredIn, walkDescendants } from './astWalk';
import { specifiersIn } from './projectImporters';
import { type FileView, MAX_CALLER_FILES, callerFiles, parsed } from './callerFiles';
import { moduleRead } from './parsedModules';
import { calledFunction } from './rolledBackCallbacks';
import { exampleEnvironmentValues } from './testEnvironment';
import { packageFolder } from './packageManifests';
import { readmeDocumentsDirect } from './readmeDirectUrls';
import { rebuiltUrlArgument } from './urlRebuilds';
import { reachesOnlySessionPooler } from './composePoolers';
import { POOLER_PORT_TEXT, connectionParts, isSessionModePooler, namesPooler, possibleEndpoints, showsTransactionPooler } from './poolerEndpoints';

/** The largest imported file searched for a pooled sibling name, as callers are read (parsedModules.ts reads and caches it). */
const MAX_FILE_BYTES = 1 << 20;
/** Imported files searched for a pooled sibling name. */
const MAX_IMPORTS_SEARCHED = 30;
/** How many consts a URL is followed through within one file. */
const MAX_DEPTH = 4;
/**
 * How many function calls out a URL parameter is followed, each to every call of its function in the project
 * (`connect(dsn)` in `migrate(dsn)`, called by `run()` with the direct URL): two forwarding functions and the caller.
 */
const MAX_CALLER_HOPS = 3;


/**
 * What an expression's URL comes from: names of settings, and the constructor parameters it is passed in by;
 * `unpooled` when the code itself turns a pooled URL into the direct one (`url.replace('-pooler', '')`).
 */
interface UrlSources { names: string[]; parameters: ts.ParameterDeclaration[]; unknown: boolean; unpooled?: boolean; fields?: ParameterField[] }

/** A field read from a function's parameter (`options.directUrl`): its value is what the function's callers put there. */
interface ParameterField { parameter: ts.ParameterDeclaration; field: string }

const STRING_METHODS_REPLACING = new Set(['replace', 'replaceAll']);

/**
 * `url.replace('-pooler', '')`, `url.replace(/-pooler\./, '.')`, `url.replace(':6543', ':5432')`: the code derives
 * the direct endpoint from the pooled URL by removing the pooler's part of the host (Neon's `-pooler` suffix) or its
 * port. What is removed must name a pool word or a pooler port, and what is put instead neither.
 */
function removesPooler(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !STRING_METHODS_REPLACING.has(callee.name.text) || call.arguments.length !== 2) return false;
  const [removed, added] = call.arguments;
  const removedText = ts.isStringLiteralLike(removed) || ts.isRegularExpressionLiteral(removed) ? removed.text : undefined;
  if (removedText === undefined || !ts.isStringLiteralLike(added)) return false;
  const namesPooler = (text: string): boolean => POOLER_PORT_TEXT.test(text) || /pool|bouncer/i.test(text);
  return namesPooler(removedText) && !namesPooler(added.text);
}

/**
 * The declaration a name refers to in its file: a parameter or a variable of an enclosing function or block (nearest
 * first), else the first const, destructured name or import of that name anywhere in the file.
 */
export function declarationNamed(source: ts.SourceFile, name: string, near: ts.Node): ts.Node | undefined {
  for (let scope: ts.Node | undefined = near; scope; scope = scope.parent) {
    if (ts.isFunctionLike(scope)) {
      const parameter = scope.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name);
      if (parameter) return parameter;
    }
    if (ts.isBlock(scope) && scope !== near) {
      const local = variableDeclaredIn(scope.statements, name);
      if (local) return local;
    }
  }
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if ((ts.isVariableDeclaration(node) || ts.isBindingElement(node) || ts.isImportSpecifier(node) || ts.isImportClause(node)) && node.name && ts.isIdentifier(node.name) && node.name.text === name) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Where the URL an expression evaluates to comes from, in its own file. */
function urlSources(expression: ts.Expression, view: FileView, depth = 0): UrlSources {
  const sources: UrlSources = { names: [], parameters: [], unknown: false };
  const add = (more: UrlSources): void => {
    sources.names.push(...more.names);
    sources.parameters.push(...more.parameters);
    sources.unknown ||= more.unknown;
    sources.unpooled ||= more.unpooled;
    if (more.fields) (sources.fields ??= []).push(...more.fields);
  };
  const value = unwrap(expression);
  if (ts.isConditionalExpression(value) && rewrittenTestedUrl(value, view)) {
    sources.unpooled = true; // its empty branch is taken only when the URL is unset, as with any unset setting
  } else if (ts.isConditionalExpression(value)) {
    add(urlSources(value.whenTrue, view, depth));
    add(urlSources(value.whenFalse, view, depth));
  } else if (ts.isBinaryExpression(value) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(value.operatorToken.kind)) {
    const preferred = urlSources(value.left, view, depth);
    add(preferred);
    // `url || ''`: an empty fallback adds no URL. `process.env.DIRECT_URL || process.env.DATABASE_URL`: the direct
    // URL is taken whenever it is set, and a deployment with a pooler sets it; the fallback serves setups with no
    // pooler (a laptop, CI), so it is no URL the pooler sees.
    const prefersDirect = !preferred.unknown && preferred.parameters.length === 0 && preferred.names.length > 0
      && preferred.names.every(namesDirectUrl);
    if (!prefersDirect && !isEmptyLiteral(value.right) && !fallsBackToRewrittenUrl(value, view)) add(urlSources(value.right, view, depth));
  } else if (ts.isPropertyAccessExpression(value)) {
    sources.names.push(value.name.text);
    const parameter = ts.isIdentifier(value.expression) ? declarationNamed(view.source, value.expression.text, value) : undefined;
    if (parameter && ts.isParameter(parameter)) sources.fields = [{ parameter, field: value.name.text }];
  } else if (ts.isElementAccessExpression(value) && ts.isStringLiteralLike(value.argumentExpression)) {
    sources.names.push(value.argumentExpression.text);
  } else if (ts.isCallExpression(value) && removesPooler(value)) {
    sources.unpooled = true;
  } else if (ts.isCallExpression(value) && value.arguments.length > 0 && value.arguments.every((a) => ts.isStringLiteralLike(a))) {
    sources.names.push(...value.arguments.map((a) => (a as ts.StringLiteralLike).text)); // getEnv('DIRECT_URL', 'DATABASE_DIRECT_URL')
  } else if (ts.isCallExpression(value) && ts.isIdentifier(value.expression) && depth < MAX_DEPTH) {
    add(calledFunctionSources(value, view, depth + 1));
  } else if (ts.isIdentifier(value)) {
    add(identifierSources(value, view, depth));
  } else {
    sources.unknown = true;
  }
  return sources;
}

/**
 * `url ? url.replace(':6543/', ':5432/') : null`: the pooled URL the conditional tests, when its set branch removes the
 * pooler from that very URL (removesPooler) and its other branch is empty.
 */
function rewrittenTestedUrl(conditional: ts.ConditionalExpression, view: FileView): ts.Expression | undefined {
  const rewrite = unwrap(conditional.whenTrue);
  if (!isEmptyValue(conditional.whenFalse) && !isEmptyLiteral(conditional.whenFalse)) return undefined;
  if (!ts.isCallExpression(rewrite) || !removesPooler(rewrite) || !ts.isPropertyAccessExpression(rewrite.expression)) return undefined;
  return sameReference(rewrite.expression.expression, conditional.condition, view) ? conditional.condition : undefined;
}

/**
 * `direct || pooled` where `direct` is `pooled ? pooled.replace(':6543/', ':5432/') : null` (written there or held in a
 * const): the rewrite is empty only when `pooled` is, so the fallback is taken only when it holds no URL.
 */
function fallsBackToRewrittenUrl(choice: ts.BinaryExpression, view: FileView): boolean {
  const preferred = constValue(choice.left, view);
  const tested = ts.isConditionalExpression(preferred) ? rewrittenTestedUrl(preferred, view) : undefined;
  return tested !== undefined && sameReference(tested, choice.right, view);
}

/** An identifier's const initializer (unwrapped), else the expression itself. */
function constValue(expression: ts.Expression, view: FileView): ts.Expression {
  const value = unwrap(expression);
  const declaration = ts.isIdentifier(value) ? declarationNamed(view.source, value.text, value) : undefined;
  return declaration && ts.isVariableDeclaration(declaration) && isConst(declaration) && declaration.initializer ? unwrap(declaration.initializer) : value;
}

/** Two reads of one value: the same member chain (`url`, `process.env.DATABASE_URL`) from a root that names the same declaration in both places. */
function sameReference(a: ts.Expression, b: ts.Expression, view: FileView): boolean {
  const first = memberChain(a);
  const second = memberChain(b);
  if (!first || !second || first.root.text !== second.root.text || first.path.join('.') !== second.path.join('.')) return false;
  const declaration = declarationNamed(view.source, first.root.text, first.root);
  // A `let` may be given another URL between the two reads.
  if (declaration && ts.isVariableDeclaration(declaration) && !isConst(declaration)) return false;
  return declaration === declarationNamed(view.source, second.root.text, second.root);
}

/**
 * The URL a call of a file's or project module's function gives: the argument's, when the function rebuilds its
 * argument's URL with the same server (`withPassword(directUrl, secret)`, urlRebuilds.ts); else what its one return
 * holds, judged in its own file (`postgres(resolveLockUrl())`, whose body returns `env.DATABASE_URL_UNPOOLED ??
 * env.DATABASE_URL`).
 */
function calledFunctionSources(call: ts.CallExpression, view: FileView, depth: number): UrlSources {
  const rebuilt = rebuiltUrlArgument(call);
  if (rebuilt) return urlSources(rebuilt, view, depth);
  const returned = returnedValue(call);
  return returned ? urlSources(returned.expression, returned.view, depth) : { names: [], parameters: [], unknown: true };
}

/**
 * The one value the function a call names returns (a top-level function of the file, or one a project module exports,
 * rolledBackCallbacks.ts's calledFunction), with the file it is judged in. Several returns: none.
 */
function returnedValue(call: ts.CallExpression): { expression: ts.Expression; view: FileView } | undefined {
  const fn = calledFunction(call);
  const expression = fn && singleReturn(fn);
  if (!expression) return undefined;
  const source = fn.getSourceFile();
  return { expression, view: { source, path: resolve(source.fileName) } };
}

function identifierSources(name: ts.Identifier, view: FileView, depth: number): UrlSources {
  const declaration = declarationNamed(view.source, name.text, name);
  if (declaration && ts.isParameter(declaration)) return { names: [], parameters: [declaration], unknown: false };
  if (declaration && ts.isVariableDeclaration(declaration) && depth < MAX_DEPTH && !isConst(declaration)) return variableSources(declaration, view, depth + 1);
  if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && depth < MAX_DEPTH) return urlSources(declaration.initializer, view, depth + 1);
  // A destructured or imported setting: its own name says what it is (`const { directUrl } = config`).
  if (declaration && ts.isImportClause(declaration)) return { names: [name.text], parameters: [], unknown: false };
  if (declaration && (ts.isBindingElement(declaration) || ts.isImportSpecifier(declaration))) {
    const property = ts.isBindingElement(declaration) ? declaration.propertyName : declaration.propertyName;
    return { names: [property && ts.isIdentifier(property) ? property.text : name.text], parameters: [], unknown: false };
  }
  return { names: [], parameters: [], unknown: true };
}

function isConst(declaration: ts.VariableDeclaration): boolean {
  return ts.isVariableDeclarationList(declaration.parent) && (declaration.parent.flags & ts.NodeFlags.Const) !== 0;
}

/**
 * A `let`/`var` URL: its initializer and every value `name = …` gives it in the file (`let url = process.env.DIRECT_URL;
 * … url = config.directUrl`); a compound assignment makes it unknown. Starts with no URL (`let url: string`) add none.
 */
function variableSources(declaration: ts.VariableDeclaration, view: FileView, depth: number): UrlSources {
  const sources: UrlSources = { names: [], parameters: [], unknown: false };
  const add = (value: ts.Expression): void => {
    const more = urlSources(value, view, depth);
    sources.names.push(...more.names);
    sources.parameters.push(...more.parameters);
    sources.unknown ||= more.unknown;
    sources.unpooled ||= more.unpooled;
  };
  if (declaration.initializer && !isEmptyValue(declaration.initializer)) add(declaration.initializer);
  const name = (declaration.name as ts.Identifier).text;
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && ts.isIdentifier(node.left) && node.left.text === name
      && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) sources.unknown = true;
      else if (!isEmptyValue(node.right)) add(node.right);
    }
    ts.forEachChild(node, visit);
  };
  visit(view.source);
  return sources;
}

/** The texts a pooled sibling may be declared in: the file, and the project files it imports. */
function siblingTexts(view: FileView): string[] {
  const texts = [view.source.text];
  for (const specifier of specifiersIn(view.source.text).slice(0, MAX_IMPORTS_SEARCHED)) {
    if (!specifier.startsWith('.') && !specifier.startsWith('@') && !specifier.startsWith('~')) continue;
    const file = resolveModule(view.path, specifier);
    const text = file && moduleRead(file, MAX_FILE_BYTES)?.text;
    if (text) texts.push(text);
  }
  return texts;
}

function isDirectName(name: string, texts: () => string[], path: string): boolean {
  return namesDirectUrl(name) || texts().some((text) => hasPooledSibling(name, text)) || documentedDirect(name, path)
    || readmeDocumentsDirect(packageFolder(path) ?? dirname(path), name) || reachesOnlySessionPooler(path, name);
}

/**
 * Whether the project folder's own `.env.example` (the folder of the file's package.json, else its own) documents the
 * variable `name` with example values that are all servers keeping the session (a provider's direct host: Neon's
 * without `-pooler`, Supabase's `db.<ref>.supabase.co`): the project says that URL is direct (ruling lab57b 1, ruling 8's
 * provider direct hosts). A placeholder, a pooler's host or port, or no example at all says nothing.
 */
function documentedDirect(name: string, path: string): boolean {
  const values = exampleValuesOf(path).get(name);
  return values !== undefined && values.length > 0 && values.every(isDocumentedDirectValue);
}

function exampleValuesOf(path: string): ReadonlyMap<string, readonly string[]> {
  return exampleEnvironmentValues(packageFolder(path) ?? dirname(path));
}

/** An endpoint's name elided in an example (`postgresql://owner:...@...us-east-1.aws.neon.tech/db`): the host is read with a name there. */
const ELIDED_ENDPOINT = /@\.{3}(?=[a-z0-9])/i;

function isDocumentedDirectValue(value: string): boolean {
  return isSessionKeepingText(value.replace(ELIDED_ENDPOINT, '@endpoint.'));
}

/** Whether the file's project folder documents any variable as direct in its `.env.example` (documentedDirect): a file naming no direct word may still use one. */
export function documentsDirectExample(fileName: string): boolean {
  return [...exampleValuesOf(resolve(fileName)).values()].some((values) => values.length > 0 && values.every(isDocumentedDirectValue));
}

/**
 * Whether every URL an expression may hold is a direct one, following a parameter (of a constructor, or of a named
 * function) to its callers while `callerHops` is above zero.
 */
function holdsDirectUrl(expression: ts.Expression, view: FileView, callerHops: number): boolean {
  const sources = urlSources(expression, view);
  if (sources.unknown || (sources.names.length === 0 && sources.parameters.length === 0 && !sources.unpooled)) return false;
  let texts: string[] | undefined;
  const lazyTexts = (): string[] => (texts ??= siblingTexts(view));
  if (!sources.names.every((name) => isDirectName(name, lazyTexts, view.path))) return false;
  if (callerHops > 0 && sources.fields?.some((field) => aCallerPassesOtherUrl(field, view))) return false;
  return sources.parameters.every((parameter) => callerHops > 0
    && (constructorCallersPassDirect(parameter, view) || functionCallersPassDirect(parameter, view, callerHops - 1)));
}

/**
 * Whether some call of the function `field.parameter` belongs to, in the project, fills that field with a URL whose names
 * are known and not all direct (`openListener({ directUrl: config.databaseUrl })`): the field's name is the callee's wish,
 * that caller's URL is what it gets. Values not followed (a caller's parameter, a call's result), an argument that is no
 * object written in the call, or no caller found leave the field's name to decide.
 */
function aCallerPassesOtherUrl(field: ParameterField, view: FileView): boolean {
  const fn = field.parameter.parent;
  const name = functionName(fn);
  if (!name) return false;
  const index = fn.parameters.indexOf(field.parameter);
  for (const file of callerFiles(view.path)) {
    const caller = file === view.path ? view : parsed(file);
    if (!caller || !caller.source.text.includes(name)) continue;
    let found = false;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === name) {
        const argument = node.arguments[index] && unwrap(node.arguments[index]);
        const value = argument && ts.isObjectLiteralExpression(argument) ? objectProperty(argument, field.field) : undefined;
        if (value && namesOtherUrl(value, caller)) found = true;
      }
      if (!found) ts.forEachChild(node, visit);
    };
    visit(caller.source);
    if (found) return true;
  }
  return false;
}

/** Whether every URL `value` may hold is known by name (no parameter, nothing unfollowed) and one of them is not direct. */
function namesOtherUrl(value: ts.Expression, view: FileView): boolean {
  const sources = urlSources(value, view);
  if (sources.unknown || sources.unpooled || sources.parameters.length > 0 || sources.names.length === 0) return false;
  let texts: string[] | undefined;
  return !sources.names.every((name) => isDirectName(name, () => (texts ??= siblingTexts(view)), view.path));
}

/** The name a function is called by: a function declaration's, or the const an arrow or function expression is held in. */
function functionName(fn: ts.SignatureDeclaration): string | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name?.text;
  const holder = fn.parent;
  return (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) && isConst(holder) ? holder.name.text : undefined;
}

/** `constructor(url)` of a named class: every `new Class(…)` in the project passes a direct URL at its place. */
function constructorCallersPassDirect(parameter: ts.ParameterDeclaration, view: FileView): boolean {
  const constructor = parameter.parent;
  if (!ts.isConstructorDeclaration(constructor) || !ts.isClassDeclaration(constructor.parent) || !constructor.parent.name) return false;
  const className = constructor.parent.name.text;
  const index = constructor.parameters.indexOf(parameter);
  let calls = 0;
  for (const file of callerFiles(view.path)) {
    const caller = file === view.path ? view : parsed(file);
    if (!caller || !caller.source.text.includes(`new ${className}`)) continue;
    let allDirect = true;
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === className) {
        calls++;
        const argument = node.arguments?.[index];
        if (!argument || !holdsDirectUrl(argument, caller, 0)) allDirect = false;
      }
      if (allDirect) ts.forEachChild(node, visit);
    };
    visit(caller.source);
    if (!allDirect) return false;
  }
  return calls > 0;
}

/**
 * A parameter of a named function (a function declaration, or a const holding an arrow or function expression): every
 * call of the function in the project (the file and its importers, callerFiles) hands it a direct URL at the parameter's
 * place, followed out `callerHops` more calls. The function's name used any other way (handed on as a value, read as a
 * member, mocked) hides calls: not followed.
 */
function functionCallersPassDirect(parameter: ts.ParameterDeclaration, view: FileView, callerHops: number): boolean {
  const fn = parameter.parent;
  const name = functionName(fn);
  if (!name || parameter.dotDotDotToken) return false;
  const index = fn.parameters.indexOf(parameter);
  const files = callerFiles(view.path);
  // As many importers as are read: more may call it.
  if (files.length >= MAX_CALLER_FILES) return false;
  let calls = 0;
  for (const file of files) {
    const caller = file === view.path ? view : parsed(file);
    if (!caller || !caller.source.text.includes(name)) continue;
    let allDirect = true;
    walkDescendants(caller.source, (node) => {
      if (!ts.isIdentifier(node) || node.text !== name || namesDeclaration(node)) return;
      const use = node.parent;
      if (!ts.isCallExpression(use) || use.expression !== node) {
        allDirect = false;
        return;
      }
      calls++;
      const argument = use.arguments[index];
      if (!argument || ts.isSpreadElement(argument) || !holdsDirectUrl(argument, caller, callerHops)) allDirect = false;
    }, () => !allDirect);
    if (!allDirect) return false;
  }
  return calls > 0;
}

/** An identifier that declares, imports or re-exports a name rather than using it. */
function namesDeclaration(name: ts.Identifier): boolean {
  const holder = name.parent;
  return ((ts.isFunctionDeclaration(holder) || ts.isVariableDeclaration(holder)) && holder.name === name)
    || ts.isImportSpecifier(holder) || ts.isExportSpecifier(holder) || ts.isImportClause(holder);
}

/**
 * The URL a project function parsed into the fields connection options read their server from (`const parts =
 * parseDsn(dsn); postgres({ host: parts.host, port: parts.port, … })`): the parser keeps its argument's server
 * (urlRebuilds.ts), so the options connect where that URL does. The host, and a port if given, must be read off the one
 * const the parser's call made.
 */
function urlParsedIntoOptions(options: ts.ObjectLiteralExpression, view: FileView): ts.Expression | undefined {
  const host = objectProperty(options, 'host') ?? objectProperty(options, 'hostname');
  const holder = host && fieldHolder(host, ['host', 'hostname']);
  const port = objectProperty(options, 'port');
  if (!holder || (port && fieldHolder(port, ['port']) !== holder)) return undefined;
  const declaration = declarationNamed(view.source, holder, options);
  if (!declaration || !ts.isVariableDeclaration(declaration) || !isConst(declaration) || !declaration.initializer) return undefined;
  const made = unwrap(declaration.initializer);
  return ts.isCallExpression(made) ? rebuiltUrlArgument(made) : undefined;
}

/**
 * Options whose `host` is read from environment variables only (`host: Deno.env.get('POSTGRES_HOST')`,
 * `host: process.env.PGHOST`), each of which the repository's compose files point only at a pooler they run in session
 * mode (composePoolers.ts): whatever port the options name, that service is the server they reach, and it keeps the
 * session. A fallback written beside the variable (`?? 'db.example.com'`) is not followed.
 */
function optionsHostOnSessionPooler(options: ts.ObjectLiteralExpression, view: FileView): boolean {
  const host = objectProperty(options, 'host') ?? objectProperty(options, 'hostname');
  if (!host) return false;
  const sources = urlSources(host, view);
  return !sources.unknown && !sources.unpooled && sources.parameters.length === 0 && !sources.fields && sources.names.length > 0
    && sources.names.every((name) => reachesOnlySessionPooler(view.path, name));
}

/** The name of the variable a field is read off (`parts` of `parts.host`), when the field is one of `fields`. */
function fieldHolder(value: ts.Expression, fields: readonly string[]): string | undefined {
  const read = unwrap(value);
  return ts.isPropertyAccessExpression(read) && ts.isIdentifier(read.expression) && fields.includes(read.name.text) ? read.expression.text : undefined;
}

/**
 * Whether a subscriber made by `creation` (`createSubscriber({ connectionString })`, `new PGPubsub(url)`)
 * connects with a direct URL: its first argument, or that object's `connectionString`.
 */
export function subscriberConnectsDirectly(creation: ts.CallExpression | ts.NewExpression, fileName: string | undefined): boolean {
  const first = creation.arguments?.[0];
  return first !== undefined && connectsDirectly(first, fileName);
}

/**
 * Whether a URL, or connection options, that a library is handed (`postgraphile(url, …)`, graphile-worker's
 * `connectionString`) say a direct URL: the URL itself, or the options' `connectionString` or provider host.
 */
export function connectsDirectly(first: ts.Expression, fileName: string | undefined): boolean {
  if (!fileName) return false;
  const value = privateMethodResult(unwrap(first)) ?? unwrap(first);
  const url = ts.isObjectLiteralExpression(value) ? objectProperty(value, 'connectionString') : value;
  if (url && isProviderDirectLiteral(url)) return true;
  const view = { source: first.getSourceFile(), path: resolve(fileName) };
  if (!url && ts.isObjectLiteralExpression(value)) {
    if (optionsNameProviderDirectHost(value)) return true;
    if (optionsHostOnSessionPooler(value, view)) return true;
    const parsedUrl = urlParsedIntoOptions(value, view);
    return parsedUrl !== undefined && holdsDirectUrl(parsedUrl, view, MAX_CALLER_HOPS);
  }
  return url !== undefined && holdsDirectUrl(url, view, MAX_CALLER_HOPS);
}

/**
 * What a call of a private method of the same class without arguments gives (`new Pool(this.poolOptions())`): its one
 * returned value. No code outside the class can call or replace a private method, so that return is the options.
 */
function privateMethodResult(value: ts.Expression): ts.Expression | undefined {
  if (!ts.isCallExpression(value) || value.arguments.length > 0) return undefined;
  const callee = value.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  const owner = enclosingClass(value);
  const method = owner && classMethod(owner, callee.name.text, false);
  const returned = method && isPrivateMember(method) ? singleReturn(method) : undefined;
  return returned && unwrap(returned);
}

/**
 * Hosts a managed PostgreSQL provider gives its direct endpoint, never its pooler: Supabase's `db.<ref>.supabase.co`
 * (its poolers are `*.pooler.supabase.com`), Neon's `ep-<name>.<region>.aws.neon.tech` (the pooled one carries
 * `-pooler` in its first label) and Railway's public TCP proxy `<name>.proxy.rlwy.net` (a proxy that hands each
 * client connection to one server connection for the connection's whole life, so the session is kept; Railway runs
 * no pooler there). Written out in the code, such a host is a session of its own, as `DIRECT_URL` is.
 */
const PROVIDER_DIRECT_HOST = /^(?:db\.[a-z0-9]+\.supabase\.co|(?![^.]*-pooler\.)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.neon\.tech|[a-z0-9-]+\.proxy\.rlwy\.net)$/i;

/** Whether `host` (and `port`, when given) is a provider's direct endpoint (PROVIDER_DIRECT_HOST), on no pooler's port. */
export function isProviderDirectEndpoint(host: string, port: string | undefined): boolean {
  return PROVIDER_DIRECT_HOST.test(host) && (port === undefined || !POOLER_PORT_TEXT.test(port));
}

/**
 * A server whose session is the client's own: a provider's direct endpoint (isProviderDirectEndpoint) or a pooler in
 * session mode (`aws-0-<region>.pooler.supabase.com:5432`, poolerEndpoints.ts's isSessionModePooler).
 */
function keepsSession(host: string | undefined, port: string | undefined): boolean {
  return host !== undefined && (isProviderDirectEndpoint(host, port) || isSessionModePooler({ host, port }));
}

/**
 * A connection string written out (`'postgresql://u:p@db.abc.supabase.co:5432/postgres'`, `host=db.abc.supabase.co
 * dbname=postgres`, Supavisor's session mode `…@aws-0-eu-west-1.pooler.supabase.com:5432/postgres`), also in a variable
 * of the file every value of which is one (`const DB_URL = '…'; postgres(DB_URL)`), each of whose servers keeps the
 * session (keepsSession): libpq may reach any host of a list, and a URL's `?host=`/`?port=` may stand before its
 * authority's (connectionParts, possibleEndpoints). One that says it is a transaction pooler's (`?pgbouncer=true`) is not.
 */
function isProviderDirectLiteral(url: ts.Expression): boolean {
  const flow = flowOfModule(url.getSourceFile());
  const constant = literalText(url, flow);
  const written = constant !== undefined ? [constant] : heldTexts(unwrap(url), flow);
  return written !== undefined && written.every(isSessionKeepingText);
}

function isSessionKeepingText(written: string): boolean {
  const parts = connectionParts(written.trim());
  if (parts === undefined) return false;
  // A string that says it goes to a pooler (`?pgbouncer=true`, a `pgbouncer` user or database) is no direct one, whatever
  // its host: a pooler deployed behind the provider's proxy is reached through the same kind of host. (Its hosts are
  // judged below, each server it may reach.)
  const user = parts.parameters.get('user') ?? CONNECTION_USER.exec(written.trim())?.slice(1).find((name) => name !== undefined);
  if (namesPooler(parts.database ?? '') || namesPooler(user ?? '') || showsTransactionPooler(written)) return false;
  return possibleEndpoints(parts).every(({ host, port }) => keepsSession(host, port));
}

/** The user a connection string names: a URL's (`postgres://pgbouncer:pw@…`), or libpq's `user=`. */
const CONNECTION_USER = /^postgres(?:ql)?:\/\/([^:@/?#]*)(?::[^@/?#]*)?@|(?:^|\s)user\s*=\s*'?([^\s']+)/i;

/** Connection options whose value may name a pooler (`user: 'pgbouncer'`, `database: 'pgbouncer'`). */
const POOLER_NAMING_OPTIONS = ['user', 'username', 'database', 'db'];

/**
 * The texts a `let`/`var` holds where `use` reads it (the flow's scopes, so another function's variable of the same
 * name, or a loop variable hiding it, is not it), when it starts as one written out and every value it is given (flow.heldValues) is one (a literal,
 * or a const holding one): `let url = '…'`, a second one chosen in a branch. Undefined when any value is not written
 * out, or a compound assignment changes it.
 */
function heldTexts(use: ts.Expression, flow: Flow): string[] | undefined {
  const variable = ts.isIdentifier(use) ? flow.variableOf(use) : undefined;
  // A const is literalText's, which has already read it.
  if (!variable || isConstDeclaration(variable)) return undefined;
  // An empty start (`let url = null`) is a client on the environment's defaults until it is filled: not written out.
  if (!variable.initializer || literalText(variable.initializer, flow) === undefined) return undefined;
  const texts = flow.heldValues(variable)?.map((held) => literalText(held, flow));
  return texts?.every((text): text is string => text !== undefined) ? texts : undefined;
}

/**
 * Options written out with a `host` whose server keeps the session (keepsSession: `{ host: 'db.abc.supabase.co', port: 5432 }`,
 * `{ host: 'aws-0-eu-west-1.pooler.supabase.com', port: 5432 }`).
 */
function optionsNameProviderDirectHost(options: ts.ObjectLiteralExpression): boolean {
  const flow = flowOfModule(options.getSourceFile());
  const written = (value: ts.Expression | undefined): string | undefined => value && literalText(value, flow);
  // A PgBouncer reached through the provider's host (`user: 'pgbouncer'`) is a pooler whatever the host.
  if (POOLER_NAMING_OPTIONS.some((key) => namesPooler(written(objectProperty(options, key)) ?? ''))) return false;
  const host = written(objectProperty(options, 'host'));
  const portValue = objectProperty(options, 'port');
  const port = written(portValue);
  // A port that is not written out may be a pooler's: only a literal one, or none at all, counts.
  return host !== undefined && (portValue === undefined || port !== undefined) && keepsSession(host, port);
}
