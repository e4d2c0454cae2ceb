// topLevelFunctions.ts's topLevelStatement / isExportedTopLevel: the one reading of "a function declared at the file's top
// level" and "an exported one", asked by oncePerRun.ts (a script's one-transaction run) and ownServerClients.ts (a test
// helper's parameters, its importers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';
import { parseWithParents, walkDescendants } from '../../../server/analysis/astWalk';
import { isExportedTopLevel, topLevelStatement } from '../../../server/analysis/topLevelFunctions';

const SOURCE = `
export function exportedDeclaration() {}
export const exportedArrow = async () => {};
function localDeclaration() {}
const localExpression = function () {};
export default function () {}
export function outer() {
  function nestedDeclaration() {}
  const nestedArrow = () => {};
}
export const handlers = { method() {}, arrow: () => {} };
export class Service { run() {} }
export const wrapped = register(() => {});
for (const loopArrow = () => {}; ;) break;
`;

/** Each function of SOURCE by a label: its name, its variable's or property's name, or what holds it. */
function functionsOf(text: string): Map<string, ts.SignatureDeclaration> {
  const functions = new Map<string, ts.SignatureDeclaration>();
  walkDescendants(parseWithParents('/w/src/jobs.ts', text, ts.ScriptKind.TS), (node) => {
    if (!ts.isFunctionDeclaration(node) && !ts.isArrowFunction(node) && !ts.isFunctionExpression(node) && !ts.isMethodDeclaration(node)) return;
    const holder = node.parent;
    const label = node.name && ts.isIdentifier(node.name) ? node.name.text
      : ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) ? holder.name.text
        : ts.isPropertyAssignment(holder) && ts.isIdentifier(holder.name) ? holder.name.text
          : ts.isCallExpression(holder) ? 'callback' : 'default';
    functions.set(label, node);
  });
  return functions;
}

test('a function declared at the top level, by a declaration or a variable, has its statement; exported ones are exported', () => {
  const functions = functionsOf(SOURCE);
  for (const [label, exported] of [['exportedDeclaration', true], ['exportedArrow', true], ['default', true], ['outer', true], ['localDeclaration', false], ['localExpression', false]] as const) {
    const fn = functions.get(label)!;
    assert.ok(topLevelStatement(fn), `${label} is top-level`);
    assert.equal(isExportedTopLevel(fn), exported, `${label} exported: ${exported}`);
  }
});

test('a nested function, a method, an object literal\'s arrow, a callback or a loop header\'s arrow is not top-level nor exported', () => {
  const functions = functionsOf(SOURCE);
  for (const label of ['nestedDeclaration', 'nestedArrow', 'method', 'run', 'arrow', 'callback', 'loopArrow']) {
    const fn = functions.get(label)!;
    assert.ok(fn, `${label} found`);
    assert.equal(topLevelStatement(fn), undefined, `${label} is not top-level`);
    assert.equal(isExportedTopLevel(fn), false, `${label} is not exported`);
  }
});
