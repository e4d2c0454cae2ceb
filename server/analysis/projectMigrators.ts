// Whether a migration is applied by the project's own migrator: a file in a migrations folder (handRunScripts.ts'
// inMigrationsFolder) that a program of the project lists and sends (programSentDumps.ts), that Flyway or
// graphile-migrate applies (migrationToolDumps.ts), or whose project's manifest names a tool that applies a folder of
// SQL migrations (node-pg-migrate, dbmate, Prisma, golang-migrate, goose, sqlx…). Such a file keeps its top-level SET
// findings whatever a documentation page also shows (corpus ruling 6: migration folders keep them whatever runner
// applies them): a README's quick start `psql -f migrations/001_init.sql` or `\i migrations/001_init.sql` is one way a
// person may run it, while the migrator applies it through the application's URL. Where nothing of the project applies
// the folder (a README is the only runner), the page's psql run still makes it a session script of its own.
import { dirname, join, resolve } from 'node:path';
import { boundedText } from './folderEntries';
import { inMigrationsFolder } from './handRunScripts';
import { isAppliedByMigrationTool } from './migrationToolDumps';
import { isSentByProgram } from './programSentDumps';
import { foldersUpToRoot } from './projectPaths';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';

/**
 * Each manifest, with the tools named there that apply a folder of `.sql` migrations: npm packages (as a dependency
 * key), Go modules, Rust crates (a dependency line), Python packages, and Flyway/Liquibase in a Maven or Gradle build.
 * Query builders whose migrations are code (knex, Kysely, TypeORM, Sequelize) are not among them.
 */
const MIGRATOR_IN_MANIFEST: ReadonlyMap<string, RegExp> = new Map([
  ['package.json', /"(?:node-pg-migrate|db-migrate|postgres-migrations|dbmate|graphile-migrate|@databases\/pg-migrations|ley|prisma|drizzle-kit|@slonik\/migrator|supabase)"\s*:/],
  ['go.mod', /\bgithub\.com\/(?:golang-migrate\/migrate|pressly\/goose|rubenv\/sql-migrate|amacneil\/dbmate|jackc\/tern)\b/],
  ['Cargo.toml', /^[ \t]*(?:sqlx|refinery)[ \t]*=/m],
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

/** Whether the file is a migration the project's own migrator applies (see above). */
export function isAppliedByProjectMigrator(fileName: string): boolean {
  if (!inMigrationsFolder(fileName)) return false;
  const file = resolve(fileName);
  return foldersUpToRoot(dirname(file), MANIFEST_LEVELS).some(namesMigrator) || isAppliedByMigrationTool(file) || isSentByProgram(file);
}

/** Whether a manifest in the folder names a tool that applies SQL migrations, read once per PROJECT_CACHE_MS. */
function namesMigrator(folder: string): boolean {
  return migratorsByFolder.get(folder, () => [...MIGRATOR_IN_MANIFEST].some(([manifest, tool]) => {
    const text = boundedText(join(folder, manifest), MAX_MANIFEST_BYTES);
    return text !== undefined && tool.test(text);
  }));
}
