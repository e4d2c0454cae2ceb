// Incremental analysis of one SQL document for the editor. SqlAnalyzer re-splits the whole file on
// every call; for a 1 MB file that alone costs more than a keystroke's budget. Here only the statements
// around an edit are re-split (the splitter's state is clean after a top-level `;`, so once a new
// statement boundary coincides with an old one past the edit, everything after it is unchanged, only
// shifted), and only statements whose text changed are parsed again. The file-wide context pass
// (transaction blocks, nextval/currval, suppressions) still runs over all statements: it is cheap.
import { resolveOptions, splitStatements, dialectOfSqlFile, mostlyOtherDialect, withoutOtherDialectFolderErrors, foldRepeatedSyntaxErrors, type AnalysisOptions, type DocumentText, type Finding } from './analysis/index';
import { analyzeFragment, type StatementFacts } from './analysis/detect';
import { spanFacts } from './analysis/pieces';
import { sqlFileOptions } from './analysis/ownSession';
import { isContextOnlySchema } from './analysis/contextOnlySchemas';
import { applyContext, withMigrationTransactions } from './analysis/context';
import { applyBalancing } from './analysis/balancing';
import { applyStateFunctionCalls } from './analysis/stateFunctionCalls';
import { Suppressions } from './analysis/suppression';
import { withoutUnlocksOfTransactionKeys } from './analysis/transactionLockKeys';

interface Statement {
  start: number;
  end: number;
  text: string;
  /**
   * Last index of what ends the statement (its top-level `;`, its `\g` meta-command, the `\.` line of
   * COPY data), so splitting can restart at terminator + 1; the text length for an unterminated last statement.
   */
  terminator: number;
  facts: StatementFacts;
  psqlScript?: boolean;
}

/** Where two texts differ: [start, oldEnd) in the old text became [start, newEnd) in the new one. */
export interface TextDiff {
  start: number;
  oldEnd: number;
  newEnd: number;
}

const CHUNK = 4096;

/** The region a sequence of edits (each in the coordinates of the text left by the previous) changed. */
export function diffOfEdits(edits: readonly { start: number; end: number; text: string }[]): TextDiff | undefined {
  let region: TextDiff | undefined;
  for (const edit of edits) {
    const growth = edit.text.length - (edit.end - edit.start);
    if (!region) {
      region = { start: edit.start, oldEnd: edit.end, newEnd: edit.end + growth };
      continue;
    }
    const currentEnd = Math.max(region.newEnd, edit.end);
    region = {
      start: Math.min(region.start, edit.start),
      oldEnd: region.oldEnd + Math.max(0, edit.end - region.newEnd),
      newEnd: currentEnd + growth,
    };
  }
  return region;
}

/** Common prefix and suffix, compared in native-speed slices first. */
export function diffTexts(before: string, after: string): TextDiff {
  const limit = Math.min(before.length, after.length);
  let start = 0;
  while (start + CHUNK <= limit && before.slice(start, start + CHUNK) === after.slice(start, start + CHUNK)) start += CHUNK;
  while (start < limit && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let suffix = 0;
  const maxSuffix = limit - start;
  while (suffix + CHUNK <= maxSuffix && before.slice(before.length - suffix - CHUNK, before.length - suffix) === after.slice(after.length - suffix - CHUNK, after.length - suffix)) suffix += CHUNK;
  while (suffix < maxSuffix && before.charCodeAt(before.length - suffix - 1) === after.charCodeAt(after.length - suffix - 1)) suffix++;
  return { start, oldEnd: before.length - suffix, newEnd: after.length - suffix };
}

/** A flat copy that does not reference the string it was sliced from. */
function ownCopy(text: string): string {
  return (' ' + text).slice(1);
}

/** Statement spans of `text.slice(from, to)`, in document offsets; spans cut off by `to` are dropped. */
function splitWindow(text: DocumentText, from: number, to: number, reuse: Map<string, StatementFacts>): Statement[] {
  const window = text.slice(from, to);
  const complete = to >= text.length;
  const statements: Statement[] = [];
  for (const span of splitStatements(window)) {
    // A statement (or its COPY data) running into the window's end may go on past it: split again with more text.
    const terminator = span.resume !== undefined && span.resume <= window.length ? span.resume - 1 : window.length;
    if (!complete && terminator >= window.length) break;
    const facts = spanFacts(span, (statement) => reuse.get(statement) ?? analyzeFragment(statement, 0));
    // A slice keeps its whole parent string alive: statements kept across edits would pin one copy of
    // the document per keystroke. Re-splits copy their (short) statement texts out of the document.
    const text = from === 0 && complete ? span.text : ownCopy(span.text);
    statements.push({ start: from + span.start, end: from + span.end, text, terminator: from + terminator, facts, psqlScript: span.afterMetaCommand });
  }
  return statements;
}

export class IncrementalSqlDocument {
  private text: DocumentText = '';
  private statements: Statement[] = [];

  constructor(private readonly fileName?: string) {}

  /**
   * Findings for `text`, re-parsing only what changed since the previous call. `changed`, when the
   * caller knows it (from the editor's edits), saves comparing the texts.
   */
  analyze(text: DocumentText, options?: Partial<AnalysisOptions>, changed?: TextDiff): Finding[] {
    if ((this.fileName !== undefined && dialectOfSqlFile(this.fileName)) || isContextOnlySchema(text)) return [];
    this.update(text, changed);
    if (mostlyOtherDialect(this.statements.map((statement) => statement.facts))) return [];
    const resolved = resolveOptions(sqlFileOptions(text, options, this.fileName));
    const suppressions = new Suppressions(text);
    const sequence = withMigrationTransactions(this.statements, resolved.migrationSections, resolved.migrationBlocks);
    return foldRepeatedSyntaxErrors(withoutOtherDialectFolderErrors(withoutUnlocksOfTransactionKeys(text, [
      ...applyContext(sequence, resolved, suppressions, false, text), ...applyBalancing(sequence, resolved, suppressions, text),
      ...applyStateFunctionCalls(sequence, resolved, suppressions),
    ]), this.fileName));
  }

  private update(text: DocumentText, changed?: TextDiff): void {
    if (text === this.text && this.statements.length > 0) return;
    if (this.statements.length === 0) {
      this.statements = splitWindow(text, 0, text.length, new Map());
      this.text = text;
      return;
    }
    const plausible = changed && changed.start >= 0 && changed.oldEnd <= this.text.length && text.length - changed.newEnd === this.text.length - changed.oldEnd;
    const diff = plausible ? changed : diffTexts(this.text.toString(), text.toString());
    const delta = diff.newEnd - diff.oldEnd;
    const old = this.statements;
    // First statement that the edit may touch (2 characters of margin: the splitter looks one or two ahead).
    let first = 0;
    while (first < old.length && old[first].terminator < diff.start - 2) first++;
    const from = first > 0 ? old[first - 1].terminator + 1 : 0;
    const reuse = new Map<string, StatementFacts>();
    // Statements at or after the edit, for the search of a boundary where old and new splits agree again.
    let candidate = first;
    while (candidate < old.length && old[candidate].start < diff.oldEnd + 2) candidate++;
    for (let i = first; i < candidate; i++) reuse.set(old[i].text, old[i].facts);
    for (let size = Math.max(CHUNK, diff.newEnd - from + CHUNK); ; size *= 2) {
      const to = Math.min(text.length, from + size);
      const fresh = splitWindow(text, from, to, reuse);
      const sync = resync(fresh, old, candidate, delta);
      if (sync) {
        // Shifted in place: these objects belong to this document only, and copying 10k+ of them per keystroke shows.
        if (delta !== 0) {
          for (let i = sync.old; i < old.length; i++) {
            old[i].start += delta;
            old[i].end += delta;
            old[i].terminator += delta;
          }
        }
        this.statements = old.slice(0, first).concat(fresh.slice(0, sync.fresh), old.slice(sync.old));
        break;
      }
      if (to >= text.length) {
        this.statements = [...old.slice(0, first), ...fresh];
        break;
      }
      // The new split has not met an old boundary yet: statements in this window may reappear below.
      for (let i = candidate; i < old.length && old[i].start < to - delta; i++) reuse.set(old[i].text, old[i].facts);
    }
    this.text = text;
  }
}

/** The first position where a new statement equals an old one (shifted by delta) past the edit. */
function resync(fresh: Statement[], old: Statement[], candidate: number, delta: number): { fresh: number; old: number } | undefined {
  let o = candidate;
  for (let f = 0; f < fresh.length; f++) {
    const wanted = fresh[f].start - delta;
    while (o < old.length && old[o].start < wanted) o++;
    if (o >= old.length) return undefined;
    if (old[o].start === wanted && old[o].terminator + delta === fresh[f].terminator && old[o].text === fresh[f].text) return { fresh: f, old: o };
  }
  return undefined;
}
