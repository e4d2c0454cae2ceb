// Whether a migration is applied by the project's own migrator: a file in a migrations folder (handRunScripts.ts'
// inMigrationsFolder) that a program of the project lists and sends (programSentDumps.ts), that Flyway or
// graphile-migrate applies (migrationToolDumps.ts), or whose project's manifest names a tool that applies a folder of
// SQL migrations (node-pg-migrate, dbmate, golang-migrate, goose, sqlx…); or a file in the one folder a tool named
// there always applies — Prisma's `migrations/<name>/migration.sql` beside its schema, drizzle-kit's `out` folder
// (`drizzle/` unless its config says otherwise), whatever that folder's name. Such a file keeps its top-level SET
// findings whatever a documentation page also shows (corpus ruling 6: migration folders keep them whatever runner
// applies them): a README's quick start `psql -f migrations/001_init.sql` or `\i migrations/001_init.sql` is one way a
// person may run it, while the migrator applies it through the application's URL. Where nothing of the project applies
// the folder (a README is the only runner; Prisma beside a `db/migrations` it never reads), the page's psql run still
// makes it a session script of its own. The Supabase CLI's folder is supabaseCli.ts's: it applies it in a session of
// its own.
import { basename, dirname, join, resolve } from 'node:path';
import { boundedText, folderEntries } from './folderEntries';
import { inMigrationsFolder } from './handRunScripts';
import { isAppliedByMigrationTool } from './migrationToolDumps';
import { packageDependencies } from './packageManifests';
import { isSentByProgram } from './programSentDumps';
import { foldersUpToRoot } from './projectPaths';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';

/**
 * npm packages (a dependency of package.json, packageManifests.ts packageDependencies) that apply a folder of `.sql`
 * migrations the project configures (a script's option, an env variable, a config file): any migrations folder of
 * the project may be theirs. Query builders whose migrations are code (knex, Kysely, TypeORM, Sequelize) are not among them.
 */
const MIGRATOR_PACKAGES: ReadonlySet<string> = new Set([
  'node-pg-migrate', 'db-migrate', 'postgres-migrations', 'dbmate', 'graphile-migrate', '@databases/pg-migrations', 'ley', '@slonik/migrator',
]);
/**
 * The other manifests, with the tools named there that apply a configured folder of `.sql` migrations: Go modules,
 * Rust crates (a dependency line, or a dependency's own table `[dependencies.sqlx]`), Python packages, and
 * Flyway/Liquibase in a Maven or Gradle build.
 */
const MIGRATOR_IN_MANIFEST: ReadonlyMap<string, RegExp> = new Map([
  ['go.mod', /\bgithub\.com\/(?:golang-migrate\/migrate|pressly\/goose|rubenv\/sql-migrate|amacneil\/dbmate|jackc\/tern)\b/],
  ['Cargo.toml', /^[ \t]*(?:(?:sqlx|refinery)[ \t]*=|\[(?:dev-)?dependencies\.(?:sqlx|refinery)\])/m],
  ['requirements.txt', /^[ \t]*yoyo-migrations\b/im],
  ['pyproject.toml', /["']?yoyo-migrations\b/i],
  ['pom.xml', /<artifactId>(?:flyway-[\w-]+|liquibase-[\w-]+)<\/artifactId>/],
  ['build.gradle', /\b(?:org\.flywaydb|org\.liquibase)\b/],
  ['build.gradle.kts', /\b(?:org\.flywaydb|org\.liquibase)\b/],
]);
/** How many folders above the migration its project's manifest may be (`src/modules/x/db/migrations/1.sql` → the root). */
const MANIFEST_LEVELS = 6;
const MAX_MANIFEST_BYTES = 256 * 1024;

const migratorsByFolder = new TimedCache<boolean>(PROJECT_CACHE_MS);
const drizzleOutByFolder = new TimedCache<string | null>(PROJECT_CACHE_MS);

/** Whether the file is a migration the project's own migrator applies (see above). */
export function isAppliedByProjectMigrator(fileName: string): boolean {
  const file = resolve(fileName);
  const levels = foldersUpToRoot(dirname(file), MANIFEST_LEVELS);
  if (levels.some((level) => appliesOwnFolder(level, file))) return true;
  if (!inMigrationsFolder(fileName)) return false;
  return levels.some(namesMigrator) || isAppliedByMigrationTool(file) || isSentByProgram(file);
}

/** The packages the folder's own package.json depends on; none without one (not a manifest further up). */
function dependenciesIn(folder: string): ReadonlySet<string> {
  return folderEntries(folder).some((entry) => entry.isFile() && entry.name === 'package.json') ? packageDependencies(join(folder, 'package.json')) : new Set();
}

/**
 * Whether a manifest in the folder names a tool that applies a configured folder of SQL migrations (a drizzle-kit
 * whose `out` is not read here is one), read once per PROJECT_CACHE_MS.
 */
function namesMigrator(folder: string): boolean {
  return migratorsByFolder.get(folder, () => {
    const dependencies = dependenciesIn(folder);
    if ([...MIGRATOR_PACKAGES].some((name) => dependencies.has(name))) return true;
    if (dependencies.has(DRIZZLE_KIT) && drizzleOut(folder) === undefined) return true;
    return [...MIGRATOR_IN_MANIFEST].some(([manifest, tool]) => {
      const text = boundedText(join(folder, manifest), MAX_MANIFEST_BYTES);
      return text !== undefined && tool.test(text);
    });
  });
}

/**
 * Whether the file is in the folder a tool the folder's package.json names applies by its own rule: Prisma's
 * `migrate` applies each `migrations/<name>/migration.sql` beside its schema (a `.prisma` file, or the `prisma/`
 * folder), drizzle-kit's `migrate` the `.sql` files of its config's `out` folder.
 */
function appliesOwnFolder(folder: string, file: string): boolean {
  if (!/\.sql$/i.test(file)) return false;
  const dependencies = dependenciesIn(folder);
  if (dependencies.has(PRISMA) && isPrismaMigration(file)) return true;
  return dependencies.has(DRIZZLE_KIT) && drizzleOut(folder) === dirname(file);
}

const PRISMA = 'prisma';
const DRIZZLE_KIT = 'drizzle-kit';

/** `<schema folder>/migrations/<name>/migration.sql`, the schema folder named `prisma` or holding a `.prisma` file. */
function isPrismaMigration(file: string): boolean {
  const migrations = dirname(dirname(file));
  const schemaFolder = dirname(migrations);
  return basename(file) === 'migration.sql' && basename(migrations) === 'migrations'
    && (basename(schemaFolder) === PRISMA || folderEntries(schemaFolder).some((entry) => entry.isFile() && /\.prisma$/.test(entry.name)));
}

/** drizzle-kit's config files. */
const DRIZZLE_CONFIG = /^drizzle\.config\.(?:[cm]?[jt]s|json)$/;
/** A config's `out` written as a string (`out: './drizzle'`, `"out": "db/migrations"`). */
const DRIZZLE_OUT = /["']?\bout["']?[ \t]*:[ \t]*["'`]([^"'`\n]+)["'`]/;
/** drizzle-kit's folder when its config names none. */
const DRIZZLE_DEFAULT_OUT = 'drizzle';

/**
 * The folder drizzle-kit writes and applies migrations in, for a project at `folder`: its config's `out` (read from
 * the config's folder, the one drizzle-kit runs in), `drizzle/` without a config or an `out`; undefined when a config
 * sets `out` otherwise than as a string (a variable, an expression) or there are several configs.
 */
function drizzleOut(folder: string): string | undefined {
  const found = drizzleOutByFolder.get(folder, () => {
    const configs = folderEntries(folder).filter((entry) => entry.isFile() && DRIZZLE_CONFIG.test(entry.name));
    if (configs.length > 1) return null;
    const text = configs.length === 0 ? '' : boundedText(join(folder, configs[0].name), MAX_MANIFEST_BYTES) ?? '';
    const out = DRIZZLE_OUT.exec(text)?.[1];
    if (out === undefined && /\bout\b[ \t]*:/.test(text)) return null;
    return resolve(folder, out ?? DRIZZLE_DEFAULT_OUT);
  });
  return found ?? undefined;
}
