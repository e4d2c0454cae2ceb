// PL/Python routines run SQL in their caller's session through plpy.execute/plpy.prepare: the SQL of a string
// literal handed to them is read as a statement of the body (a session SET there leaks like one in PL/pgSQL).
// Also: a body that sets a custom setting and clears it back to '' — in PL/pgSQL or PL/Python.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

/** [rule, line (1-based)] of each finding. */
const found = (sql: string): [string, number][] => analyzeSql(sql).map((f) => [f.rule, sql.slice(0, f.start).split('\n').length]);

const python = (lines: string[], language = 'plpython3u'): string => [
  'CREATE FUNCTION shop.sign_in(p_user int) RETURNS text',
  `  LANGUAGE ${language}`,
  'AS $$',
  ...lines,
  '$$;',
  '',
].join('\n');

test('plpy.execute of a literal that sets a setting for the session is a session-set finding at the SET', () => {
  const body = python([
    '  import json',
    "  plpy.execute('SET \"app.role\" TO \\'staff\\'')",
    '  rows = plpy.execute("SELECT id FROM shop.orders WHERE owner = {}".format(p_user))',
    "  plpy.execute('SET search_path TO shop, public')",
    '  return json.dumps([r["id"] for r in rows])',
  ]);
  assert.deepEqual(found(body), [['session-set', 5], ['session-set', 7]]);
  for (const language of ['plpythonu', 'plpython2u']) assert.deepEqual(found(body.replace('plpython3u', language)).length, 2);
});

test('a literal with .format(…) or % fields, triple quotes or a prefix is still read; LOCAL and transaction-scoped settings are not findings', () => {
  const body = python([
    "  plpy.execute('set \"app.user_group\" TO \\'{}\\''.format(p_user))",
    '  plpy.execute("""',
    "      SELECT set_config('app.tenant', %s, false)",
    '  """ % p_user)',
    "  plpy.execute(r'SET LOCAL work_mem = \\'64MB\\'')",
    "  plpy.execute(\"SELECT set_config('app.request', 'x', true)\")",
    '  plan = plpy.prepare("LISTEN shop_events")',
  ]);
  assert.deepEqual(found(body), [['session-set', 4], ['session-set', 6], ['listen', 10]]);
});

test('SQL built at run time, written in a comment or a plain string, or handed to another function is not read', () => {
  const body = python([
    "  # plpy.execute('SET app.role TO admin')",
    "  note = 'SET app.role TO admin'",
    "  plpy.execute('SET app.role TO ' + p_user)",
    '  plpy.execute(note)',
    "  plpy.notice('SET app.role TO admin')",
    "  plpy.execute('SELECT 1') # SET app.role TO admin",
  ]);
  assert.deepEqual(found(body), []);
  // The same text in a PL/Perl or C routine is not Python: not read.
  assert.deepEqual(found(python(["  plpy.execute('SET app.role TO admin')"], 'plperl')), []);
});

test('PL/Python: a custom setting set and then surely cleared to an empty string in the same body leaves nothing; a clear alone is no finding', () => {
  const straight = python([
    "  plpy.execute('set \"app.user_group\" TO \\'admin\\'')",
    '  rows = plpy.execute("select id from shop.orders")',
    '  names = [r["id"] for r in rows]',
    "  plpy.execute('set \"app.user_group\" TO \\'\\'')",
    '  return str(names)',
  ]);
  assert.deepEqual(found(straight), []);
  // A clear first, then a SET never cleared: the SET leaks, the clear does not.
  const late = python([
    "  plpy.execute('set \"app.user_group\" TO \\'\\'')",
    '  if p_user is None:',
    "    plpy.error('no user')",
    "  plpy.execute('set \"app.user_group\" TO \\'admin\\'')",
  ]);
  assert.deepEqual(found(late), [['session-set', 7]]);
});

test('PL/Python: a clear that a return, another branch or a deeper block may skip does not undo the SET', () => {
  const branch = python([
    "  plpy.execute('set \"app.user_group\" TO \\'admin\\'')",
    '  rows = plpy.execute("select id from shop.orders")',
    '  if not rows:',
    "    return 'none'",
    "  plpy.execute('set \"app.user_group\" TO \\'\\'')",
  ]);
  assert.deepEqual(found(branch), [['session-set', 4]]);
  const deeper = python([
    "  plpy.execute('set \"app.user_group\" TO \\'admin\\'')",
    '  if p_user > 0:',
    "    plpy.execute('set \"app.user_group\" TO \\'\\'')",
  ]);
  assert.deepEqual(found(deeper), [['session-set', 4]]);
});

test('PL/pgSQL: a custom setting set and cleared to an empty string before END leaves nothing; RETURN QUERY goes on, a RETURN does not', () => {
  const body = (statements: string): string => `CREATE FUNCTION shop.owner_of(p_order int) RETURNS TABLE (owner int) LANGUAGE plpgsql AS $$
BEGIN
  SET "app.user_group" TO 'admin';
${statements}
  SET "app.user_group" TO '';
END $$;
`;
  assert.deepEqual(found(body('  RETURN QUERY SELECT o.owner FROM shop.orders o WHERE o.id = p_order;')), []);
  assert.deepEqual(found(body("  IF p_order IS NULL THEN\n    RETURN;\n  END IF;\n  RETURN QUERY SELECT 1;")), [['session-set', 3]]);
  // Cleared in the body with set_config(…, NULL, false): the same.
  assert.deepEqual(found(body('  RETURN QUERY SELECT 1;').replace("SET \"app.user_group\" TO '';", "PERFORM set_config('app.user_group', NULL, false);")), []);
  // A built-in parameter set to an empty value, or a custom one set to 'off', is not a clear.
  assert.deepEqual(found(body('  RETURN QUERY SELECT 1;').replace(/"app\.user_group"/g, 'search_path')).map(([rule]) => rule), ['session-set', 'session-set']);
  assert.deepEqual(found(body('  RETURN QUERY SELECT 1;').replace("TO '';", "TO 'off';")).map(([rule]) => rule), ['session-set', 'session-set']);
});
