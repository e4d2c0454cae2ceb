// openworkflow's Postgres backend: `BackendPostgres.connect(url, options?)` (from `openworkflow/postgres`, or the older
// `@openworkflow/backend-postgres` it moved from) makes a postgres.js pool of its own with `postgres(url)` and no
// `prepare` option — the second argument holds the backend's own options (namespace, schema, migrations), none of them
// postgres.js's — and the backend sends every query as a tagged template: named prepared statements under postgres.js's
// default `prepare: true`. Read in openworkflowdev/openworkflow (newPostgres in postgres/postgres.ts, labelled in this
// corpus; the backend's connect). The project writes no `postgres(…)`, so embedded.ts reports the call itself (the
// session-27 practice for a client a library makes); `BackendPostgres.fromPool(client)` takes a client the project made,
// judged where it is made.
import ts from 'typescript';
import { OPENWORKFLOW_BACKEND_CLASS, OPENWORKFLOW_POSTGRES_MODULES } from './codeWords';
import { fileImports } from './ownServerHelpers';

/** The backend's factory that makes the pool itself. */
const CONNECT_METHOD = 'connect';

/**
 * The URL of an openworkflow `BackendPostgres.connect(url, …)` call (the class imported from the library under any local
 * name), which the library's postgres.js pool connects to; undefined for any other call.
 */
export function openworkflowBackendUrl(call: ts.CallExpression): ts.Expression | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== CONNECT_METHOD || !ts.isIdentifier(callee.expression)) return undefined;
  const url = call.arguments[0];
  if (!url || ts.isSpreadElement(url)) return undefined;
  const source = call.getSourceFile();
  if (!OPENWORKFLOW_POSTGRES_MODULES.some((module) => source.text.includes(module))) return undefined;
  const imported = fileImports(source).get(callee.expression.text);
  return imported && imported.name === OPENWORKFLOW_BACKEND_CLASS && OPENWORKFLOW_POSTGRES_MODULES.includes(imported.specifier) ? url : undefined;
}
