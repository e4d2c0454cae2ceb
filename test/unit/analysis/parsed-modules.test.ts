// Every syntax tree the analysis makes (the file it lints, the project modules it reads for cross-file facts)
// takes its script kind from the file's name through one function, so a module reads the same way whichever
// fact asked for it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';
import { utimesSync } from 'node:fs';
import { ModuleFacts, moduleRead, parsedModule, scriptKindOf } from '../../../server/analysis/parsedModules';
import { parsed } from '../../../server/analysis/callerFiles';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('parsed-modules', { after });

test('a React component file written in JavaScript (.jsx) is read as JSX, not as TSX nor as plain JavaScript', () => {
  assert.equal(scriptKindOf('/app/src/components/OrderList.jsx'), ts.ScriptKind.JSX);
  assert.equal(scriptKindOf('/app/src/Widget.JSX'), ts.ScriptKind.JSX);
});

test('TypeScript with markup is TSX, any JavaScript flavour is JS, and the rest (or no name) is TypeScript', () => {
  const kinds = Object.fromEntries(['a.tsx', 'b.TSX', 'c.js', 'd.cjs', 'e.mjs', 'f.MJS', 'g.ts', 'h.mts', 'i.cts', 'j.d.ts', 'k.vue', 'l']
    .map((name) => [name, ts.ScriptKind[scriptKindOf(name)]]));
  assert.deepEqual(kinds, {
    'a.tsx': 'TSX', 'b.TSX': 'TSX', 'c.js': 'JS', 'd.cjs': 'JS', 'e.mjs': 'JS', 'f.MJS': 'JS',
    'g.ts': 'TS', 'h.mts': 'TS', 'i.cts': 'TS', 'j.d.ts': 'TS', 'k.vue': 'TS', 'l': 'TS',
  });
  assert.equal(scriptKindOf(undefined), ts.ScriptKind.TS);
});

/** Whether the tree holds a call with type arguments (`pick<Row>(rows)`): TypeScript syntax, which JavaScript reads as two comparisons. */
function hasTypedCall(source: ts.SourceFile | undefined): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.typeArguments) found = true;
    ts.forEachChild(node, visit);
  };
  if (source) visit(source);
  return found;
}

test('a module read from disk is read by its name: `a < b > (c)` compares in a .jsx module and is a typed call in a .tsx one', () => {
  const line = 'export const Rows = ({ rows, limit, take }) => <ul>{(limit < take > (rows)) ? null : rows}</ul>;';
  const jsx = repo.write('web/src/lib/rows.jsx', [line]);
  const tsx = repo.write('web/src/lib/cells.tsx', [line]);
  assert.equal(hasTypedCall(parsedModule(jsx)), false);
  assert.equal(hasTypedCall(parsedModule(tsx)), true);
});

// One reader and cache of other modules for every cross-file fact: a module is read and parsed once whichever
// facts ask about it, read again as soon as it changes on disk, and what a reader derives from it is derived
// once per read.

/** Gives `file` a modification time `seconds` after the epoch, as a save in the editor would move it. */
function touch(file: string, seconds: number): void {
  utimesSync(file, seconds, seconds);
}

test('a module several facts ask about is read and parsed once: they share one syntax tree', () => {
  const file = repo.write('api/src/db/pool.ts', ['export function run(client, text) { return client.query(text); }']);
  const read = moduleRead(file);
  assert.ok(read);
  assert.equal(moduleRead(file), read);
  assert.equal(parsedModule(file), read.source);
  assert.equal(parsedModule(file), parsedModule(file));
});

test("a reader's facts are derived once per read of the module, and again when the module is saved with other text", () => {
  const file = repo.write('api/src/db/clients.ts', ['export const first = 1;']);
  touch(file, 1_000);
  let derivations = 0;
  const names = new ModuleFacts((read) => (derivations++, read.source.statements.length));
  assert.equal(names.of(file), 1);
  assert.equal(names.of(file), 1);
  assert.equal(derivations, 1);
  repo.write('api/src/db/clients.ts', ['export const first = 1;', 'export const second = 2;']);
  touch(file, 2_000);
  assert.equal(names.of(file), 2);
  assert.equal(derivations, 2);
  assert.equal(parsedModule(file)?.statements.length, 2);
});

test('a module that is missing or over the size bound gives no read, no tree and no facts', () => {
  const missing = repo.path('api/src/db/none.ts');
  const large = repo.write('api/src/db/generated.ts', `export const blob = '${'x'.repeat(600 * 1024)}';`);
  const facts = new ModuleFacts(() => 'derived');
  for (const file of [missing, large]) {
    assert.equal(moduleRead(file), undefined);
    assert.equal(parsedModule(file), undefined);
    assert.equal(facts.of(file), undefined);
  }
});

test("a reader may allow larger modules than the default bound, and what it reads never reaches a reader with a smaller bound", () => {
  const line = `export const table = '${'y'.repeat(700 * 1024)}';`;
  const file = repo.write('api/src/db/seed-data.ts', [line]);
  assert.equal(moduleRead(file), undefined);
  const read = moduleRead(file, 1 << 20);
  assert.ok(read);
  assert.ok(read.text.startsWith(line));
  assert.equal(moduleRead(file), undefined, 'the default bound still refuses it');
  assert.equal(new ModuleFacts(() => 'derived').of(file), undefined);
  assert.equal(moduleRead(file, 1 << 20), read, 'read once');
  const huge = repo.write('api/src/db/dump.ts', `export const blob = '${'z'.repeat(1100 * 1024)}';`);
  assert.equal(moduleRead(huge, 4 << 20), undefined, 'no reader reads past 1 MB');
});

test('the files read for a URL or a client\'s callers are the same reads, and the same trees, as every other fact\'s', () => {
  const file = repo.write('api/src/db/listener.ts', ['export function subscribe(url) { return url; }']);
  assert.equal(parsed(file)?.source, parsedModule(file));
  assert.equal(parsed(file)?.path, file);
});
