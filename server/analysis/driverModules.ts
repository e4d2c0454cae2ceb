// The database drivers a module specifier or a package name names, in one place for the TS/JS analysis
// (embeddedDialect.ts, which reads imports) and the plain .sql analysis (mysqlProjects.ts, which reads package.json):
// free of the TypeScript compiler, so the .sql side does not load it.

/** PostgreSQL drivers and the PostgreSQL entry points of multi-dialect libraries (`@db/postgres`: deno-postgres, by its JSR name). */
export const POSTGRES_MODULE_NAMES = String.raw`(pg|@db\/postgres|pg-native|pg-pool|pg-cursor|pg-query-stream|pg-promise|pg-format|pg-listen|postgres|pgwire|ts-postgres|@effect\/sql-pg|slonik|pg-boss|graphile-worker|@neondatabase\/serverless|@vercel\/postgres|@databases\/pg|@electric-sql\/pglite|@mikro-orm\/postgresql|@prisma\/adapter-pg|@prisma\/adapter-neon|drizzle-orm\/(node-postgres|postgres-js|pg-core|neon-http|neon-serverless|vercel-postgres|pglite|pg-proxy|xata-http|aws-data-api\/pg))`;
export const POSTGRES_MODULES = new RegExp(String.raw`^${POSTGRES_MODULE_NAMES}(\/|$)`);
/** MySQL's and MariaDB's drivers (PlanetScale's serverless one, MikroORM's MySQL entry points). */
const MYSQL_MODULE_NAMES = String.raw`mysql|mysql2|mariadb|@planetscale\/database|@mikro-orm\/(?:mysql|mariadb)`;
export const MYSQL_MODULES = new RegExp(String.raw`^(?:${MYSQL_MODULE_NAMES})(\/|$)`);
/** Drivers and entry points of other databases (the dialects PoolSafe does not analyse). */
export const OTHER_MODULES = new RegExp(String.raw`^(${MYSQL_MODULE_NAMES}|sqlite3|better-sqlite3|sqlite|sql\.js|bun:sqlite|node:sqlite|expo-sqlite|react-native-sqlite-storage|@op-engineering\/op-sqlite|@capacitor-community\/sqlite|@sqlite\.org\/sqlite-wasm|wa-sqlite|duckdb|duckdb-async|@duckdb\/node-api|mssql|tedious|oracledb|ibm_db|snowflake-sdk|@libsql\/client|@mikro-orm\/(sqlite|better-sqlite|libsql|mssql)|drizzle-orm\/(mysql-core|mysql2|mysql-proxy|planetscale-serverless|tidb-serverless|sqlite-core|better-sqlite3|bun-sqlite|libsql|d1|expo-sqlite|op-sqlite|sql-js|sqlite-proxy|singlestore|singlestore-core|durable-sqlite))(\/|$)`);
