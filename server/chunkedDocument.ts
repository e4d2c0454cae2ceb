// The language server's copy of an open document, on a ChunkedText (chunkedText.ts): the library's
// TextDocument keeps one string and rebuilds it on every keystroke (substring + concat, flattened by the
// next character read), a fresh 2 MB string per edit in a 1 MB file with non-ASCII text, which piled
// up in the main thread until a major GC. Positions follow vscode-languageserver-textdocument exactly:
// \n, \r\n and \r end lines, and a position past the end of a line clamps to the line's end.
import type { Position, Range, TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { ChunkedText } from './chunkedText';

const CR = 13;
const LF = 10;

function isEol(code: number): boolean {
  return code === CR || code === LF;
}

/** Offsets (shifted by `at`) where lines start after each line end in `text`, as the library computes them. */
function lineStarts(text: string, at: number, starts: number[] = []): number[] {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isEol(code)) continue;
    if (code === CR && text.charCodeAt(i + 1) === LF) i++;
    starts.push(at + i + 1);
  }
  return starts;
}

function wellFormed(range: Range): Range {
  const { start, end } = range;
  return start.line > end.line || (start.line === end.line && start.character > end.character) ? { start: end, end: start } : range;
}

export class ChunkedTextDocument implements TextDocument {
  private text: ChunkedText;
  private lines: number[] | undefined;

  constructor(readonly uri: string, readonly languageId: string, public version: number, content: string) {
    this.text = ChunkedText.of(content);
  }

  private get length(): number {
    return this.text.length;
  }

  get lineCount(): number {
    return this.lineOffsets().length;
  }

  getText(range?: Range): string {
    if (!range) return this.text.toString();
    const [start, end] = [this.offsetAt(range.start), this.offsetAt(range.end)];
    return start <= end ? this.text.slice(start, end) : this.text.slice(end, start); // as String.prototype.substring
  }

  positionAt(offset: number): Position {
    offset = Math.max(Math.min(offset, this.length), 0);
    const lines = this.lineOffsets();
    let low = 0;
    let high = lines.length;
    if (high === 0) return { line: 0, character: offset };
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      if (lines[mid] > offset) high = mid;
      else low = mid + 1;
    }
    const line = low - 1;
    return { line, character: this.beforeEol(offset, lines[line]) - lines[line] };
  }

  offsetAt(position: Position): number {
    const lines = this.lineOffsets();
    if (position.line >= lines.length) return this.length;
    if (position.line < 0) return 0;
    const lineStart = lines[position.line];
    if (position.character <= 0) return lineStart;
    return this.beforeEol(Math.min(lineStart + position.character, this.nextLineStart(position.line)), lineStart);
  }

  private nextLineStart(line: number): number {
    const lines = this.lineOffsets();
    return line + 1 < lines.length ? lines[line + 1] : this.length;
  }

  getLineRange(line: number): Range {
    const lines = this.lineOffsets();
    if (line >= lines.length) {
      const last = lines.length - 1;
      return { start: { line: last, character: 0 }, end: { line: last, character: this.length - lines[last] } };
    }
    if (line < 0) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const start = lines[line];
    const end = this.beforeEol(this.nextLineStart(line), start);
    return { start: { line, character: 0 }, end: { line, character: end - start } };
  }

  getEOLCharacters(line: number): string {
    const lines = this.lineOffsets();
    if (line < 0 || line >= lines.length) return '';
    const next = this.nextLineStart(line);
    return this.text.slice(this.beforeEol(next, lines[line]), next);
  }

  /** Applies the client's changes (each in the coordinates left by the previous one). */
  update(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if ('range' in change) this.applyEdit(wellFormed(change.range), change.text);
      else {
        this.text = ChunkedText.of(change.text);
        this.lines = undefined;
      }
    }
    this.version = version;
  }

  private applyEdit(range: Range, text: string): void {
    const start = this.offsetAt(range.start);
    const end = this.offsetAt(range.end);
    this.text = this.text.replaced(start, end, text);
    const insertedEnd = start + text.length;
    const code = (offset: number): number => this.text.charCodeAt(offset);
    // A CRLF pair across an edit boundary is not in the inserted text's line starts: recount all.
    if ((code(start - 1) === CR && code(start) === LF) || (code(insertedEnd - 1) === CR && code(insertedEnd) === LF)) {
      this.lines = undefined;
      return;
    }
    const lines = this.lines;
    if (!lines) return;
    const startLine = Math.max(range.start.line, 0);
    const endLine = Math.max(range.end.line, 0);
    const added = lineStarts(text, start);
    if (added.length < 10_000) lines.splice(startLine + 1, endLine - startLine, ...added);
    else this.lines = lines.slice(0, startLine + 1).concat(added, lines.slice(endLine + 1)); // spread stays under the argument limit
    const updated = this.lines!;
    const growth = text.length - (end - start);
    if (growth !== 0) for (let i = startLine + 1 + added.length; i < updated.length; i++) updated[i] += growth;
  }

  private lineOffsets(): number[] {
    // Counted over the joined text: on opening, and after an edit joined or split a CRLF pair.
    this.lines ??= lineStarts(this.text.toString(), 0, [0]);
    return this.lines;
  }

  private beforeEol(offset: number, lineStart: number): number {
    while (offset > lineStart && isEol(this.text.charCodeAt(offset - 1))) offset--;
    return offset;
  }
}
