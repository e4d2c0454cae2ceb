// Names spliced into patterns built at run time (a fixture file's name, a setting's key, a routine's name) match
// only themselves: every character a pattern gives a meaning to is escaped by the one helper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeRegExp } from '../../../server/analysis/regexText';

test('a text full of pattern characters, escaped, matches itself and nothing it would otherwise match', () => {
  const text = 'seed(v1.2)+[a|b]*?^${x}\\end';
  const pattern = new RegExp(`^${escapeRegExp(text)}$`);
  assert.ok(pattern.test(text));
  assert.ok(!pattern.test('seedXv1X2)+[a|b]*?^${x}\\end'));
  assert.ok(!new RegExp(`^${escapeRegExp('a.c')}$`).test('abc'));
  assert.equal(escapeRegExp('plain_name'), 'plain_name');
});
