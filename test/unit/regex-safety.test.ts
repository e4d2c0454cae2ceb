// Every regular expression of the linter (server/), the pooler (extension/pooler/) and the CLI (cli/) is checked for
// super-linear backtracking with scslre (npm, pure JavaScript, offline): an expression that can take quadratic or
// exponential time on some text hangs the linter on a real file, which has happened four times. Checked:
// - each regular expression literal of the TypeScript sources;
// - each `new RegExp(…)`/`RegExp(…)` evaluated while the modules load (read in a child process: the exact pattern);
// - each other `RegExp(…)` (built inside a function) from its template, every `${…}` standing for a plain word.
// A super-linear expression fails the test unless REVIEWED below says why its input is bounded.
// scslre finds the backtracking that a run of one repeated character drives (blanks, dashes, letters), which is
// most of what hangs on real files; it does not find every case a run of a multi-character unit drives
// (`(?:\s|\/\*[\s\S]*?\*\/)*X` over `/**//**/…`): sqlTrivia.test.ts times those for the trivia pattern.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as ts from 'typescript';
import { analyse } from 'scslre';
import { RegExpParser } from '@eslint-community/regexpp';

const root = join(__dirname, '..', '..', '..');
const out = join(root, 'out');
const FOLDERS = ['server', join('extension', 'pooler'), 'cli'];
/** Modules that start a server, a worker or a command when loaded: their expressions are read from the source only. */
const ENTRY_POINTS = /(?:^|[\\/])(?:server|languageServer|main|lintWorker|analysisWorker)\.ts$/;

/**
 * Expressions reported super-linear whose input is bounded, so the worst case is small ([file, a piece of the
 * expression's source, why]). Each entry is a review: changing the expression drops it from here.
 */
const REVIEWED: readonly [string, string, string][] = [
  ['cli/files.ts', String.raw`[/\\]+$`, 'a path the user typed'],
  ['extension/pooler/admin.ts', String.raw`^\s*set\s+([a-z0-9_]+|`, 'one admin-console command, anchored at both ends'],
  ['extension/pooler/admin.ts', String.raw`\0+$`, 'one protocol string'],
  ['extension/pooler/hazards.ts', String.raw`characteristics\s+as\s+transaction`, 'one statement the pooler has already classified, anchored'],
  ['extension/pooler/hazards.ts', String.raw`^drop\s+(?:table|sequence|view)`, 'one DROP statement, anchored'],
  ['server/analysis/balancingFacts.ts', String.raw`returns|setof)\s+)\b([a-z_]`, 'load balancing only; a statement'],
  ['server/analysis/dialect.ts', String.raw`\bENGINE\s*=`, 'a statement, or a file of at most 256 KB (dialectFolder.ts): the lookbehind (?<!::\s*) before char( only; long-runs.test.ts times whole files'],
  ['server/analysis/dialect.ts', String.raw`\bAS\s+'(?:[^'\n]|'')*'`, 'a statement, or a file of at most 256 KB: anchored once at its start'],
  ['server/analysis/dialect.ts', String.raw`\d+$`, 'a path segment'],
  ['server/analysis/urlNames.ts', String.raw`([A-Z]+)([A-Z][a-z])`, 'one identifier'],
  ['server/analysis/dockerInit.ts', String.raw`docker-entrypoint-initdb`, 'one compose or Dockerfile line'],
  ['server/analysis/expectedErrors.ts', String.raw`ERROR:\s+`, "an expected-output file: [^\\n]*? within one line"],
  ['server/analysis/handRunScripts.ts', String.raw`how\s+to\s+use`, 'the comments that open a script'],
  ['server/analysis/projectImporters.ts', String.raw`\/+$`, 'a module path'],
  ['server/analysis/templatePlaceholders.ts', String.raw`(?<![\w$])\$[A-Za-z_]\w*(?![\w$])`, 'one SQL string of a TS file'],
  ['server/analysis/savedSettings.ts', String.raw`[A-Za-z_][\w$. ()\[\]"]*?`, 'one PL/pgSQL statement, anchored'],
  ['server/incrementalTs.ts', String.raw`require\s*\(`, 'one top-level statement, anchored'],
  ['server/analysis/ownSession.ts', String.raw`|lock_timeout|idle_in_transaction_session_timeout|`, "a file's first 4096 characters, anchored"],
  ['server/analysis/dynamicSql.ts', String.raw`temp(?:orary)?\s+(?![^;]*\bon\s+commit\s+drop\b)`, 'one statement, anchored'],
];

/** Constructor calls whose pattern the test cannot read from the source nor from the loaded module ([file, why safe]). */
const READ_AT_CALL: readonly [string, string][] = [
  ['server/analysis/embeddedGate.ts', 'an alternation of escaped function names'],
  ['extension/pooler/balancer.ts', "the user's own pattern (pgpool.conf's database/app name lists), as Pgpool-II takes it"],
  ['server/analysis/testRunnerScope.ts', "a Jest configuration's own testRegex/testPathIgnorePatterns (as Jest takes them) and globs turned into [^/]* pieces, each tested on one test file's path"],
];

interface Expression { file: string; line: number; source: string; flags: string; how: string }

function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/** A constructor's pattern from its template (`${…}` → a word), or undefined when it is no template or string. */
function templateText(node: ts.Expression): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTaggedTemplateExpression(node) && node.tag.getText() === 'String.raw') {
    const template = node.template;
    if (ts.isNoSubstitutionTemplateLiteral(template)) return template.rawText;
    return template.head.rawText + template.templateSpans.map((span) => `x${span.literal.rawText}`).join('');
  }
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((span) => `x${span.literal.text}`).join('');
  return undefined;
}

/** The expressions constructed while each module loads, by file and line (a child with source maps: TS lines). */
function constructedAtLoad(files: readonly string[]): Expression[] {
  const modules = files.filter((file) => !ENTRY_POINTS.test(file)).map((file) => join(out, relative(root, file)).replace(/\.ts$/, '.js'));
  const script = `
    const Real = RegExp;
    const seen = [];
    const record = (args) => {
      const frame = new Error().stack.split('\\n').slice(1).find((l) => /[\\\\/](?:server|cli|extension)[\\\\/][^:]*\\.ts:\\d+/.test(l)) || '';
      const where = /((?:server|cli|extension)[\\\\/][^:]*\\.ts):(\\d+)/.exec(frame);
      const [pattern, flags] = args;
      seen.push({ file: where ? where[1].replace(/\\\\/g, '/') : '?', line: where ? Number(where[2]) : 0,
        source: pattern instanceof Real ? pattern.source : String(pattern), flags: flags ?? (pattern instanceof Real ? pattern.flags : ''), how: 'constructed' });
    };
    globalThis.RegExp = new Proxy(Real, {
      construct: (target, args) => { record(args); return Reflect.construct(target, args); },
      apply: (target, self, args) => { record(args); return Reflect.apply(target, self, args); },
    });
    for (const file of ${JSON.stringify(modules)}) require(file);
    globalThis.RegExp = Real;
    process.stdout.write(JSON.stringify(seen));`;
  const run = spawnSync(process.execPath, ['--enable-source-maps', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Expression[];
}

function allExpressions(): { expressions: Expression[]; unreadable: string[] } {
  const files = FOLDERS.flatMap((folder) => sourceFiles(join(root, folder)));
  const loaded = constructedAtLoad(files);
  const expressions: Expression[] = [...loaded];
  const unreadable: string[] = [];
  for (const path of files) {
    const file = relative(root, path).replace(/\\/g, '/');
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const lineOf = (node: ts.Node): number => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText(source);
        const end = text.lastIndexOf('/');
        expressions.push({ file, line: lineOf(node), source: text.slice(1, end), flags: text.slice(end + 1), how: 'literal' });
      } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
        const line = lineOf(node);
        if (!loaded.some((e) => e.file === file && e.line === line)) {
          const [pattern, flags] = node.arguments ?? [];
          const text = pattern ? templateText(pattern) : undefined;
          if (text === undefined) unreadable.push(file);
          else expressions.push({ file, line, source: text, flags: flags && ts.isStringLiteral(flags) ? flags.text : '', how: 'template' });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { expressions, unreadable };
}

/** scslre's reports of one expression (none: linear). */
function superLinear(expression: Pick<Expression, 'source' | 'flags'>): string[] {
  const parser = new RegExpParser();
  const literal = parser.parseLiteral(`/${expression.source}/${expression.flags.replace(/[gy]/g, '')}`);
  // Whether a match may stop at the first success (assumeRejectingSuffix: false): `.test`, `.exec`, `replace`.
  return analyse(literal, { reportTypes: { Move: true, Self: true, Trade: true }, assumeRejectingSuffix: false }).reports.map((report) => report.type + (report.exponential ? ' (exponential)' : ''));
}

test('the checker tells super-linear expressions from linear ones', () => {
  // Blank runs split in many ways before a word that does not follow: the shape that hung on real files.
  assert.notDeepEqual(superLinear({ source: String.raw`^(?:\s+|--[^\n]*)*SET`, flags: 'i' }), []);
  assert.notDeepEqual(superLinear({ source: String.raw`^\s*'x'\s*;?\s*$`, flags: '' }), []);
  assert.notDeepEqual(superLinear({ source: String.raw`[A-Za-z_][\w$]*\s*:=`, flags: '' }), []);
  // Their one-way forms.
  assert.deepEqual(superLinear({ source: String.raw`^(?:\s|--[^\n]*(?:\n|$))*SET`, flags: 'i' }), []);
  assert.deepEqual(superLinear({ source: String.raw`^\s*'x'\s*(?:;\s*)?$`, flags: '' }), []);
  assert.deepEqual(superLinear({ source: String.raw`(?<![\w$])[A-Za-z_][\w$]*\s*:=`, flags: '' }), []);
});

test('no regular expression of the linter, the pooler or the CLI backtracks super-linearly, except reviewed ones on bounded input', () => {
  const { expressions, unreadable } = allExpressions();
  // The collection itself works: literals, module-load constructors and in-function templates were all found.
  assert.ok(expressions.filter((e) => e.how === 'literal').length > 300);
  assert.ok(expressions.filter((e) => e.how === 'constructed').length > 30);
  assert.ok(expressions.filter((e) => e.how === 'template').length > 10);
  const unknownSites = unreadable.filter((file) => !READ_AT_CALL.some(([listed]) => listed === file));
  assert.deepEqual(unknownSites, [], 'RegExp built from something the test cannot read: write its pattern as a template, or list it in READ_AT_CALL');
  const used = new Set<number>();
  const failures: string[] = [];
  const checked = new Map<string, string[]>();
  for (const expression of expressions) {
    const key = `${expression.flags}/${expression.source}`;
    if (!checked.has(key)) checked.set(key, superLinear(expression));
    const reports = checked.get(key)!;
    if (reports.length === 0) continue;
    const review = REVIEWED.findIndex(([file, piece]) => file === expression.file && expression.source.includes(piece));
    if (review >= 0) used.add(review);
    else failures.push(`${expression.file}:${expression.line} /${expression.source.slice(0, 200)}/${expression.flags} (${[...new Set(reports)].join(', ')})`);
  }
  assert.deepEqual(failures, [], 'super-linear expressions: make each piece match one way only (see server/analysis/sqlTrivia.ts), or review it in REVIEWED');
  const stale = REVIEWED.filter((_, i) => !used.has(i)).map(([file, piece]) => `${file}: ${piece}`);
  assert.deepEqual(stale, [], 'REVIEWED entries that match no super-linear expression any more: remove them');
});
