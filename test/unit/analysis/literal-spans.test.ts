// Strings, dollar quotes and comments are found by one left-to-right scan (templatePlaceholders.ts), which answers
// what the regular expression it replaced answered, `'(?:[^']|'')*'|\$(\w*)\$[\s\S]*?\$\1\$|--[^\n]*|\/\*[\s\S]*?\*\/`,
// without its quadratic search for the end of every unclosed `/*` and `$tag$`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { literalAndCommentSpans, replaceLiteralsAndComments } from '../../../server/analysis/templatePlaceholders';

const pieces = (text: string) => literalAndCommentSpans(text).map(([start, end]) => text.slice(start, end));

test('strings (with doubled quotes), dollar quotes of any tag, line and block comments are spans', () => {
  assert.deepEqual(pieces("SELECT 'it''s', $$a'b$$, $fn$ x $$ y $fn$ -- note\nFROM t /* c -- d */ WHERE e"),
    ["'it''s'", "$$a'b$$", '$fn$ x $$ y $fn$', '-- note', '/* c -- d */']);
  assert.deepEqual(pieces("-- last line without a newline: 'x'"), ["-- last line without a newline: 'x'"]);
  assert.deepEqual(pieces('/*/ still open */ after'), ['/*/ still open */']);
  assert.deepEqual(pieces('$a$ inner $b$ text $a$'), ['$a$ inner $b$ text $a$']);
});

test('nothing opens a span in plain code, and a /* or $tag$ never closed opens none (what follows is read as code)', () => {
  assert.deepEqual(pieces('SELECT a - b / c * d FROM t WHERE x = $1'), []);
  assert.deepEqual(pieces("SELECT 1 /* open to the end 'a' -- b"), ["'a'", '-- b']);
  assert.deepEqual(pieces("DO $body$ BEGIN PERFORM 'x'; $other$ y"), ["'x'"]);
  assert.deepEqual(pieces("SELECT 'never closed"), []);
  // An unclosed string ends at the first quote of its last doubled quote, as the expression backs off there.
  assert.deepEqual(pieces("SELECT 'a''b''c"), ["'a''b'"]);
});

test('the replacement keeps offsets (blanks of the same length) or puts the given text in', () => {
  assert.equal(replaceLiteralsAndComments("a 'b' -- c\nd"), 'a     -- c\nd'.replace('-- c', '    '));
  assert.equal(replaceLiteralsAndComments("a 'b' /* c */ d", "''"), "a '' '' d");
  assert.equal(replaceLiteralsAndComments('no literals'), 'no literals');
});

/** The expression the scan replaced: the reference its spans are compared with. */
const OLD_EXPRESSION = /'(?:[^']|'')*'|\$(\w*)\$[\s\S]*?\$\1\$|--[^\n]*|\/\*[\s\S]*?\*\//g;

test('the scan finds the same spans as the expression it replaced, on 30,000 random texts of quotes, dollars, dashes, slashes and stars', () => {
  const parts = ["'", "''", "'''", '$', '$$', '$a$', '$b$', '$ab$', '$a', 'a$', '$1$', '$_$', '--', '-', '/*', '*/', '/*/', '*', '/', '\n', '\r', ' ', 'a', 'b', '1', '_'];
  let seed = 20261201;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  let differences = 0;
  let spans = 0;
  for (let i = 0; i < 30_000; i++) {
    let text = '';
    for (let n = 1 + Math.floor(next() * (i % 10 === 0 ? 200 : 30)); n > 0; n--) text += parts[Math.floor(next() * parts.length)];
    const expected = [...text.matchAll(OLD_EXPRESSION)].map((m): [number, number] => [m.index!, m.index! + m[0].length]);
    spans += expected.length;
    if (JSON.stringify(literalAndCommentSpans(text)) !== JSON.stringify(expected)) differences++;
  }
  assert.ok(spans > 50_000, `the texts hold spans (${spans})`);
  assert.equal(differences, 0);
});
