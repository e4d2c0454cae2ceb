// Hasura seeds. `hasura seed apply` reads the `.sql` files of a Hasura project's `seeds/<database>/` folder (config v3;
// `seeds/` itself in v2) and sends each one to the Hasura server's `run_sql` API, which runs it on a connection of the
// server's own pool to the database. A seed is often pg_dump output (`hasura seed create --from-table`, or a pasted
// dump): its preamble's plain `SET`s and `set_config('search_path', '', false)` outlive the seed on that pooled
// connection, and behind a transaction pooler on a server connection other clients get next. So a dump there is not
// a script of a session of its own, as a dump psql restores is (ownSession.ts): its findings stay.
import { basename, dirname, join, resolve } from 'node:path';
import { boundedText } from './folderEntries';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';

const SEEDS_FOLDER = 'seeds';
/** The Hasura CLI's project file, beside `seeds/`, `migrations/` and `metadata/`. */
const CONFIG_FILE = 'config.yaml';
const MAX_CONFIG_BYTES = 64 * 1024;
/** A Hasura CLI config: its `version: 2` or `3`, and a key only it has (where the metadata is, which server, its secret). */
const CONFIG_VERSION = /^version:\s*['"]?[23]['"]?\s*$/m;
const CONFIG_KEY = /^(?:metadata_directory|endpoint|admin_secret|migrations_directory|seeds_directory):/m;

const configs = new TimedCache<boolean>(PROJECT_CACHE_MS);

/** Whether the file is a seed of a Hasura project (`seeds/<database>/x.sql` or `seeds/x.sql` beside the CLI's config.yaml). */
export function isHasuraSeed(fileName: string): boolean {
  if (!/\.sql$/i.test(fileName)) return false;
  const folder = dirname(resolve(fileName));
  const seeds = basename(folder) === SEEDS_FOLDER ? folder : basename(dirname(folder)) === SEEDS_FOLDER ? dirname(folder) : undefined;
  return seeds !== undefined && isHasuraProject(dirname(seeds));
}

function isHasuraProject(folder: string): boolean {
  return configs.get(folder, () => {
    const config = boundedText(join(folder, CONFIG_FILE), MAX_CONFIG_BYTES);
    return config !== undefined && CONFIG_VERSION.test(config) && CONFIG_KEY.test(config);
  });
}
