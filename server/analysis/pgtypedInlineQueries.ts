// pgtyped's inline queries: `import { sql } from '@pgtyped/runtime'` and `const setOrg = sql<ISetOrgQuery>\`…\`` build a
// query object (a TaggedQuery) and send nothing. The text goes to the database where the object's `run(params, client)`
// is called, on the client handed to that call, often inside a transaction the caller opened
// (`db.transaction(async (client) => { await setOrg.run({ orgId }, client); … })`). So a definition whose every use in
// the file is such a call is read at those calls (embedded.ts adds its text to the sequence of each call's client); one
// used any other way (exported, handed on, run with no client) is read where it is written, as before.
import ts from 'typescript';
import { isExportedVariable, walkDescendants } from './astWalk';
import { isConstDeclaration, type Flow } from './embeddedFlow';
import type { ImportedName } from './importedNames';

/** pgtyped's runtime package, whose `sql` tag builds an inline query. */
const PGTYPED_RUNTIME = '@pgtyped/runtime';

/** The local names of pgtyped's `sql` tag in a file (`import { sql } from '@pgtyped/runtime'`, `{ sql as pgt }`, a require's). */
export function pgtypedTagNames(imported: Iterable<[string, ImportedName]>): Set<string> {
  const names = new Set<string>();
  for (const [local, name] of imported) if (name.specifier === PGTYPED_RUNTIME && name.name === 'sql') names.add(local);
  return names;
}

/** An inline query's definition and the calls that send it. */
export interface InlineQueryRuns {
  /** Each definition (the tagged template) whose every use is a `.run(params, client)` call: those calls. */
  readonly runsOf: Map<ts.TaggedTemplateExpression, ts.CallExpression[]>;
  /** Each such call: the definition it sends. */
  readonly definitionOf: Map<ts.CallExpression, ts.TaggedTemplateExpression>;
}

/**
 * The inline queries of a file (`const q = sql<T>\`…\`` with one of `tags`, at any level) that are sent only by calls of
 * their `run` method in the file, each handed a client (`q.run(params, client)`): not exported, and no other use of the
 * name (`export { q }`, `helper(q)`, `q.run(params)`, a name of the same spelling elsewhere) — a query with no run call,
 * or one used otherwise, may be run by code this file does not show and is left out.
 */
export function pgtypedInlineQueryRuns(source: ts.SourceFile, tags: ReadonlySet<string>, flow: Flow): InlineQueryRuns {
  const runsOf = new Map<ts.TaggedTemplateExpression, ts.CallExpression[]>();
  const definitionOf = new Map<ts.CallExpression, ts.TaggedTemplateExpression>();
  const definitions = new Map<string, { declaration: ts.VariableDeclaration; template: ts.TaggedTemplateExpression }[]>();
  walkDescendants(source, (node) => {
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && tags.has(node.tag.text)) {
      const declaration = definingConst(node);
      if (declaration) {
        const name = (declaration.name as ts.Identifier).text;
        definitions.set(name, [...(definitions.get(name) ?? []), { declaration, template: node }]);
      }
    }
    return true;
  });
  if (definitions.size === 0) return { runsOf, definitionOf };
  const runs = new Map<ts.VariableDeclaration, ts.CallExpression[]>();
  const spoiled = new Set<string>();
  walkDescendants(source, (node) => {
    if (!ts.isIdentifier(node) || !definitions.has(node.text)) return true;
    const parent = node.parent;
    // A declaration's own name, or a member or key of that spelling (`this.q`, `{ q: 1 }`), is no use of the const.
    if (ts.isVariableDeclaration(parent) && parent.name === node) return true;
    if ((ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node)) return true;
    const run = runCall(node);
    const binding = run ? flow.bindingOf(node) : undefined;
    const declaration = binding && 'variable' in binding ? binding.variable : undefined;
    if (run && declaration && definitions.get(node.text)!.some((d) => d.declaration === declaration)) {
      runs.set(declaration, [...(runs.get(declaration) ?? []), run]);
    } else {
      spoiled.add(node.text);
    }
    return true;
  });
  for (const [name, list] of definitions) {
    if (spoiled.has(name)) continue;
    for (const { declaration, template } of list) {
      const calls = runs.get(declaration);
      if (!calls || isExportedVariable(declaration)) continue;
      runsOf.set(template, calls);
      for (const call of calls) definitionOf.set(call, template);
    }
  }
  return { runsOf, definitionOf };
}

/** The `const` whose whole value the template is (`const q = sql<T>\`…\``, through parentheses or `as`). */
function definingConst(template: ts.TaggedTemplateExpression): ts.VariableDeclaration | undefined {
  let node: ts.Node = template;
  while (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isSatisfiesExpression(node.parent)) node = node.parent;
  const declaration = node.parent;
  if (!ts.isVariableDeclaration(declaration) || declaration.initializer !== node || !ts.isIdentifier(declaration.name) || !isConstDeclaration(declaration)) return undefined;
  return declaration;
}

/** `q.run(params, client)` with `use` as `q`: the call, when it hands a client. */
function runCall(use: ts.Identifier): ts.CallExpression | undefined {
  const access = use.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== use || access.name.text !== 'run') return undefined;
  const call = access.parent;
  if (!ts.isCallExpression(call) || call.expression !== access || call.arguments.length < 2) return undefined;
  return call.arguments.some((argument) => ts.isSpreadElement(argument)) ? undefined : call;
}

/** The client a run call hands (`q.run(params, client)`): its second argument. */
export function runClient(call: ts.CallExpression): ts.Expression {
  return call.arguments[1];
}
