// Which modules of a workspace may hand on postgres.js's factory under a name of their own (`import postgres from
// 'postgres'; export { postgres as makeDb }`, `export { default as makeDb } from 'postgres'`, `module.exports = {
// postgres }`; importedPostgresJsClients.ts reads what each exports). A file that calls such an export (`makeDb(url)`)
// makes a postgres.js client, prepared by default, without any word the TS/JS gate (embeddedGate.ts) looks for. The
// workspace's scripts are already read once for the routines their literals define (the CLI's lint run over its files,
// cli/lint.ts; the editor's workspace catalog, workspaceCatalog.ts): the same read tests each text for the driver's
// name and an export, so the gate knows these modules without reading the project's files again. TypeScript-free: the workspace catalog is in the bundle that must not load the compiler.
import { POSTGRES_JS_MODULE } from './codeWords';
import { specifierInText } from './packageSpecifiers';

/**
 * The driver's name as a module specifier (`'postgres'`, Deno's `npm:postgres@3`, an esm.sh or deno.land URL), not a
 * `'postgres://…'` URL or `'postgres-migrations'`. One pattern for this test and importedPostgresJsClients.ts's.
 */
export const NAMES_POSTGRES_JS = specifierInText(POSTGRES_JS_MODULE);
/** An ES or CommonJS export of any kind. */
const EXPORTS = /\bexport\b|\bmodule\.exports\b|\bexports\.[\w$]/;

/** Whether a module's text may hand on postgres.js's factory (a cheap test: most modules that pass export a client instead). */
export function mayHandOnPostgresJs(text: string): boolean {
  // `includes` first: most texts never name it, and it is faster than the pattern's scan for quotes.
  return text.includes(POSTGRES_JS_MODULE) && NAMES_POSTGRES_JS.test(text) && EXPORTS.test(text);
}
