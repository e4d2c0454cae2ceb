// PostgreSQL's own regression scripts kept in another project as test input (a parser's or linter's snapshot tests
// parse them), and folders named for a regression suite: test scripts, not the application's SQL.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** Top-level session state a pooler would leak: a SET, a temporary table, a SQL PREPARE and a session advisory lock. */
const SESSION_STATE = [
  'SET datestyle = ISO, YMD;',
  'CREATE TEMP TABLE scratch (id int);',
  'PREPARE q(int) AS SELECT $1;',
  'SELECT pg_advisory_lock(42);',
  '',
].join('\n');
const SESSION_STATE_RULES = ['session-set', 'temp-table', 'prepared-statement', 'advisory-lock'];
/** A routine that leaves a temporary table behind in whichever session calls it. */
const ROUTINE = `CREATE FUNCTION stage() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE staged (id int);
END $$;
`;

/** The given names as empty `.sql` files of `folder`. */
function scripts(folder: string, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [`${folder}/${name}.sql`, '']));
}

const COPIED = ['horology', 'tstypes', 'opr_sanity', 'rangefuncs', 'polymorphism', 'int4', 'float8', 'select_having',
  'create_table_like', 'insert_conflict', 'numerology', 'updatable_views'];

test('a folder of copied PostgreSQL regression scripts is test input: no pooling findings, not even in the routines it creates', (t) => {
  const repository = scratchRepository('pg-regress-copy', t);
  repository.writeAll({
    // The suite's generic names outnumber its own ones here: they count towards the copy's majority of the folder.
    ...scripts('postgres/suite', [...COPIED, 'insert', 'update', 'delete', 'select', 'create_table', 'alter_table', 'json',
      'triggers', 'temp', 'with', 'window', 'join', 'sequence', 'privileges', 'brand_new_test']),
    ...scripts('postgres/plpgsql', ['plpgsql_array', 'plpgsql_cache', 'plpgsql_call', 'plpgsql_control', 'plpgsql_copy',
      'plpgsql_domain', 'plpgsql_misc', 'plpgsql_record', 'plpgsql_simple', 'plpgsql_transaction', 'plpgsql_trap']),
  });
  // Every script of the copy, its generic names and one the list does not know (a newer release's) included.
  for (const name of ['horology', 'insert', 'brand_new_test']) {
    const file = repository.path('postgres', 'suite', `${name}.sql`);
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, file), [], name);
    assert.deepEqual(analyzeSql(ROUTINE, undefined, file), [], name);
  }
  assert.deepEqual(analyzeSql(ROUTINE, undefined, repository.path('postgres', 'plpgsql', 'plpgsql_trap.sql')), []);
  // A statement the copy's parser cannot read keeps its syntax error, as in any other test script without a recorded output.
  assert.deepEqual(analyzeSql('DROP TABLE;\n', undefined, repository.path('postgres', 'suite', 'horology.sql')).map((f) => f.rule), ['syntax-error']);
});

test('an application folder named like some of PostgreSQL\'s regression scripts keeps its findings', (t) => {
  const repository = scratchRepository('pg-regress-lookalike', t);
  repository.writeAll({
    // Generic names an application or a course gives its own scripts.
    ...scripts('db', ['schema', 'users', 'insert', 'update', 'delete', 'select', 'create_table', 'alter_table', 'create_index',
      'create_view', 'join', 'union', 'with', 'window', 'sequence', 'triggers', 'json', 'text', 'date', 'privileges']),
    ...scripts('migrations', ['schema', 'insert', 'create_table', 'users', 'horology', 'int4', 'float8']),
    // Enough PostgreSQL names, but beside more of the project's own scripts.
    ...scripts('sql', [...COPIED, ...Array.from({ length: 13 }, (_, i) => `report_${i}`)]),
    // Most of the folder, but too few to be a copy of the suite.
    ...scripts('checks', ['horology', 'int4', 'float8', 'numerology', 'orders']),
  });
  for (const path of [['db', 'insert.sql'], ['db', 'schema.sql'], ['migrations', 'horology.sql'], ['sql', 'horology.sql'], ['checks', 'int4.sql']]) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, repository.path(...path)).map((f) => f.rule), SESSION_STATE_RULES, path.join('/'));
  }
});

test('a folder named for a regression suite is a test folder: its statements have no session findings, its functions keep theirs', () => {
  for (const path of ['postgres/regression_suite/cases.sql', 'regression-tests/seed.sql', 'regression_tests/seed.sql',
    'regress_sql/cases.sql', 'pooler/pg_regress/cases.sql', 'RegressionSuite/cases.sql']) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, path), [], path);
    // As in any test folder, a function the script creates may be the application's own, called later through its pool.
    assert.deepEqual(analyzeSql(ROUTINE, undefined, path).map((f) => f.rule), ['temp-table'], path);
  }
  // A statistics folder (linear regression in SQL) and names that only contain the word are application SQL.
  for (const path of ['analytics/regression/slopes.sql', 'src/regression_model/fit.sql', 'db/regression.sql', 'regressions/q.sql']) {
    assert.deepEqual(analyzeSql(SESSION_STATE, undefined, path).map((f) => f.rule), SESSION_STATE_RULES, path);
  }
});

