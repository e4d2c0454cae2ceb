// Incremental analysis of one TS/JS document for the editor. Parsing a 5,000-line file with the
// TypeScript compiler on every keystroke costs more than the latency budget, so the file is cut into
// top-level chunks (a lexical scan: strings, templates with ${…}, comments, regexes, bracket depth) and
// each chunk is analysed alone, cached by its text: a keystroke re-analyses one chunk. SQL sequences are
// per function scope, so declarations can stand alone; consecutive top-level *executable* statements
// stay together in one chunk so module-level sequences (BEGIN … COMMIT in a script) keep their context.
// Every chunk is analysed after a "prelude" of the file's imports and of the top-level bindings other
// chunks' SQL may come from (`const PREFIX = 'SET …'`, `const db = new Pool()`), so the editor sees
// the same SQL as a whole-file analysis; findings inside the prelude map back to where it came from.
import { analyze, type AnalysisOptions, type DocumentLanguage, type DocumentText, type Finding } from './analysis/index';
import { topLevelStatementStarts } from './tsScan';
import { shiftFinding } from './findingsDelta';
import { BLOCK_COMMENT } from './analysis/sqlTrivia';
import { withoutClosingSettings } from './analysis/embeddedSettingPairs';
import { IN_PROCESS_DATABASE_CLASSES, IN_PROCESS_DATABASE_TYPES, RESERVE_METHOD, TRANSACTION_OPENER_METHODS } from './analysis/clientHandles';

interface Chunk {
  start: number;
  text: string;
}

interface CachedChunk {
  optionsKey: string;
  findings: Finding[];
}

const DECLARATION = /^(?:export\s+(?:default\s+)?)?(?:declare\s+)?(?:(?:async\s+)?function\b|(?:abstract\s+)?class\b|interface\b|type\b|enum\b|namespace\b|module\b|import\b|(?:const|let|var)\s+[\w$]+\s*(?::[^=]*)?=\s*(?:async\s*)?(?:function\b|\([^)]*\)\s*(?::[^=]*)?=>|[\w$]+\s*=>))/;

/** Blanks, comments and decorators before a TS/JS statement, each one way only (block comments as in SQL: sqlTrivia.ts). */
const LEADING_TS_TRIVIA = new RegExp(String.raw`^(?:\s|\/\/[^\n]*(?:\n|(?![\s\S]))|${BLOCK_COMMENT}|@[\w$.]+(?:\([^)]*\))?)*`);

function withoutLeadingTrivia(statement: string): string {
  return statement.replace(LEADING_TS_TRIVIA, '');
}

/** True for top-level statements that run no SQL themselves (functions, classes, types, imports). */
function isDeclaration(statement: string): boolean {
  return DECLARATION.test(withoutLeadingTrivia(statement));
}

/** Module bindings the analysis resolves across the file (e.g. `import postgres from 'postgres'`). */
const MODULE_BINDING = /^(?:import\b|(?:const|let|var)\s+[^=;]+=\s*require\s*\()/;
const PGLITE_CLASS = `(?:${IN_PROCESS_DATABASE_CLASSES.join('|')})`;
/**
 * Top-level strings, pools, handles and in-process databases that queries in other chunks may use (`const
 * PREFIX = 'SET …'`, `const db = new Pool()`, `const trx = await knex.transaction()`, `const conn = await
 * sql.reserve()`, `const lite = new PGlite()`, `let lite: PGlite`), and any variable declared with a class's type and
 * no value (`let engine: PGLiteEngine;`, filled in a `beforeAll`): the type may be a project class around PGlite
 * (inProcessWrappers.ts), which only the declaration says.
 */
const SHARED_BINDING = new RegExp(String.raw`^(?:export\s+)?(?:const|let|var)\s+[\w$]+\s*(?:(?::[^=]*)?=\s*(?:\/\*\s*sql\s*\*\/\s*)?`
  + String.raw`(?:['"\x60]|new\s+(?:[\w$]+\.)?Pool\b|postgres\s*\(|(?:await\s+)?[\w$.]+\.(?:${[...TRANSACTION_OPENER_METHODS, RESERVE_METHOD].join('|')})\s*\(\s*\)`
  + String.raw`|new\s+${PGLITE_CLASS}\s*\(|(?:await\s+)?${PGLITE_CLASS}\.create\s*\()|:\s*(?:${IN_PROCESS_DATABASE_TYPES.join('|')})\s*[;\n]`
  + String.raw`|:\s*[A-Z][\w$]*(?:\s*\|\s*(?:null|undefined))*\s*(?:;\s*)?$)`);

/** A top-level statement copied into the prelude: where it is in the prelude and in the file. */
interface PreludeSegment {
  at: number;
  fileStart: number;
  length: number;
}

interface Chunks {
  chunks: Chunk[];
  /** The file's imports and shared top-level bindings, given to every chunk's analysis. */
  prelude: string;
  segments: PreludeSegment[];
}

/** Top-level chunks: each declaration alone, consecutive executable statements together. */
export function chunkTopLevel(text: string): Chunks {
  const starts = topLevelStatementStarts(text);
  const chunks: Chunk[] = [];
  const segments: PreludeSegment[] = [];
  let prelude = '';
  let previousExecutable = false;
  for (let s = 0; s < starts.length; s++) {
    const piece = text.slice(starts[s], s + 1 < starts.length ? starts[s + 1] : text.length);
    const statement = withoutLeadingTrivia(piece);
    if (MODULE_BINDING.test(statement) || SHARED_BINDING.test(statement)) {
      const kept = piece.trimEnd();
      segments.push({ at: prelude.length, fileStart: starts[s], length: kept.length });
      prelude += `${kept}\n`;
    }
    const executable = !isDeclaration(piece);
    if (executable && previousExecutable && chunks.length > 0) chunks[chunks.length - 1].text += piece;
    else chunks.push({ start: starts[s], text: piece });
    previousExecutable = executable;
  }
  return { chunks, prelude, segments };
}

/** Every offset of a finding (its range, fix edits, related locations). */
function offsetsOf(finding: Finding): number[] {
  return [finding.start, finding.end, ...(finding.fix?.edits.flatMap((e) => [e.start, e.end]) ?? []), ...(finding.related?.flatMap((r) => [r.start, r.end]) ?? [])];
}

/** A finding inside the prelude, moved to where that text is in the file (undefined if it spans segments). */
function fromPrelude(finding: Finding, segments: PreludeSegment[]): Finding | undefined {
  const segment = segments.find((s) => s.at <= finding.start && finding.start < s.at + s.length);
  if (!segment || !offsetsOf(finding).every((o) => o >= segment.at && o <= segment.at + segment.length)) return undefined;
  return shiftFinding(finding, segment.fileStart - segment.at);
}

export class IncrementalTsDocument {
  private cache = new Map<string, CachedChunk>();
  private prelude = '';
  /** Findings of the prelude analysed alone (keyed rule:start:end), for the prelude and options they were made with. */
  private preludeAlone?: { key: string; findings: Map<string, string> };

  constructor(private readonly language: DocumentLanguage, private readonly fileName?: string) {}

  analyze(document: DocumentText, options?: Partial<AnalysisOptions>): Finding[] {
    const text = document.toString(); // chunks are analysed from the whole text's top-level scan
    const optionsKey = JSON.stringify(options ?? {});
    const { chunks, prelude, segments } = chunkTopLevel(text);
    // Chunks are analysed after the prelude, so changing an import or a shared binding re-analyses every chunk.
    if (prelude !== this.prelude) this.cache.clear();
    this.prelude = prelude;
    const next = new Map<string, CachedChunk>();
    const findings: Finding[] = [];
    const inPrelude = new Map<string, Finding>();
    for (const chunk of chunks) {
      let cached = this.cache.get(chunk.text) ?? next.get(chunk.text);
      if (!cached || cached.optionsKey !== optionsKey) cached = { optionsKey, findings: this.analyzeChunk(chunk.text, prelude, options) };
      next.set(chunk.text, cached);
      for (const finding of cached.findings) {
        if (finding.start >= prelude.length) findings.push(shiftFinding(finding, chunk.start - prelude.length));
        else {
          // SQL of a shared binding that this chunk's query reached; several chunks may reach it.
          // A chunk whose query reached the binding reads it in context; the others see it as the prelude
          // alone does (an exported constant analysed on its own). The whole file keeps the in-context
          // reading, so a chunk's differing reading wins whatever the chunks' order.
          const moved = fromPrelude(finding, segments);
          if (!moved) continue;
          const key = `${moved.rule}:${moved.start}:${moved.end}`;
          if (inPrelude.has(key) && this.alone(prelude, segments, optionsKey, options).get(key) === JSON.stringify(moved)) continue;
          inPrelude.set(key, moved);
        }
      }
    }
    this.cache = next;
    // Pairs of a setter and a clearer of one custom setting in two chunks: as the whole-file analysis pairs them.
    if (inPrelude.size === 0) return withoutClosingSettings(text, findings);
    // The binding's own chunk reads it alone too: an in-context reading from another chunk replaces that.
    const standalone = this.alone(prelude, segments, optionsKey, options);
    const seen = new Map(findings.map((f, index) => [`${f.rule}:${f.start}:${f.end}`, index]));
    for (const [key, finding] of inPrelude) {
      const index = seen.get(key);
      if (index === undefined) findings.push(finding);
      else if (JSON.stringify(findings[index]) === standalone.get(key)) findings[index] = finding;
    }
    return withoutClosingSettings(text, findings.sort((a, b) => a.start - b.start || a.end - b.end));
  }

  /** The prelude's own findings, moved into the file and serialised, made once per prelude and options. */
  private alone(prelude: string, segments: PreludeSegment[], optionsKey: string, options?: Partial<AnalysisOptions>): Map<string, string> {
    const key = `${optionsKey}\n${prelude}`;
    if (this.preludeAlone?.key !== key) {
      const findings = new Map<string, string>();
      for (const finding of this.analyzeChunk('', prelude, options)) {
        const moved = fromPrelude(finding, segments);
        if (moved) findings.set(`${moved.rule}:${moved.start}:${moved.end}`, JSON.stringify(moved));
      }
      this.preludeAlone = { key, findings };
    }
    return this.preludeAlone.findings;
  }

  /** Findings of one chunk, relative to the prelude's start (the prelude comes first). */
  private analyzeChunk(chunk: string, prelude: string, options?: Partial<AnalysisOptions>): Finding[] {
    // Analysed from a copy: findings derived from a slice would pin this whole version of the file in the cache.
    const source = prelude + chunk;
    return analyze((' ' + source).slice(1), this.language, options, this.fileName);
  }
}
