// A module that sets a custom setting through a project routine (`select act_as($1)`, whose body is
// set_config('auth.member', member, false)) and clears it again in a `finally` by calling the same routine with NULL:
// the cleanup is the setter's reset, as a `set_config(…, '', false)` beside its setter is. A NULL call made before the
// work, or in a module with no setter, stays reported.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis, type AnalysisOptions } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { passedConstant } from '../../../server/analysis/embeddedSettingPairs';

const ROUTINES = String.raw`create or replace function act_as(member text) returns void language plpgsql security definer as $$
begin
  perform set_config('auth.member', member, false);
end $$;
create function act_as_positional(text) returns void language sql as $$ select set_config('auth.member', $1, false) $$;
create function act_as_defaulted(member text) returns void language plpgsql as $$
begin
  member := coalesce(member, 'guest');
  perform set_config('auth.member', member, false);
end $$;
create function act_as_and_tag(member text, tag text) returns void language plpgsql as $$
begin
  perform set_config('auth.member', member, false);
  perform set_config('auth.tag', tag, false);
end $$;
`;

let OPTIONS: Partial<AnalysisOptions>;
before(async () => {
  await initAnalysis();
  OPTIONS = { stateFunctions: stateFunctionIndex([{ path: '/repo/db/auth.sql', text: ROUTINES }]) };
});

/** The 1-based lines of a module's session-set findings. */
function flaggedLines(lines: string[]): number[] {
  const text = lines.join('\n');
  return analyze(text, 'typescript', OPTIONS, 'src/db/member.ts').filter((f) => f.rule === 'session-set').map((f) => text.slice(0, f.start).split('\n').length);
}

const module = (routine: string, clear: string, setter = `${routine}(\${id})`) => [
  "import { sql } from 'drizzle-orm';",
  "import { db } from './client';",
  'export async function asMember<T>(id: string, work: () => Promise<T>): Promise<T> {',
  '  try {',
  `    await db.execute(sql\`SELECT ${setter}\`);`,
  '    return await work();',
  '  } finally {',
  `    await db.execute(sql\`SELECT ${clear}\`);`,
  '  }',
  '}',
];

test('a NULL call of the setting routine in a finally, beside its setter call, is not reported; the setter is', () => {
  assert.deepEqual(flaggedLines(module('act_as', 'act_as(null)')), [5]);
  assert.deepEqual(flaggedLines(module('act_as', "act_as('')")), [5]);
  assert.deepEqual(flaggedLines(module('act_as', 'act_as(NULL::text)')), [5]);
  assert.deepEqual(flaggedLines(module('act_as', 'act_as(member => null)')), [5]);
  assert.deepEqual(flaggedLines(module('act_as_positional', 'act_as_positional(null)')), [5]);
});

test('a NULL call made before the work, outside a finally or in a callback defined there, stays reported', () => {
  const precondition = [
    "import { sql } from 'drizzle-orm';",
    "import { db } from './client';",
    "export const asMember = (id: string) => db.execute(sql`SELECT act_as(${id})`);",
    'export async function asAdmin<T>(work: () => Promise<T>): Promise<T> {',
    '  try {',
    '    await db.execute(sql`SELECT act_as(null)`);',
    '    return await work();',
    '  } finally {',
    '    await db.execute(sql`SELECT act_as(null)`);',
    '  }',
    '}',
  ];
  assert.deepEqual(flaggedLines(precondition), [3, 6]);
  const later = module('act_as', 'act_as(null)').map((line) => line.replace('await db.execute(sql`SELECT act_as(null)`);', 'setTimeout(() => db.execute(sql`SELECT act_as(null)`), 10);'));
  assert.deepEqual(flaggedLines(later), [5, 8]);
});

test('a NULL call in a finally stays reported with no setter call in the module, or when the routine does not pass NULL on as is', () => {
  // No setter beside it: a module of clears only.
  assert.deepEqual(flaggedLines(module('act_as', 'act_as(null)', 'act_as(null)')), [5, 8]);
  // The body turns NULL into a value of its own before setting it.
  assert.deepEqual(flaggedLines(module('act_as_defaulted', 'act_as_defaulted(null)')), [5, 8]);
  // The body sets two settings: a NULL for one is no reset of the other.
  assert.deepEqual(flaggedLines(module('act_as_and_tag', 'act_as_and_tag(null, null)', 'act_as_and_tag(${id}, ${id})')), [5, 8]);
  // A value of its own, not NULL.
  assert.deepEqual(flaggedLines(module('act_as', "act_as('guest')")), [5, 8]);
});

test('the index keeps the parameter a body sets a custom setting from; passedConstant reads a constant argument', () => {
  const index = OPTIONS.stateFunctions!;
  assert.deepEqual(index.get('act_as')!.settingParameter, { setting: 'auth.member', position: 1, name: 'member' });
  assert.deepEqual(index.get('act_as_positional')!.settingParameter, { setting: 'auth.member', position: 1 });
  assert.equal(index.get('act_as_defaulted')!.settingParameter, undefined);
  assert.equal(index.get('act_as_and_tag')!.settingParameter, undefined);
  const other = stateFunctionIndex([{ path: '/repo/db/other.sql', text: String.raw`create function by_expression(p text) returns void language sql as $$ select set_config('auth.member', coalesce(p, ''), false) $$;
create function search_in(p text) returns void language sql as $$ select set_config('search_path', p, false) $$;
` }]);
  assert.equal(other.get('by_expression')!.settingParameter, undefined);
  assert.equal(other.get('search_in')!.settingParameter, undefined);
  assert.equal(passedConstant(' NULL '), '');
  assert.equal(passedConstant("''::text"), '');
  assert.equal(passedConstant("'Guest'"), 'guest');
  assert.equal(passedConstant('$1'), undefined);
  assert.equal(passedConstant('p || q'), undefined);
});
