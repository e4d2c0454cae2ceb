// SQL files a project keeps set aside: copies of migrations and one-off scripts moved into a folder whose name says
// they are no longer used — `prisma_backup/migrations/…`, `prisma/_archive_0001_baseline/migration.sql`,
// `db/migrations_old/…`, `sql/deprecated/…`, `backups/2024-01-01.sql`. No migration tool applies them (Prisma reads
// only its schema's `migrations/` folder, knex, node-pg-migrate, goose, dbmate… the one folder they are configured
// with) and the application does not send them; if anything runs one again, it is a person with psql or a SQL
// console, in a session of their own. So their top-level session state is that session's business, as in a psql
// script. The name is read only below the project's root (the folder of its `.git`, package manifest or README:
// the repository's own name says nothing), and a folder that the root's configuration files or package.json scripts
// name (`"migrations": { "directory": "db/migrations_old" }`) is in use after all.
import { basename, dirname, join, resolve } from 'node:path';
import { boundedText, folderEntries } from './folderEntries';
import { foldersUpToRoot } from './projectPaths';
import { PROGRAM_MANIFEST } from './psqlOnlyProjects';
import { README } from './psqlRuns';
import { CACHE_MS, TimedCache } from './timedCache';

/**
 * Words of a folder's name that say its files are set aside: archived, backed up, old, disabled, deprecated,
 * obsolete, unused, trashed. `legacy` is not among them (a legacy module is often still in use).
 */
const SET_ASIDE_WORDS: ReadonlySet<string> = new Set([
  'archive', 'archived', 'archives', 'backup', 'backups', 'bak', 'bkp', 'old', 'disabled', 'deprecated', 'obsolete',
  'unused', 'trash', 'attic',
]);
/**
 * Words that only say what kind of files a folder holds (`prisma_backup`, `migrations_archive`, `old_sql_scripts`,
 * `_archive_0001_baseline`). A name with any other word describes something else: a migration's own folder named
 * for its change (`20240101_add_archived_flag`, `remove_old_config`), a routine's source (`drop_old_partitions`), a
 * query's (`unused_indexes`), a feature (`backup_jobs`): those are in use.
 */
const KIND_WORDS: ReadonlySet<string> = new Set([
  'migration', 'migrations', 'migrate', 'prisma', 'sql', 'psql', 'db', 'database', 'databases', 'schema', 'schemas', 'script',
  'scripts', 'query', 'queries', 'file', 'files', 'data', 'seed', 'seeds', 'dump', 'dumps', 'copy', 'copies', 'baseline',
  'init', 'initial', 'supabase', 'drizzle', 'knex', 'postgres', 'postgresql', 'pg', 'flyway', 'dbmate', 'goose', 'sqitch',
  // `.archived-tests/`, `old_tests/`: a folder of tests put aside (setAsideCode.ts reads whether a runner still reaches it).
  'test', 'tests',
]);
/** A number, a date part or a version (`0001`, `2024`, `v2`): part of a set-aside folder's name too. */
const NUMBER_WORD = /^v?\d+$/;
/** How many folders above the file the project's root may be. */
const ROOT_LEVELS = 6;
/** The root's files that may name a folder a tool or a script still uses: configurations, package.json, Makefiles, env files. */
const ROOT_CONFIG = /^(?:package\.json|Makefile|GNUmakefile|Justfile|\.env[\w.-]*|\.sequelizerc|\.?[\w.-]*(?:config|knexfile|ormconfig|migrat|flyway|dbmate|prisma|drizzle)[\w.-]*\.(?:[cm]?[jt]s|json5?|ya?ml|toml|ini|conf|properties))$/i;
const MAX_CONFIG_FILES = 30;
const MAX_CONFIG_BYTES = 128 * 1024;

const configByRoot = new TimedCache<string[]>(CACHE_MS);

/** The words of a folder's name: split at anything but letters and digits and at lower-to-upper case changes. */
function nameWords(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

/**
 * Whether a folder's name says its files are set aside (`prisma_backup`, `_archive__0001_init`, `migrationsOld`,
 * `old`): a set-aside word, and otherwise only words for the kind of files and numbers.
 */
export function namesSetAsideFolder(name: string): boolean {
  const words = nameWords(name);
  return words.some((word) => SET_ASIDE_WORDS.has(word))
    && words.every((word) => SET_ASIDE_WORDS.has(word) || KIND_WORDS.has(word) || NUMBER_WORD.test(word));
}

/** Whether a folder marks a project's root: a `.git`, a package manifest or a README in it. */
function isProjectRoot(folder: string): boolean {
  return folderEntries(folder).some((entry) => entry.name === '.git' || (entry.isFile() && (PROGRAM_MANIFEST.has(entry.name) || README.test(entry.name))));
}

/**
 * Whether the `.sql` file sits in a set-aside folder below its project's root, one the root's configuration does not
 * name. Without a root within a few folders, nothing is known: false.
 */
export function isInSetAsideFolder(fileName: string): boolean {
  if (!/\.sql$/i.test(fileName)) return false;
  const folders = foldersUpToRoot(dirname(resolve(fileName)), ROOT_LEVELS);
  const rootAt = folders.findIndex(isProjectRoot);
  if (rootAt <= 0) return false;
  const setAside = folders.slice(0, rootAt).map((folder) => basename(folder)).filter(namesSetAsideFolder);
  if (setAside.length === 0) return false;
  const config = rootConfigTexts(folders[rootAt]);
  return !setAside.some((name) => config.some((text) => text.includes(name)));
}

/** The texts of the root's configuration files (bounded), read once per CACHE_MS: the root's config, package.json scripts, Makefiles, env files. */
export function rootConfigTexts(root: string): string[] {
  return configByRoot.get(root, () => readRootConfigTexts(root));
}

function readRootConfigTexts(root: string): string[] {
  return folderEntries(root).filter((entry) => entry.isFile() && ROOT_CONFIG.test(entry.name)).slice(0, MAX_CONFIG_FILES)
    .flatMap((entry) => boundedText(join(root, entry.name), MAX_CONFIG_BYTES) ?? []);
}
