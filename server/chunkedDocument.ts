// The language server's copy of an open document, kept as a list of short chunks. The library's
// TextDocument keeps one string and rebuilds it on every keystroke (substring + concat, then flattened
// by the next character read): in a 1 MB file that is a fresh 1-2 MB string per edit in the main thread,
// which outlives the next scavenge and piles up in the old generation until a major GC (about 2 MB of
// the server's growth per keystroke; docs/architecture.md, "Memory"). Here an edit rebuilds only the
// chunks it touches; the whole text is joined only when asked for (opening, resync, code actions).
// Positions follow vscode-languageserver-textdocument exactly: \n, \r\n and \r end lines, and a
// position past the end of a line clamps to the line's end.
import type { Position, Range, TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';

/** Chunks are cut at this many UTF-16 units: small enough to stay out of V8's large-object space. */
const CHUNK = 8192;
const CR = 13;
const LF = 10;

function isEol(code: number): boolean {
  return code === CR || code === LF;
}

/** Offsets (shifted by `at`) where lines start after each line end in `text`, as the library computes them. */
function lineStarts(text: string, at: number): number[] {
  const starts: number[] = [];
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

/** `text` cut into chunks of at most CHUNK units. */
function cut(text: string): string[] {
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += CHUNK) pieces.push(text.slice(at, at + CHUNK));
  return pieces;
}

export class ChunkedTextDocument implements TextDocument {
  private chunks: string[] = [];
  /** Offset where each chunk starts. */
  private chunkStarts: number[] = [];
  private length = 0;
  private lines: number[] | undefined;

  constructor(readonly uri: string, readonly languageId: string, public version: number, content: string) {
    this.setText(content);
  }

  get lineCount(): number {
    return this.lineOffsets().length;
  }

  getText(range?: Range): string {
    if (!range) return this.chunks.join('');
    const [start, end] = [this.offsetAt(range.start), this.offsetAt(range.end)];
    return start <= end ? this.slice(start, end) : this.slice(end, start); // as String.prototype.substring
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
    return this.slice(this.beforeEol(next, lines[line]), next);
  }

  /** Applies the client's changes (each in the coordinates left by the previous one). */
  update(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if ('range' in change) this.applyEdit(wellFormed(change.range), change.text);
      else this.setText(change.text);
    }
    this.version = version;
  }

  private applyEdit(range: Range, text: string): void {
    const start = this.offsetAt(range.start);
    const end = this.offsetAt(range.end);
    this.replace(start, end, text);
    const insertedEnd = start + text.length;
    // A CRLF pair across an edit boundary is not in the inserted text's line starts: recount all.
    if ((this.charCodeAt(start - 1) === CR && this.charCodeAt(start) === LF) || (this.charCodeAt(insertedEnd - 1) === CR && this.charCodeAt(insertedEnd) === LF)) {
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

  /** Replaces [start, end) with `text`, rebuilding only the chunks that hold it. */
  private replace(start: number, end: number, text: string): void {
    if (this.chunks.length === 0) {
      this.setText(text);
      return;
    }
    const first = this.chunkAt(start);
    const last = this.chunkAt(end);
    const head = this.chunks[first].slice(0, start - this.chunkStarts[first]);
    const tail = this.chunks[last].slice(end - this.chunkStarts[last]);
    const merged = head + text + tail;
    this.chunks.splice(first, last - first + 1, ...(merged.length > 2 * CHUNK ? cut(merged) : merged.length > 0 ? [merged] : []));
    this.length += text.length - (end - start);
    this.indexChunks();
  }

  private setText(text: string): void {
    this.chunks = cut(text);
    this.length = text.length;
    this.lines = undefined;
    this.indexChunks();
  }

  private indexChunks(): void {
    this.chunkStarts = new Array<number>(this.chunks.length);
    let at = 0;
    for (let i = 0; i < this.chunks.length; i++) {
      this.chunkStarts[i] = at;
      at += this.chunks[i].length;
    }
  }

  /** Index of the chunk holding `offset` (the last chunk for the end of the text). */
  private chunkAt(offset: number): number {
    let low = 0;
    let high = this.chunks.length - 1;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (this.chunkStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  private charCodeAt(offset: number): number {
    if (offset < 0 || offset >= this.length) return NaN;
    const chunk = this.chunkAt(offset);
    return this.chunks[chunk].charCodeAt(offset - this.chunkStarts[chunk]);
  }

  private slice(start: number, end: number): string {
    if (end <= start) return '';
    const pieces: string[] = [];
    for (let chunk = this.chunkAt(start); chunk < this.chunks.length && this.chunkStarts[chunk] < end; chunk++) {
      const at = this.chunkStarts[chunk];
      pieces.push(this.chunks[chunk].slice(Math.max(0, start - at), end - at));
    }
    return pieces.join('');
  }

  private lineOffsets(): number[] {
    if (!this.lines) {
      this.lines = [0];
      for (let chunk = 0; chunk < this.chunks.length; chunk++) this.addLineStarts(chunk);
    }
    return this.lines;
  }

  /** Line starts inside one chunk, handling a CRLF pair split across two chunks. */
  private addLineStarts(chunk: number): void {
    const text = this.chunks[chunk];
    const at = this.chunkStarts[chunk];
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (!isEol(code)) continue;
      if (code === CR && this.charCodeAt(at + i + 1) === LF) {
        if (i + 1 < text.length) i++;
        else continue; // the LF starting the next chunk ends this line
      }
      this.lines!.push(at + i + 1);
    }
  }

  private beforeEol(offset: number, lineStart: number): number {
    while (offset > lineStart && isEol(this.charCodeAt(offset - 1))) offset--;
    return offset;
  }
}
