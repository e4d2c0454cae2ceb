// The linted file's syntax tree (astWalk.ts parseWithParents): parsed without JSDoc, its parents set by the same walk
// that indexes its calls by name (callsByName, read by ownServerClients.ts), instead of TypeScript's own parent pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';
import { callsByName, parseWithParents, walkDescendants } from '../../../server/analysis/astWalk';

const SOURCE = [
  "import { Pool } from 'pg';",
  '/** The shared pool. @type {Pool} */',
  'const pool = new Pool();',
  '/**',
  ' * Runs the migration as the owner.',
  ' * @param {string} role the owner',
  ' */',
  'export async function migrate(role: string) {',
  '  const client = await connect(pool);',
  "  await client.query(`SET ROLE ${role}`);",
  '  if (role) log(role, () => log(`done ${role}`));',
  '  return [1, 2].map((n) => connect(n));',
  '}',
  'export const Note = () => <p>{log("x")}</p>;',
].join('\n');

/** Every node below the root with its parent, as positions and kinds, in source order. */
function shape(root: ts.Node): string[] {
  const nodes: string[] = [];
  walkDescendants(root, (node) => {
    nodes.push(`${ts.SyntaxKind[node.kind]}@${node.pos}-${node.end} in ${ts.SyntaxKind[node.parent.kind]}@${node.parent.pos}`);
  });
  return nodes;
}

test("every node's parent is the one TypeScript's own parent pass sets, and doc comments are left unparsed", () => {
  const ours = parseWithParents('/w/src/migrate.tsx', SOURCE, ts.ScriptKind.TSX);
  const theirs = ts.createSourceFile('/w/src/migrate.tsx', SOURCE, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  assert.deepEqual(shape(ours), shape(theirs));
  assert.ok(shape(ours).length > 80);
  // TypeScript's default parse makes nodes of the doc comments; ours has none (no analysis reads them).
  const withDocs = (source: ts.SourceFile) => source.statements.filter((s) => ((s as { jsDoc?: unknown[] }).jsDoc?.length ?? 0) > 0).length;
  assert.equal(withDocs(theirs), 2);
  assert.equal(withDocs(ours), 0);
});

test('the calls of each plain name, in source order, whether indexed by the parse or by a walk of a tree parsed elsewhere', () => {
  const names = (source: ts.SourceFile) => [...callsByName(source)].map(([name, calls]) => `${name}: ${calls.map((c) => c.getStart(source)).join(' ')}`);
  const ours = parseWithParents('/w/src/migrate.tsx', SOURCE, ts.ScriptKind.TSX);
  const theirs = ts.createSourceFile('/w/src/migrate.tsx', SOURCE, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  assert.deepEqual(names(ours), names(theirs));
  const logs = callsByName(ours).get('log')!;
  assert.deepEqual(logs.map((call) => call.getText(ours)), ['log(role, () => log(`done ${role}`))', 'log(`done ${role}`)', 'log("x")']);
  assert.deepEqual(callsByName(ours).get('connect')!.map((call) => call.arguments[0].getText(ours)), ['pool', 'n']);
  // Member calls are not plain names.
  assert.equal(callsByName(ours).get('query'), undefined);
});
