// TS/JS modules with a setter and a clearer of one custom setting: `setTenant()` sends set_config('app.tenant', $1,
// false), `clearTenant()` puts 'app.tenant' back to '' — what the setting reads as once it is unset, as a RESET would
// leave it. The setter leaks the tenant and is reported; the clearer only ends what the setter began and is not.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { writtenSetting } from '../../../server/analysis/embeddedSettingPairs';

before(() => initAnalysis());

/** [rule, line, text of the finding's first 30 characters] of a module's findings. */
const found = (lines: string[]) => {
  const text = lines.join('\n');
  return analyze(text, 'typescript', undefined, 'src/db/tenant.ts').map((f) => [f.rule, text.slice(0, f.start).split('\n').length]);
};

const drizzleModule = (setter: string, clearer: string) => [
  "import { sql } from 'drizzle-orm';",
  "import { db } from '@/db';",
  'export async function enterTenant(id: string) {',
  `  await db.execute(sql\`${setter}\`);`,
  '}',
  'export async function leaveTenant() {',
  `  await db.execute(sql\`${clearer}\`);`,
  '}',
];

test('a function that sets a custom setting back to an empty string or NULL is not reported when another function of the module sets it; the setter is', () => {
  const setter = "SELECT set_config('app.tenant', ${id}, false)";
  for (const clearer of ["SELECT set_config('app.tenant', '', false)", "SELECT set_config('App.Tenant', NULL, false)", "SET SESSION app.tenant TO ''", 'SET "app"."tenant" = \'\'']) {
    assert.deepEqual(found(drizzleModule(setter, clearer)), [['session-set', 4]], clearer);
  }
  // The setter written as SET with a hole that inserts its text (a bound hole in quotes is refused by the server:
  // set-bound-parameters.test.ts), and two setters of the same setting.
  assert.deepEqual(found(drizzleModule("SET app.tenant = '${sql.raw(id)}'", "SELECT set_config('app.tenant', '', false)")), [['session-set', 4]]);
  const pool = [
    "import { Pool } from 'pg';",
    'const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
    "export const asUser = (id) => pool.query(\"SELECT set_config('app.user_id', $1, false)\", [id]);",
    "export const asAdmin = () => pool.query(\"SELECT set_config('app.user_id', 'admin', false)\");",
    "export const anonymous = () => pool.query(\"SELECT set_config('app.user_id', '', false)\");",
  ];
  assert.deepEqual(found(pool), [['session-set', 3], ['session-set', 4]]);
});

test('a clearing set_config stays reported when nothing in the module sets that setting, for a built-in parameter, or when its value is not the empty string', () => {
  // Alone: nothing pairs it.
  const alone = ["import { sql } from 'drizzle-orm';", "import { db } from '@/db';", "export const leave = () => db.execute(sql`SELECT set_config('app.tenant', '', false)`);"];
  assert.deepEqual(found(alone), [['session-set', 3]]);
  // Another setting is set.
  assert.deepEqual(found(drizzleModule("SELECT set_config('app.user', ${id}, false)", "SELECT set_config('app.tenant', '', false)")), [['session-set', 4], ['session-set', 7]]);
  // A built-in parameter set empty is no return to an unset value: search_path '' leaves no schema to find.
  assert.deepEqual(found(drizzleModule("SELECT set_config('search_path', ${schema}, false)", "SELECT set_config('search_path', '', false)")), [['session-set', 4], ['session-set', 7]]);
  // The "clearer" sets a value of its own (a constant that is not off, an expression).
  assert.deepEqual(found(drizzleModule("SELECT set_config('app.tenant', ${id}, false)", "SELECT set_config('app.tenant', 'public', false)")), [['session-set', 4], ['session-set', 7]]);
  assert.deepEqual(found(drizzleModule("SELECT set_config('app.tenant', ${id}, false)", "SELECT set_config('app.tenant', '' || ${id}, false)")), [['session-set', 4], ['session-set', 7]]);
  // An "off" of its own ('false', off, 0) is a value the next client reads, not an unset setting.
  for (const off of ["SELECT set_config('app.tenant', 'false', false)", 'SET app.tenant TO off', 'SET app.tenant = 0']) {
    assert.deepEqual(found(drizzleModule("SELECT set_config('app.tenant', 'true', false)", off)), [['session-set', 4], ['session-set', 7]], off);
  }
  // Two clearers and no setter.
  assert.deepEqual(found(drizzleModule("SELECT set_config('app.tenant', NULL, false)", "SELECT set_config('app.tenant', '', false)")), [['session-set', 4], ['session-set', 7]]);
});

test('writtenSetting reads the custom setting and constant value of set_config calls and SET statements', () => {
  const at = (sql: string, end = sql.length) => writtenSetting(sql, 0, end);
  assert.deepEqual(at("set_config('app.t', '', false)", 10), { name: 'app.t', value: '' });
  assert.deepEqual(at("SET_CONFIG ( 'App.T' , NULL , false )", 10), { name: 'app.t', value: '' });
  assert.deepEqual(at("set_config('app.t', $1, false)", 10), { name: 'app.t', value: undefined });
  assert.deepEqual(at("set_config('app.t', 'It''s', false)", 10), { name: 'app.t', value: "it's" });
  assert.equal(at("set_config('statement_timeout', '0', false)", 10), undefined);
  assert.deepEqual(at('SET SESSION "app"."flag" TO off'), { name: 'app.flag', value: 'off' });
  assert.deepEqual(at("SET app.flag = 'x' || y"), { name: 'app.flag', value: undefined });
  assert.equal(at('SET search_path TO app'), undefined);
});

// The setting's name sent as a bound parameter (`set_config($1, …)` with `['app.user_id', …]`): the same pair as when
// the name is written in the text, read from the values the query call passes.
const boundNameModule = (setterValues: string, clearText: string, clearValues: string) => [
  "import { Pool } from 'pg';",
  'const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
  'export async function probe(id: string) {',
  '  const client = await pool.connect();',
  `  await client.query('SELECT set_config($1, $2, false)', ${setterValues});`,
  '  await client.query("SELECT count(*) FROM notes");',
  `  await client.query('${clearText}', ${clearValues});`,
  '  await client.query("SELECT count(*) FROM notes");',
  '  client.release();',
  '}',
];

test('a set_config clear whose setting name is bound as a constant pairs with a setter of the module that binds the same name', () => {
  const setter = "['app.user_id', id]";
  assert.deepEqual(found(boundNameModule(setter, 'SELECT set_config($1, NULL, false)', "['app.user_id']")), [['session-set', 5]]);
  assert.deepEqual(found(boundNameModule(setter, 'SELECT set_config($1::text, $2, false)', "['App.User_Id', '']")), [['session-set', 5]]);
  assert.deepEqual(found(boundNameModule(setter, 'SELECT set_config($2, $1, false)', "[null, 'app.user_id']")), [['session-set', 5]]);
  // The setter's name written in the text, the clear's bound.
  const written = boundNameModule(setter, 'SELECT set_config($1, NULL, false)', "['app.user_id']");
  written[4] = "  await client.query(\"SELECT set_config('app.user_id', $1, false)\", [id]);";
  assert.deepEqual(found(written), [['session-set', 5]]);
});

test('a set_config clear with a bound name stays reported when the names differ, are not constants, or the clear writes a value', () => {
  // Another setting's name.
  assert.deepEqual(found(boundNameModule("['app.user_id', id]", 'SELECT set_config($1, NULL, false)', "['app.tenant_id']")), [['session-set', 5], ['session-set', 7]]);
  // A name that is not a constant: which setting is cleared is not known.
  assert.deepEqual(found(boundNameModule("['app.user_id', id]", 'SELECT set_config($1, NULL, false)', '[id]')), [['session-set', 5], ['session-set', 7]]);
  // The "clear" binds a value of its own.
  assert.deepEqual(found(boundNameModule("['app.user_id', id]", 'SELECT set_config($1, $2, false)', "['app.user_id', 'anonymous']")), [['session-set', 5], ['session-set', 7]]);
  assert.deepEqual(found(boundNameModule("['app.user_id', id]", 'SELECT set_config($1, $2, false)', "['app.user_id', id]")), [['session-set', 5], ['session-set', 7]]);
  // A built-in parameter bound by name is no custom setting.
  assert.deepEqual(found(boundNameModule("['search_path', id]", 'SELECT set_config($1, NULL, false)', "['search_path']")), [['session-set', 5], ['session-set', 7]]);
  // Two clears and no setter.
  assert.deepEqual(found(boundNameModule("['app.user_id', null]", 'SELECT set_config($1, NULL, false)', "['app.user_id']")), [['session-set', 5], ['session-set', 7]]);
});
