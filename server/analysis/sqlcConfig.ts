// The SQL dialect a project declares for its .sql files. sqlc (Go's query compiler) names the database
// of each package's schema and queries in `sqlc.json` / `sqlc.yaml` (`"engine": "mysql"`), beside the
// files or in a folder above them; MySQL and SQLite query files there carry no dialect in their path
// (`query.sql`, `schema.sql`) and often no syntax only their dialect has.
import { dirname, join, resolve } from 'node:path';
import { dialectOfPath, type OtherDialect } from './dialect';
import { boundedText } from './folderEntries';
import { foldersUpToRoot } from './projectPaths';
import { dialectOfGoModule } from './goModuleDialects';
import { CACHE_MS, TimedCache } from './timedCache';

const CONFIG_NAMES = ['sqlc.json', 'sqlc.yaml', 'sqlc.yml'];
/** How many folders, from the file's own upwards, are searched for a config (sqlc configs sit near their SQL). */
const MAX_LEVELS = 4;
const MAX_CONFIG_BYTES = 256 * 1024;
/** `engine: mysql`, `"engine": "sqlite"`, quoted or not, in JSON or YAML. */
const ENGINE = /["']?engine["']?\s*:\s*["']?([A-Za-z]+)/g;
const ENGINES: Record<string, OtherDialect | 'postgres'> = { postgresql: 'postgres', postgres: 'postgres', mysql: 'mysql', sqlite: 'sqlite' };

/** Folder -> the dialect its own sqlc config declares ('postgres', another, or undefined: no config there). */
const byFolder = new TimedCache<OtherDialect | 'postgres' | undefined>(CACHE_MS);

/**
 * The other dialect the nearest sqlc config above a file declares, when all its packages use that one
 * engine (a config mixing engines says nothing about a single file here). Undefined for PostgreSQL.
 */
export function dialectOfSqlcProject(fileName: string): OtherDialect | undefined {
  const dialect = nearestConfigDialect(fileName);
  return dialect === 'postgres' ? undefined : dialect;
}

/**
 * Whether an sqlc config sits in the file's folder or up to MAX_LEVELS above it: the file is then one of
 * sqlc's schema or query files, whose queries the generated code runs on the application's pool.
 */
export function inSqlcProject(fileName: string): boolean {
  return nearestConfigDialect(fileName) !== undefined;
}

/** What the nearest sqlc config in the file's folder or up to MAX_LEVELS above it declares; undefined without one. */
function nearestConfigDialect(fileName: string): OtherDialect | 'postgres' | undefined {
  for (const folder of foldersUpToRoot(dirname(resolve(fileName)), MAX_LEVELS - 1)) {
    const dialect = cachedConfigDialect(folder);
    if (dialect !== undefined) return dialect;
  }
  return undefined;
}

/**
 * The dialect a SQL file is in when its path, its sqlc config or its Go module's drivers (goModuleDialects.ts) say it
 * is not PostgreSQL.
 */
export function dialectOfSqlFile(fileName: string): OtherDialect | undefined {
  return dialectOfPath(fileName) ?? dialectOfSqlcProject(fileName) ?? dialectOfGoModule(fileName);
}

function cachedConfigDialect(folder: string): OtherDialect | 'postgres' | undefined {
  return byFolder.get(folder, () => configDialect(folder));
}

/** The one engine a folder's sqlc config names, 'postgres' for PostgreSQL or a mix, undefined without a config. */
function configDialect(folder: string): OtherDialect | 'postgres' | undefined {
  for (const name of CONFIG_NAMES) {
    const text = boundedText(join(folder, name), MAX_CONFIG_BYTES);
    if (text === undefined) continue;
    const engines = new Set([...text.matchAll(ENGINE)].map((m) => ENGINES[m[1].toLowerCase()] ?? 'postgres'));
    return engines.size === 1 ? [...engines][0] : 'postgres';
  }
  return undefined;
}

