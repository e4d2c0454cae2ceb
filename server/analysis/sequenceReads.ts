// Which earlier nextval a currval/lastval reads. currval('s') returns what this session's last nextval('s')
// drew; lastval() (read as sequence '*') what its last nextval of any sequence drew. One reading for a
// transaction block, a whole .sql file (context.ts) and a routine body (detect.ts), so the two functions
// are accepted after the same earlier draws everywhere.

/** Whether a nextval of `drawn` earlier in the same session sets what the read of `read` returns. */
export function readsDrawnSequence(read: string | undefined, drawn: string): boolean {
  return read === '*' || drawn === (read ?? '?');
}

/** The latest earlier draw (by position) that the read of `read` may return, if any. */
export function latestDrawRead<T extends { start: number }>(draws: ReadonlyMap<string, T>, read: string | undefined): T | undefined {
  let latest: T | undefined;
  for (const [sequence, at] of draws) if (readsDrawnSequence(read, sequence) && (!latest || at.start > latest.start)) latest = at;
  return latest;
}
