import type { Position } from './types';

/** Index of the last entry of an ascending list that is <= value (0 when none is). */
export function lastAtOrBefore(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (sorted[mid] <= value) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Maps UTF-16 offsets <-> 0-based {line, character}; built once per document. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const line = lastAtOrBefore(this.lineStarts, clamped);
    return { line, character: clamped - this.lineStarts[line] };
  }

  offsetAt(position: Position): number {
    const line = Math.max(0, Math.min(position.line, this.lineStarts.length - 1));
    return Math.min(this.lineStarts[line] + Math.max(0, position.character), this.text.length);
  }
}

export function offsetToPosition(text: string, offset: number): Position {
  return new LineIndex(text).positionAt(offset);
}

/** Converts a UTF-8 byte offset (libpg-query AST locations) into a UTF-16 offset within `text`. */
export function utf8ByteToUtf16(text: string, byteOffset: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < byteOffset) {
    const code = text.codePointAt(i)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    i += code >= 0x10000 ? 2 : 1;
  }
  return i;
}

/** Converts a code-point index (libpg-query error cursor) into a UTF-16 offset within `text`. */
export function codePointToUtf16(text: string, codePoints: number): number {
  let i = 0;
  for (let n = 0; n < codePoints && i < text.length; n++) i += text.codePointAt(i)! >= 0x10000 ? 2 : 1;
  return i;
}
