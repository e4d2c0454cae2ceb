// The module every `import ts from 'typescript'` of a bundle receives (esbuild.mjs's typescript-once plugin): the
// compiler's exports object would do, but it holds ~2,200 getters in dictionary mode, so each `ts.isIdentifier(node)`
// of the analysis is a hash lookup and a getter call — 3–4× a plain property read, paid on every node the analysis
// visits. The facade is an object literal (fast properties) holding the members our sources name, each read once when
// the bundle loads, whose prototype is the compiler's exports: anything else a bundle reads still reads through.
// The members named are functions, enums and `factory`, none reassigned after the compiler has loaded.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
/** The folders of the bundled sources. */
const SOURCE_FOLDERS = ['extension', 'server', 'cli'];
const MEMBER = /\bts\.([A-Za-z_$][\w$]*)/g;

function sourceFiles(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/** The compiler's members the sources under `root` read as `ts.<name>` (types too are named so; only values are kept). */
export function typescriptMembersUsed(root) {
  const compiler = require('typescript');
  const used = new Set();
  for (const file of SOURCE_FOLDERS.flatMap((folder) => sourceFiles(join(root, folder)))) {
    for (const [, name] of readFileSync(file, 'utf8').matchAll(MEMBER)) if (name in compiler) used.add(name);
  }
  return [...used].sort();
}

/** The facade module's source (ESM, importing the compiler as 'typescript'). */
export function typescriptFacade(root) {
  const members = typescriptMembersUsed(root).map((name) => `  ${name}: ts.${name},\n`).join('');
  return `import ts from 'typescript';\nexport default {\n  __proto__: ts,\n${members}};\n`;
}
