// graphile-worker's configuration preset: the `graphile.config.js` (or `.ts`, `.mjs`, `.cjs`, …) file its CLI
// (`npx graphile-worker`) loads from the folder it runs in, exporting a Graphile Config preset whose `worker` options
// set up the runner (graphile-worker's configuration documentation). Two of them decide what a transaction pooler breaks:
// - `connectionString`: the runner's pool connects there and keeps one connection with `LISTEN "jobs:insert"` for as
//   long as it runs, as `run()`'s runner does (libraryListens.ts);
// - `preparedStatements`: true (graphile-worker's default, so written true only by an author who chose it) sends the
//   runner's queries as named prepared statements, which a pooler without prepared-statement support breaks.
// Read only in a package that depends on graphile-worker (PostGraphile v5 reads `graphile.config.*` too, without a
// `worker` section), and reported where the option is written, as `run()`'s are (docs/corpus.md, lab57d 3). Left out,
// the options are graphile-worker's defaults (`DATABASE_URL`, prepared statements on) and nothing is reported: the
// author asked for nothing in this file.
// A preset the project imports and hands to graphile-worker's `run({ preset, … })` or `runOnce(…)` is the runner's
// configuration as well: an exported const holding a `worker` section, followed into the files that import it (through
// barrels that re-export it) to such a call. Only its `preparedStatements` is read there: the LISTEN is `run()`'s own
// finding, at the call.
import ts from 'typescript';
import { basename, resolve } from 'node:path';
import { objectProperty, unwrap } from './embeddedFlow';
import { constObject } from './libraryListens';
import { packageDependencies } from './packageManifests';
import { isModuleExports } from './topLevelFunctions';
import { GRAPHILE_WORKER_MODULE } from './codeWords';
import { hasModifier, walkDescendants } from './astWalk';
import { importedNames } from './importedNames';
import { importersOf } from './projectImporters';
import { parsed } from './callerFiles';
import { projectModulePath } from './moduleResolution';

/** The names graphile-config loads a preset from: `graphile.config` with a JavaScript or TypeScript extension. */
const GRAPHILE_CONFIG_FILE = /^graphile\.config\.[cm]?[jt]s$/;
/** The preset's section of graphile-worker's options. */
const WORKER_SECTION = 'worker';

/**
 * The `worker` options of a preset that decide what a pooler breaks: their values where they are written (the property
 * holding each, where it is reported, is the value's parent: `name: value`, or `{ name }`).
 */
export interface GraphileWorkerPresetOptions {
  connectionString?: ts.Expression;
  preparedStatements?: ts.Expression;
}

/** Whether the file is a graphile-config preset file of a package that depends on graphile-worker. */
export function isGraphileWorkerPresetFile(fileName: string | undefined): boolean {
  return fileName !== undefined && GRAPHILE_CONFIG_FILE.test(basename(fileName)) && packageDependencies(fileName).has(GRAPHILE_WORKER_MODULE);
}

/** The `worker` options of the preset the file exports, when it is graphile-worker's preset file (see the file comment). */
export function graphileWorkerPresetOptions(source: ts.SourceFile, fileName: string | undefined): GraphileWorkerPresetOptions | undefined {
  if (!isGraphileWorkerPresetFile(fileName)) return undefined;
  const preset = exportedPreset(source);
  const section = preset && workerSection(preset, source);
  if (!section) return undefined;
  return { connectionString: objectProperty(section, 'connectionString'), preparedStatements: objectProperty(section, 'preparedStatements') };
}

/** The object the file exports: `export default …`, `export = …` or `module.exports = …`, written there or held in a const. */
function exportedPreset(source: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  for (const statement of source.statements) {
    if (ts.isExportAssignment(statement)) return constObject(statement.expression, source);
    if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken
      && isModuleExports(unwrap(statement.expression.left))) return constObject(statement.expression.right, source);
  }
  return undefined;
}

/** The preset's `worker` options: an object written there, or held in a const of the file. */
function workerSection(preset: ts.ObjectLiteralExpression, source: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  return constObject(objectProperty(preset, WORKER_SECTION), source);
}

/** graphile-worker's functions that start a runner from options holding a `preset`. */
const RUNNER_FUNCTIONS = new Set(['run', 'runOnce']);
/** Barrels followed from the preset's file to a runner's call (`export * from './graphile.config'`, then an index above). */
const MAX_REEXPORT_DEPTH = 3;
/** Importing files read at the most, over all barrels. */
const MAX_IMPORTERS_READ = 60;

/**
 * The `worker` options of a preset the file exports as a const (`export const preset = { worker: { … } }`) that some
 * file of the project imports and hands to graphile-worker's `run()`/`runOnce()` as its `preset` (see the file comment).
 */
export function runnerPresetOptions(source: ts.SourceFile, fileName: string | undefined): GraphileWorkerPresetOptions | undefined {
  if (!fileName) return undefined;
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement) || !hasModifier(statement, ts.SyntaxKind.ExportKeyword)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const preset = ts.isIdentifier(declaration.name) ? constObject(declaration.initializer, source) : undefined;
      const section = preset && workerSection(preset, source);
      if (!section || !handedToRunner(resolve(fileName), (declaration.name as ts.Identifier).text)) continue;
      return { connectionString: objectProperty(section, 'connectionString'), preparedStatements: objectProperty(section, 'preparedStatements') };
    }
  }
  return undefined;
}

/** Whether a file importing `exported` of `file` (directly or through barrels re-exporting it) passes it to `run`/`runOnce` as `preset`. */
function handedToRunner(file: string, exported: string): boolean {
  const pending: { file: string; name: string; depth: number }[] = [{ file, name: exported, depth: 0 }];
  let read = 0;
  for (let next = pending.shift(); next; next = pending.shift()) {
    for (const importer of importersOf(next.file) ?? []) {
      if (++read > MAX_IMPORTERS_READ) return false;
      const view = parsed(importer);
      if (!view) continue;
      const names = namesImportedFrom(view.source, importer, next.file, next.name);
      if (names.locals.length > 0 && passesPresetToRunner(view.source, names.locals)) return true;
      if (next.depth < MAX_REEXPORT_DEPTH) for (const name of names.reexported) pending.push({ file: importer, name, depth: next.depth + 1 });
    }
  }
  return false;
}

/** The local names `importer` binds `name` of `target` to, and the names it exports it again under (`export *`, `export { name as other }`). */
function namesImportedFrom(source: ts.SourceFile, importer: string, target: string, name: string): { locals: string[]; reexported: string[] } {
  const locals: string[] = [];
  const reexported: string[] = [];
  const namesTarget = (specifier: ts.Expression | undefined): boolean => specifier !== undefined && ts.isStringLiteral(specifier) && projectModulePath(importer, specifier.text) === target;
  for (const [local, imported] of importedNames(source)) {
    if (imported.name === name && projectModulePath(importer, imported.specifier) === target) locals.push(local);
  }
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || statement.isTypeOnly || !namesTarget(statement.moduleSpecifier)) continue;
    const clause = statement.exportClause;
    if (!clause) reexported.push(name);
    else if (ts.isNamedExports(clause)) {
      for (const element of clause.elements) if ((element.propertyName ?? element.name).text === name) reexported.push(element.name.text);
    }
  }
  return { locals, reexported };
}

/** Whether the file calls graphile-worker's `run`/`runOnce` with options whose `preset` is one of `locals` (`{ preset }`, `{ preset: workerPreset }`). */
function passesPresetToRunner(source: ts.SourceFile, locals: readonly string[]): boolean {
  const runners = new Set([...importedNames(source)].filter(([, imported]) => imported.specifier === GRAPHILE_WORKER_MODULE && RUNNER_FUNCTIONS.has(imported.name)).map(([local]) => local));
  if (runners.size === 0) return false;
  let passes = false;
  walkDescendants(source, (node) => {
    if (passes) return false;
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && runners.has(node.expression.text)) {
      const options = node.arguments[0] && unwrap(node.arguments[0]);
      const preset = options && ts.isObjectLiteralExpression(options) ? objectProperty(options, 'preset') : undefined;
      const value = preset && unwrap(preset);
      if (value && ts.isIdentifier(value) && locals.includes(value.text)) passes = true;
    }
    return !passes;
  });
  return passes;
}
