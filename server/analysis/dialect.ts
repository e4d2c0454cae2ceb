// Which SQL is not PostgreSQL, so the analysis leaves it alone (no syntax errors, no pooling findings).
// The one place this is decided: by a dialect name in a file's path, and by syntax only another
// dialect has. Statement checks run only on statements that fail to parse or yield a pooling candidate,
// so PostgreSQL files never pay for them.
import { isAbsolute } from 'node:path';
import { replaceLiteralsAndComments, hasTemplateMarkers } from './templatePlaceholders';
import { SQL_TRIVIA } from './sqlTrivia';
import { pathInProject } from './projectPaths';
import { yugabyteClauseRanges } from './yugabyteClauses';
import { blankedRanges } from './blankedRanges';

/** The databases PoolSafe recognises as not PostgreSQL. The first four, and the DDL of Spanner, Vertica, Snowflake,
 *  Hive/Spark and Teradata (counted as analytics), have statement checks below; the others are known by name (a folder,
 *  a file name), which is how multi-database projects keep them. `compatible` is a statement in a PostgreSQL-compatible
 *  engine's own syntax (Redshift's distribution and sort keys, YugabyteDB's tablet splitting and sharded keys): skipped on
 *  its own, never making its file another dialect's. */
export type OtherDialect = 'mysql' | 'sqlite' | 'sqlserver' | 'oracle' | 'clickhouse' | 'analytics' | 'pooler' | 'tool' | 'compatible';

/** The one list of database names a path part may carry (the TS side, embeddedDialect.ts, uses it too).
 *  `analytics` groups warehouse and other-engine SQL (BigQuery, Snowflake, DuckDB, Trino…) whose
 *  statements PostgreSQL may half-parse: none of it is sent to PostgreSQL. */
const PATH_DIALECTS: Record<string, OtherDialect> = {
  mysql: 'mysql', mariadb: 'mysql', tidb: 'mysql', starrocks: 'mysql', singlestore: 'mysql', memsql: 'mysql',
  sqlite: 'sqlite', libsql: 'sqlite', turso: 'sqlite', sqlcipher: 'sqlite', rqlite: 'sqlite', mssql: 'sqlserver', sqlserver: 'sqlserver', tsql: 'sqlserver', oracle: 'oracle',
  clickhouse: 'clickhouse', bigquery: 'analytics', snowflake: 'analytics', duckdb: 'analytics', spanner: 'analytics', googlesql: 'analytics',
  db2: 'analytics', hana: 'analytics', trino: 'analytics', presto: 'analytics', databricks: 'analytics',
  teradata: 'analytics', vertica: 'analytics', cassandra: 'analytics', ydb: 'analytics', firebird: 'analytics',
  athena: 'analytics', hive: 'analytics', impala: 'analytics', spark: 'analytics', sparksql: 'analytics',
  flink: 'analytics', exasol: 'analytics', soql: 'analytics', doris: 'mysql',
  // Other engines a multi-database library ships DDL for beside PostgreSQL's (a job store's `tables_<engine>.sql`).
  hsqldb: 'analytics', hsql: 'analytics', informix: 'analytics', cloudscape: 'analytics', sapdb: 'analytics',
  maxdb: 'analytics', pointbase: 'analytics', cubrid: 'analytics', sybase: 'sqlserver', interbase: 'analytics',
  ingres: 'analytics', soliddb: 'analytics',
  // Standard SQL written for no engine in particular (a multi-dialect tool's `ansi` base dialect).
  ansi: 'analytics',
};
/** The database names a path part may carry (also the prefixes of CamelCase file names: embeddedDialect.ts). */
export const PATH_DIALECT_NAMES: readonly string[] = Object.keys(PATH_DIALECTS);
/** Folder names that say their files are PostgreSQL's (`dialects/postgres/`, `src/pg/`): the one list for SQL files
 *  (dialectOfPath) and TS/JS files (embeddedDialect.ts). */
export const POSTGRES_FOLDER = /^(postgres|postgresql|pg|pglite|postgres-js|node-postgres)$/i;
/** How many trailing path segments (the file and its nearest folders) are looked at when a path is absolute and no
 *  repository root is found above it: a user's home folder called `oracle` above the project says nothing about the
 *  project's files. Below a repository's root every folder is the project's own word (`RDBMS/ORACLE/PLSQL/tuning/x.sql`). */
const PATH_SEGMENTS = 4;

/**
 * Go-style package names end in the database they drive (`riversqlite`, `gormmysql`, `entoracle`): a
 * lower-case word of three or more letters, then the name (`tsql` is left out: too short to be sure).
 */
const PACKAGE_SUFFIX = /^[a-z]{3,}(mysql|mariadb|sqlite|mssql|sqlserver|oracle|clickhouse|duckdb|bigquery|snowflake|spanner)$/;

/**
 * The dialect a file's path names, if any: a path segment or a part of the file name (split at `.`, `-`,
 * `_`) equal to a name in PATH_DIALECTS (mysql, sqlite, mssql, oracle, clickhouse, bigquery…), in any case, or a package
 * name ending in one (PACKAGE_SUFFIX), optionally followed by a version number (`migrations/mysql/001.sql`,
 * `schema.sqlite.sql`, `mysql8-init.sql`, `driver/riversqlite/`, `RDBMS/ORACLE/SQL/DDL/constraint/x.sql`). Every folder
 * below the repository's root counts (pathInProject); outside any repository only the file name and its three nearest
 * folders do. The name nearest the file decides, read from the file upward: a PostgreSQL folder (POSTGRES_FOLDER) ends
 * the search, so a PostgreSQL tree kept under another database's folder (`oracle-migration/postgres/schema/x.sql`, a
 * port's target) stays PostgreSQL. Usable for any file (SQL or TS/JS).
 */
export function dialectOfPath(path: string): OtherDialect | undefined {
  const segments = ownSegments(path);
  for (let index = segments.length - 1; index >= 0; index--) {
    const isFolder = index < segments.length - 1;
    if (isFolder && POSTGRES_FOLDER.test(segments[index])) return undefined;
    const dialect = segmentDialect(segments[index]);
    if (dialect) return dialect;
  }
  return undefined;
}

/** The dialect one path segment (a folder or the file name) names in one of its name parts, if any. */
function segmentDialect(segment: string): OtherDialect | undefined {
  for (const part of nameParts(segment)) {
    const name = withoutVersion(part);
    // The part as it is first: a name that ends in a digit (db2) is not a version number.
    const dialect = PATH_DIALECTS[part] ?? PATH_DIALECTS[name] ?? PATH_DIALECTS[PACKAGE_SUFFIX.exec(name)?.[1] ?? ''];
    if (dialect) return dialect;
  }
  return undefined;
}

/** A path's segments below its repository's root, or its last PATH_SEGMENTS segments when it is absolute and no root was found. */
function ownSegments(path: string): string[] {
  const inProject = pathInProject(path);
  const segments = inProject.split(/[\\/]/);
  return isAbsolute(inProject) ? segments.slice(-PATH_SEGMENTS) : segments;
}

/** The lower-cased name parts of a path segment, split at `.`, `-`, `_` and spaces. */
function nameParts(segment: string): string[] {
  return segment.toLowerCase().split(/[._\-\s]+/);
}

/** The name parts of a path's own segments (ownSegments). */
function pathNameParts(path: string): string[] {
  return ownSegments(path).flatMap(nameParts);
}

/** A name part without a trailing version number (`mysql8` → `mysql`). */
function withoutVersion(part: string): string {
  return part.replace(/\d+$/, '');
}

/**
 * Engines that speak PostgreSQL's protocol and most of its SQL, with syntax of their own (CockroachDB's
 * `table@index`, `INVERTED INDEX`, `STORING`; YugabyteDB's `SPLIT INTO`; EDB Postgres Advanced Server's
 * Oracle-style `COMPOUND TRIGGER`, packages and resource groups, in `ppas`/`epas` folders; forks and
 * wire-compatible engines such as Greenplum, Redshift, Materialize and RisingWave): their files keep pooling findings
 * (they sit behind the same poolers) but PostgreSQL's parser is no judge of their syntax.
 */
const COMPATIBLE_ENGINES = new Set(['cockroach', 'cockroachdb', 'crdb', 'yugabyte', 'yugabytedb', 'ysql', 'ppas', 'epas',
  'greenplum', 'redshift', 'materialize', 'risingwave']);

const COMPATIBLE_ENGINE_WORD = new RegExp(String.raw`\b(?:${[...COMPATIBLE_ENGINES].join('|')})\b`, 'i');

/** Whether a file is for a PostgreSQL-compatible engine: its path names one, or its text does (`enabledDrivers: ['cockroachdb']`). */
export function namesCompatibleEngine(text: string, fileName: string | undefined): boolean {
  return (fileName !== undefined && pathNamesCompatibleEngine(fileName)) || COMPATIBLE_ENGINE_WORD.test(text);
}

/** Whether a path names a PostgreSQL-compatible engine (as dialectOfPath reads names: a folder or a file-name part). */
export function pathNamesCompatibleEngine(path: string): boolean {
  return pathNameParts(path).some((part) => COMPATIBLE_ENGINES.has(withoutVersion(part)));
}

/**
 * Whether a statement's dialect says that its file (or its folder, or the other texts an application file sends) is
 * another database's. A compatible engine's statement (Redshift's DISTKEY) does not: it is skipped alone, and what
 * surrounds it keeps its findings, as a `redshift` folder's files keep their pooling findings (pathNamesCompatibleEngine).
 */
export function otherDialectCounts(dialect: OtherDialect | undefined): boolean {
  return dialect !== undefined && dialect !== 'compatible';
}

/**
 * A SQL file is written in one dialect, and another dialect's SETs look like ours: the whole file is left
 * alone when two of its statements, or half of them, have syntax only another dialect has. One such
 * statement among PostgreSQL ones (a typo, or backquotes being typed in an editor) is skipped on its own.
 */
export function mostlyOtherDialect(statements: readonly { dialect?: OtherDialect }[]): boolean {
  let other = 0;
  for (const statement of statements) if (otherDialectCounts(statement.dialect)) other++;
  return other >= 2 || (other > 0 && other * 2 >= statements.length);
}

/** SQLite's table options after a CREATE TABLE's column list. */
const SQLITE_TABLE_OPTION = String.raw`(?:STRICT|WITHOUT\s+ROWID)\b`;
/** An extension or repository name of DuckDB's INSTALL: a bare name or a string (a path or URL). */
const INSTALL_NAME = String.raw`(?:[A-Za-z_]\w*|'(?:[^'\n]|'')*'(?!'))`;
/** The opening of SQLite's and DuckDB's ATTACH of a database named by a string, up to its string. */
const ATTACH_STRING = String.raw`ATTACH\s+(?:DATABASE\s+)?(?:IF\s+NOT\s+EXISTS\s+)?'(?:[^'\n]|'')*'`;

/** SQLite's and DuckDB's ATTACH of a database by a string with the name it is known by (`ATTACH ':memory:' AS prod`). */
const ATTACH_ALIAS = new RegExp(String.raw`^(?:${SQL_TRIVIA})*${ATTACH_STRING}\s+AS\s+("?)([A-Za-z_]\w*)\1`, 'i');

/**
 * The dialect of each statement of a file, where a statement PostgreSQL cannot parse that names a database an earlier
 * statement ATTACHed as the first part of a qualified name (`ATTACH ':memory:' AS prod;` then `CREATE SCHEMA
 * prod.public;`) is the attaching engine's: it needs that database, which only SQLite or DuckDB made. A statement that
 * parses, or does not name the attached database, keeps its own reading.
 */
export function withAttachedDatabaseUses<T extends { dialect?: OtherDialect; syntaxError?: unknown }>(statements: readonly (readonly [text: string, facts: T])[]): { dialect?: OtherDialect }[] {
  const attached = new Map<string, OtherDialect>();
  return statements.map(([text, facts]) => {
    const alias = facts.dialect ? ATTACH_ALIAS.exec(text) : null;
    if (alias) attached.set(alias[2]!.toLowerCase(), facts.dialect!);
    if (facts.dialect || !facts.syntaxError || attached.size === 0) return facts;
    const dialect = attachedDatabaseNamed(replaceLiteralsAndComments(text), attached);
    return dialect ? { ...facts, dialect } : facts;
  });
}

/** The dialect of the attached database a statement's code qualifies a name with (`prod.public`, `"prod".orders`). */
function attachedDatabaseNamed(code: string, attached: ReadonlyMap<string, OtherDialect>): OtherDialect | undefined {
  for (const qualifier of code.matchAll(/(?<![\w$."])("?)([A-Za-z_]\w*)\1\s*\.\s*[A-Za-z_"]/g)) {
    const dialect = attached.get(qualifier[2]!.toLowerCase());
    if (dialect) return dialect;
  }
  return undefined;
}

/** MySQL SETs, several of which PostgreSQL parses (and would flag as session-set): SET NAMES utf8, SET @v, SET sql_mode. */
const MYSQL_SET = String.raw`\bSET\s+(?:(?:SESSION|GLOBAL|PERSIST|LOCAL)\s+)?(?:NAMES\s+[A-Za-z]|@|(?:sql_mode|foreign_key_checks|unique_checks|character_set_\w+|collation_\w+|autocommit|sql_\w+|innodb_\w+|net_\w+|max_allowed_packet|group_concat_max_len)\b)`;
/** The same, for a statement that starts with SET (checked on every session-set candidate: anchored, so cheap). */
const MYSQL_SET_STATEMENT = new RegExp(String.raw`^\s*${MYSQL_SET}|@@|\``, 'i');

/**
 * A backquoted name (MySQL, MariaDB, BigQuery, SQLite, Spark, ClickHouse): PostgreSQL quotes names with double quotes
 * only. Not opening with a space, so a lone backquote pair around spaces in prose is none.
 */
const BACKQUOTED_NAME = '`[^`\\s][^`\\n]*`';

/**
 * Date functions another engine partitions a table by (Vertica's `EXTRACT(year FROM d)`, `YEAR(d)`; BigQuery's `DATE(ts)`,
 * `DATE_TRUNC(d, MONTH)`, `TIMESTAMP_TRUNC(ts, DAY)`, `RANGE_BUCKET(…)`): PostgreSQL partitions by RANGE, LIST or HASH.
 */
const PARTITION_FUNCTIONS = String.raw`(?:EXTRACT|YEAR|DATE|(?:DATE|DATETIME|TIMESTAMP)_TRUNC|RANGE_BUCKET)`;

/**
 * An interval of an unquoted count and a unit word (`INTERVAL 7 DAY`, `INTERVAL ? MINUTE`, `INTERVAL 1 YEAR_MONTH`):
 * MySQL's temporal interval. PostgreSQL's INTERVAL before a unit takes a string (`INTERVAL '7' DAY`).
 */
const UNQUOTED_INTERVAL = String.raw`INTERVAL\s+(?:-\s*)?(?:\d+(?:\.\d+)?|\?)\s+(?:MICROSECOND|SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|QUARTER|YEAR)(?:_(?:MICROSECOND|SECOND|MINUTE|HOUR|DAY|MONTH))?\b`;
const UNQUOTED_INTERVAL_ANYWHERE = new RegExp(String.raw`\b${UNQUOTED_INTERVAL}`, 'i');

/**
 * Whether a statement (outside its strings and comments) writes an unquoted interval outside MySQL's date functions too
 * (`NOW() - INTERVAL 7 DAY`): MySQL's where the project's only database drivers are MySQL's (mysqlProjects.ts), a
 * PostgreSQL mistake elsewhere, so no statement mark of its own.
 */
export function writesUnquotedInterval(statement: string): boolean {
  return UNQUOTED_INTERVAL_ANYWHERE.test(statement) && UNQUOTED_INTERVAL_ANYWHERE.test(replaceLiteralsAndComments(statement, "''"));
}

const MYSQL_DATE_CALL = /\b(?:DATE_(?:ADD|SUB)|ADDDATE|SUBDATE)\s*\(/gi;
const INTERVAL_ARGUMENT = new RegExp(String.raw`,\s*${UNQUOTED_INTERVAL}`, 'iy');

/**
 * MySQL's date arithmetic: DATE_ADD/DATE_SUB/ADDDATE/SUBDATE with an interval of an unquoted count and a unit word as an
 * argument of the call itself (`DATE_SUB(NOW(), INTERVAL 8 HOUR)`), however deep the calls before it nest
 * (`DATE_SUB(DATE(CONVERT_TZ(FROM_UNIXTIME(…), …)), INTERVAL 1 DAY)`). PostgreSQL has no date_sub, and its INTERVAL before
 * a unit takes a string (`INTERVAL '8' HOUR`). Read in one pass over the statement with a stack of the open
 * parentheses (callsHaveIntervalArgument), not a regex, so there is no nesting limit, and a statement of thousands of
 * calls, closed or not, costs its length, not its length for each call.
 */
function writesMysqlDateArithmetic(statement: string): boolean {
  const dateCallOpenings = new Set<number>();
  MYSQL_DATE_CALL.lastIndex = 0;
  for (let call = MYSQL_DATE_CALL.exec(statement); call; call = MYSQL_DATE_CALL.exec(statement)) dateCallOpenings.add(MYSQL_DATE_CALL.lastIndex - 1);
  return dateCallOpenings.size > 0 && callsHaveIntervalArgument(statement, 0, statement.length, dateCallOpenings);
}

/**
 * Whether a date call opening in `text[from, to)` (at one of `dateCallOpenings`) has a top-level argument `, INTERVAL
 * <unquoted count> <unit>`. Quoted text is skipped whole, so a string's comma or parenthesis is none of a call's; a
 * call written inside a string (a dump quoting a MySQL query) is read inside that string on its own. A `;` ends every
 * call open before it.
 */
function callsHaveIntervalArgument(text: string, from: number, to: number, dateCallOpenings: ReadonlySet<number>): boolean {
  /** Per open parenthesis, innermost last: whether a date call opened it. */
  const open: boolean[] = [];
  for (let at = from; at < to; at++) {
    const char = text[at];
    if (char === "'" || char === '"' || char === '`') {
      const end = Math.min(quoteEnd(text, at), to);
      if (callsHaveIntervalArgument(text, at + 1, end, dateCallOpenings)) return true;
      at = end;
    } else if (char === '(') open.push(dateCallOpenings.has(at));
    else if (char === ')') open.pop();
    else if (char === ';') open.length = 0;
    else if (char === ',' && open[open.length - 1] === true) {
      INTERVAL_ARGUMENT.lastIndex = at;
      if (INTERVAL_ARGUMENT.test(text)) return true;
    }
  }
  return false;
}

/** The offset of the quote closing the one at `open` (a doubled quote stays inside), or the text's end. */
function quoteEnd(text: string, open: number): number {
  const quote = text[open];
  for (let at = open + 1; at < text.length; at++) {
    if (text[at] !== quote) continue;
    if (text[at + 1] === quote) at++;
    else return at;
  }
  return text.length;
}

// Syntax only the other dialect has. Each pattern is specific enough to be a decision on its own, and
// is matched against one statement's text (quotes included: cheap, and only on suspicious statements).
const STATEMENT_DIALECTS: readonly [OtherDialect, { test(statement: string): boolean }][] = [
  // ClickHouse (before MySQL, whose ENGINE = it shares): MergeTree-family and log engines, its wrapper types
  // and unsigned integers, column codecs, TTL expressions, ORDER BY tuple(), a materialized view that
  // writes TO another table (PostgreSQL's has no TO), and a mutation (`ALTER TABLE t [ON CLUSTER c] DELETE WHERE …`,
  // `… UPDATE col = … WHERE …`: PostgreSQL's ALTER TABLE has no DELETE or UPDATE action).
  ['clickhouse', new RegExp([
    '\\bENGINE\\s*=\\s*\\w*(?:MergeTree|Log)\\b', '\\b(?:LowCardinality|Nullable)\\s*\\(\\s*[A-Za-z]', '\\bCODEC\\s*\\(\\s*[A-Za-z]',
    '\\bTTL\\s+[\\w.]+(?:\\s*\\([^()]*\\))?\\s*\\+\\s*(?:INTERVAL\\b|to\\w+\\s*\\()', '\\bORDER\\s+BY\\s+tuple\\s*\\(\\s*\\)',
    '\\bUInt(?:8|16|32|64|128|256)\\b', '\\bDateTime64\\s*\\(',
    '\\bMATERIALIZED\\s+VIEW\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?[\\w."`]+\\s+TO\\s',
    '\\bALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?[\\w."`]+(?:\\s+ON\\s+CLUSTER\\s+[\\w."`{}\']+)?\\s+(?:DELETE\\s+WHERE\\b|UPDATE\\s+[\\w"`]+\\s*=)',
  ].join('|'), 'im')],
  // ClickHouse's camelCase functions, matched case-sensitively (PostgreSQL's built-in functions are
  // snake_case, and it folds an unquoted name to lower case): type and date conversions (toDate,
  // toStartOfMonth, toUInt32, toYYYYMM…) and its -If, uniqExact and array aggregates (not plain `uniq`,
  // which intarray also has). A query sent to ClickHouse over HTTP from a
  // file whose path and imports say nothing about ClickHouse is known by these.
  ['clickhouse', new RegExp([
    '\\bto(?:Date(?:Time)?(?:32|64)?|StartOf[A-Z]\\w*|YYYYMM(?:DD(?:hhmmss)?)?|UnixTimestamp(?:64\\w*)?|U?Int(?:8|16|32|64|128|256)(?:OrZero|OrNull)?|Float(?:32|64)|Decimal(?:32|64|128|256)|Monday|TypeName|Relative[A-Z]\\w*Num)\\s*\\(',
    '\\b(?:uniq(?:Exact|Combined|HLL12)|(?:count|sum|avg|min|max)If|groupArray|groupUniqArray|arrayJoin|argM(?:ax|in))\\s*\\(',
  ].join('|'), 'm')],
  ['mysql', new RegExp([
    BACKQUOTED_NAME,
    '\\bENGINE\\s*=', '\\bAUTO_INCREMENT\\b', '\\bDEFAULT\\s+CHARSET\\b', '\\bCHARSET\\s*=',
    MYSQL_SET, '(?:^|[^\\w@])@@[A-Za-z_][\\w.]*(?![\\w.(])', // system variables (not tsvector@@tsquery)
    '\\b(?:LOCK|UNLOCK)\\s+TABLES\\b', '\\bON\\s+DUPLICATE\\s+KEY\\b', '\\bINSERT\\s+IGNORE\\b', '^[^\\S\\r\\n\\u2028\\u2029]*DELIMITER\\b',
    '\\b(?:TINY|MEDIUM|LONG)(?:INT|TEXT|BLOB)\\b',
    // Unsigned integer types (BIGINT UNSIGNED, int(11) unsigned, SQLite's UNSIGNED BIG INT): PostgreSQL has none.
    '\\b(?:SMALL|BIG)?INT(?:EGER)?(?:\\s*\\(\\s*\\d+\\s*\\)\\s*|\\s+)UNSIGNED\\b', '\\bUNSIGNED\\s+BIG\\s+INT\\b',
    // DDL PostgreSQL has no form of: ALTER TABLE … MODIFY, DROP INDEX name ON table, FULLTEXT indexes.
    // An empty double-quoted string ("" as a value): MySQL's (and SQLite's) string; PostgreSQL rejects a zero-length name.
    '(?:^|[\\s(,=])""(?=[\\s,);]|$)',
    '\\bALTER\\s+TABLE\\s+\\S+\\s+MODIFY\\b', '^[^\\S\\r\\n\\u2028\\u2029]*DROP\\s+INDEX\\s+\\S+\\s+ON\\s', '\\bCREATE\\s+FULLTEXT\\s+INDEX\\b',
    // A column's MySQL-only clauses: a timestamp refreshed by the server on each update (`DEFAULT CURRENT_TIMESTAMP ON UPDATE
    // CURRENT_TIMESTAMP`; PostgreSQL's ON UPDATE follows only a foreign key, with CASCADE, RESTRICT, SET or NO ACTION, or a
    // rule's ON UPDATE TO), an ENUM type spelled inline (`status ENUM('a', 'b')`; PostgreSQL's enum is a type made with
    // CREATE TYPE … AS ENUM), and an index declared in the table as UNIQUE KEY.
    '\\bON\\s+UPDATE\\s+(?:CURRENT_TIMESTAMP|LOCALTIMESTAMP|NOW\\s*\\()', "(?<!\\bAS\\s*)\\bENUM\\s*\\(\\s*'", '\\bUNIQUE\\s+KEY\\b',
    // A `#` line comment naming a field (`# title: …`, `# dialect: bigquery`, as SQL tools' test fixtures write
    // them; MySQL and BigQuery have `#` comments): PostgreSQL and psql have none. Their `#` is an operator (XOR,
    // `#>>`), and an operand (`# mask`) is never followed by a lone `:` (`::` casts, `:=` assigns).
    '^[ \\t]*#[ \\t]*[A-Za-z][\\w-]*[ \\t]*:(?![:=])',
    // MySQL's and SQLite's group_concat(…), and their char(10) function (PostgreSQL's char(10) is only a type,
    // never an operand of ||; its function is chr).
    '\\bgroup_concat\\s*\\(', '\\|\\|\\s*char\\s*\\(\\s*\\d+\\s*\\)|(?<!::\\s*)\\bchar\\s*\\(\\s*\\d+\\s*\\)\\s*\\|\\|',
  ].join('|'), 'im')],
  ['mysql', { test: writesMysqlDateArithmetic }],
  // SQLite's datetime('now') function; a table named user, unquoted (PostgreSQL reserves the word, MySQL and SQLite do not).
  // SQLite's (and MariaDB's) CREATE TRIGGER/VIEW IF NOT EXISTS (PostgreSQL's take OR REPLACE), its virtual tables and
  // built-in collations.
  ['sqlite', /\bCREATE\s+(?:TEMP(?:ORARY)?\s+)?(?:TRIGGER|VIEW)\s+IF\s+NOT\s+EXISTS\b|\bCREATE\s+VIRTUAL\s+TABLE\b|\bCOLLATE\s+(?:NOCASE|BINARY|RTRIM)\b/i],
  // A column alias written as a string (`SELECT 1 AS 'total'`): SQLite, MySQL and SQL Server take it, PostgreSQL
  // does not. A function's body (`CREATE FUNCTION … AS 'select 1'`, `AS 'lib', 'symbol'`) is the one place
  // PostgreSQL has AS before a string, besides COPY's `DELIMITER AS ','`, `NULL AS ''`; not anchored to lines (m flag
  // off), so `^` is the statement's start.
  ['sqlite', /^(?![\s\S]*?\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\b)[\s\S]*?(?<!\b(?:DELIMITER|NULL|QUOTE|ESCAPE)\s+)\bAS\s+'(?:[^'\n]|'')*'\s*(?:,|\)|\bFROM\b|;|$)/i],
  // SQLite's table options after the column list, STRICT (typed columns) and WITHOUT ROWID, alone or both, ending a CREATE
  // TABLE: PostgreSQL's STRICT is a routine's option (`ALTER FUNCTION f(int) STRICT`), never a table's.
  ['sqlite', new RegExp(String.raw`^(?:${SQL_TRIVIA}|'')*CREATE\s+(?:TEMP(?:ORARY)?\s+)?TABLE\b[\s\S]*\)\s*${SQLITE_TABLE_OPTION}(?:\s*,\s*${SQLITE_TABLE_OPTION})*(?:${SQL_TRIVIA}|;|'')*$`, 'i')],
  // A statement that attaches a database file or DSN given as a string (SQLite's and DuckDB's `ATTACH 'users.db' AS u`,
  // `ATTACH IF NOT EXISTS ':memory:' AS prod`): PostgreSQL has no ATTACH statement (only ALTER TABLE's ATTACH PARTITION).
  ['sqlite', new RegExp(String.raw`^(?:${SQL_TRIVIA}|'')*${ATTACH_STRING}`, 'i')],
  ['sqlite', /\bPRAGMA\s+\w|\bAUTOINCREMENT\b|\bWITHOUT\s+ROWID\b|\bINSERT\s+OR\s+(?:REPLACE|IGNORE|ABORT|FAIL|ROLLBACK)\b|\bBEGIN\s+(?:IMMEDIATE|EXCLUSIVE|DEFERRED)\b|\bATTACH\s+DATABASE\b|\bdatetime\s*\(\s*'|\b(?:TABLE(?:\s+IF\s+(?:NOT\s+)?EXISTS)?|INTO|REFERENCES|UPDATE|FROM|JOIN)\s+user\b(?![.\w])/i],
  ['sqlserver', new RegExp([
    '^[^\\S\\r\\n\\u2028\\u2029]*GO[^\\S\\r\\n\\u2028\\u2029]*$', // batch separator
    // [bracket] names, also with blanks (`FROM [Order Details] od`): PostgreSQL never has `[` after these words.
    '\\[\\w+\\]\\s*\\.\\s*\\[', '\\b(?:TABLE|INTO|FROM|JOIN|UPDATE|EXEC|EXECUTE|VIEW|PROCEDURE|INDEX|ON)\\s+\\[\\w[\\w ]*\\]', '^[^\\S\\r\\n\\u2028\\u2029]*\\[\\w+\\]\\s+\\[?\\w+',
    '\\bIDENTITY\\s*\\(\\s*\\d+\\s*,\\s*\\d+\\s*\\)', '\\bNVARCHAR\\b',
    // VARBINARY, a type of SQL Server, MySQL, Derby, DB2, H2, solidDB…: PostgreSQL has none (its binary type is bytea).
    '\\bVARBINARY\\b', '\\bDECLARE\\s+@', '\\bSET\\s+(?:NOCOUNT|ANSI_\\w+|QUOTED_IDENTIFIER|XACT_ABORT|IDENTITY_INSERT)\\b',
    // FOR JSON/XML result shaping, APPLY joins and SELECT TOP n.
    '\\bFOR\\s+(?:JSON|XML)\\s+(?:PATH|AUTO|RAW|EXPLICIT)\\b', '\\b(?:CROSS|OUTER)\\s+APPLY\\b', '\\bSELECT\\s+(?:DISTINCT\\s+)?TOP\\s*(?:\\(\\s*)?\\d',
    // A local temporary table named with a leading `#` (T-SQL's `#t`; SAP HANA's `CREATE LOCAL TEMPORARY TABLE #t`):
    // in PostgreSQL `#` is an operator and never starts a table name.
    '\\b(?:TABLE|INTO|FROM|JOIN|UPDATE)\\s+#[A-Za-z_]',
    // A column's bare IDENTITY property after its type or nullability (`id INT NOT NULL IDENTITY PRIMARY KEY`): PostgreSQL
    // writes IDENTITY only after AS (`GENERATED … AS IDENTITY`) or in ALTER/TRUNCATE clauses (ADD, DROP, RESTART, REPLICA).
    '\\b(?:NULL|INT|INTEGER|BIGINT|SMALLINT|TINYINT|NUMERIC|DECIMAL)\\s+IDENTITY\\s*(?:PRIMARY\\b|NOT\\b|NULL\\b|UNIQUE\\b|CONSTRAINT\\b|,|\\))',
    '\\bGETDATE\\s*\\(', '\\bBEGIN\\s+TRAN\\b', '\\bIF\\s+(?:NOT\\s+)?EXISTS\\s*\\(\\s*SELECT\\b[^)]*\\bsys\\.', '\\bOBJECT_ID\\s*\\(',
  ].join('|'), 'im')],
  // DuckDB's extension install, the whole statement (`INSTALL httpfs`, `FORCE INSTALL spatial FROM community`): PostgreSQL has no
  // INSTALL statement (its extensions are made with CREATE EXTENSION).
  ['analytics', new RegExp(String.raw`^(?:${SQL_TRIVIA}|'')*(?:FORCE\s+)?INSTALL\s+${INSTALL_NAME}(?:\s+FROM\s+${INSTALL_NAME})?(?:${SQL_TRIVIA}|;|'')*$`, 'i')],
  // Cloud Spanner / GoogleSQL: the primary key after the column list, interleaved tables, STRING(n);
  // Hive/Spark/Databricks/DuckDB: semi and anti joins, LATERAL VIEW explode(…), UNION BY NAME. DuckDB's macros and
  // DuckDB's, Snowflake's and BigQuery's CREATE OR REPLACE [TEMP] TABLE (PostgreSQL has neither).
  ['analytics', /\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?MACRO\b|\bCREATE\s+OR\s+REPLACE\s+(?:TEMP(?:ORARY)?\s+|TRANSIENT\s+)?TABLE\b|\)\s*PRIMARY\s+KEY\s*\(|\bINTERLEAVE\s+IN\s+PARENT\b|\bSTRING\s*\(\s*(?:\d+|MAX)\s*\)|\b(?:LEFT\s+|RIGHT\s+)?(?:ANTI|SEMI)\s+JOIN\b|\bLATERAL\s+VIEW\b|\bUNION\s+(?:ALL\s+)?BY\s+NAME\b/im],
  // A pooler's or proxy's own command, which it answers itself and never passes on (pgcat's SET SHARDING KEY TO
  // '17', SET SERVER ROLE TO 'replica', SET PRIMARY READS TO 'on'): a SET whose name is several words before TO
  // or =. PostgreSQL's only such forms start with LOCAL or SESSION (SET LOCAL name TO …); its other multi-word
  // SETs (TIME ZONE, TRANSACTION, SESSION AUTHORIZATION, XML OPTION, CONSTRAINTS) take no TO.
  ['pooler', /^\s*SET\s+(?!(?:LOCAL|SESSION)\s)[A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)+\s*(?:\bTO\b|=)/i],
  // Another engine's variable, set from an expression (SQLPage's SET x = sqlpage.fn(…), SET x = (SELECT …),
  // SET x = CASE … END, SET x = 'a' || $b; Snowflake's SET v = (SELECT …)): a SET at the start of a statement whose
  // value is a call, a subquery, a CAST, NULL, a CASE, or a literal or name followed by an operator. PostgreSQL's SET
  // takes only literals and names (a list of them); an UPDATE's SET line is not at a statement's start.
  // Leading trivia (and strings blanked out to '') matched one way only: SQL_TRIVIA (sqlTrivia.ts).
  ['analytics', new RegExp(String.raw`^(?:${SQL_TRIVIA}|'')*SET\s+(?:(?:LOCAL|SESSION)\s+)?[A-Za-z_][\w.]*\s*(?:=|\bTO\b)\s*(?:\(|NULL\b|CASE\b|[A-Za-z_][\w.]*\s*\(|(?:'(?:[^'\n]|'')*'|[A-Za-z_$][\w.$]*)\s*(?:\|\||[+*%]|-(?!-)|\/(?!\*)))`, 'i')],
  // A tool's own notation that reads like PostgreSQL but is read by the tool, never sent as written: an EXECUTE of a
  // prepared statement whose parameters follow as a bracketed list of values (a replication or change-data-capture
  // tool's apply files: `EXECUTE stmt_1["2024-05-13","metric",22];`). PostgreSQL's EXECUTE takes its parameters in
  // parentheses, and a PL/pgSQL `EXECUTE cmds[i]` subscript holds neither a string nor a comma. (Blanks after the `[`
  // belong to one alternative at a time, so no two quantifiers trade them: the ReDoS test checks this.)
  ['tool', new RegExp(String.raw`^(?:${SQL_TRIVIA})*EXECUTE\s+"?[A-Za-z_][\w$]*"?\s*\[(?:\s*["']|\s*\]|[^\]\n]*,)`, 'i')],
  // Vertica: projections, their segmentation across the cluster's nodes (also a table's: `ORDER BY id SEGMENTED BY
  // HASH(id) ALL NODES`, `UNSEGMENTED ALL NODES`) and its column encodings (`ENCODING RLE`). PostgreSQL has no
  // projections nor SEGMENTED, and its ENCODING (CREATE DATABASE, COPY) names a character set. A table partitioned by
  // an expression after its column list, in the shapes those engines write: Vertica's cast (`) PARTITION BY d::DATE`,
  // `PARTITION BY ((t.d)::date)`), a date function of Vertica or BigQuery (`PARTITION BY DATE(ts)`, `EXTRACT(…)`,
  // `TIMESTAMP_TRUNC(…)`) or BigQuery's `_PARTITIONDATE`. PostgreSQL takes only RANGE, LIST or HASH there (a window's
  // PARTITION BY follows a `(`), but a strategy forgotten or mistyped (`PARTITION BY (d)`, `PARTITION BY d`,
  // `PARTITION BY RANGES (d)`) is a PostgreSQL user's mistake, not another engine's text: no mark.
  ['analytics', new RegExp(String.raw`\)\s*PARTITION\s+BY\s+(?:(?:\(\s*)*[\w"]+(?:\.[\w"]+)*(?:\s*\))*\s*::|${PARTITION_FUNCTIONS}\s*\(|_PARTITION(?:DATE|TIME)\b)`, 'i')],
  ['analytics', /\bCREATE\s+PROJECTION\b|\bSEGMENTED\s+BY\b|\bUNSEGMENTED\s+(?:ALL\s+NODES|NODE)\b|\bENCODING\s+(?:RLE|DELTAVAL|DELTARANGE_COMP|COMMONDELTA_COMP|BLOCK_DICT|BLOCKDICT_COMP|GCDDELTA|(?:BZIP|GZIP|ZSTD(?:_FAST|_HIGH)?)_COMP)\b/i],
  // Snowflake's own objects (stages, warehouses, file formats, pipes, streams, tasks, integrations): PostgreSQL creates
  // none of them. Hive's and Spark's table storage clauses (STORED AS PARQUET, ROW FORMAT DELIMITED, TBLPROPERTIES,
  // PARTITIONED BY (…); PostgreSQL's is PARTITION BY and its STORED ends a generated column). Teradata's MULTISET tables
  // and PRIMARY INDEX. Stream engines' string-keyed connector options.
  ['analytics', new RegExp([
    '\\bCREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:(?:TEMP(?:ORARY)?|TRANSIENT)\\s+)?(?:STAGE|WAREHOUSE|FILE\\s+FORMAT|PIPE|STREAM|TASK|(?:STORAGE|NOTIFICATION|API)\\s+INTEGRATION)\\b',
    '\\bSTORED\\s+AS\\s+(?:PARQUET|ORC|TEXTFILE|AVRO|SEQUENCEFILE|RCFILE|JSONFILE|INPUTFORMAT)\\b', '\\bROW\\s+FORMAT\\s+(?:DELIMITED|SERDE)\\b',
    '\\bTBLPROPERTIES\\s*\\(', '\\bPARTITIONED\\s+BY\\s*\\(',
    '\\bCREATE\\s+MULTISET\\s+(?:(?:GLOBAL\\s+TEMPORARY|VOLATILE)\\s+)?TABLE\\b', '\\b(?:UNIQUE\\s+)?PRIMARY\\s+INDEX\\s*\\(',
    // A WITH option list keyed by strings (`WITH ('connector' = 'kafka')`): the connector options of stream engines'
    // tables and views (Flink, Feldera). PostgreSQL's storage parameters and COPY, publication or subscription options
    // are keyed by bare names (`WITH (fillfactor = 70)`), never by a string.
    "\\bWITH\\s*\\(\\s*'(?:[^'\\n]|'')*'\\s*=",
  ].join('|'), 'i')],
  // Redshift, a PostgreSQL-compatible engine (its statements skipped alone: otherDialectCounts): a table's distribution
  // style and key, its sort keys, a column's compression ENCODE. PostgreSQL has none of these words as syntax. A
  // `DISTKEY (…)`/`SORTKEY (…)` only where a table's options go, after its column list's `)` or its name
  // (`CREATE TABLE t SORTKEY (d) AS SELECT …`): elsewhere `sortkey(title)` is a call of a function of that name.
  ['compatible', /\bDISTSTYLE\s+(?:EVEN|KEY|ALL|AUTO)\b|\b(?:COMPOUND|INTERLEAVED)\s+SORTKEY\b|(?:\)|\bTABLE\s+[\w."]+)\s*(?:DISTKEY|SORTKEY)\s*\(\s*[\w"]+(?:\s*,\s*[\w"]+)*\s*\)|\bSORTKEY\s+AUTO\b|\bENCODE\s+(?:ZSTD|LZO|AZ64|RAW|BYTEDICT|DELTA(?:32K)?|MOSTLY(?:8|16|32)|RUNLENGTH|TEXT(?:255|32K))\b/i],
  ['oracle', /\bVARCHAR2\b|\bNUMBER\s*\(\s*\d|\bSYSDATE\b|\bFROM\s+DUAL\b|\bNVL\s*\(|\bROWNUM\b|\bEXECUTE\s+IMMEDIATE\b|\bCREATE\s+(?:OR\s+REPLACE\s+)?PACKAGE\b|^[^\S\r\n\u2028\u2029]*\/[^\S\r\n\u2028\u2029]*$/im],
  // Oracle's DDL and queries PostgreSQL has no form of: hierarchical CONNECT BY, DROP TABLE … CASCADE CONSTRAINTS, a
  // sequence's one-word NOCACHE/NOCYCLE/NOMAXVALUE/NOMINVALUE/NOORDER (PostgreSQL writes NO CYCLE…), ALTER SESSION SET,
  // a constraint enabled or disabled by ALTER TABLE, an index made UNUSABLE or REBUILT, a GRANT of an ANY privilege; and
  // SQL*Plus's own settings (SET ECHO OFF, SET SERVEROUTPUT ON: PostgreSQL's SET takes TO or = before a value) and
  // WHENEVER SQLERROR. (ALTER SESSION SET is Snowflake's too: another engine's all the same.)
  ['oracle', new RegExp([
    '\\bCONNECT\\s+BY\\b', '\\bCASCADE\\s+CONSTRAINTS\\b', '\\b(?:CREATE|ALTER)\\s+SEQUENCE\\s[^;]*\\bNO(?:CACHE|CYCLE|MAXVALUE|MINVALUE|ORDER)\\b',
    '\\bALTER\\s+SESSION\\s+SET\\b', '\\bALTER\\s+TABLE\\s+\\S+\\s+(?:ENABLE|DISABLE)\\s+(?:(?:NO)?VALIDATE\\s+)?CONSTRAINT\\b',
    '\\bALTER\\s+INDEX\\s+\\S+\\s+(?:UNUSABLE|REBUILD)\\b', '\\b(?:GRANT|REVOKE)\\s+(?:[A-Za-z_]+\\s+)*ANY\\s+(?:DICTIONARY|TABLE|SEQUENCE|PROCEDURE|VIEW|INDEX|TRIGGER|TYPE|PRIVILEGE)\\b',
    '^[^\\S\\r\\n\\u2028\\u2029]*SET\\s+(?:ECHO|SERVEROUTPUT|PAGESIZE|LINESIZE|FEEDBACK|VERIFY|HEADING|TERMOUT|TRIMSPOOL|TRIMOUT|DEFINE|AUTOTRACE|SQLBLANKLINES|COLSEP|NEWPAGE)\\s+(?!TO\\b|=)[^\\s=]',
    '^[^\\S\\r\\n\\u2028\\u2029]*WHENEVER\\s+(?:SQLERROR|OSERROR)\\b',
  ].join('|'), 'im')],
  // YugabyteDB, a PostgreSQL-compatible engine whose other syntax is PostgreSQL's own: its tablet splitting, hash and
  // range sharded key columns and tablegroups (yugabyteClauses.ts). Last, so another engine's statement stays that
  // engine's; the rest of such a statement is still judged (withoutYugabyteClauses).
  ['compatible', { test: (statement) => yugabyteClauseRanges(statement).length > 0 }],
];

/**
 * The other dialect of a statement PostgreSQL parsed as a SET: only MySQL's SETs look like ours. A cheap,
 * anchored test first (it runs on every session-set candidate), the full check on a hit.
 */
export function dialectOfSetStatement(statement: string): OtherDialect | undefined {
  return MYSQL_SET_STATEMENT.test(statement) ? dialectOfStatement(statement) : undefined;
}

/** The other dialect a statement is written in, if its syntax (outside strings and comments) says so. */
export function dialectOfStatement(statement: string): OtherDialect | undefined {
  // Strings and comments only ever add matches: test the text as it is first, and strip them only on a hit.
  if (!STATEMENT_DIALECTS.some(([, pattern]) => pattern.test(statement))) return undefined;
  const code = replaceLiteralsAndComments(statement, "''");
  for (const [dialect, pattern] of STATEMENT_DIALECTS) if (pattern.test(code)) return dialect;
  return undefined;
}

/**
 * A YugabyteDB statement as PostgreSQL's parser should read it: with YugabyteDB's own clauses blanked (offsets and lines
 * kept), so that a mistake elsewhere in it (a column left without a type beside `SPLIT INTO 3 TABLETS`) is still found
 * where it is. YSQL is PostgreSQL's grammar besides those clauses. Undefined when the statement has none. Redshift's
 * statements are not read so: its SQL differs from PostgreSQL's in more than the keys that mark it (IDENTITY(1, 1),
 * its own functions and types), so what remains of such a statement is no PostgreSQL to judge.
 */
export function withoutYugabyteClauses(statement: string): string | undefined {
  const ranges = yugabyteClauseRanges(replaceLiteralsAndComments(statement));
  return ranges.length > 0 ? blankedRanges(statement, ranges) : undefined;
}

/**
 * Syntax that only other engines have and that PostgreSQL never accepts, whichever statement of a query text it stands
 * in: backquoted names (MySQL, MariaDB, BigQuery, SQLite, Spark, ClickHouse: `` `project.dataset.table` ``), BigQuery's
 * and Hive's CLUSTER BY (PostgreSQL's CLUSTER is a statement of its own, never followed by BY), BigQuery's ARRAY<…> type,
 * its INT64/FLOAT64/BIGNUMERIC as a cast's type and INT64/FLOAT64/STRING/BYTES/DATETIME/BIGNUMERIC as a script variable's (PostgreSQL has none of these
 * names), and a script's END WHILE (PL/pgSQL ends a loop with END LOOP). Matched on the text with its strings, dollar
 * quotes, comments and quoted names blanked out, so a backquote in `'a `b` c'` or `-- use `x`` is no marker.
 */
const OTHER_ENGINE_TEXT = new RegExp([
  BACKQUOTED_NAME,
  '\\bCLUSTER\\s+BY\\b',
  '(?<![.\\w$])ARRAY\\s*<',
  // Not BYTES: `AS bytes)` is as often a PostgreSQL column alias closing a subquery (pg_database_size(…) AS bytes).
  '\\bAS\\s+(?:INT64|FLOAT64|BIGNUMERIC)\\s*\\)',
  '\\bDECLARE\\s+[A-Za-z_]\\w*(?:\\s*,\\s*[A-Za-z_]\\w*)*\\s+(?:INT64|FLOAT64|STRING|BIGNUMERIC|BYTES|DATETIME)\\b',
  '\\bEND\\s+WHILE\\b',
].join('|'), 'i');
/** A double-quoted name (PostgreSQL's quoted identifier), blanked out with the strings before OTHER_ENGINE_TEXT is matched. */
const QUOTED_NAME = /"(?:[^"\n]|"")*"/g;

/**
 * Whether a query text an application sends (one message, perhaps several statements) is written for another engine as a
 * whole: one of its statements has syntax no PostgreSQL statement has (OTHER_ENGINE_TEXT). A BigQuery script's statements
 * that happen to parse as PostgreSQL (`CREATE TEMP TABLE names AS SELECT …` beside `CREATE TEMP TABLE t CLUSTER BY …` and
 * `` FROM `project.dataset.table` ``) are never sent to PostgreSQL either. Narrower than dialectOfStatement, whose weaker
 * signs (an unquoted `user` table, a `""` value) decide only for a statement that failed to parse.
 */
export function otherEngineText(text: string): boolean {
  // Strings and comments only ever add matches: test the text as it is first.
  if (!OTHER_ENGINE_TEXT.test(text)) return false;
  return OTHER_ENGINE_TEXT.test(replaceLiteralsAndComments(text, "''").replace(QUOTED_NAME, '""'));
}

/**
 * Whether a statement that failed to parse is surely meant as PostgreSQL as written. False for other
 * dialects and for templates: the text PostgreSQL would receive is not this one, so a parse error here
 * says nothing.
 */
export function surelyPostgresStatement(statement: string): boolean {
  return !hasTemplateMarkers(statement) && dialectOfStatement(statement) === undefined;
}
