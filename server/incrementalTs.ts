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

function withoutLeadingTrivia(statement: string): string {
  return statement.replace(/^(?:\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|@[\w$.]+(?:\([^)]*\))?)*/, '');
}

/** True for top-level statements that run no SQL themselves (functions, classes, types, imports). */
function isDeclaration(statement: string): boolean {
  return DECLARATION.test(withoutLeadingTrivia(statement));
}

/** Module bindings the analysis resolves across the file (e.g. `import postgres from 'postgres'`). */
const MODULE_BINDING = /^(?:import\b|(?:const|let|var)\s+[^=;]+=\s*require\s*\()/;

interface Chunks {
  chunks: Chunk[];
  /** The file's imports and top-level require() bindings, given to every chunk's analysis. */
  prelude: string;
}

/** Top-level chunks: each declaration alone, consecutive executable statements together. */
export function chunkTopLevel(text: string): Chunks {
  const starts = topLevelStatementStarts(text);
  const chunks: Chunk[] = [];
  const bindings: string[] = [];
  let previousExecutable = false;
  for (let s = 0; s < starts.length; s++) {
    const piece = text.slice(starts[s], s + 1 < starts.length ? starts[s + 1] : text.length);
    if (MODULE_BINDING.test(withoutLeadingTrivia(piece))) bindings.push(piece.trimEnd());
    const executable = !isDeclaration(piece);
    if (executable && previousExecutable && chunks.length > 0) chunks[chunks.length - 1].text += piece;
    else chunks.push({ start: starts[s], text: piece });
    previousExecutable = executable;
  }
  return { chunks, prelude: bindings.length ? `${bindings.join('\n')}\n` : '' };
}

export class IncrementalTsDocument {
  private cache = new Map<string, CachedChunk>();
  private prelude = '';

  constructor(private readonly language: DocumentLanguage, private readonly fileName?: string) {}

  analyze(text: string, options?: Partial<AnalysisOptions>): Finding[] {
    const optionsKey = JSON.stringify(options ?? {});
    const { chunks, prelude } = chunkTopLevel(text);
    // Chunks are analysed after the prelude, so changing an import re-analyses every chunk.
    if (prelude !== this.prelude) this.cache.clear();
    this.prelude = prelude;
    const next = new Map<string, CachedChunk>();
    const findings: Finding[] = [];
    for (const chunk of chunks) {
      let cached = this.cache.get(chunk.text) ?? next.get(chunk.text);
      if (!cached || cached.optionsKey !== optionsKey) cached = { optionsKey, findings: this.analyzeChunk(chunk.text, prelude, options) };
      next.set(chunk.text, cached);
      for (const finding of cached.findings) findings.push(shiftFinding(finding, chunk.start));
    }
    this.cache = next;
    return findings;
  }

  /** Findings of one chunk, relative to its start; the prelude only provides context. */
  private analyzeChunk(chunk: string, prelude: string, options?: Partial<AnalysisOptions>): Finding[] {
    // Analysed from a copy: findings derived from a slice would pin this whole version of the file in the cache.
    const source = prelude + chunk;
    const found = analyze((' ' + source).slice(1), this.language, options, this.fileName);
    return found.filter((f) => f.start >= prelude.length).map((f) => shiftFinding(f, -prelude.length));
  }
}
