// set_config's is_local given by a parameter of the routine: when that parameter defaults to false, the
// routine's ordinary call (without the argument) sets the whole session, as set_config(…, false) does.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const lines = (sql: string) => analyzeSql(sql).map((f) => [f.rule, sql.slice(0, f.start).split('\n').length]);

const plpgsql = (parameters: string, statements: string) => `CREATE FUNCTION vault.use_credentials(${parameters}) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  ${statements}
END $fn$;\n`;

test('set_config with an is_local parameter that defaults to false (by name or $n, PL/pgSQL or SQL body) is a session-set', () => {
  assert.deepEqual(lines(plpgsql('creds jsonb, scoped boolean DEFAULT false',
    "PERFORM set_config('vault.user', creds ->> 'user', scoped);\n  IF creds ? 'secret' THEN\n    PERFORM set_config('vault.secret', creds ->> 'secret', $2);\n  END IF;")),
  [['session-set', 3], ['session-set', 5]]);
  assert.deepEqual(lines(plpgsql('creds jsonb, scoped boolean = false::boolean', "PERFORM set_config('vault.user', creds ->> 'user', SCOPED);")),
    [['session-set', 3]]);
  const sqlBody = `CREATE FUNCTION vault.remember(who text, scoped bool DEFAULT false) RETURNS text LANGUAGE sql AS $fn$
  SELECT set_config('vault.user', who, scoped)
$fn$;\n`;
  assert.deepEqual(lines(sqlBody), [['session-set', 2]]);
});

test('set_config with an is_local parameter that defaults to true, has no default, or is no parameter is no session-set', () => {
  assert.deepEqual(lines(plpgsql('creds jsonb, scoped boolean DEFAULT true', "PERFORM set_config('vault.user', creds ->> 'user', scoped);")), []);
  assert.deepEqual(lines(plpgsql('creds jsonb, scoped boolean', "PERFORM set_config('vault.user', creds ->> 'user', scoped);")), []);
  // Another parameter defaults to false, not the one passed as is_local.
  assert.deepEqual(lines(plpgsql('scoped boolean, verbose boolean DEFAULT false', "PERFORM set_config('vault.user', 'x', scoped);")), []);
  // A local variable of the body with the parameter's name of another routine: nothing known about it.
  assert.deepEqual(lines(plpgsql('creds jsonb', "PERFORM set_config('vault.user', creds ->> 'user', creds ? 'local');")), []);
});

// The same flag choosing how long a dynamic temporary table lives: its default arm is what the ordinary call runs.
const snapshot = (parameters: string, choice: string) => plpgsql(parameters,
  `EXECUTE format('CREATE TEMPORARY TABLE IF NOT EXISTS %I (id bigint, body jsonb) ' || ${choice}, 'snap_' || tag);`);

test('a dynamic temporary table whose ON COMMIT DROP is the default arm of a CASE on a false-defaulting parameter is no temp-table', () => {
  assert.deepEqual(lines(snapshot('tag text, keep boolean DEFAULT false', "CASE WHEN keep THEN 'ON COMMIT PRESERVE ROWS' ELSE 'ON COMMIT DROP' END")), []);
  assert.deepEqual(lines(snapshot('tag text, keep boolean DEFAULT false', "CASE WHEN $2 THEN 'ON COMMIT PRESERVE ROWS' ELSE 'ON COMMIT DROP' END")), []);
  assert.deepEqual(lines(snapshot('tag text, discard boolean DEFAULT false', "CASE WHEN NOT discard THEN 'ON COMMIT DROP' ELSE 'ON COMMIT PRESERVE ROWS' END")), []);
});

test('a CASE whose default arm keeps the table, on a parameter without a false default, or on no parameter, keeps the temp-table', () => {
  assert.deepEqual(lines(snapshot('tag text, discard boolean DEFAULT false', "CASE WHEN discard THEN 'ON COMMIT DROP' ELSE 'ON COMMIT PRESERVE ROWS' END")), [['temp-table', 3]]);
  assert.deepEqual(lines(snapshot('tag text, keep boolean DEFAULT true', "CASE WHEN keep THEN 'ON COMMIT PRESERVE ROWS' ELSE 'ON COMMIT DROP' END")), [['temp-table', 3]]);
  assert.deepEqual(lines(snapshot('tag text, keep boolean', "CASE WHEN keep THEN 'ON COMMIT PRESERVE ROWS' ELSE 'ON COMMIT DROP' END")), [['temp-table', 3]]);
  assert.deepEqual(lines(snapshot('tag text, keep boolean DEFAULT false', "CASE WHEN current_setting('app.keep')::boolean THEN 'ON COMMIT PRESERVE ROWS' ELSE 'ON COMMIT DROP' END")), [['temp-table', 3]]);
});
