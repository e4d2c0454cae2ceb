// Session advisory locks a library takes for the user when a call asks for it, rather than lock text the code sends
// (docs/corpus.md, the session-27 ruling on library calls that take a session lock, labelled like a library-made LISTEN):
// - postgres-migrations' `migrate(dbConfig, directory)`: on the client it is given (`{ client }`) or one it opens from
//   the config, it sends `SELECT pg_advisory_lock(…)`, runs each migration in a transaction of its own, then
//   `pg_advisory_unlock(…)` as a later statement. Behind a transaction pooler the lock stays on whichever server
//   connection ran it (the unlock may reach another, or never run when a migration fails), and the next deploy's
//   `migrate` waits on it for good.
// Each comes with the client or config the library connects with, where the file shows it: embedded.ts asks whether that
// is a server no pooler fronts (the suite's own test server, a direct URL).
import ts from 'typescript';
import { walkDescendants } from './astWalk';
import { objectProperty, unwrap } from './embeddedFlow';
import { importedNames, requiredNames, type ImportedName } from './ownServerHelpers';
import { POSTGRES_MIGRATIONS_MODULE } from './codeWords';
import { constInitializer, moduleFunction } from './libraryListens';

/** postgres-migrations' functions that lock around what they run. */
const LOCKING_FUNCTIONS: ReadonlySet<string> = new Set(['migrate']);

export interface LibraryLock {
  /** The call, where it is reported. */
  node: ts.CallExpression;
  /** The client or connection config the library locks on, where the file shows it. */
  connection: ts.Expression | undefined;
  /** The library's module (for a test that mocks it). */
  module: string;
}

/** The session locks libraries take for this file's code (see the file comment). */
export function libraryLocks(source: ts.SourceFile): LibraryLock[] {
  if (!source.text.includes(POSTGRES_MIGRATIONS_MODULE)) return [];
  const names = new Map<string, ImportedName>([...importedNames(source), ...requiredNames(source)]);
  const found: LibraryLock[] = [];
  walkDescendants(source, (node) => {
    if (ts.isCallExpression(node) && moduleFunction(node.expression, names, POSTGRES_MIGRATIONS_MODULE, LOCKING_FUNCTIONS) !== undefined) {
      found.push({ node, connection: lockedConnection(node.arguments[0], source), module: POSTGRES_MIGRATIONS_MODULE });
    }
    return true;
  });
  return found;
}

/**
 * The database configuration's `client` (`migrate({ client }, dir)`), or the configuration itself (`{ host, database, … }`,
 * from which the library opens its own client), written in the call or in a const object of the file.
 */
function lockedConnection(config: ts.Expression | undefined, source: ts.SourceFile): ts.Expression | undefined {
  let value = config && unwrap(config);
  if (value && ts.isIdentifier(value)) {
    const initializer = constInitializer(source, value.text);
    value = initializer && unwrap(initializer);
  }
  if (!value || !ts.isObjectLiteralExpression(value)) return undefined;
  return objectProperty(value, 'client') ?? value;
}
