import { test } from 'node:test';
import assert from 'node:assert/strict';
import { saslPrep } from '../../../extension/pooler/saslprep';

test('SASLprep leaves ASCII passwords alone, control characters included (PostgreSQL does not prepare ASCII)', () => {
  for (const password of ['pencil', 'with space', 'tab\there', '']) assert.equal(saslPrep(password), password);
});

test('SASLprep maps non-ASCII spaces to SPACE, drops characters mapped to nothing, then NFKC-normalises', () => {
  assert.equal(saslPrep('IX-\u2168'), 'IX-IX');
  assert.equal(saslPrep('a\u00A0b'), 'a b');
  assert.equal(saslPrep('so\u00ADft'), 'soft');
  assert.equal(saslPrep('\uFF21\uFF22'), 'AB');
  assert.equal(saslPrep('caf\u0065\u0301'), 'caf\u00E9');
  assert.equal(saslPrep('gr\u00FCn'), 'gr\u00FCn');
});

test('SASLprep keeps a password it would prohibit as given, as PostgreSQL does (private use, controls, unassigned)', () => {
  for (const password of ['\u2168\uE000', '\u2168\u0085', '\u2168\u{10FFFD}', '\u2168\u0378', '\u2168\u200E']) {
    assert.equal(saslPrep(password), password);
  }
  // Only characters mapped to nothing: PostgreSQL keeps the password rather than an empty one.
  assert.equal(saslPrep('\u00AD'), '\u00AD');
});
