// Byte-level reading of SQL text on the wire (no string built), shared by the hazard pre-filter
// (hazards.ts) and the audit's hidden-code scan (audit.ts).

/** A byte of an SQL word: ASCII letter, digit, `_`, `$`, or any non-ASCII byte (UTF-8). */
export function isWordByte(b: number): boolean {
  const lower = b | 0x20;
  return (lower >= 0x61 && lower <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x5f || b === 0x24 || b >= 0x80;
}

/** Where the comment starting at `i` ends (`-- …` line or `/* … *\/`), or -1 when none starts there. */
export function commentEnd(buf: Buffer, i: number, end: number): number {
  const b = buf[i];
  if (b === 0x2d && buf[i + 1] === 0x2d) {
    const nl = buf.indexOf(0x0a, i);
    return nl < 0 || nl >= end ? end : nl + 1;
  }
  if (b === 0x2f && buf[i + 1] === 0x2a) {
    const close = buf.indexOf('*/', i + 2);
    return close < 0 || close >= end ? end : close + 2;
  }
  return -1;
}
