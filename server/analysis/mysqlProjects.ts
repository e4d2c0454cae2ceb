// `.sql` files of a Node project whose database drivers are MySQL's only (package.json depends on mysql2, mysql,
// mariadb or PlanetScale's driver, and on no PostgreSQL driver): nothing of the project sends SQL to PostgreSQL, so a
// statement PostgreSQL rejects for MySQL's everyday date arithmetic, an unquoted interval (`NOW() - INTERVAL 7 DAY`),
// is the project's MySQL, not a PostgreSQL mistake. Elsewhere that interval keeps its syntax error: in a project that
// talks to PostgreSQL it is a real one. Prisma's engine carries its own PostgreSQL driver, so a Prisma project on
// PostgreSQL lists none: the files Prisma applies (its migrations, whose lock file or schema's datasource says
// `provider = "postgresql"`, the `.sql` files beside that schema, and its TypedSQL queries in the `sql/` folder beside
// it, which Prisma's client sends to the schema's database) are PostgreSQL's whatever MySQL driver the project
// also lists. Its other `.sql` files keep the MySQL-only reading: the MySQL driver is there for them (an import script's
// queries for a legacy MySQL database). The statements' other errors are reported as ever.
import { basename, dirname, join, resolve } from 'node:path';
import { boundedText, folderEntries, isFile } from './folderEntries';
import { packageDependencies, packageFolder, readJson } from './packageManifests';
import { insideRepository } from './projectPaths';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';
import { MYSQL_MODULES, POSTGRES_MODULES } from './driverModules';
import { writesUnquotedInterval } from './dialect';
import { splitStatements } from './splitter';
import type { Finding } from './types';

/** The findings of a `.sql` file without the syntax errors of its unquoted-interval statements, when its project is MySQL's only. */
export function withoutMysqlIntervalErrors(text: string, findings: Finding[], fileName: string | undefined): Finding[] {
  if (fileName === undefined || !findings.some((f) => f.rule === 'syntax-error') || !inMysqlOnlyProject(fileName)) return findings;
  const intervalStatements = splitStatements(text).filter((span) => writesUnquotedInterval(span.text));
  return findings.filter((f) => f.rule !== 'syntax-error' || !intervalStatements.some((span) => span.start <= f.start && f.start <= span.end));
}

/**
 * Whether the nearest package.json above the file depends on a MySQL driver and on no PostgreSQL one, and the file is
 * not one that the project's Prisma applies to PostgreSQL.
 */
function inMysqlOnlyProject(fileName: string): boolean {
  const dependencies = [...packageDependencies(fileName)];
  if (!dependencies.some((name) => MYSQL_MODULES.test(name)) || dependencies.some((name) => POSTGRES_MODULES.test(name))) return false;
  return !(dependencies.some((name) => PRISMA_PACKAGES.has(name)) && appliedByPrismaOnPostgres(fileName));
}

/** Prisma's packages: its engine, not a driver package, talks to the database. */
const PRISMA_PACKAGES: ReadonlySet<string> = new Set(['prisma', '@prisma/client']);
/** A datasource's (or migration_lock.toml's) `provider = "postgresql"`; a generator's provider never names a database. */
const POSTGRES_PROVIDER = /^[ \t]*provider[ \t]*=[ \t]*["'](?:postgresql|postgres)["']/m;
const MAX_SCHEMA_BYTES = 1024 * 1024;
const MAX_CACHED_PROJECTS = 64;
const postgresSchemaFoldersByPackage = new TimedCache<string[]>(PROJECT_CACHE_MS, MAX_CACHED_PROJECTS);

/** The folder beside a Prisma schema's whose `.sql` files are TypedSQL queries (`prisma/sql/`), Prisma's fixed place. */
const TYPED_SQL_FOLDER = 'sql';

/**
 * Whether Prisma applies the file to PostgreSQL: a migration (`migrations/<name>/migration.sql`) whose migrations
 * folder's lock file says PostgreSQL, or whose migrations folder lies beside a schema saying so; or a `.sql` file in
 * the folder of such a schema or in its TypedSQL folder.
 */
function appliedByPrismaOnPostgres(fileName: string): boolean {
  const folder = dirname(resolve(fileName));
  const migrations = prismaMigrationsFolder(folder);
  if (migrations !== undefined && lockSaysPostgres(migrations)) return true;
  const project = packageFolder(fileName);
  if (project === undefined) return false;
  const schemaFolders = postgresSchemaFoldersByPackage.get(project, () => postgresSchemaFolders(project));
  return schemaFolders.some((schema) => folder === schema || folder === join(schema, TYPED_SQL_FOLDER))
    || (migrations !== undefined && schemaFolders.includes(dirname(migrations)));
}

/**
 * The folders of the project's Prisma schemas whose datasource says PostgreSQL; for a folder of `.prisma` files
 * (`prisma/schema/`), the folder above it too, where its `migrations/` folder may lie.
 */
function postgresSchemaFolders(project: string): string[] {
  return prismaSchemaPlaces(project).flatMap((place) => {
    if (isFile(place)) return POSTGRES_PROVIDER.test(boundedText(place, MAX_SCHEMA_BYTES) ?? '') ? [dirname(place)] : [];
    const onPostgres = folderEntries(place).some((entry) => /\.prisma$/.test(entry.name) && POSTGRES_PROVIDER.test(boundedText(join(place, entry.name), MAX_SCHEMA_BYTES) ?? ''));
    return onPostgres ? [place, dirname(place)] : [];
  });
}

/** The file in which Prisma records the provider its migrations were made for (`<schema folder>/migrations/`). */
const MIGRATION_LOCK = 'migration_lock.toml';

/**
 * The Prisma migrations folder holding a migration's folder (`migrations/` above `migrations/<name>/`), when there is one
 * inside the file's repository (a file at the root has none).
 */
function prismaMigrationsFolder(folder: string): string | undefined {
  const migrations = dirname(folder);
  return basename(migrations) === 'migrations' && insideRepository(migrations, folder) ? migrations : undefined;
}

/** Whether a migrations folder's lock file says its migrations were made for PostgreSQL. */
function lockSaysPostgres(migrations: string): boolean {
  return POSTGRES_PROVIDER.test(boundedText(join(migrations, MIGRATION_LOCK), MAX_SCHEMA_BYTES) ?? '');
}

/**
 * Where Prisma finds a project's schema: package.json's `prisma.schema` (a file, or a folder of `.prisma` files),
 * `prisma/schema.prisma`, `schema.prisma`, the `prisma/schema/` folder.
 */
function prismaSchemaPlaces(folder: string): string[] {
  const configured = readJson(join(folder, 'package.json'))?.prisma?.schema;
  const places = typeof configured === 'string' ? [join(folder, configured)] : [];
  places.push(join(folder, 'prisma', 'schema.prisma'), join(folder, 'schema.prisma'), join(folder, 'prisma', 'schema'));
  return places;
}
