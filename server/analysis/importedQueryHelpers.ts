// Cross-file facts: functions of other modules of the project that send one of their parameters as a query's
// text (`export const run = (client, sql) => client.query(sql)`, `exports.exec = function (sql) { return
// pool.query(sql) }`, a method of the object or class instance a module exports). A file calling one
// (`import { run } from './db'`, `const db = require('./db'); db.exec(…)`) sends its text: the TS/JS analysis
// reads that argument as a query's, as it does for a helper of its own file. The module is found as
// ownServerHelpers finds its helpers (moduleResolution.ts: a relative path, a tsconfig alias, a workspace
// package), read from disk by parsedModules.ts (bounded in size, cached by modification time), the function found
// by wrapperObjects.ts's exportedFunction (the one reading of a module's exports), so the CLI and the editor, which
// both analyse one file at a time, decide the same way. Only what a function does with its parameters is
// taken from the other file: its text stays where the caller writes it.
import ts from 'typescript';
import type { Flow } from './embeddedFlow';
import { projectModulePath } from './moduleResolution';
import { ModuleFacts } from './parsedModules';
import { exportedFunction } from './wrapperObjects';

/** What a helper of another module does with its parameters: which one is sent as text, and which one it is sent through. */
export interface ForwardedText {
  textIndex: number;
  receiverIndex?: number;
  sendsCallersName: boolean;
}

/** Reads what a function does with its parameters, with the module's own flow (embedded.ts's queryHelper). */
export type Summarise = (fn: ts.FunctionLikeDeclaration, flow: Flow) => ForwardedText | undefined;

/** A module without a query call sends nothing of its callers: most are never parsed. */
const SENDS_QUERIES = /\.\s*(?:query|querySync|execute|unsafe|raw)\s*\(/;

/** Of a module that sends queries (parsedModules.ts's read): the verdict per exported name. */
const helperModules = new ModuleFacts<Map<string, ForwardedText | null> | undefined>((read) => (SENDS_QUERIES.test(read.text) ? new Map() : undefined));

/** The helper `exported` of the module `specifier` names, seen from `importer`, if it forwards a parameter to a query call. */
export function importedQueryHelper(importer: string, specifier: string, exported: string, summarise: Summarise): ForwardedText | undefined {
  const path = projectModulePath(importer, specifier);
  if (!path || path === importer) return undefined;
  const helpers = helperModules.of(path);
  if (!helpers) return undefined;
  let helper = helpers.get(exported);
  if (helper === undefined) {
    const found = exportedFunction(path, exported);
    helper = (found && summarise(found.fn, found.flow)) ?? null;
    helpers.set(exported, helper);
  }
  return helper ?? undefined;
}

