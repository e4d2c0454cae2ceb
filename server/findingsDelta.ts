// Findings travel from the analysis worker to the main thread as a delta against the previous list:
// after a keystroke the findings before the edit are unchanged and those after it moved by the same
// amount, so only the few in between are copied across threads (a 1 MB file has thousands).
import type { Finding } from './analysis/types';

export function shiftFinding(finding: Finding, by: number): Finding {
  const shifted: Finding = { ...finding, start: finding.start + by, end: finding.end + by };
  if (finding.fix) shifted.fix = { title: finding.fix.title, edits: finding.fix.edits.map((e) => ({ ...e, start: e.start + by, end: e.end + by })) };
  if (finding.related) shifted.related = finding.related.map((r) => ({ ...r, start: r.start + by, end: r.end + by }));
  return shifted;
}

/** True when `after` is exactly `before` moved by `by` (every offset, including fixes and related locations). */
export function sameFindingShifted(before: Finding, after: Finding, by: number): boolean {
  if (before.rule !== after.rule || before.severity !== after.severity || before.message !== after.message) return false;
  if (before.start + by !== after.start || before.end + by !== after.end || before.unnecessary !== after.unnecessary) return false;
  if (!before.fix !== !after.fix || !before.related !== !after.related) return false;
  if (before.fix && after.fix) {
    if (before.fix.title !== after.fix.title || before.fix.edits.length !== after.fix.edits.length) return false;
    for (let i = 0; i < before.fix.edits.length; i++) {
      const [a, b] = [before.fix.edits[i], after.fix.edits[i]];
      if (a.start + by !== b.start || a.end + by !== b.end || a.newText !== b.newText) return false;
    }
  }
  if (before.related && after.related) {
    if (before.related.length !== after.related.length) return false;
    for (let i = 0; i < before.related.length; i++) {
      const [a, b] = [before.related[i], after.related[i]];
      if (a.start + by !== b.start || a.end + by !== b.end || a.message !== b.message) return false;
    }
  }
  return true;
}

export interface FindingsDelta {
  /** Findings kept as they were from the start of the previous list. */
  prefix: number;
  /** Findings kept from the end of the previous list, moved by `shift`. */
  suffix: number;
  shift: number;
  middle: Finding[];
}

export function computeDelta(before: readonly Finding[], after: readonly Finding[], shift: number): FindingsDelta {
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && sameFindingShifted(before[prefix], after[prefix], 0)) prefix++;
  let suffix = 0;
  const room = Math.min(before.length, after.length) - prefix;
  while (suffix < room && sameFindingShifted(before[before.length - 1 - suffix], after[after.length - 1 - suffix], shift)) suffix++;
  return { prefix, suffix, shift, middle: after.slice(prefix, after.length - suffix) };
}

export function applyDelta(before: readonly Finding[], delta: FindingsDelta): Finding[] {
  const kept = before.slice(before.length - delta.suffix);
  return [...before.slice(0, delta.prefix), ...delta.middle, ...(delta.shift === 0 ? kept : kept.map((f) => shiftFinding(f, delta.shift)))];
}
