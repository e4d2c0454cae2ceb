// The one way a reader hides part of a text (a comment, what an echo prints, the script around a node program) while
// keeping every offset and line number: each character of a range becomes a space, each newline stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blankedRanges } from '../../../server/analysis/blankedRanges';

test('a range inside a line becomes spaces of its length; the rest of the text is kept', () => {
  assert.equal(blankedRanges('psql -f a.sql # b.sql', [[14, 21]]), 'psql -f a.sql        ');
  assert.equal(blankedRanges('abc', [[1, 2]]), 'a c');
});

test('a range across lines keeps each newline where it was, so line numbers and columns stay put', () => {
  const text = 'one /* two\nthree\n\nfour */ five';
  const blanked = blankedRanges(text, [[4, 25]]);
  assert.equal(blanked, 'one       \n     \n\n        five');
  assert.equal(blanked.length, text.length);
  assert.deepEqual(blanked.split('\n').map((line) => line.length), text.split('\n').map((line) => line.length));
});

test('a carriage return inside a range is blanked like any other character; only the newline stays', () => {
  assert.equal(blankedRanges('a -- note\r\nb\r\n', [[2, 10]]), `a${' '.repeat(9)}\nb\r\n`);
  assert.equal(blankedRanges('x\r\ny\r\nz', [[0, 4]]), '  \n \r\nz');
});

test('no range, or only empty ones, gives the text itself', () => {
  const text = 'echo hi\npsql -f a.sql';
  assert.equal(blankedRanges(text, []), text);
  assert.equal(blankedRanges(text, [[3, 3], [0, 0], [text.length, text.length]]), text);
  assert.equal(blankedRanges('', [[0, 0]]), '');
});

test('adjacent and overlapping ranges, in any order, blank their union once', () => {
  const text = 'abcdefghij';
  assert.equal(blankedRanges(text, [[2, 4], [4, 6]]), 'ab    ghij');
  assert.equal(blankedRanges(text, [[5, 8], [2, 6]]), 'ab      ij');
  assert.equal(blankedRanges(text, [[1, 9], [3, 4]]), 'a        j');
  assert.equal(blankedRanges('ab\ncd\nef', [[4, 7], [1, 5]]), 'a \n  \n f');
});

test('ranges at the start and the end of the text, and parts past either end, are blanked within the text', () => {
  assert.equal(blankedRanges('first\nmiddle\nlast', [[0, 5], [13, 17]]), '     \nmiddle\n    ');
  assert.equal(blankedRanges('abc\n', [[0, 4]]), '   \n');
  assert.equal(blankedRanges('abc', [[-2, 1], [2, 10]]), ' b ');
});

test('the text around a range is kept exactly, whatever its line ends', () => {
  const text = 'keep\r\n  /* x */\r\nkeep too';
  assert.equal(blankedRanges(text, [[8, 15]]), 'keep\r\n         \r\nkeep too');
});
