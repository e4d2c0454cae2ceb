// Calls that hand out a client object with a known start: a transaction already begun, or a connection
// of its own. The TS/JS analysis reads them where a handle is bound (embedded.ts); the editor's
// incremental analysis copies top-level bindings of them into every chunk's prelude (incrementalTs.ts),
// so both see the same handles. Kept apart from embedded.ts, which carries the TypeScript compiler.

/**
 * Methods returning a handle on a newly begun transaction when called without a callback (`await knex.transaction()`),
 * or on one its queries can only run in once begun (deno-postgres `client.createTransaction('name')`, then `begin()`).
 */
export const TRANSACTION_OPENER_METHODS: readonly string[] = ['beginTransaction', 'startTransaction', 'transaction', 'createTransaction'];

/**
 * Methods that hand out a client of a transaction already open (Prisma's `_createItxClient(params.transaction)` for an
 * interactive transaction, a `getTxClient()` / `transactionClient()` helper): what is sent on that client runs inside it.
 */
export const TRANSACTION_CLIENT_FACTORY = /^_?(?:create|get|make)?(?:Itx|Tx|Transaction)Client$/i;

/** postgres.js `await sql.reserve()`: one connection of the pool, kept until `release()`. */
export const RESERVE_METHOD = 'reserve';

/** PGlite's classes (in-process PostgreSQL, one session): `new PGlite(…)`, `await PGlite.create(…)`. */
export const IN_PROCESS_DATABASE_CLASSES: readonly string[] = ['PGlite', 'PGliteWorker'];
/** Types a PGlite instance is declared with (PGlite's own sources declare parameters as PGliteInterface). */
export const IN_PROCESS_DATABASE_TYPES: readonly string[] = [...IN_PROCESS_DATABASE_CLASSES, 'PGliteInterface', 'PGliteWithLive'];
