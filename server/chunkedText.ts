// A document's text as a list of short chunks, for the language server's two copies of each open
// document (the main thread's, chunkedDocument.ts, and the analysis worker's). A JavaScript string
// cannot be edited: every keystroke would build (and, read once, flatten) a whole new copy, 2 MB for
// a 1 MB file with non-ASCII text, which outlives the next scavenge and piles up until a major GC. An
// edit here builds a new ChunkedText that shares every chunk it does not touch. Whole-text checks
// read it through DocumentText (includes, slice); only the rare ones join it (toString).
import type { DocumentText } from './analysis/types';

/** Chunks are cut at this many UTF-16 units: small enough to stay out of V8's large-object space. */
const CHUNK = 8192;

/** `text` cut into chunks of at most CHUNK units. */
function cut(text: string): string[] {
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += CHUNK) pieces.push(text.slice(at, at + CHUNK));
  return pieces;
}

function startsOf(chunks: readonly string[]): number[] {
  const starts = new Array<number>(chunks.length);
  let at = 0;
  for (let i = 0; i < chunks.length; i++) {
    starts[i] = at;
    at += chunks[i].length;
  }
  return starts;
}

export class ChunkedText implements DocumentText {
  /** Offset where each chunk starts. */
  private readonly starts: readonly number[];

  private constructor(private readonly chunks: readonly string[], readonly length: number) {
    this.starts = startsOf(chunks);
  }

  static of(text: string): ChunkedText {
    return new ChunkedText(cut(text), text.length);
  }

  /** The text with [start, end) replaced by `text`; the chunks the edit does not touch are shared. */
  replaced(start: number, end: number, text: string): ChunkedText {
    if (this.chunks.length === 0) return ChunkedText.of(text);
    start = Math.max(0, Math.min(start, this.length));
    end = Math.max(start, Math.min(end, this.length));
    const first = this.chunkAt(start);
    const last = this.chunkAt(end);
    const merged = this.chunks[first].slice(0, start - this.starts[first]) + text + this.chunks[last].slice(end - this.starts[last]);
    const chunks = this.chunks.slice(0, first);
    if (merged.length > 2 * CHUNK) chunks.push(...cut(merged));
    else if (merged.length > 0) chunks.push(merged);
    for (let i = last + 1; i < this.chunks.length; i++) chunks.push(this.chunks[i]);
    return new ChunkedText(chunks, this.length + text.length - (end - start));
  }

  charCodeAt(offset: number): number {
    if (offset < 0 || offset >= this.length) return NaN;
    const chunk = this.chunkAt(offset);
    return this.chunks[chunk].charCodeAt(offset - this.starts[chunk]);
  }

  /** As String.prototype.slice, for 0 <= start (end past the text is clamped). */
  slice(start = 0, end = this.length): string {
    end = Math.min(end, this.length);
    if (end <= start) return '';
    const pieces: string[] = [];
    for (let chunk = this.chunkAt(start); chunk < this.chunks.length && this.starts[chunk] < end; chunk++) {
      const at = this.starts[chunk];
      pieces.push(this.chunks[chunk].slice(Math.max(0, start - at), end - at));
    }
    return pieces.join('');
  }

  includes(search: string): boolean {
    if (search.length === 0) return true;
    for (let i = 0; i < this.chunks.length; i++) {
      if (this.chunks[i].includes(search)) return true;
      // An occurrence across the boundary after chunk i (chunks may be shorter than `search`).
      const boundary = this.starts[i] + this.chunks[i].length;
      if (i + 1 < this.chunks.length && this.slice(Math.max(0, boundary - search.length + 1), boundary + search.length - 1).includes(search)) return true;
    }
    return false;
  }

  /** The whole text as one string: a new copy on every call. */
  toString(): string {
    return this.chunks.join('');
  }

  /** Index of the chunk holding `offset` (the last chunk for the end of the text). */
  private chunkAt(offset: number): number {
    let low = 0;
    let high = this.chunks.length - 1;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (this.starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}
