// Incremental analysis of one TS/JS document for the editor. Parsing a 5,000-line file with the
// TypeScript compiler on every keystroke costs more than the latency budget, so the file is cut into
// top-level chunks (a lexical scan: strings, templates with ${…}, comments, regexes, bracket depth) and
// each chunk is analysed alone, cached by its text: a keystroke re-analyses one chunk. SQL sequences are
// per function scope, so declarations can stand alone; consecutive top-level *executable* statements
// stay together in one chunk so module-level sequences (BEGIN … COMMIT in a script) keep their context.
import { analyze, type AnalysisOptions, type DocumentLanguage, type Finding } from './analysis/index';
import { topLevelStatementStarts } from './tsScan';
import { shiftFinding } from './findingsDelta';

interface Chunk {
  start: number;
  text: string;
}

interface CachedChunk {
  optionsKey: string;
  findings: Finding[];
}

const DECLARATION = /^(?:export\s+(?:default\s+)?)?(?:declare\s+)?(?:(?:async\s+)?function\b|(?:abstract\s+)?class\b|interface\b|type\b|enum\b|namespace\b|module\b|import\b|(?:const|let|var)\s+[\w$]+\s*(?::[^=]*)?=\s*(?:async\s*)?(?:function\b|\([^)]*\)\s*(?::[^=]*)?=>|[\w$]+\s*=>))/;

/** True for top-level statements that run no SQL themselves (functions, classes, types, imports). */
function isDeclaration(statement: string): boolean {
  const code = statement.replace(/^(?:\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|@[\w$.]+(?:\([^)]*\))?)*/, '');
  return DECLARATION.test(code);
}

/** Top-level chunks: each declaration alone, consecutive executable statements together. */
export function chunkTopLevel(text: string): Chunk[] {
  const starts = topLevelStatementStarts(text);
  const chunks: Chunk[] = [];
  let previousExecutable = false;
  for (let s = 0; s < starts.length; s++) {
    const piece = text.slice(starts[s], s + 1 < starts.length ? starts[s + 1] : text.length);
    const executable = !isDeclaration(piece);
    if (executable && previousExecutable && chunks.length > 0) chunks[chunks.length - 1].text += piece;
    else chunks.push({ start: starts[s], text: piece });
    previousExecutable = executable;
  }
  return chunks;
}

export class IncrementalTsDocument {
  private cache = new Map<string, CachedChunk>();

  constructor(private readonly language: DocumentLanguage, private readonly fileName?: string) {}

  analyze(text: string, options?: Partial<AnalysisOptions>): Finding[] {
    const optionsKey = JSON.stringify(options ?? {});
    const next = new Map<string, CachedChunk>();
    const findings: Finding[] = [];
    for (const chunk of chunkTopLevel(text)) {
      let cached = this.cache.get(chunk.text) ?? next.get(chunk.text);
      if (!cached || cached.optionsKey !== optionsKey) {
        // Analysed from a copy: findings derived from a slice would pin this whole version of the file in the cache.
        cached = { optionsKey, findings: analyze((' ' + chunk.text).slice(1), this.language, options, this.fileName) };
      }
      next.set(chunk.text, cached);
      for (const finding of cached.findings) findings.push(shiftFinding(finding, chunk.start));
    }
    this.cache = next;
    return findings;
  }
}
