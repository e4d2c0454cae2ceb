// Walks a TypeScript syntax tree without recursion: generated or hand-written code can nest thousands
// deep (`1 + 1 + … + 1`, a long chain of concatenations), which a recursive walk turns into a stack overflow.
import ts from 'typescript';

/** Kinds up to this one are tokens (identifiers, keywords, literals): ts.forEachChild gives them no children, so none are looked for. */
const LAST_TOKEN = ts.SyntaxKind.LastToken;

/**
 * Calls `visit` on every node below `root` (not on `root`), parents before children, in source order.
 * Children of a node are skipped when `visit` returns false. `stop`, when it returns true, ends the walk.
 */
export function walkDescendants(root: ts.Node, visit: (node: ts.Node) => boolean | void, stop?: () => boolean): void {
  // One stack for the whole walk (no array per node): a node's children are pushed, then put in reverse
  // order in place so that the first child is popped first.
  const pending: ts.Node[] = [];
  const push = (child: ts.Node): void => {
    pending.push(child);
  };
  const pushChildren = (node: ts.Node): void => {
    const first = pending.length;
    ts.forEachChild(node, push);
    for (let i = first, j = pending.length - 1; i < j; i++, j--) {
      const swap = pending[i];
      pending[i] = pending[j];
      pending[j] = swap;
    }
  };
  pushChildren(root);
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (visit(node) !== false && node.kind > LAST_TOKEN) pushChildren(node);
    if (stop?.()) return;
  }
}
