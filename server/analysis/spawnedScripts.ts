// Where a script's command-line arguments come from: the places in its project that run it as a child process. A test
// folder's CLI (`const [databaseUrl] = process.argv.slice(2)`, then a client on that URL) is run by the project's own
// tests with the suite's URL (`Bun.spawn(['bun', cliPath, seedDatabaseUrl])`), as a helper's function is called by
// them; ownServerClients.ts judges such an argument as it judges a function's parameter by its callers' arguments.
// A spawn is found by the script's path in its argument list: a string naming the file, relative to the spawning
// file's folder (`new URL('./helpers/seed-cli.ts', import.meta.url).pathname`, `join(import.meta.dir, '..', 'seed-cli.ts')`,
// `path.resolve(__dirname, 'seed-cli.ts')`) or to the folder of the package.json above it, where a test runner runs
// (`'tests/integration/fixture.ts'`), written in the list or held by a const every use of which is in one.
import ts from 'typescript';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { boundedText, folderEntries, foldersUp, isFile } from './folderEntries';
import { outermostWrapper, unwrap } from './embeddedFlow';
import { walkDescendants } from './astWalk';
import { parsed } from './callerFiles';
import { importersOf, projectFilesNaming } from './projectImporters';
import { packageFolder, packageScripts } from './packageManifests';
import { namedForDevelopmentWords } from './prismaMigrate';
import { githubWorkflowFiles, repositoryFolders } from './testEnvironment';

/** One run of a script: the spawning file, and the arguments written after the script's path (its `process.argv.slice(2)`). */
export interface ScriptSpawn {
  readonly file: string;
  readonly source: ts.SourceFile;
  readonly args: readonly ts.Expression[];
}

/** Files naming a script at the most (besides itself): more are not read, and the script's spawns are unknown. */
const MAX_NAMING_FILES = 20;
const MAX_WORKFLOW_BYTES = 256 * 1024;
/** Runners of a command given as a list whose first word is the program (`Bun.spawn(['bun', script, …])`, `{ cmd: [...] }`). */
const BUN_SPAWN = /^Bun\.spawn(?:Sync)?$/;
/** Runners given the program, then its arguments as a list (`spawn('bun', [script, …])`; node's child_process, execa). */
const PROGRAM_THEN_ARGUMENTS = /^(?:spawn|spawnSync|execFile|execFileSync|execa|execaSync)$/;
/** node's `fork(script, [args])`: the script is the module run, its arguments the list. */
const FORK = /^fork$/;
/** A runtime's options that take the next word as a module to load or code to run: the word after is not the script run. */
const LOADS_NEXT = /^(?:-r|--require|--import|--preload|--loader|--experimental-loader|-e|--eval|-p|--print)$/;
/** A folder anchor of a path built beside the spawning file. */
const FILE_FOLDER = /^(?:import\.meta\.dir|import\.meta\.dirname|__dirname)$/;
const PATH_JOIN = /^(?:path\.)?(?:join|resolve)$/;

/**
 * Every run of `script` (an absolute path) as a child process that its project's code makes, with the arguments it is
 * given; undefined when they cannot all be known: a file names the script in a way not read here (handed to a function,
 * kept in an object), a module imports it (its code then runs in the importer's process, with the importer's
 * arguments), a package.json script or a CI workflow of the repository names it, or the project cannot be searched.
 * Empty when nothing in the project runs it.
 */
export function scriptSpawns(script: string): readonly ScriptSpawn[] | undefined {
  const name = basename(script);
  const importers = importersOf(script);
  if (importers === undefined || importers.length > 0) return undefined;
  if (namedOutsideCode(script, name)) return undefined;
  const files = projectFilesNaming(script, name)?.filter((file) => resolve(file) !== resolve(script));
  if (files === undefined || files.length > MAX_NAMING_FILES) return undefined;
  const spawns: ScriptSpawn[] = [];
  for (const file of files) {
    const view = parsed(file);
    if (!view) return undefined;
    const found = spawnsIn(view.source, file, script, name);
    if (found === undefined) return undefined;
    for (const args of found) spawns.push({ file, source: view.source, args });
  }
  return spawns;
}

/** Whether a package.json's scripts or a GitHub workflow, from the script's folder up to the repository's root, name it. */
function namedOutsideCode(script: string, name: string): boolean {
  for (const folder of repositoryFolders(script)) {
    if ([...packageScripts(folder).values()].some((line) => line.includes(name))) return true;
    if (githubWorkflowFiles(folder).some((workflow) => boundedText(workflow, MAX_WORKFLOW_BYTES)?.includes(name) ?? true)) return true;
  }
  return false;
}

/** The argument lists (after the script) of each spawn of `script` in a file; undefined when a mention of it is not read. */
function spawnsIn(source: ts.SourceFile, file: string, script: string, name: string): ReadonlyArray<readonly ts.Expression[]> | undefined {
  const found: Array<readonly ts.Expression[]> = [];
  let known = true;
  walkDescendants(source, (node) => {
    if (!known) return false;
    if (!ts.isStringLiteralLike(node) || (node.text !== name && !node.text.endsWith(`/${name}`))) return true;
    const path = pathOf(node, file);
    // A message naming the file (`'seed-cli.ts failed'` is not such a literal), or another file of the same name.
    if (path === null) return true;
    if (path === undefined) { known = false; return false; }
    if (resolve(path.file) !== resolve(script)) return true;
    const runs = runsOf(path.expression);
    if (runs === undefined) known = false;
    else found.push(...runs);
    return true;
  });
  return known ? found : undefined;
}

/**
 * The file a literal ending in the script's name names, and the expression that holds the path: the literal itself
 * (relative to the package folder a runner runs in), `new URL(literal, import.meta.url).pathname` (or the URL given to
 * `fileURLToPath`), or a `join`/`resolve` of the spawning file's folder (or of `process.cwd()`) and literal segments.
 * Null for a module specifier (an import is read by importersOf); undefined when the literal is used otherwise.
 */
function pathOf(literal: ts.StringLiteralLike, file: string): { file: string; expression: ts.Expression } | null | undefined {
  const parent = literal.parent;
  if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isExternalModuleReference(parent) || ts.isImportTypeNode(parent.parent)) return null;
  if (ts.isCallExpression(parent) && (parent.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(parent.expression) && parent.expression.text === 'require'))) return null;
  const here = dirname(file);
  if (ts.isNewExpression(parent) && ts.isIdentifier(parent.expression) && parent.expression.text === 'URL' && parent.arguments?.[0] === literal) {
    const base = parent.arguments[1];
    if (!base || base.getText() !== 'import.meta.url') return undefined;
    const url = outermostWrapper(parent);
    const holder = url.parent;
    if (ts.isPropertyAccessExpression(holder) && holder.expression === url && holder.name.text === 'pathname') return { file: resolve(here, literal.text), expression: holder };
    if (ts.isCallExpression(holder) && holder.arguments[0] === url && holder.arguments.length === 1 && /^(?:url\.)?fileURLToPath$/.test(holder.expression.getText())) {
      return { file: resolve(here, literal.text), expression: holder };
    }
    return undefined;
  }
  if (ts.isCallExpression(parent) && PATH_JOIN.test(parent.expression.getText()) && parent.arguments[parent.arguments.length - 1] === literal) {
    const [first, ...rest] = parent.arguments;
    const anchored = FILE_FOLDER.test(unwrap(first).getText());
    const fromCwd = !anchored && /^process\.cwd\(\)$/.test(unwrap(first).getText());
    const segments = anchored || fromCwd ? rest : parent.arguments;
    if (!segments.every((segment) => ts.isStringLiteralLike(segment))) return undefined;
    const texts = segments.map((segment) => (segment as ts.StringLiteralLike).text);
    if (anchored) return { file: resolve(here, ...texts), expression: parent };
    const cwd = runnerFolder(file);
    return cwd === undefined ? undefined : { file: resolve(cwd, ...texts), expression: parent };
  }
  if (isAbsolute(literal.text)) return { file: literal.text, expression: literal };
  const cwd = runnerFolder(file);
  return cwd === undefined ? undefined : { file: resolve(cwd, literal.text), expression: literal };
}

/** The folder a test runner runs a file's code in: that of the nearest package.json above it. */
function runnerFolder(file: string): string | undefined {
  return foldersUp(dirname(resolve(file)), 15).find((folder) => isFile(join(folder, 'package.json')));
}

/**
 * The argument lists of the spawns the path `expression` is run by: it is an element of a spawn's command list (or
 * fork's module), directly or through a const every use of which is. Undefined when one use is anything else.
 */
function runsOf(expression: ts.Expression): Array<readonly ts.Expression[]> | undefined {
  const outer = outermostWrapper(expression);
  const declaration = outer.parent;
  if (ts.isVariableDeclaration(declaration) && declaration.initializer === outer) {
    if (!ts.isIdentifier(declaration.name) || !ts.isVariableDeclarationList(declaration.parent) || !(declaration.parent.flags & ts.NodeFlags.Const)) return undefined;
    const name = declaration.name;
    const runs: Array<readonly ts.Expression[]> = [];
    let known = true;
    // The const's block: a const of the same name in another function is another path.
    let scope: ts.Node = declaration.parent;
    while (!ts.isBlock(scope) && !ts.isSourceFile(scope) && !ts.isModuleBlock(scope) && !ts.isCaseClause(scope) && !ts.isDefaultClause(scope)) scope = scope.parent;
    walkDescendants(scope, (node) => {
      if (!known) return false;
      if (!ts.isIdentifier(node) || node === name || node.text !== name.text) return true;
      // A property's name (`{ cliPath: … }` keys, `x.cliPath`) is not the const.
      if ((ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) || (ts.isPropertyAssignment(node.parent) && node.parent.name === node)) return true;
      const run = spawnArguments(node);
      if (run === undefined) known = false;
      else runs.push(run);
      return true;
    });
    return known ? runs : undefined;
  }
  const run = spawnArguments(outer as ts.Expression);
  return run === undefined ? undefined : [run];
}

/** The arguments after the script at a spawn whose script `path` is (see runsOf); undefined when `path` is not one. */
function spawnArguments(path: ts.Expression): readonly ts.Expression[] | undefined {
  const outer = outermostWrapper(path) as ts.Expression;
  const holder = outer.parent;
  if (ts.isCallExpression(holder) && holder.arguments[0] === outer && FORK.test(calleeName(holder.expression))) {
    const list = holder.arguments[1] && unwrap(holder.arguments[1]);
    if (!list) return [];
    return ts.isArrayLiteralExpression(list) ? list.elements : undefined;
  }
  if (!ts.isArrayLiteralExpression(holder)) return undefined;
  const index = holder.elements.indexOf(outer);
  const before = holder.elements.slice(0, index);
  if (before.some((word) => ts.isSpreadElement(word) || (ts.isStringLiteralLike(word) && LOADS_NEXT.test(word.text)))) return undefined;
  const list = outermostWrapper(holder);
  // `Bun.spawn({ cmd: [...] })`: the options object is the call's argument.
  const options = ts.isPropertyAssignment(list.parent) && ts.isIdentifier(list.parent.name) && list.parent.name.text === 'cmd'
    && ts.isObjectLiteralExpression(list.parent.parent) ? outermostWrapper(list.parent.parent) : undefined;
  const argument = options ?? list;
  const call = argument.parent;
  if (!ts.isCallExpression(call)) return undefined;
  const callee = calleeName(call.expression);
  // The command list's first word is the program (a runtime), not the script.
  if (BUN_SPAWN.test(callee)) return call.arguments[0] === argument && index > 0 ? holder.elements.slice(index + 1) : undefined;
  if (!options && PROGRAM_THEN_ARGUMENTS.test(callee) && call.arguments[1] === list && !ts.isSpreadElement(call.arguments[0])) return holder.elements.slice(index + 1);
  return undefined;
}

/** `Bun.spawn`, `spawn`, `cp.spawn` → `spawn` (the last name), keeping `Bun.` for Bun's own. */
function calleeName(expression: ts.Expression): string {
  const callee = unwrap(expression);
  if (ts.isIdentifier(callee)) return callee.text;
  if (!ts.isPropertyAccessExpression(callee)) return '';
  return ts.isIdentifier(callee.expression) && callee.expression.text === 'Bun' ? `Bun.${callee.name.text}` : callee.name.text;
}

/** Runtimes a package script runs a program file with (`node scripts/migrate.js up`, `tsx scripts/migrate.ts up`). */
const SCRIPT_RUNTIMES: ReadonlySet<string> = new Set(['node', 'tsx', 'ts-node', 'bun']);

/**
 * The argument lists (after the file's path) the scripts of the file's own package.json run it with
 * (`"migrate:down": "node scripts/migrate.js down 1"` → `down`, `1`), each a simple command of a script's line run by a
 * runtime, its options (`-r dotenv/config`) before the path, which names the file from the package's folder, where npm
 * runs scripts. Scripts named for development or testing say nothing of the file's other runs and are left out.
 */
export function packageScriptArguments(file: string): string[][] {
  const folder = packageFolder(file);
  if (folder === undefined) return [];
  const target = resolve(file);
  const found: string[][] = [];
  for (const [name, line] of packageScripts(folder)) {
    if (namedForDevelopmentWords(name)) continue;
    for (const command of line.split(/[;&|()]+/)) {
      const words = command.trim().split(/\s+/).filter(Boolean).map((word) => word.replace(/^(["'])(.*)\1$/, '$2'));
      const passed = argumentsAfterScript(words, folder, target);
      if (passed) found.push(passed);
    }
  }
  return found;
}

/** The words after `target` where a runtime of a command's words runs it (options before the path skipped); undefined where none does. */
function argumentsAfterScript(words: readonly string[], folder: string, target: string): string[] | undefined {
  for (let at = words.findIndex((word) => SCRIPT_RUNTIMES.has(word)); at >= 0 && at < words.length; at++) {
    const word = words[at];
    if (SCRIPT_RUNTIMES.has(word) || (word === 'run' && words[at - 1] === 'bun')) continue;
    if (LOADS_NEXT.test(word)) { at++; continue; }
    if (word.startsWith('-')) continue;
    return resolve(folder, word) === target ? words.slice(at + 1) : undefined;
  }
  return undefined;
}
