// PostgreSQL's own regression scripts (src/test/regress/sql, and PL/pgSQL's src/pl/plpgsql/src/sql) copied into another
// project: a SQL parser, formatter or linter keeps them as test input (its tests parse each file for a snapshot), often
// without PostgreSQL's expected outputs, so pg_regress' layout (ownSession.ts isPgRegressInput) does not show them.
// What they set, lock, prepare or create is PostgreSQL's test of that feature, run, if ever, by pg_regress in a
// regression database of its own: test scripts, whose routines are the suite's too.
import { dirname, resolve } from 'node:path';
import { folderEntries } from './folderEntries';
import { isSqlFileName } from './sqlFileNames';
import { CACHE_MS, TimedCache } from './timedCache';

/**
 * Names of PostgreSQL's regression scripts (releases 9.x to 19, without `.sql`) that no application gives its own
 * scripts: type and planner tests (`horology`, `int4`, `opr_sanity`, `rangefuncs`), a feature with the suite's own
 * suffix (`select_having`, `create_table_like`, `copy2`), PL/pgSQL's suite (`plpgsql_trap`). Only these count towards
 * a copy (MIN_COPIED_SCRIPTS).
 */
const POSTGRES_REGRESSION_SCRIPTS: ReadonlySet<string> = new Set([
  'abstime', 'alter_generic', 'alter_operator', 'amutils', 'bitmapops', 'brin_bloom', 'brin_multi', 'btree_index',
  'collate.icu.utf8', 'collate.linux.utf8', 'collate.utf8', 'collate.windows.win1252', 'combocid', 'compression_lz4',
  'compression_pglz', 'copy2', 'copydml', 'copyencoding', 'copyselect', 'create_am', 'create_function_0',
  'create_function_1', 'create_function_2', 'create_function_3', 'create_function_c', 'create_function_sql',
  'create_index_spgist', 'create_misc', 'create_property_graph', 'create_table_like', 'dbsize', 'drop_if_exists',
  'drop_operator', 'eager_aggregate', 'equivclass', 'euc_kr', 'event_trigger_login', 'fast_default', 'float4', 'float8',
  'for_portion_of', 'functional_deps', 'generated_stored', 'generated_virtual', 'graph_table', 'graph_table_rls',
  'groupingsets', 'hash_func', 'hash_index', 'hash_part', 'horology', 'incremental_sort', 'index_including',
  'index_including_gist', 'indirect_toast', 'infinite_recurse', 'init_privs', 'insert_conflict', 'int2', 'int4', 'int8',
  'join_hash', 'lseg', 'memoize', 'tid', 'xid',
  'json_encoding', 'jsonb_jsonpath', 'jsonpath', 'jsonpath_encoding', 'macaddr', 'macaddr8', 'maintain_every',
  'misc_functions', 'misc_sanity', 'multirangetypes', 'mvcc', 'numa', 'numeric_big', 'numerology', 'object_address',
  'oid8', 'oidjoins', 'opr_sanity', 'partition_aggregate', 'partition_info', 'partition_join', 'partition_prune',
  'pg_dependencies', 'pg_lsn', 'pg_ndistinct', 'plancache', 'planner_est', 'polymorphism', 'portals', 'portals_p2',
  'prepared_xacts', 'psql_crosstab', 'psql_pipeline', 'rangefuncs', 'rangetypes', 'regproc', 'reindex_catalog',
  'reloptions', 'reltime', 'replica_identity', 'roleattributes', 'rowtypes', 'sanity_check', 'select_distinct_on',
  'select_having', 'select_implicit', 'select_into', 'select_parallel', 'select_views', 'spgist', 'sqljson',
  'sqljson_jsontable', 'sqljson_queryfuncs', 'stats_ext', 'stats_import', 'stats_rewrite', 'sysviews', 'tablesample',
  'test_setup', 'tidrangescan', 'tidscan', 'timetz', 'tinterval', 'tsdicts', 'tsrf', 'tstypes', 'tuplesort', 'txid',
  'type_sanity', 'typed_table', 'updatable_views', 'vacuum_parallel', 'without_oid', 'without_overlaps',
  'write_parallel', 'xmlmap',
  // PL/pgSQL's own suite.
  'plpgsql_array', 'plpgsql_cache', 'plpgsql_call', 'plpgsql_control', 'plpgsql_copy', 'plpgsql_domain', 'plpgsql_misc',
  'plpgsql_record', 'plpgsql_simple', 'plpgsql_transaction', 'plpgsql_trap', 'plpgsql_trigger', 'plpgsql_varprops',
]);

/**
 * The suite's other names: generic ones an application's migrations or a course's folder of scripts use too
 * (`insert`, `create_table`, `json`, `triggers`, `advisory_lock`). They never make a folder a copy, but a copy holds
 * them, so they count with the names above towards its majority of the folder.
 */
const SHARED_REGRESSION_SCRIPT_NAMES: ReadonlySet<string> = new Set([
  'advisory_lock', 'aggregates', 'alter_table', 'arrays', 'async', 'bit', 'boolean', 'box', 'brin', 'case', 'char',
  'circle', 'cluster', 'collate', 'comments', 'compression', 'constraints', 'conversion', 'copy', 'create_aggregate',
  'create_cast', 'create_index', 'create_operator', 'create_procedure', 'create_role', 'create_schema', 'create_table',
  'create_type', 'create_view', 'database', 'date', 'delete', 'dependency', 'domain', 'encoding', 'enum', 'errors',
  'event_trigger', 'explain', 'expressions', 'foreign_data', 'foreign_key', 'geometry', 'gin', 'gist', 'guc', 'identity',
  'indexing', 'inet', 'inherit', 'insert', 'interval', 'join', 'json', 'jsonb', 'largeobject', 'limit', 'line', 'lock',
  'matview', 'md5', 'merge', 'misc', 'money', 'name', 'namespace', 'nls', 'numeric', 'oid', 'partition_merge',
  'partition_split', 'password', 'path', 'plpgsql', 'point', 'polygon', 'predicate', 'prepare', 'privileges',
  'publication', 'random', 'regex', 'returning', 'rowsecurity', 'rules', 'security_label', 'select', 'select_distinct',
  'sequence', 'stats', 'strings', 'subscription', 'subselect', 'tablespace', 'temp', 'text', 'time', 'timestamp',
  'timestamptz', 'transactions', 'triggers', 'truncate', 'tsearch', 'unicode', 'union', 'update', 'uuid', 'vacuum',
  'varchar', 'window', 'with', 'xml',
]);

/**
 * How many of a folder's `.sql` files must bear those names for it to be a copy of the suite: PostgreSQL's holds over
 * two hundred scripts (PL/pgSQL's thirteen), a copy of part of it dozens; a project's own folder that happens to hold a
 * `float8.sql` or an `int4.sql` holds a few.
 */
const MIN_COPIED_SCRIPTS = 10;
/** Bound of the look at one folder (PostgreSQL's suite holds about 250 scripts). */
const MAX_SCRIPTS_PER_FOLDER = 2000;
const copiesByFolder = new TimedCache<boolean>(CACHE_MS);

/**
 * Whether the SQL file lies in a copy of PostgreSQL's regression suite: at least MIN_COPIED_SCRIPTS of its folder's
 * `.sql` files bear the suite's own names (POSTGRES_REGRESSION_SCRIPTS), and more than half of them the suite's names,
 * generic ones included. Every script of such a folder belongs to the copy, a newer release's scripts included.
 */
export function isInPostgresRegressionCopy(fileName: string): boolean {
  if (!isSqlFileName(fileName)) return false;
  const folder = dirname(resolve(fileName));
  return copiesByFolder.get(folder, () => holdsCopiedRegressionScripts(folder));
}

function holdsCopiedRegressionScripts(folder: string): boolean {
  const names = folderEntries(folder).filter((entry) => entry.isFile() && entry.name.endsWith('.sql'))
    .slice(0, MAX_SCRIPTS_PER_FOLDER).map((entry) => entry.name.slice(0, -'.sql'.length));
  const copied = names.filter((name) => POSTGRES_REGRESSION_SCRIPTS.has(name)).length;
  if (copied < MIN_COPIED_SCRIPTS) return false;
  const suiteNames = copied + names.filter((name) => SHARED_REGRESSION_SCRIPT_NAMES.has(name)).length;
  return suiteNames * 2 > names.length;
}
