// PostgreSQL extension scripts and the PL/pgSQL they define: install/update scripts run by CREATE/ALTER
// EXTENSION in the installing session; `@extschema@` is substituted before they run; the functions they
// create are still read, with the body's own lock/unlock pairs, assignments and commented EXECUTEs
// understood.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';

before(() => initAnalysis());

const rules = (sql: string, file?: string): string[] => analyzeSql(sql, undefined, file).map((f) => f.rule);

/** A scratch source tree with the given files (no control file unless one is given). */
function sourceTree(t: Cleanup, files: Record<string, string>): string {
  return scratchRepository('src', t).writeAll(files);
}

/** A scratch extension source tree: `<root>/widgets.control`, with the given files. */
function extensionTree(t: Cleanup, files: Record<string, string>): string {
  return sourceTree(t, { 'widgets.control': "default_version = '1.1'\n", ...files });
}

const SCRIPT_STATE = `SET search_path = widgets_old;
SET LOCAL client_min_messages = warning;
CREATE TEMP TABLE saved_settings AS SELECT * FROM settings;
`;
const STATEFUL_FUNCTION = `CREATE FUNCTION remember(v text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('widgets.last', v, false);
END $$;
`;

test('an extension update or install script beside its control file runs in its own session: no findings for its statements', (t) => {
  const root = extensionTree(t, {});
  for (const name of ['widgets--1.0--1.1.sql', 'widgets--1.1.sql', 'updates/widgets--1.0.2--1.1.sql', 'sql/updates/widgets--1.0--1.0.1.sql', 'sql/widgets.sql']) {
    assert.deepEqual(rules(SCRIPT_STATE, join(root, name)), [], name);
  }
  // The functions an extension script creates run later, in the application's sessions.
  assert.deepEqual(rules(SCRIPT_STATE + STATEFUL_FUNCTION, join(root, 'updates', 'widgets--1.0--1.1.sql')), ['session-set']);
});

test('a file named like an extension script without the extension\'s control file is application SQL', (t) => {
  const root = extensionTree(t, {});
  const outside = ['session-set', 'set-local-outside-transaction', 'temp-table'];
  assert.deepEqual(rules(SCRIPT_STATE, join(root, 'gadgets--1.0--1.1.sql')), outside);
  assert.deepEqual(rules(SCRIPT_STATE, join(root, 'queries.sql')), outside);
  // A plain `<ext>.sql` counts only beside its control file or one folder down.
  assert.deepEqual(rules(SCRIPT_STATE, join(root, 'a', 'b', 'widgets.sql')), outside);
  assert.deepEqual(rules(SCRIPT_STATE), outside);
});

test('a versioned script under another name among an extension\'s scripts (a renamed extension, or one the build pastes in) runs in its own session too', (t) => {
  const root = extensionTree(t, { 'sql/widgets--1.1--1.2.sql': 'SELECT 1;\n', 'lib/readme.txt': 'notes\n' });
  const outside = ['session-set', 'set-local-outside-transaction', 'temp-table'];
  assert.deepEqual(rules(SCRIPT_STATE, join(root, 'sql', 'gizmos--0.9--1.0.sql')), []);
  assert.deepEqual(rules(SCRIPT_STATE, join(root, 'sql', 'gizmos--1.0.sql')), []);
  // Only versioned names count, and only in a folder that holds the extension's own scripts.
  assert.deepEqual(rules(SCRIPT_STATE, join(root, 'sql', 'gizmos.sql')), outside);
  assert.deepEqual(rules(SCRIPT_STATE, join(root, 'lib', 'gizmos--0.9--1.0.sql')), outside);
});

test('@extschema@ stands for a schema name: no syntax error, and the function it names is still read', () => {
  const sql = `CREATE FUNCTION @extschema@.stash(p text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TEMP TABLE IF NOT EXISTS stash_rows (LIKE %I INCLUDING INDEXES)', p);
  INSERT INTO @extschema@.log VALUES (p);
END $$;
GRANT EXECUTE ON FUNCTION @extschema@.stash(text) TO @extowner@;
`;
  assert.deepEqual(rules(sql), ['temp-table']);
  // ON COMMIT DROP in the dynamic statement is transaction-scoped: nothing to report.
  assert.deepEqual(rules(sql.replace('INCLUDING INDEXES)', 'INCLUDING INDEXES) ON COMMIT DROP')), []);
  // A real error elsewhere in a statement with a placeholder is not reported (the text is a template).
  assert.deepEqual(rules('CREATE TABLE @extschema@.t (id int,);'), []);
  assert.deepEqual(rules('CREATE TABLE widgets.t (id int,);'), ['syntax-error']);
});

test('a PL/pgSQL EXECUTE after a comment is dynamic SQL, not a prepared statement', () => {
  const body = (statement: string): string => `CREATE FUNCTION add_check(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF t IS NOT NULL THEN
    ${statement}
  END IF;
END $$;`;
  for (const comment of ['-- positional format arguments', '/* the same column twice */']) {
    assert.deepEqual(rules(body(`${comment}\n    EXECUTE format('ALTER TABLE %I ADD CHECK (%2$s > 0 AND %2$s < 9)', t, 'n');`)), [], comment);
    // The dynamic statement's own kind still counts after a comment, and after IF … THEN.
    assert.deepEqual(rules(body(`${comment}\n    EXECUTE 'LISTEN ' || quote_ident(t);`)), ['listen'], comment);
  }
  const conditional = `CREATE FUNCTION f(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF t = 'a;b' THEN EXECUTE format('CREATE TEMP TABLE %I (id int)', t);
  ELSIF t IS NULL THEN EXECUTE 'LISTEN x';
  END IF;
END $$;`;
  assert.deepEqual(rules(conditional), ['temp-table', 'listen']);
  // SQL EXECUTE of a prepared statement, after a comment, still is one.
  assert.deepEqual(rules('-- run it\nEXECUTE fetch_user(1);'), ['prepared-statement']);
});

const lockBody = (statements: string, handler = ''): string => `CREATE FUNCTION nightly() RETURNS void LANGUAGE plpgsql AS $$
DECLARE got boolean;
BEGIN
  ${statements}
${handler}END $$;`;

test('a body that takes a session advisory lock and releases it in its handler too: neither call is flagged', () => {
  const statements = `got := pg_try_advisory_lock(hashtext('nightly'));
  IF NOT got THEN RETURN; END IF;
  UPDATE jobs SET ran_at = now();
  PERFORM pg_advisory_unlock(hashtext('nightly'));`;
  const handler = `EXCEPTION WHEN OTHERS THEN
  PERFORM pg_advisory_unlock(hashtext( 'nightly' ));
  RAISE;
`;
  assert.deepEqual(rules(lockBody(statements, handler)), []);
  // pg_advisory_unlock_all in the handler releases it as well.
  assert.deepEqual(rules(lockBody(statements, 'EXCEPTION WHEN OTHERS THEN\n  PERFORM pg_advisory_unlock_all();\n  RAISE;\n')), []);
});

test('a body that releases its own session lock only on the normal path: the lock is flagged (errors leak it), the unlock is not', () => {
  const statements = `got := pg_try_advisory_lock(hashtext('nightly'));
  UPDATE jobs SET ran_at = now();
  PERFORM pg_advisory_unlock(hashtext('nightly'));`;
  const findings = analyzeSql(lockBody(statements, 'EXCEPTION WHEN OTHERS THEN\n  RAISE;\n'));
  assert.deepEqual(findings.map((f) => f.rule), ['advisory-lock']);
  assert.match(findings[0].message, /only when it reaches its unlock/);
  assert.equal(findings[0].fix, undefined);
  // A procedure that commits between batches holds it across its transactions: flagged the same way.
  const procedure = `CREATE PROCEDURE batches() LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_lock(7);
  FOR i IN 1..3 LOOP
    DELETE FROM queue WHERE id IN (SELECT id FROM queue LIMIT 100);
    COMMIT;
  END LOOP;
  PERFORM pg_advisory_unlock(7);
END $$;`;
  assert.deepEqual(rules(procedure), ['advisory-lock']);
});

test('a lock and an unlock of different keys, or an unlock alone, are still flagged as before', () => {
  assert.deepEqual(rules(lockBody(`PERFORM pg_advisory_lock(1);\n  PERFORM pg_advisory_unlock(2);`)), ['advisory-lock', 'advisory-lock']);
  // Exclusive and shared locks of one key are different locks.
  assert.deepEqual(rules(lockBody(`PERFORM pg_advisory_lock(1);\n  PERFORM pg_advisory_unlock_shared(1);`)), ['advisory-lock', 'advisory-lock']);
  assert.deepEqual(rules(lockBody(`PERFORM pg_advisory_unlock(hashtext('nightly'));`)), ['advisory-lock']);
  // An unlock before the lock releases something an earlier call took.
  assert.deepEqual(rules(lockBody(`PERFORM pg_advisory_unlock(1);\n  PERFORM pg_advisory_lock(1);`)), ['advisory-lock', 'advisory-lock']);
  // A lock alone, also when taken in an assignment.
  assert.deepEqual(rules(lockBody(`got := pg_try_advisory_lock(42);`)), ['advisory-lock']);
  // Outside a function body, statements are separate calls that may run on separate connections.
  assert.deepEqual(rules('SELECT pg_advisory_lock(1);\nSELECT pg_advisory_unlock(1);'), ['advisory-lock', 'advisory-lock']);
});

test('PL/pgSQL assignments are read as expressions: session state in them is found, safe calls are not', () => {
  assert.deepEqual(rules(lockBody(`got := set_config('app.user', 'x', false) IS NOT NULL;`)), ['session-set']);
  assert.deepEqual(rules(lockBody(`got := pg_try_advisory_xact_lock(42);`)), []);
  assert.deepEqual(rules(lockBody(`got = set_config('app.user', 'x', true) IS NOT NULL;`)), []);
});

const UPDATE_SCRIPT_STATE = `SET timescaledb.restoring = on;
DO $$ BEGIN
  SET search_path = pg_catalog;
END $$;
SET timescaledb.restoring = off;
`;

test('an update script source named by its versions (`2.13.1--2.14.0.sql`) in an extension\'s tree runs inside ALTER EXTENSION UPDATE: no findings for its SETs', (t) => {
  // The build names the extension from a configured `<ext>.control.in`; a plain `.control` counts as well.
  for (const control of ['gizmo.control.in', 'gizmo.control']) {
    const root = sourceTree(t, { [control]: "default_version = '@PROJECT_VERSION@'\n" });
    for (const name of ['sql/updates/2.13.1--2.14.0.sql', 'sql/updates/2.14.0--2.13.1.sql', 'sql/1.0--1.1.sql', 'upgrade/v0.9.2--v1.0.0-beta1.sql']) {
      assert.deepEqual(rules(UPDATE_SCRIPT_STATE, join(root, name)), [], `${control}: ${name}`);
    }
  }
});

test('a function an update script source creates keeps its findings: its body runs later in the callers\' sessions', (t) => {
  const root = sourceTree(t, { 'gizmo.control.in': "default_version = '2.14.0'\n" });
  const createsFunction = `${UPDATE_SCRIPT_STATE}CREATE OR REPLACE FUNCTION gizmo.begin_restore() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  SET timescaledb.restoring = on;
END $$;
`;
  assert.deepEqual(rules(createsFunction, join(root, 'sql', 'updates', '2.13.1--2.14.0.sql')), ['session-set']);
});

test('a version-named script outside an extension\'s source tree, or not named by two versions, keeps its findings', (t) => {
  // No control file anywhere above: an application's migration that happens to be named by versions.
  const app = sourceTree(t, { 'package.json': '{}\n' });
  assert.deepEqual(rules(UPDATE_SCRIPT_STATE, join(app, 'sql', 'updates', '2.13.1--2.14.0.sql')), ['session-set', 'session-set', 'session-set']);
  // In an extension's tree, only `<version>--<version>.sql` is an update script's source.
  const extension = sourceTree(t, { 'gizmo.control.in': "default_version = '2.14.0'\n" });
  for (const name of ['sql/updates/latest--init.sql', 'sql/updates/2024-01-01.sql', 'sql/updates/post-update.sql']) {
    assert.deepEqual(rules(UPDATE_SCRIPT_STATE, join(extension, name)), ['session-set', 'session-set', 'session-set'], name);
  }
  // A control file more than three folders above does not reach the script.
  assert.deepEqual(rules(UPDATE_SCRIPT_STATE, join(extension, 'a', 'b', 'c', 'd', '1.0--1.1.sql')), ['session-set', 'session-set', 'session-set']);
});

test('a chain of extension-style scripts without a control file (an install script and an update starting from its version) runs whole in its own session; its functions keep their findings', (t) => {
  const root = sourceTree(t, {
    'db/versions/ledger--2.0.sql': 'SELECT 1;\n',
    'db/versions/ledger--2.0--2.1.sql': 'SELECT 1;\n',
  });
  for (const name of ['ledger--2.0.sql', 'ledger--2.0--2.1.sql', 'ledger--2.1--2.2.sql', 'ledger--next.sql']) {
    assert.deepEqual(rules(SCRIPT_STATE, join(root, 'db', 'versions', name)), [], name);
  }
  assert.deepEqual(rules(SCRIPT_STATE + STATEFUL_FUNCTION, join(root, 'db', 'versions', 'ledger--2.1--2.2.sql')), ['session-set']);
});

test('a lone double-dashed name, an update without the install script it starts from, or another name beside a chain is no chain: application SQL', (t) => {
  const outside = ['session-set', 'set-local-outside-transaction', 'temp-table'];
  const lone = sourceTree(t, { 'sql/report--monthly.sql': 'SELECT 1;\n' });
  assert.deepEqual(rules(SCRIPT_STATE, join(lone, 'sql', 'report--monthly.sql')), outside);
  // Updates only: nothing installs the version the first one starts from.
  const updates = sourceTree(t, { 'sql/ledger--1.0--1.1.sql': 'SELECT 1;\n', 'sql/ledger--1.1--1.2.sql': 'SELECT 1;\n' });
  assert.deepEqual(rules(SCRIPT_STATE, join(updates, 'sql', 'ledger--1.2--1.3.sql')), outside);
  // An update whose start no install script of the folder has.
  const unlinked = sourceTree(t, { 'sql/ledger--3.0.sql': 'SELECT 1;\n', 'sql/ledger--1.0--1.1.sql': 'SELECT 1;\n' });
  assert.deepEqual(rules(SCRIPT_STATE, join(unlinked, 'sql', 'ledger--1.0--1.1.sql')), outside);
  // Another name in the folder of a chain.
  const chain = sourceTree(t, { 'sql/ledger--1.0.sql': 'SELECT 1;\n', 'sql/ledger--1.0--1.1.sql': 'SELECT 1;\n' });
  assert.deepEqual(rules(SCRIPT_STATE, join(chain, 'sql', 'audit--1.0--1.1.sql')), outside);
  assert.deepEqual(rules(SCRIPT_STATE, join(chain, 'sql', 'queries.sql')), outside);
});

test('a schema versioned with single dashes (an install script at a version, upgrades that link up to it) runs each script whole in its own session; its functions keep their findings', (t) => {
  const root = sourceTree(t, {
    'schema/broker-1.4.sql': 'SELECT 1;\n',
    'schema/broker-1.2-1.3.sql': 'SELECT 1;\n',
    'schema/broker-1.3-1.4.sql': 'SELECT 1;\n',
    'schema/broker-1.4-2.0.sql': 'SELECT 1;\n',
    'schema/broker-2.0-2.0.1.sql': 'SELECT 1;\n',
    'schema/broker-v2.0.1-v2.1.sql': 'SELECT 1;\n',
  });
  // Before the install's version, after it, chained through another upgrade, with a `v` before the versions, and the install itself.
  for (const name of ['broker-1.2-1.3.sql', 'broker-1.4-2.0.sql', 'broker-2.0-2.0.1.sql', 'broker-v2.0.1-v2.1.sql', 'broker-1.4.sql']) {
    assert.deepEqual(rules(SCRIPT_STATE, join(root, 'schema', name)), [], name);
  }
  // What the scripts create still runs later in the application's sessions.
  assert.deepEqual(rules(SCRIPT_STATE + STATEFUL_FUNCTION, join(root, 'schema', 'broker-1.4-2.0.sql')), ['session-set']);
});

test('upgrade scripts with single dashes beside a plain install script that psql runs follow it into their own session', (t) => {
  const root = sourceTree(t, {
    'tools/setup.sh': '#!/bin/sh\nset -e\npsql "$DATABASE_URL" --single-transaction -f ../db/ledger.sql\n',
    'db/ledger.sql': 'SELECT 1;\n',
    'db/ledger-0.3-0.4.sql': 'SELECT 1;\n',
    'db/ledger-0.9-1.0.sql': 'SELECT 1;\n',
  });
  for (const name of ['ledger-0.3-0.4.sql', 'ledger-0.9-1.0.sql']) assert.deepEqual(rules(SCRIPT_STATE, join(root, 'db', name)), [], name);
});

test('dashed names that are no such chain stay application SQL: upgrades without an install, an unlinked upgrade, dates, another name, or a plain install nothing runs', (t) => {
  const outside = ['session-set', 'set-local-outside-transaction', 'temp-table'];
  const cases: [Record<string, string>, string][] = [
    // Upgrades only, nothing installs a version they reach.
    [{ 'sql/orders-1.0-1.1.sql': 'SELECT 1;\n', 'sql/orders-1.1-1.2.sql': 'SELECT 1;\n' }, 'orders-1.1-1.2.sql'],
    // An install at 3.0 and an upgrade far from it.
    [{ 'sql/orders-3.0.sql': 'SELECT 1;\n', 'sql/orders-1.0-1.1.sql': 'SELECT 1;\n' }, 'orders-1.0-1.1.sql'],
    // Date-stamped migrations are not versions.
    [{ 'sql/orders-2024-01-05.sql': 'SELECT 1;\n', 'sql/orders-2024.sql': 'SELECT 1;\n' }, 'orders-2024-01-05.sql'],
    // Queries for server version ranges (`-7.4`, `-8.0-8.1`): the range touches no install's version, nor the install any range.
    [{ 'sql/bloat-7.4.sql': 'SELECT 1;\n', 'sql/bloat-8.0-8.1.sql': 'SELECT 1;\n' }, 'bloat-7.4.sql'],
    [{ 'sql/bloat-7.4.sql': 'SELECT 1;\n', 'sql/bloat-8.0-8.1.sql': 'SELECT 1;\n' }, 'bloat-8.0-8.1.sql'],
    // Another name beside a chain.
    [{ 'sql/orders-1.0.sql': 'SELECT 1;\n', 'sql/orders-1.0-1.1.sql': 'SELECT 1;\n', 'sql/audit-1.0-1.1.sql': 'SELECT 1;\n' }, 'audit-1.0-1.1.sql'],
    // A plain install script nothing runs: its upgrades prove nothing.
    [{ 'sql/orders.sql': 'SELECT 1;\n', 'sql/orders-1.0-1.1.sql': 'SELECT 1;\n' }, 'orders-1.0-1.1.sql'],
  ];
  for (const [files, name] of cases) assert.deepEqual(rules(SCRIPT_STATE, join(sourceTree(t, files), 'sql', name)), outside, name);
});
