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
import ts from 'typescript';
import { basename } from 'node:path';
import { objectProperty, unwrap } from './embeddedFlow';
import { constObject } from './libraryListens';
import { packageDependencies } from './packageManifests';
import { isModuleExports } from './topLevelFunctions';
import { GRAPHILE_WORKER_MODULE } from './codeWords';

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
