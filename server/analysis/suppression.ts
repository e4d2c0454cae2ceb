// Suppression comments in SQL: `-- poolsafe-disable-next-line [rule, ...]` (no rule = all) and
// `/* poolsafe-disable rule */` ... `/* poolsafe-enable rule */` for a region of the file.
import type { DocumentText, FindingCode } from './types';
import { LineIndex } from './positions';

interface Region {
  rule: string;
  start: number;
  end: number;
}

function parseRules(list: string | undefined): string[] {
  const rules = (list ?? '').split(/[\s,]+/).filter((r) => r !== '' && r !== '*/');
  return rules.length ? rules : ['*'];
}

export class Suppressions {
  private readonly lines = new Map<number, string[]>();
  private readonly regions: Region[] = [];
  /** Built only when the text has suppression comments: most files have none, and a 1 MB file's index costs. */
  private readonly index?: LineIndex;

  constructor(document: DocumentText) {
    if (!document.includes('poolsafe-')) return;
    const text = document.toString();
    const index = (this.index = new LineIndex(text));
    for (const match of text.matchAll(/--\s*poolsafe-disable-next-line\b([^\n]*)/g)) {
      this.lines.set(index.positionAt(match.index!).line + 1, parseRules(match[1]));
    }
    const open = new Map<string, number>();
    for (const match of text.matchAll(/\/\*\s*poolsafe-(disable|enable)\b([^*]*)\*\//g)) {
      for (const rule of parseRules(match[2])) {
        if (match[1] === 'disable' && !open.has(rule)) open.set(rule, match.index!);
        else if (match[1] === 'enable' && open.has(rule)) {
          this.regions.push({ rule, start: open.get(rule)!, end: match.index! });
          open.delete(rule);
        }
      }
    }
    for (const [rule, start] of open) this.regions.push({ rule, start, end: Infinity });
  }

  isSuppressed(rule: FindingCode, offset: number): boolean {
    if (!this.index) return false;
    const lineRules = this.lines.size > 0 ? this.lines.get(this.index.positionAt(offset).line) : undefined;
    if (lineRules && (lineRules.includes('*') || lineRules.includes(rule))) return true;
    return this.regions.some((r) => (r.rule === '*' || r.rule === rule) && offset >= r.start && offset < r.end);
  }
}
