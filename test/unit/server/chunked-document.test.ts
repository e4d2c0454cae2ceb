// The language server's chunked document must behave exactly like vscode-languageserver-textdocument's
// TextDocument (which the client's positions are defined against): the same random edits go to both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument, type Position } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { ChunkedTextDocument } from '../../../server/chunkedDocument';
import { random } from '../../helpers/random';

const PIECES = ['SELECT 1;', '\n', '\r\n', '\r', 'é', '😀', ' ', 'pg_advisory_lock(1)', '\n\n', '\r\r\n'];

function randomText(next: () => number, length: number): string {
  let text = '';
  while (text.length < length) text += PIECES[Math.floor(next() * PIECES.length)];
  return text;
}

function randomPosition(next: () => number, document: TextDocument): Position {
  // Lines and characters a little past the ends too: both documents clamp them.
  return { line: Math.floor(next() * (document.lineCount + 2)) - 1, character: Math.floor(next() * 40) - 2 };
}

function assertSame(expected: TextDocument, actual: ChunkedTextDocument, next: () => number, step: number): void {
  assert.equal(actual.getText(), expected.getText(), `text after step ${step}`);
  assert.equal(actual.lineCount, expected.lineCount, `line count after step ${step}`);
  const length = expected.getText().length;
  for (let k = 0; k < 30; k++) {
    const offset = Math.floor(next() * (length + 4)) - 2;
    assert.deepEqual(actual.positionAt(offset), expected.positionAt(offset), `positionAt(${offset}) after step ${step}`);
    const position = randomPosition(next, expected);
    assert.equal(actual.offsetAt(position), expected.offsetAt(position), `offsetAt(${JSON.stringify(position)}) after step ${step}`);
    const line = position.line;
    assert.deepEqual(actual.getLineRange(line), expected.getLineRange(line), `getLineRange(${line}) after step ${step}`);
    assert.equal(actual.getEOLCharacters(line), expected.getEOLCharacters(line), `getEOLCharacters(${line}) after step ${step}`);
    const range = { start: position, end: randomPosition(next, expected) };
    assert.equal(actual.getText(range), expected.getText(range), `getText(range) after step ${step}`);
  }
}

test('chunked document: text, positions, offsets and line ranges equal the library TextDocument over 600 random edits (CR, LF, CRLF, surrogates, chunk boundaries)', () => {
  const next = random(14);
  const initial = randomText(next, 40_000); // several chunks
  let expected = TextDocument.create('file:///a.sql', 'sql', 1, initial);
  const actual = new ChunkedTextDocument('file:///a.sql', 'sql', 1, initial);
  assertSame(expected, actual, next, 0);
  for (let step = 1; step <= 600; step++) {
    const size = next() < 0.05 ? 20_000 : Math.floor(next() * 12); // now and then an insert larger than two chunks
    const change: TextDocumentContentChangeEvent =
      step % 150 === 0
        ? { text: randomText(next, 30_000) } // a whole-text change
        : { range: { start: randomPosition(next, expected), end: randomPosition(next, expected) }, text: next() < 0.3 ? '' : randomText(next, size) };
    expected = TextDocument.update(expected, [change], step + 1);
    actual.update([change], step + 1);
    assert.equal(actual.version, step + 1);
    assertSame(expected, actual, next, step);
  }
});

test('chunked document: a CRLF pair split by an edit, and one split across chunks, end one line', () => {
  const text = `${'x'.repeat(8191)}\r\ny`; // \r is the last unit of the first chunk, \n the first of the second
  const expected = TextDocument.create('file:///b.sql', 'sql', 1, text);
  const actual = new ChunkedTextDocument('file:///b.sql', 'sql', 1, text);
  assert.equal(actual.lineCount, 2);
  assert.deepEqual(actual.positionAt(text.length - 1), expected.positionAt(text.length - 1));
  const joinPair: TextDocumentContentChangeEvent = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'a\r' };
  const before = TextDocument.create('file:///c.sql', 'sql', 1, '\nb');
  const chunked = new ChunkedTextDocument('file:///c.sql', 'sql', 1, '\nb');
  const after = TextDocument.update(before, [joinPair], 2);
  chunked.update([joinPair], 2);
  assert.equal(chunked.lineCount, after.lineCount);
  assert.deepEqual(chunked.positionAt(3), after.positionAt(3));
});
