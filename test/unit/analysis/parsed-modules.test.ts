// Every syntax tree the analysis makes (the file it lints, the project modules it reads for cross-file facts)
// takes its script kind from the file's name through one function, so a module reads the same way whichever
// fact asked for it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';
import { parsedModule, scriptKindOf } from '../../../server/analysis/parsedModules';
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
