// Walks a TypeScript syntax tree without recursion: generated or hand-written code can nest thousands
// deep (`1 + 1 + … + 1`, a long chain of concatenations), which a recursive walk turns into a stack overflow.
import ts from 'typescript';

/**
 * Calls `visit` on every node below `root` (not on `root`), parents before children, in source order.
 * Children of a node are skipped when `visit` returns false. `stop`, when it returns true, ends the walk.
 */
export function walkDescendants(root: ts.Node, visit: (node: ts.Node) => boolean | void, stop?: () => boolean): void {
  const pending: ts.Node[] = [];
  const pushChildren = (node: ts.Node): void => {
    const children: ts.Node[] = [];
    ts.forEachChild(node, (child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]);
  };
  pushChildren(root);
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (visit(node) !== false) pushChildren(node);
    if (stop?.()) return;
  }
}
