// The bundles' `import ts from 'typescript'` receives a facade (scripts/typescriptFacade.mjs, used by esbuild.mjs): the
// compiler's members our sources read, as plain data properties of an object whose prototype is the compiler's exports.
// The exports object itself holds only getters in dictionary mode, so reading `ts.isIdentifier` there, once per node
// the analysis visits, cost a hash lookup and a getter call; the facade must give the very same values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = join(__dirname, '..', '..', '..', '..');

interface FacadeModule {
  typescriptMembersUsed(root: string): string[];
  typescriptFacade(root: string): string;
}

async function facadeModule(): Promise<FacadeModule> {
  return (await import(pathToFileURL(join(root, 'scripts', 'typescriptFacade.mjs')).href)) as FacadeModule;
}

/** The facade the bundles get, evaluated against this process's compiler (the module's one import made a parameter). */
function evaluate(source: string): Record<string, unknown> {
  const head = "import ts from 'typescript';\nexport default ";
  assert.ok(source.startsWith(head), 'the facade imports the compiler once and exports one object');
  return new Function('ts', `return ${source.slice(head.length)}`)(ts) as Record<string, unknown>;
}

test('the TypeScript facade holds every compiler member the sources read as its own data property, with the same value', async () => {
  const { typescriptMembersUsed, typescriptFacade } = await facadeModule();
  const members = typescriptMembersUsed(root);
  for (const name of ['isIdentifier', 'isCallExpression', 'forEachChild', 'createSourceFile', 'createScanner', 'SyntaxKind']) {
    assert.ok(members.includes(name), `${name} is read by the analysis`);
  }
  assert.ok(!members.includes('Node'), 'a type (ts.Node) has no value to copy');
  const facade = evaluate(typescriptFacade(root));
  const compiler = ts as unknown as Record<string, unknown>;
  for (const name of members) {
    const own = Object.getOwnPropertyDescriptor(facade, name);
    assert.ok(own && 'value' in own, `${name} is a data property of the facade, not a getter`);
    assert.equal(own.value, compiler[name], `${name} is the compiler's own`);
  }
  assert.equal(Object.getPrototypeOf(facade), ts, 'members not named in the sources read through to the compiler');
  assert.equal(facade.transpileModule, ts.transpileModule);
});
