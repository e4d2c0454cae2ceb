// Byte-level reading of SQL text on the wire (no string built), shared by the hazard pre-filter
// (hazards.ts) and the audit's hidden-code scan (audit.ts). Both run on every Query a client sends,
// so byte classes are table lookups rather than chains of comparisons.

/** 1 for a byte of an SQL word: ASCII letter, digit, `_`, `$`, or any non-ASCII byte (UTF-8). */
export const WORD_BYTES = new Uint8Array(256);
/** Each byte with ASCII upper case folded to lower case (other bytes unchanged). */
export const FOLDED = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  const lower = b | 0x20;
  WORD_BYTES[b] = (lower >= 0x61 && lower <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x5f || b === 0x24 || b >= 0x80 ? 1 : 0;
  FOLDED[b] = b >= 0x41 && b <= 0x5a ? lower : b;
}

/** A byte of an SQL word: ASCII letter, digit, `_`, `$`, or any non-ASCII byte (UTF-8). */
export function isWordByte(b: number): boolean {
  return WORD_BYTES[b] === 1;
}

/** `buf` at `at` equals the lower-case ASCII `word`, ignoring ASCII case (the caller checks that it fits). */
export function equalsFolded(buf: Buffer, at: number, word: Buffer): boolean {
  for (let k = 0; k < word.length; k++) if (FOLDED[buf[at + k]] !== word[k]) return false;
  return true;
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

/** Whether a comment may start at a byte (`-` or `/`): the others need no commentEnd call. */
export function mayStartComment(b: number): boolean {
  return b === 0x2d || b === 0x2f;
}
