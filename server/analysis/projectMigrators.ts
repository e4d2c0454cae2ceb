// Whether a migration is applied by the project's own migrator: a file in a migrations folder (handRunScripts.ts'
// inMigrationsFolder) that a program of the project lists and sends (programSentDumps.ts), that Flyway or
// graphile-migrate applies (migrationToolDumps.ts), or whose project's manifest names a tool that applies a folder of
// SQL migrations (node-pg-migrate, dbmate, golang-migrate, goose, sqlx…); or a file in the one folder a tool named
// there always applies — Prisma's `migrations/<name>/migration.sql` beside its schema, drizzle-kit's `out` folder
// (`drizzle/` unless its config says otherwise; any migrations folder too where no config is found), whatever that
// folder's name. Such a file keeps its top-level SET findings whatever a documentation page also shows (corpus
// ruling 6: migration folders keep them whatever runner applies them): a README's quick start
// `psql -f migrations/001_init.sql` or `\i migrations/001_init.sql` is one way a person may run it, while the migrator
// applies it through the application's URL. Where nothing of the project applies the folder (a README is the only runner; Prisma beside a `db/migrations` it never reads), the page's psql run still
// makes it a session script of its own. The Supabase CLI's folder is supabaseCli.ts's: it applies it in a session of
// its own.
import { basename, dirname, join, resolve } from 'node:path';
import { POSTGRES_MIGRATIONS_MODULES } from './codeWords';
import { boundedText, folderEntries } from './folderEntries';
import { inMigrationsFolder } from './handRunScripts';
import { isAppliedByMigrationTool } from './migrationToolDumps';
import { packageDependencies, packageScripts } from './packageManifests';
import { isSentByProgram } from './programSentDumps';
import { foldersUpToRoot } from './projectPaths';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';

/**
 * npm packages (a dependency of package.json, packageManifests.ts packageDependencies) that apply a folder of `.sql`
 * migrations the project configures (a script's option, an env variable, a config file): any migrations folder of
 * the project may be theirs. Query builders whose migrations are code (knex, Kysely, TypeORM, Sequelize) are not among them.
 */
const MIGRATOR_PACKAGES: ReadonlySet<string> = new Set([
  'node-pg-migrate', 'db-migrate', ...POSTGRES_MIGRATIONS_MODULES, 'dbmate', 'graphile-migrate', '@databases/pg-migrations', 'ley', '@slonik/migrator',
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
const MIGRATOR_MANIFEST_LEVELS = 6;
const MAX_MANIFEST_BYTES = 256 * 1024;

const migratorsByFolder = new TimedCache<boolean>(PROJECT_CACHE_MS);
const drizzleOutOfConfig = new TimedCache<DrizzleOut>(PROJECT_CACHE_MS);
const drizzleConfigsOfScripts = new TimedCache<readonly string[]>(PROJECT_CACHE_MS);

/** Whether the file is a migration the project's own migrator applies (see above). */
export function isAppliedByProjectMigrator(fileName: string): boolean {
  const file = resolve(fileName);
  const levels = foldersUpToRoot(dirname(file), MIGRATOR_MANIFEST_LEVELS);
  const drizzle = drizzleKitFolders(levels);
  if (/\.sql$/i.test(file) && (levels.some((level) => isPrismaProject(level) && isPrismaMigration(file)) || drizzle?.folders.has(dirname(file)))) return true;
  if (!inMigrationsFolder(fileName)) return false;
  return drizzle?.anyMigrationsFolder === true || levels.some(namesMigrator) || isAppliedByMigrationTool(file) || isSentByProgram(file);
}

/** The packages the folder's own package.json depends on; none without one (not a manifest further up). */
function dependenciesIn(folder: string): ReadonlySet<string> {
  return hasPackageJson(folder) ? packageDependencies(join(folder, 'package.json')) : new Set();
}

function hasPackageJson(folder: string): boolean {
  return folderEntries(folder).some((entry) => entry.isFile() && entry.name === 'package.json');
}

/**
 * Whether a manifest in the folder names a tool that applies a configured folder of SQL migrations, read once per
 * PROJECT_CACHE_MS (drizzle-kit is drizzleKitFolders').
 */
function namesMigrator(folder: string): boolean {
  return migratorsByFolder.get(folder, () => {
    const dependencies = dependenciesIn(folder);
    if ([...MIGRATOR_PACKAGES].some((name) => dependencies.has(name))) return true;
    return [...MIGRATOR_IN_MANIFEST].some(([manifest, tool]) => {
      const text = boundedText(join(folder, manifest), MAX_MANIFEST_BYTES);
      return text !== undefined && tool.test(text);
    });
  });
}

/**
 * Whether the folder's package.json names Prisma, whose `migrate` applies by its own rule each
 * `migrations/<name>/migration.sql` beside its schema (a `.prisma` file, or the `prisma/` folder).
 */
function isPrismaProject(folder: string): boolean {
  return dependenciesIn(folder).has(PRISMA);
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

/**
 * drizzle-kit's config files: `drizzle.config.ts` is the one it reads by default, and a project keeps others for
 * `--config` (`drizzle.dev.config.ts`, `drizzle-migrate.config.js`).
 */
const DRIZZLE_CONFIG = /^drizzle\b[\w.-]*\.config\.(?:[cm]?[jt]s|json)$/;
/** A config's `out` written as a string (`out: './drizzle'`, `"out": "db/migrations"`). */
const DRIZZLE_OUT = /["']?\bout["']?[ \t]*:[ \t]*["'`]([^"'`\n]+)["'`]/;
/** A package.json script's `drizzle-kit … --config=path` (or `--config path`), in the same command. */
const DRIZZLE_KIT_CONFIG_ARGUMENT = /\bdrizzle-kit\b[^&;|\n]*?--config(?:=|[ \t]+)["']?([^\s"'&;|]+)/g;
/** drizzle-kit's folder when its config names none. */
const DRIZZLE_DEFAULT_OUT = 'drizzle';

/** One config's `out`, resolved: the folder, or null when the config sets it otherwise than as a string or cannot be read. */
type DrizzleOut = string | null;

/**
 * Where drizzle-kit applies migrations, for the file whose folders up to its repository's root are `levels`: undefined
 * when no package.json there names drizzle-kit. Its configs are those in the folders from the file's up to that
 * manifest's (drizzle-kit reads `drizzle.config.*` in the folder it runs in, a workspace package's own folder below a
 * root manifest that hoists drizzle-kit) and those a package.json script of these folders names with `--config`. The
 * `folders` are their `out`s (`drizzle/` for a config without one); where no config is found or one sets `out` in a
 * way not read here, the `out` is unknown: `drizzle/` beside the manifest and any migrations folder may be it.
 */
function drizzleKitFolders(levels: readonly string[]): { folders: ReadonlySet<string>; anyMigrationsFolder: boolean } | undefined {
  const manifestIndex = levels.findIndex((level) => dependenciesIn(level).has(DRIZZLE_KIT));
  if (manifestIndex < 0) return undefined;
  const searched = levels.slice(0, manifestIndex + 1);
  const outs = searched.flatMap((folder) => [
    ...folderEntries(folder).filter((entry) => entry.isFile() && DRIZZLE_CONFIG.test(entry.name)).map((entry) => configOut(join(folder, entry.name), folder)),
    ...configsNamedByScripts(folder).map((config) => configOut(config, folder)),
  ]);
  if (outs.length === 0 || outs.includes(null)) {
    return { folders: new Set([resolve(levels[manifestIndex], DRIZZLE_DEFAULT_OUT), ...outs.filter((out): out is string => out !== null)]), anyMigrationsFolder: true };
  }
  return { folders: new Set(outs.filter((out): out is string => out !== null)), anyMigrationsFolder: false };
}

/**
 * The `out` of the config at `config`, resolved against the folder drizzle-kit runs in (`runFolder`: the config's own
 * folder, or the folder of the package.json whose script names it), read once per PROJECT_CACHE_MS.
 */
function configOut(config: string, runFolder: string): DrizzleOut {
  return drizzleOutOfConfig.get(`${config}\0${runFolder}`, () => {
    const text = boundedText(config, MAX_MANIFEST_BYTES);
    if (text === undefined) return null;
    const out = DRIZZLE_OUT.exec(text)?.[1];
    if (out === undefined && /\bout\b[ \t]*:/.test(text)) return null;
    return resolve(runFolder, out ?? DRIZZLE_DEFAULT_OUT);
  });
}

/** The configs the folder's package.json scripts hand drizzle-kit with `--config`, as paths from that folder. */
function configsNamedByScripts(folder: string): readonly string[] {
  if (!hasPackageJson(folder)) return [];
  return drizzleConfigsOfScripts.get(folder, () => {
    return [...packageScripts(folder).values()].flatMap((command) => [...command.matchAll(DRIZZLE_KIT_CONFIG_ARGUMENT)].map((match) => resolve(folder, match[1])));
  });
}
