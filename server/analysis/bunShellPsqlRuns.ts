// SQL files a program of a Bun project runs with psql through Bun Shell (`import { $ } from 'bun'`, then
// `` await $`psql -q -f ${psqlFile}` ``, or `` Bun.$`…` ``): the template is a command line, as a shell script's is, and
// psql runs the file in its own session (psqlRuns.ts, which asks here, reads the command files and the programs of the
// scripts folders). Bun Shell hands each `${…}` to the command as one word, so a file argument is the template's text
// with each hole's value written in, read from the program's text as far as it shows it (pathOf): strings, templates,
// a `const` the file declares once, a `const` a relative module exports and the file imports by name, `join`/`resolve`
// of those (the program's own folder for `import.meta.dir`/`__dirname`), and calls of a function the file declares
// that returns one value. A value read no further (a parameter of such a function, anything else) stands for one part
// of a path, without `/`: `/processing/topics/${topic}/${topic}.sql` names `processing/topics/trafficSigns/trafficSigns.sql`.
// As psqlRuns.ts matches a pattern, the path must keep a literal folder before its first unknown part, and it is matched
// at the end of the file's path. A psql command whose own words show a transaction pooler's connection (psqlConnections.ts)
// runs nothing in a session of its own. Read in the text (this module is loaded without the TypeScript compiler): the
// programs of a Bun project (a `bun.lock`, `bun.lockb` or `bunfig.toml` beside its package.json) within two folders of
// its root, its root up to FOLDER_LEVELS above the file.
import { dirname, join, resolve } from 'node:path';
import { SKIPPED_FOLDERS, boundedText, folderEntries, isFile, isFileEntry, walkFolders } from './folderEntries';
import { foldersUpToRoot } from './projectPaths';
import { psqlCommandEnd, psqlConnection } from './psqlConnections';
import { PSQL_FILE } from './psqlRuns';
import { escapeRegExp } from './regexText';
import { isSqlFileName } from './sqlFileNames';
import { CACHE_MS, TimedCache } from './timedCache';

/** What marks a folder as a Bun project's: its lockfile or its configuration. */
const BUN_PROJECT_FILES = ['bun.lock', 'bun.lockb', 'bunfig.toml'];
/** The program files read: JS and TS modules. */
const PROGRAM_FILE = /^[\w.-]+\.(?:[cm]?[jt]sx?)$/;
/** Bounds: how far up a Bun project is looked for, how deep and wide its folders are read, and the files' size. */
const FOLDER_LEVELS = 3;
const PROGRAM_FOLDER_DEPTH = 2;
const MAX_FOLDERS = 60;
const MAX_PROGRAMS = 200;
const MAX_FILE_BYTES = 256 * 1024;
/** How many names, imports and calls a path is followed through. */
const MAX_DEPTH = 8;

/** Bun's `$` imported from 'bun' (also renamed, `$ as sh`): the local names, in group 1 the import's list. */
const BUN_IMPORT = /\bimport\s*\{([^}]*)\}\s*from\s*["']bun["']/g;
/** A part of a path the text does not show: one path segment's characters, no `/`. */
const UNKNOWN = '\u0000';
/** A hole of a template in a command line: its index between two of these (read by the shell reader as a word). */
const HOLE = /\u0001(\d+)\u0001/g;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** `join`, `resolve`, `path.join`, `path.resolve`, `posix.join`: the parts joined with `/`. */
const PATH_JOIN = /^(?:(?:path|posix|nodePath)\.)?(?:join|resolve)$/;
/** The folder of the program itself. */
const OWN_FOLDER = /^(?:import\.meta\.dir|import\.meta\.dirname|__dirname)$/;
const CLOSING: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };

const patternsByProject = new TimedCache<RegExp[]>(CACHE_MS);

/** Whether a program of the file's Bun project runs it with psql through Bun Shell, on no transaction pooler (see the file comment). */
export function isRunByBunShellPsql(fileName: string): boolean {
  if (!isSqlFileName(fileName)) return false;
  const file = resolve(fileName);
  const project = foldersUpToRoot(dirname(file), FOLDER_LEVELS).find((folder) => BUN_PROJECT_FILES.some((name) => isFile(join(folder, name))));
  if (project === undefined) return false;
  const path = file.split('\\').join('/');
  return patternsByProject.get(project, () => projectPatterns(project)).some((pattern) => pattern.test(path));
}

/** The files, as patterns matched at a path's end, that the project's Bun Shell templates run with psql. */
function projectPatterns(project: string): RegExp[] {
  const patterns: RegExp[] = [];
  let programs = 0;
  // The folders entered stop at PROGRAM_FOLDER_DEPTH; the walk itself goes on to every folder of that depth.
  walkFolders(project, MAX_FOLDERS, (folder, entries) => {
    for (const entry of entries) {
      if (!PROGRAM_FILE.test(entry.name) || !isFileEntry(folder, entry) || ++programs > MAX_PROGRAMS) continue;
      const path = join(folder, entry.name);
      const text = boundedText(path, MAX_FILE_BYTES);
      if (text !== undefined && text.includes('psql') && text.includes('bun')) patterns.push(...programPatterns(text, path));
    }
    return programs <= MAX_PROGRAMS;
  }, (name, depth) => depth <= PROGRAM_FOLDER_DEPTH && !name.startsWith('.') && !SKIPPED_FOLDERS.has(name));
  return patterns;
}

/** The program's text with its `//` line comments (a line that opens with one) and `/* … *\/` comment lines blanked. */
function withCommentLinesBlanked(text: string): string {
  return text.replace(/^[ \t]*(?:\/\/|\/\*|\*).*$/gm, (line) => ' '.repeat(line.length));
}

/** The file patterns of the psql commands of one program's Bun Shell templates. */
export function programPatterns(written: string, program: string): RegExp[] {
  const text = withCommentLinesBlanked(written);
  const tags = bunShellTags(text);
  const tag = new RegExp(`(?:(?<![\\w$.])(?:${[...tags].map(escapeRegExp).join('|') || '(?!)'})|\\bBun\\.\\$)\\s*(?=\`)`, 'g');
  const patterns: RegExp[] = [];
  for (const match of text.matchAll(tag)) {
    const start = match.index! + match[0].length;
    const template = templateParts(text, start);
    if (template) patterns.push(...commandPatterns(template, { text, program, parameters: new Set(), depth: 0 }));
  }
  return patterns;
}

/** The local names of Bun's `$` the program imports. */
function bunShellTags(text: string): Set<string> {
  const tags = new Set<string>();
  for (const [, list] of text.matchAll(BUN_IMPORT)) {
    for (const element of list.split(',')) {
      const [imported, local] = element.trim().split(/(?<!\s)\s+as\s+/);
      if (imported === '$') tags.add((local ?? imported).trim());
    }
  }
  return tags;
}

/** A template literal's text pieces and its holes' expressions (text), from its opening backtick at `start`. */
interface TemplateParts { pieces: string[]; holes: string[] }

function templateParts(text: string, start: number): TemplateParts | undefined {
  if (text[start] !== '`') return undefined;
  const pieces: string[] = [];
  const holes: string[] = [];
  let piece = '';
  for (let i = start + 1; i < text.length; i++) {
    const character = text[i];
    if (character === '\\') { piece += text.slice(i, i + 2); i++; continue; }
    if (character === '`') return { pieces: [...pieces, piece], holes };
    if (character === '$' && text[i + 1] === '{') {
      const end = balancedEnd(text, i + 1);
      holes.push(text.slice(i + 2, end - 1));
      pieces.push(piece);
      piece = '';
      i = end - 1;
      continue;
    }
    piece += character;
  }
  return undefined;
}

/** Where a string, template or bracket opened at `start` ends (the index after it); the text's end when it does not. */
function balancedEnd(text: string, start: number): number {
  const open = text[start];
  if (open === '"' || open === "'") {
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === open || text[i] === '\n') return i + 1;
    }
    return text.length;
  }
  if (open === '`') {
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === '`') return i + 1;
      else if (text[i] === '$' && text[i + 1] === '{') i = balancedEnd(text, i + 1) - 1;
    }
    return text.length;
  }
  const close = CLOSING[open];
  for (let i = start + 1; i < text.length; i++) {
    const character = text[i];
    if (character === close) return i + 1;
    if (character in CLOSING || character === '"' || character === "'" || character === '`') i = balancedEnd(text, i) - 1;
  }
  return text.length;
}

/** Where an expression that starts at `start` ends: a `;`, `,`, closing bracket or line end outside its own brackets and strings. */
function expressionEnd(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    const character = text[i];
    if (character in CLOSING || character === '"' || character === "'" || character === '`') i = balancedEnd(text, i) - 1;
    else if (character === ';' || character === ',' || character === '\n' || character === ')' || character === ']' || character === '}') return i;
  }
  return text.length;
}

/** Where the names of a program are read: its text, its file, the parameters standing for unknown parts, and the depth reached. */
interface Reading { text: string; program: string; parameters: ReadonlySet<string>; depth: number }

/** The file arguments of a Bun Shell template's psql commands, as patterns; none on a transaction pooler's connection. */
function commandPatterns(template: TemplateParts, reading: Reading): RegExp[] {
  const line = template.pieces.map((piece, index) => (index === 0 ? piece : `\u0001${index - 1}\u0001${piece}`)).join('').replace(/\\\r?\n/g, '  ');
  if (!line.includes('psql')) return [];
  // The connection is read with each hole as one word of the same length.
  const shown = line.replace(HOLE, (hole) => `$${'H'.repeat(hole.length - 1)}`);
  const patterns: RegExp[] = [];
  for (const match of line.matchAll(PSQL_FILE)) {
    if (psqlConnection({ text: shown, makefile: false, shell: false }, match.index!, psqlCommandEnd(shown, shown, match.index!)).transactionPooler) continue;
    const argument = match[1].replace(/^["']|["']$/g, '').replace(HOLE, (_, index: string) => pathOf(template.holes[Number(index)], reading) ?? UNKNOWN);
    const pattern = pathPattern(argument);
    if (pattern) patterns.push(pattern);
  }
  return patterns;
}

/**
 * A path with UNKNOWN parts as a pattern matched at the end of a file's path (`./`, `../` and `/` before it dropped,
 * each unknown part one segment's characters); none when it names no SQL file or has no literal folder before its
 * first unknown part (`${dir}/x.sql` could be any file of that name).
 */
function pathPattern(path: string): RegExp | undefined {
  const tail = path.replace(/\/{2,}/g, '/').replace(/^(?:\.{0,2}\/)+/, '');
  if (!isSqlFileName(tail.split(UNKNOWN).join('x'))) return undefined;
  const first = tail.indexOf(UNKNOWN);
  if (first >= 0 && !tail.slice(0, first).includes('/')) return undefined;
  return new RegExp(`(?:^|\\/)${tail.split(UNKNOWN).map(escapeRegExp).join('[^\\/]+')}$`);
}

/** The path an expression's text holds, UNKNOWN for the parts the text does not show; undefined when it is read as no path. */
function pathOf(written: string, reading: Reading): string | undefined {
  if (reading.depth > MAX_DEPTH) return undefined;
  const expression = written.trim().replace(/(?<!\s)\s+as\s+const$/, '').replace(/!$/, '');
  if (expression === '') return undefined;
  const whole = balancedEnd(expression, 0) === expression.length;
  const inner: Reading = { ...reading, depth: reading.depth + 1 };
  if ((expression[0] === '"' || expression[0] === "'") && whole) return expression.slice(1, -1);
  if (expression[0] === '`' && whole) {
    const template = templateParts(expression, 0);
    return template?.pieces.map((piece, index) => (index === 0 ? piece : `${pathOf(template.holes[index - 1], inner) ?? UNKNOWN}${piece}`)).join('');
  }
  if (expression[0] === '(' && whole) return pathOf(expression.slice(1, -1), inner);
  if (OWN_FOLDER.test(expression)) return dirname(resolve(reading.program));
  if (IDENTIFIER.test(expression)) return namedPath(expression, inner);
  const call = /^([\w$.]+)\s*(?=\()/.exec(expression);
  if (call && balancedEnd(expression, call[0].length) === expression.length) return calledPath(call[1], expression.slice(call[0].length + 1, -1), inner);
  return undefined;
}

/** A name's path: a parameter (UNKNOWN), a `const` the program declares once, or one a relative module exports and it imports. */
function namedPath(name: string, reading: Reading): string | undefined {
  if (reading.parameters.has(name)) return UNKNOWN;
  const declared = onlyConst(reading.text, name, false);
  if (declared !== undefined) return pathOf(declared, reading);
  const imported = importedConst(reading.text, reading.program, name);
  return imported && pathOf(imported.value, { ...reading, text: imported.text, program: imported.program, parameters: new Set() });
}

/** The value of the one `const name = …` (`export const` when `exported`) of a text; undefined when there is none or more than one. */
function onlyConst(text: string, name: string, exported: boolean): string | undefined {
  const declaration = new RegExp(`(?:^|[\\s;{}(])${exported ? 'export\\s+' : ''}const\\s+${escapeRegExp(name)}\\s*(?::[^=\\n]+)?=(?!=)\\s*`, 'g');
  const found = [...text.matchAll(declaration)];
  const bindings = text.match(new RegExp(`\\b(?:const|let|var)\\s+${escapeRegExp(name)}\\b`, 'g'))?.length ?? 0;
  if (found.length !== 1 || bindings !== 1) return undefined;
  const start = found[0].index! + found[0][0].length;
  return text.slice(start, expressionEnd(text, start));
}

/** A name the program imports by name from a relative module that exports it as a `const`: that module's text and the value. */
function importedConst(text: string, program: string, name: string): { text: string; program: string; value: string } | undefined {
  for (const [, list, specifier] of text.matchAll(/\bimport\s*\{([^}]*)\}\s*from\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    for (const element of list.split(',')) {
      const [exported, local] = element.trim().replace(/^type\s+/, '').split(/(?<!\s)\s+as\s+/);
      if ((local ?? exported).trim() !== name) continue;
      const module = moduleFile(program, specifier);
      const moduleText = module && boundedText(module, MAX_FILE_BYTES);
      const value = moduleText ? onlyConst(withCommentLinesBlanked(moduleText), exported.trim(), true) : undefined;
      return module && moduleText && value !== undefined ? { text: withCommentLinesBlanked(moduleText), program: module, value } : undefined;
    }
  }
  return undefined;
}

/** The file a relative specifier names: as written, or with a JS/TS extension, or as a folder's index. */
function moduleFile(program: string, specifier: string): string | undefined {
  const base = resolve(dirname(program), specifier);
  const stem = base.replace(/\.[cm]?js$/, '');
  const candidates = [base, ...['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs'].flatMap((extension) => [stem + extension, join(base, `index${extension}`)])];
  return candidates.find((candidate) => PROGRAM_FILE.test(candidate.split('/').pop() ?? '') && isFile(candidate));
}

/** A call's path: a `join`/`resolve` of parts, or a call of a function the program declares that returns one value. */
function calledPath(callee: string, written: string, reading: Reading): string | undefined {
  const parts = argumentsOf(written);
  if (PATH_JOIN.test(callee)) return parts.length === 0 || parts.some((part) => part.trim().startsWith('...')) ? undefined : parts.map((part) => pathOf(part, reading) ?? UNKNOWN).join('/');
  if (!IDENTIFIER.test(callee)) return undefined;
  const fn = declaredFunction(reading.text, callee);
  return fn && pathOf(fn.returned, { ...reading, parameters: new Set(fn.parameters) });
}

/** The arguments of a call (the text between its parentheses), split at their top-level commas. */
function argumentsOf(written: string): string[] {
  const parts: string[] = [];
  for (let start = 0; start < written.length;) {
    const end = expressionEnd(written.replace(/\n/g, ' '), start);
    parts.push(written.slice(start, end));
    if (written[end] !== ',') break;
    start = end + 1;
  }
  return parts.filter((part) => part.trim() !== '');
}

/**
 * A function the program declares once under `name`, whose body returns one value: `function name(a, b) { … return x; }`
 * or `const name = (a: T) => x` (also with a block body): its parameters' names and what it returns.
 */
function declaredFunction(text: string, name: string): { parameters: string[]; returned: string } | undefined {
  const declarations = [...text.matchAll(new RegExp(`(?:^|[\\s;{}])(?:async\\s+)?function\\s*${escapeRegExp(name)}\\s*(?=\\()`, 'g'))];
  const arrow = onlyConst(text, name, false) ?? onlyConst(text, name, true);
  let parametersAt: number;
  let source = text;
  if (declarations.length === 1 && arrow === undefined) parametersAt = declarations[0].index! + declarations[0][0].length;
  else if (declarations.length === 0 && arrow !== undefined && /^(?:async\s+)?\(/.test(arrow)) {
    source = arrow;
    parametersAt = arrow.indexOf('(');
  } else return undefined;
  const parametersEnd = balancedEnd(source, parametersAt);
  const parameters = argumentsOf(source.slice(parametersAt + 1, parametersEnd - 1)).map((parameter) => /^\s*([A-Za-z_$][\w$]*)/.exec(parameter)?.[1] ?? '');
  if (parameters.includes('')) return undefined;
  const rest = source.slice(parametersEnd).replace(/^\s*(?::[^={]+)?/, '');
  const body = rest.startsWith('=>') ? rest.slice(2).trimStart() : rest;
  if (!body.startsWith('{')) return source === arrow && rest.startsWith('=>') ? { parameters, returned: body } : undefined;
  const block = body.slice(0, balancedEnd(body, 0));
  const returns = [...block.matchAll(/\breturn\b/g)];
  if (returns.length !== 1 || /\bfunction\b|=>/.test(block)) return undefined;
  const start = returns[0].index! + 'return'.length;
  return { parameters, returned: block.slice(start, expressionEnd(block, start)) };
}
