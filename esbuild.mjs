// Builds the shipped bundles (dist/) and a per-file transpile of the sources and tests (out/) that
// the test runner executes. Type checking is tsc's job (`npm run typecheck`); esbuild only strips types.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, statSync, rmSync, existsSync, chmodSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { typescriptFacade } from './scripts/typescriptFacade.mjs';

const root = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// Separate output folders let several builds/test runs coexist (e.g. parallel work on one checkout).
const outDir = join(root, process.env.POOLSAFE_OUT ?? 'out');
const distDir = join(root, process.env.POOLSAFE_DIST ?? 'dist');
/** `poolsafe --version` prints package.json's version, compiled in (cli/main.ts reads POOLSAFE_VERSION). */
const define = { POOLSAFE_VERSION: JSON.stringify(require('./package.json').version) };

/** Entry points of the shipped bundles; missing ones are skipped so partial trees still build. */
const bundles = [
  { in: 'extension/extension.ts', out: 'extension', external: ['vscode'] },
  { in: 'server/server.ts', out: 'server' },
  { in: 'extension/pooler/main.ts', out: 'pooler' },
  // The CLI's entry point holds only what a directory lint's relaunching parent runs (cli/main.ts); the commands,
  // with the lint and the analysis, are the next bundle, required by it when no relaunch happened.
  { in: 'cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'cli/program.ts', out: 'cli-program' },
  // TS/JS extraction carries the whole TypeScript compiler (~9 MB): its own bundle, loaded on first use,
  // so a CLI run or server start that sees only SQL does not pay for compiling it. Minified (whitespace
  // and syntax, names kept): V8 keeps a loaded script's source for its lifetime, and one non-ASCII
  // character in a kept comment made all 10 MB a two-byte string (20 MB); parsing less text also lowers
  // the compiler's peak memory (language server peak RSS: see docs/architecture.md, "Memory").
  // The one bundle allowed the compiler (typescriptFree: false); a build fails when another includes it
  // (typescriptIncluded): one eager import of a module that imports 'typescript' once made every CLI run load it.
  { in: 'server/analysis/embedded.ts', out: 'embedded', minify: true, typescriptFree: false },
  // `poolsafe lint --jobs N`'s worker threads (cli/lintWorkers.ts starts dist/lintWorker.js beside cli.js).
  { in: 'cli/lintWorker.ts', out: 'lintWorker' },
  // The CLI's pooler commands (`pooler`, `run`): over half of the CLI's code, compiled only when they run.
  { in: 'cli/commands.ts', out: 'cli-commands' },
  // The Pool activity webview's script runs in the editor's browser sandbox, not in Node.
  { in: 'extension/webview/activity.ts', out: 'activity', platform: 'browser', format: 'iife', target: 'es2022' },
];

/** Modules the other bundles require() from beside them at run time instead of inlining them: [importer, specifier, bundle]. */
const LAZY_BUNDLES = [
  [join('server', 'analysis', 'index.ts'), './embedded', './embedded.js'],
  [join('cli', 'main.ts'), './program', './cli-program.js'],
  [join('cli', 'program.ts'), './commands', './cli-commands.js'],
];
const lazyBundles = {
  name: 'lazy-bundles',
  setup(build) {
    build.onResolve({ filter: /^\.\/(embedded|commands|program)$/ }, (args) => {
      const lazy = LAZY_BUNDLES.find(([importer, specifier]) => args.importer.endsWith(importer) && args.path === specifier);
      return lazy ? { path: lazy[2], external: true } : undefined;
    });
  },
};

/**
 * One CommonJS-to-ESM wrapper of the TypeScript compiler per bundle. esbuild wraps a CommonJS module in
 * each ES module that imports it (`__toESM`, a fresh object with a getter per export), and ~30 of ours
 * import the compiler's ~2,000 exports: copied at every load of embedded.js, ~60 ms of each CLI run.
 * Every `import ts from 'typescript'` goes through one module that imports it once, and receives a facade
 * with fast properties (scripts/typescriptFacade.mjs).
 */
const facade = typescriptFacade(root);
const typescriptOnce = {
  name: 'typescript-once',
  setup(build) {
    build.onResolve({ filter: /^typescript$/ }, (args) => (args.namespace === 'typescript-once' ? undefined : { path: 'typescript', namespace: 'typescript-once' }));
    build.onLoad({ filter: /.*/, namespace: 'typescript-once' }, () => ({ contents: facade, resolveDir: root, loader: 'js' }));
  },
};

/** The TypeScript compiler's own files, as esbuild's metafile names its inputs. */
const TYPESCRIPT_INPUT = /(?:^|[\\/])node_modules[\\/]typescript[\\/]/;

/**
 * Fails the build when a bundle meant to stay free of the compiler (all but embedded.js) includes it, naming the
 * chain of imports that brought it in: loading ~9 MB of compiler on every CLI run and server start is a regression
 * no test sees (findings stay the same), only RSS and start time do.
 */
function typescriptIncluded(bundle, metafile) {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const included = new Set(Object.keys(output?.inputs ?? {}));
  const compiler = [...included].find((input) => TYPESCRIPT_INPUT.test(input));
  if (compiler === undefined) return undefined;
  return `dist/${bundle.out}.js includes the TypeScript compiler, which only dist/embedded.js may load:\n  ${importChain(metafile, output.entryPoint, compiler, included).join('\n  -> ')}`;
}

/** The shortest chain of imports from `entry` to `target` among the inputs the bundle kept. */
function importChain(metafile, entry, target, included) {
  const cameFrom = new Map([[entry, undefined]]);
  const queue = [entry];
  while (queue.length > 0 && !cameFrom.has(target)) {
    const file = queue.shift();
    for (const { path } of metafile.inputs[file]?.imports ?? []) {
      if (included.has(path) && !cameFrom.has(path)) {
        cameFrom.set(path, file);
        queue.push(path);
      }
    }
  }
  if (!cameFrom.has(target)) return [entry, '…', target];
  const chain = [];
  for (let file = target; file !== undefined; file = cameFrom.get(file)) chain.unshift(file);
  return chain;
}

function listTs(dir) {
  const found = [];
  if (!existsSync(dir)) return found;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...listTs(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

async function build() {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(distDir, { recursive: true });
  const present = bundles.filter((b) => existsSync(join(root, b.in)));
  const compilerIncluded = [];
  await Promise.all(
    present.map(async (b) => {
      const result = await esbuild.build({
        entryPoints: [join(root, b.in)],
        outfile: join(distDir, `${b.out}.js`),
        bundle: true,
        platform: b.platform ?? 'node',
        target: b.target ?? 'node20',
        format: b.format ?? 'cjs',
        sourcemap: true,
        external: b.external ?? [],
        plugins: b.out === 'embedded' || b.out === 'cli-commands' ? [typescriptOnce] : [lazyBundles, typescriptOnce],
        banner: b.banner ? { js: b.banner } : undefined,
        define,
        minifyWhitespace: b.minify ?? false,
        minifySyntax: b.minify ?? false,
        metafile: true,
        logLevel: 'warning',
      });
      const problem = b.typescriptFree === false ? undefined : typescriptIncluded(b, result.metafile);
      if (problem) compilerIncluded.push(problem);
    }),
  );
  if (compilerIncluded.length > 0) {
    console.error(`${compilerIncluded.join('\n')}\nImport the TypeScript-free part from a module that does not import 'typescript' (or reach it through ./embedded).`);
    process.exit(1);
  }
  // libpg-query loads its parser from `${__dirname}/libpg-query.wasm`; bundled, __dirname is dist/.
  const wasm = join(dirname(require.resolve('libpg-query')), 'libpg-query.wasm');
  copyFileSync(wasm, join(distDir, 'libpg-query.wasm'));
  if (existsSync(join(distDir, 'cli.js'))) chmodSync(join(distDir, 'cli.js'), 0o755);

  const sources = ['extension', 'server', 'cli', 'test'].flatMap((d) => listTs(join(root, d)));
  await esbuild.build({
    entryPoints: sources,
    outdir: outDir,
    outbase: root,
    bundle: false,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    define,
    logLevel: 'warning',
  });
}

await build();
