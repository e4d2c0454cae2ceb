// One reader of PostgreSQL's boolean input, for parsed statements and for set_config fragments read as text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { booleanInput, setsConfigSessionWide, writtenBoolean } from '../../../server/analysis/sqlBoolean';

test('boolean input: the words, their unambiguous prefixes, 1 and 0, any case and blanks; nothing else', () => {
  for (const yes of ['true', 'T', ' yes ', 'y', 'on', 'ON', '1']) assert.equal(booleanInput(yes), true, yes);
  for (const no of ['false', 'f', 'No', 'n', 'off', 'of', '0']) assert.equal(booleanInput(no), false, no);
  for (const neither of ['', 'o', 'maybe', '2', 'truth']) assert.equal(booleanInput(neither), undefined, neither);
});

test('a boolean written as SQL text: a keyword or a quoted literal, cast or not; not an expression', () => {
  assert.equal(writtenBoolean('FALSE'), false);
  assert.equal(writtenBoolean("'no'::boolean"), false);
  assert.equal(writtenBoolean("'on'"), true);
  assert.equal(writtenBoolean('\u0000'), undefined);
  assert.equal(writtenBoolean('coalesce(x, false)'), undefined);
});

test("set_config text is session-wide when any call's third argument is written false, read at the top level of its arguments", () => {
  assert.equal(setsConfigSessionWide("set_config('app.a', \u0000, '0')"), true);
  assert.equal(setsConfigSessionWide("set_config('app.a', \u0000, true), pg_catalog.set_config('app.b', \u0000, 'off')"), true);
  assert.equal(setsConfigSessionWide("set_config('app.a', coalesce(\u0000, false), true)"), false);
  assert.equal(setsConfigSessionWide("set_config('app.a', 'x, false)', \u0000)"), false);
  assert.equal(setsConfigSessionWide("set_config('app.a', \u0000, 'yes')"), false);
});
