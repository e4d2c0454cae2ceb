// The analysis worker's chunked text must read exactly like the string it stands for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkedText } from '../../../server/chunkedText';
import { random } from '../../helpers/random';

const WORDS = ['poolsafe-', 'plan', 'SELECT 1;', '\n', 'é', '😀', 'x', ''];

test('chunked text: slice, includes, charCodeAt, length and toString equal a plain string over 800 random edits (deletions leave chunks shorter than the searched words)', () => {
  const next = random(3);
  let expected = 'ab'.repeat(12_000);
  let chunked = ChunkedText.of(expected);
  for (let step = 0; step < 800; step++) {
    const start = Math.floor(next() * (expected.length + 1));
    const end = Math.min(expected.length, start + (next() < 0.5 ? Math.floor(next() * 9000) : Math.floor(next() * 4)));
    const inserted = next() < 0.02 ? 'q'.repeat(20_000) : WORDS[Math.floor(next() * WORDS.length)];
    expected = expected.slice(0, start) + inserted + expected.slice(end);
    chunked = chunked.replaced(start, end, inserted);
    assert.equal(chunked.length, expected.length, `length after step ${step}`);
    for (let k = 0; k < 10; k++) {
      const from = Math.floor(next() * (expected.length + 1));
      const to = from + Math.floor(next() * 20_000);
      assert.equal(chunked.slice(from, to), expected.slice(from, to), `slice(${from}, ${to}) after step ${step}`);
      const at = Math.floor(next() * (expected.length + 2)) - 1;
      assert.ok(Object.is(chunked.charCodeAt(at), expected.charCodeAt(at)), `charCodeAt(${at}) after step ${step}`);
    }
    for (const word of WORDS) assert.equal(chunked.includes(word), expected.includes(word), `includes(${JSON.stringify(word)}) after step ${step}`);
  }
  assert.equal(chunked.toString(), expected);
});

test('chunked text: a word split over three chunks is found, and an edit leaves the earlier text unchanged', () => {
  // Deleting around chunk boundaries leaves chunks of one character: 'pl' | 'a' | 'n'.
  let text = ChunkedText.of(`${'x'.repeat(8190)}pl${'y'.repeat(8191)}a${'z'.repeat(8191)}n`);
  const before = text;
  text = text.replaced(8192, 8192 + 8191, '');
  text = text.replaced(8193, 8193 + 8191, '');
  assert.equal(text.slice(8190), 'plan');
  assert.equal(text.includes('plan'), true);
  assert.equal(before.includes('plan'), false);
  assert.equal(before.length, 8190 + 2 + 8191 + 1 + 8191 + 1);
});
