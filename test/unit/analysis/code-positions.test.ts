// forEachCodePosition (splitter.ts) is the one scan embedded SQL is read with for a driver's placeholders and
// deno-postgres's named arguments: it visits each position outside quotes, comments and dollar quotes, in order, and
// skips what a match covers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachCodePosition } from '../../../server/analysis/splitter';

/** The characters visited, and the `$name`s matched (their lengths skipped). */
function scan(text: string): { visited: string; matched: string[] } {
  let visited = '';
  const matched: string[] = [];
  forEachCodePosition(text, (i) => {
    visited += text[i];
    const name = /^\$[a-z]+/.exec(text.slice(i));
    if (!name) return 0;
    matched.push(name[0]);
    return name[0].length;
  });
  return { visited, matched };
}

test('positions inside quotes, quoted names, comments and dollar quotes are not visited', () => {
  // A line comment ends after its newline; `$$` glued to a word opens no dollar quote.
  assert.deepEqual(scan("a'$x'b\"$y\"c-- $z\nd/* $w */e $$ $v $$f"), { visited: 'abcde f', matched: [] });
  assert.deepEqual(scan('e$$ $v'), { visited: 'e$$ $', matched: ['$v'] });
  assert.deepEqual(scan("E'it\\'s $x' g"), { visited: 'E g', matched: [] });
});

test('a match skips the text it covers; no match moves on one character', () => {
  assert.deepEqual(scan('id = $id AND $name'), { visited: 'id = $ AND $', matched: ['$id', '$name'] });
  assert.deepEqual(scan(''), { visited: '', matched: [] });
});
