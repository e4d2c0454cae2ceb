// SQL files the Supabase CLI runs on a database session of its own. `supabase db reset`, `supabase migration up`
// and `supabase db push` apply the files of a project's `supabase/migrations/` folder (`<version>_<name>.sql`), and
// load its `supabase/seed.sql`, over one connection the CLI opens for the run and closes after it (to the local
// container, or to the hosted database directly or through the session-mode pooler; Supabase sends migrations
// there, not through the transaction pooler the application's serverless code uses). A file of that folder the CLI
// skips for its name (`fix-policies.sql`) or its place (a subfolder, or a sibling `supabase/migrations_backup/` of
// migrations set aside) is pasted into the dashboard's SQL editor or run with psql, a session of its own as well.
// So a migration's top-level `SET search_path`, `SET check_function_bodies = off` (the first line of the files
// `supabase db diff` writes), `SET ROLE` or scratch temporary table is that session's business, as in a psql
// script. The functions a migration creates still run later, in PostgREST's pooled sessions when the application
// calls them with `supabase.rpc()`: their bodies keep their findings (context.ts).
//
// Other migration folders stay the application's: a tool may apply them through the application's own pool
// (sqlx's `migrate!().run(&pool)`, knex, node-pg-migrate with the app's client) or over the URL the application
// uses, a transaction pooler's, where a setting the migration leaves outlives it on the server connection.
import { basename, dirname, resolve } from 'node:path';

/** The folder the Supabase CLI keeps a project in (`supabase init`), and the names it gives what it runs there. */
const PROJECT_FOLDER = 'supabase';
const MIGRATIONS_FOLDER = 'migrations';
const SEED_FILE = 'seed.sql';

/** How many folders below `supabase/migrations*` a migration set aside may be. */
const NESTING = 3;

/**
 * Whether the file is one the Supabase CLI runs in its own session: `supabase/seed.sql`, or a `.sql` file in
 * `supabase/migrations/` (or a folder of it, or a sibling folder named for it: `migrations_backup`, `migrations-old`).
 */
export function isSupabaseCliScript(fileName: string): boolean {
  if (!/\.sql$/i.test(fileName)) return false;
  const file = resolve(fileName);
  if (basename(dirname(file)) === PROJECT_FOLDER) return basename(file) === SEED_FILE;
  for (let folder = dirname(file), level = 0; level < NESTING; folder = dirname(folder), level++) {
    if (basename(folder).startsWith(MIGRATIONS_FOLDER) && basename(dirname(folder)) === PROJECT_FOLDER) return true;
  }
  return false;
}
