// The database drivers a module specifier or a package name names, in one place for the TS/JS analysis
// (embeddedDialect.ts, which reads imports) and the plain .sql analysis (mysqlProjects.ts, which reads package.json;
// goModuleDialects.ts, which reads go.mod): free of the TypeScript compiler, so the .sql side does not load it.

/** PostgreSQL drivers and the PostgreSQL entry points of multi-dialect libraries (`@db/postgres`: deno-postgres, by its JSR name). */
export const POSTGRES_MODULE_NAMES = String.raw`(pg|@db\/postgres|pg-native|pg-pool|pg-cursor|pg-query-stream|pg-promise|pg-format|pg-listen|postgres|pgwire|ts-postgres|@effect\/sql-pg|slonik|pg-boss|graphile-worker|@neondatabase\/serverless|@vercel\/postgres|@databases\/pg|@electric-sql\/pglite|@mikro-orm\/postgresql|@prisma\/adapter-pg|@prisma\/adapter-neon|drizzle-orm\/(node-postgres|postgres-js|pg-core|neon-http|neon-serverless|vercel-postgres|pglite|pg-proxy|xata-http|aws-data-api\/pg))`;
export const POSTGRES_MODULES = new RegExp(String.raw`^${POSTGRES_MODULE_NAMES}(\/|$)`);
/** MySQL's and MariaDB's drivers (PlanetScale's serverless one, MikroORM's MySQL entry points). */
const MYSQL_MODULE_NAMES = String.raw`mysql|mysql2|mariadb|@planetscale\/database|@mikro-orm\/(?:mysql|mariadb)`;
export const MYSQL_MODULES = new RegExp(String.raw`^(?:${MYSQL_MODULE_NAMES})(\/|$)`);
/** Drivers and entry points of other databases (the dialects PoolSafe does not analyse). */
export const OTHER_MODULES = new RegExp(String.raw`^(${MYSQL_MODULE_NAMES}|sqlite3|better-sqlite3|sqlite|sql\.js|bun:sqlite|node:sqlite|expo-sqlite|react-native-sqlite-storage|@op-engineering\/op-sqlite|@capacitor-community\/sqlite|@sqlite\.org\/sqlite-wasm|wa-sqlite|duckdb|duckdb-async|@duckdb\/node-api|mssql|tedious|oracledb|ibm_db|snowflake-sdk|@libsql\/client|@mikro-orm\/(sqlite|better-sqlite|libsql|mssql)|drizzle-orm\/(mysql-core|mysql2|mysql-proxy|planetscale-serverless|tidb-serverless|sqlite-core|better-sqlite3|bun-sqlite|libsql|d1|expo-sqlite|op-sqlite|sql-js|sqlite-proxy|singlestore|singlestore-core|durable-sqlite))(\/|$)`);

// Go modules (the paths a go.mod requires), for the plain .sql analysis (goModuleDialects.ts), each list matched
// against a whole module path or its leading part (`github.com/jackc/pgx/v5`).
/** PostgreSQL drivers and PostgreSQL-only libraries of Go: lib/pq, every module of pgx's author (pgx in each major
 *  version, pgconn, pgtype, tern), gorm's, bun's and River's PostgreSQL drivers, go-pg, CockroachDB's helpers, pgvector. */
export const GO_POSTGRES_MODULES = /^(?:github\.com\/lib\/pq|github\.com\/jackc\/[\w.-]+|gorm\.io\/driver\/postgres|github\.com\/go-pg\/pg|github\.com\/uptrace\/bun\/(?:driver\/pgdriver|dialect\/pgdialect)|github\.com\/riverqueue\/river\/riverdriver\/riverpgxv5|github\.com\/cockroachdb\/cockroach-go|github\.com\/pgvector\/pgvector-go)(?:\/|$)/;
/** SQLite's drivers of Go (cgo and pure-Go ones, gorm's and bun's, libSQL's). */
const GO_SQLITE_MODULES = /^(?:modernc\.org\/sqlite|github\.com\/mattn\/go-sqlite3|github\.com\/glebarez\/(?:go-)?sqlite|gorm\.io\/driver\/sqlite|github\.com\/ncruces\/go-sqlite3|zombiezen\.com\/go\/sqlite|crawshaw\.io\/sqlite|github\.com\/tursodatabase\/(?:libsql-client-go|go-libsql)|github\.com\/uptrace\/bun\/(?:dialect\/sqlitedialect|driver\/sqliteshim))(?:\/|$)/;
/** MySQL's and MariaDB's drivers of Go (gorm's and bun's too). */
const GO_MYSQL_MODULES = /^(?:github\.com\/go-sql-driver\/mysql|gorm\.io\/driver\/mysql|github\.com\/ziutek\/mymysql|github\.com\/uptrace\/bun\/dialect\/mysqldialect)(?:\/|$)/;
/** The other database a Go module's path drives, if it is one of these drivers. */
export function goModuleDatabase(path: string): 'sqlite' | 'mysql' | undefined {
  if (GO_SQLITE_MODULES.test(path)) return 'sqlite';
  return GO_MYSQL_MODULES.test(path) ? 'mysql' : undefined;
}
