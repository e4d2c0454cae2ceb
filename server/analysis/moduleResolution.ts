// Which source file of the repository an import specifier names, as the cross-file facts need it
// (ownServerHelpers.ts, projectImporters.ts): a relative path, a tsconfig/jsconfig path alias
// (`@/server/db` → `./server/db`), an entry of a Deno config's import map (`"@/": "../_shared/"`), a package of the
// importer's own workspace, or an AWS Lambda layer's file (`/opt/shared.mjs`, lambdaLayers.ts). Folders, manifests and
// config files are read from disk with bounded walks and cached, so the CLI and the editor, which analyse one
// file at a time, resolve the same way without reading the disk again for every file.
import ts from 'typescript';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { boundedText, folderEntries, foldersUp, isFile, keptInOneShotRun } from './folderEntries';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';
import { readJson, workspacePackage, workspaceRoot } from './packageManifests';
import { lambdaLayerFile } from './lambdaLayers';

// packageManifests.ts has no TypeScript in it: modules of the plain .sql analysis import it there.
export { packageDependencies, workspaceRoot } from './packageManifests';

const MAX_CACHED_FOLDERS = 256;
/** How many `extends` a tsconfig chain may follow for its path aliases. */
const MAX_EXTENDS = 4;
export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];
/** A TS/JS source file's extension (SOURCE_EXTENSIONS), and a declaration file's, which holds no code to read. */
export const SOURCE_FILE = /\.[cm]?[jt]sx?$/;
export const DECLARATION_FILE = /\.d\.[cm]?ts$/;

/** Resolutions a one-shot run keeps (importer and specifier: a file's calls of imported helpers ask per call). */
const MAX_KEPT_RESOLUTIONS = 16_384;

/**
 * Each resolution kept in a one-shot run (keptInOneShotRun), keyed by importer and specifier: the cross-file readers
 * resolve an import once per question, and a file that hands clients to imported helpers asks per call (session 52:
 * ~3% of awcms-mini's CPU time, resolving the same few specifiers again). The language server resolves afresh.
 */
const keptResolution = keptInOneShotRun((key: string): string | undefined => {
  const split = key.indexOf('\u0000');
  return resolveModuleAfresh(key.slice(0, split), key.slice(split + 1));
}, MAX_KEPT_RESOLUTIONS);

/** The source file a specifier names: a relative path, a path alias of the importer's tsconfig, a package of its workspace, a Lambda layer's file. */
export function resolveModule(importer: string, specifier: string): string | undefined {
  return keptResolution(`${importer}\u0000${specifier}`);
}

function resolveModuleAfresh(importer: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(importer), specifier);
    return resolveFile(target) ?? builtFileSource(target);
  }
  const aliased = resolveAlias(importer, specifier) ?? resolveImportMap(importer, specifier) ?? lambdaLayerFile(importer, specifier, resolveFile);
  if (aliased) return aliased;
  const match = /^((?:@[^/]+\/)?[^/]+)(?:\/(.+))?$/.exec(specifier);
  const folder = match && (workspacePackage(importer, match[1]) ?? selfReference(importer, match[1]) ?? linkedPackage(importer, match[1]));
  return folder ? packageEntry(folder, match![2]) : undefined;
}

/** The dependency fields a package.json may take a package from a folder in. */
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

/**
 * A package the importer's own package.json takes from a folder (`"@acme/sync": "link:../../packages/sync"`, also
 * `file:`), as a package of another workspace is (a separate e2e workspace linking the main one's packages): pnpm and
 * npm install that very folder, so the specifier names its files. The folder's package.json must carry that name (a
 * `file:` tarball, or a folder not checked out, names nothing).
 */
function linkedPackage(importer: string, name: string): string | undefined {
  const own = owningPackage(importer);
  const manifest = own && readJson(join(own.folder, 'package.json'));
  for (const field of DEPENDENCY_FIELDS) {
    const version: unknown = manifest?.[field]?.[name];
    const path = typeof version === 'string' ? /^(?:link|file):(.+)$/.exec(version)?.[1] : undefined;
    if (!path) continue;
    const folder = resolve(own!.folder, path);
    return readJson(join(folder, 'package.json'))?.name === name ? folder : undefined;
  }
  return undefined;
}

/**
 * Whether a specifier names a file of the importer's own project as a relative path does: relative or absolute, or
 * through a path alias of its tsconfig/jsconfig (`@/tests/setup/db`) or its Deno import map — not a package.
 */
export function namesProjectFile(importer: string, specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('/') || (resolveAlias(importer, specifier) ?? resolveImportMap(importer, specifier)) !== undefined;
}

/**
 * A package importing itself by its own name (`import { lazySingleton } from 'neon-testing/utils'` in neon-testing's
 * own tests): Node resolves that through the package's `exports` (its self-reference), to the package's own files.
 */
function selfReference(importer: string, name: string): string | undefined {
  const own = owningPackage(importer);
  return own?.name === name && readJson(join(own.folder, 'package.json'))?.exports !== undefined ? own.folder : undefined;
}

/** How long a resolved specifier is kept per importing folder (the files it names may appear while an editor runs). */
const RESOLVED_MS = 2_000;
const resolved = new TimedCache<string | undefined>(RESOLVED_MS, 1024);

/** The file a module specifier of `importer` names (resolveModule), cached a short while per folder and specifier. */
export function projectModulePath(importer: string, specifier: string): string | undefined {
  return resolved.get(`${dirname(importer)}\u0000${specifier}`, () => resolveModule(importer, specifier));
}

/** `./x` as written, with a source extension, as a folder's index; `./x.js` also as `./x.ts` (TypeScript's ESM imports). */
function resolveFile(base: string): string | undefined {
  const stem = base.replace(/\.(?:d\.)?[cm]?[jt]sx?$/, '');
  const candidates = [base, ...SOURCE_EXTENSIONS.map((e) => stem + e), ...SOURCE_EXTENSIONS.map((e) => join(base, `index${e}`))];
  return candidates.find(isFile);
}

/** How many folders above a build output's file its project's tsconfig may be (`dist/routes/api/x.js` → the root). */
const MAX_OUTPUT_DEPTH = 6;
/** A folder's TypeScript configs: `tsconfig.json` and the named ones beside it (`tsconfig.build.json`). */
const TSCONFIG_FILE = /^tsconfig(?:\.[\w-]+)?\.json$/;

/**
 * The source a file of a TypeScript project's build output is compiled from, for an import of a build the checkout
 * does not hold (a git-ignored `dist/`: `import { pool } from '../dist/db.js'` in a test run after `npm run build`): the
 * same path under the config's `rootDir`, when a tsconfig in a folder above the file puts its `outDir` there. A config
 * with no `rootDir` compiles from its own folder's tree (TypeScript's common root of the inputs), as read here.
 */
function builtFileSource(target: string): string | undefined {
  for (const folder of foldersUp(dirname(target), MAX_OUTPUT_DEPTH)) {
    for (const { outDir, rootDir } of buildOutputsIn(folder)) {
      const inOutput = relative(outDir, target);
      if (inOutput.startsWith('..') || isAbsolute(inOutput)) continue;
      const source = resolveFile(join(rootDir, inOutput));
      if (source && !DECLARATION_FILE.test(source)) return source;
    }
  }
  return undefined;
}

/** Where a build writes its output and the folder it compiles from (absolute). */
interface BuildOutput { outDir: string; rootDir: string }
const buildOutputCache = new TimedCache<BuildOutput[]>(PROJECT_CACHE_MS, MAX_CACHED_FOLDERS);

/** The build outputs the TypeScript configs of a folder declare (an `outDir`; `rootDir`, else the folder), cached per folder. */
function buildOutputsIn(folder: string): BuildOutput[] {
  return buildOutputCache.get(folder, () => folderEntries(folder).filter((entry) => entry.isFile() && TSCONFIG_FILE.test(entry.name)).flatMap((entry) => {
    const config = join(folder, entry.name);
    const outDir = configPathOption(config, 'outDir', 0);
    return outDir === undefined ? [] : [{ outDir, rootDir: configPathOption(config, 'rootDir', 0) ?? folder }];
  }));
}

/** A path option of a config's `compilerOptions` (or of the config it extends), absolute from the config declaring it. */
function configPathOption(configFile: string, option: 'outDir' | 'rootDir', depth: number): string | undefined {
  const value = readConfig(configFile)?.compilerOptions?.[option];
  if (typeof value === 'string') return resolve(dirname(configFile), value);
  const parent = depth < MAX_EXTENDS ? extendedConfig(configFile) : undefined;
  return parent ? configPathOption(parent, option, depth + 1) : undefined;
}

/**
 * One `paths` entry: `@/*` → [`/repo/app/*`] (targets absolute, `*` kept). `kitAlias`: one a svelte config declares
 * (`kit.alias`, or `$lib`'s lib folder moved); `unread`: one whose target the code does not say (a `kit.alias` built by
 * a function), which names no file here, and may name any.
 */
interface PathAlias { prefix: string; suffix: string; wildcard: boolean; targets: string[]; unread?: boolean; kitAlias?: boolean }

/** A specifier through the nearest tsconfig.json/jsconfig.json's `paths` (the longest matching prefix first, as TypeScript does). */
function resolveAlias(importer: string, specifier: string): string | undefined {
  const aliases = aliasesFor(dirname(importer));
  const matching = aliases.filter((a) => aliasMatches(a, specifier));
  matching.sort((a, b) => b.prefix.length - a.prefix.length);
  for (const alias of matching) {
    const star = alias.wildcard ? specifier.slice(alias.prefix.length, specifier.length - alias.suffix.length) : '';
    for (const target of alias.targets) {
      const file = resolveFile(target.replace('*', star));
      if (file) return file;
    }
  }
  return undefined;
}

/** Whether a specifier is one a path alias maps: its exact key, or its prefix and suffix around a `*`. */
function aliasMatches(alias: PathAlias, specifier: string): boolean {
  if (!alias.wildcard) return specifier === alias.prefix;
  return specifier.startsWith(alias.prefix) && specifier.endsWith(alias.suffix) && specifier.length >= alias.prefix.length + alias.suffix.length;
}

/**
 * A specifier through the import map of the nearest Deno config (deno.json or deno.jsonc: its `imports`, or the file its
 * `importMap` names): an exact key, or the longest key ending in `/` that starts the specifier (`"@/": "../_shared/"`
 * makes `@/db.ts` `../_shared/db.ts`), to a target in the project (URL targets name no file of it).
 */
function resolveImportMap(importer: string, specifier: string): string | undefined {
  for (const alias of importMapFor(dirname(importer))) {
    if (alias.wildcard ? !specifier.startsWith(alias.prefix) : specifier !== alias.prefix) continue;
    const file = resolveFile(alias.wildcard ? alias.targets[0]! + specifier.slice(alias.prefix.length) : alias.targets[0]!);
    if (file) return file;
  }
  return undefined;
}

const importMapCache = new TimedCache<PathAlias[]>(PROJECT_CACHE_MS, MAX_CACHED_FOLDERS);
const DENO_CONFIGS = ['deno.json', 'deno.jsonc'];

/** The entries of the nearest Deno config's import map (prefix entries as wildcards, longest first), cached per folder. */
function importMapFor(folder: string): PathAlias[] {
  return importMapCache.get(folder, () => {
    const configOf = (current: string) => DENO_CONFIGS.map((name) => join(current, name)).find(isFile);
    const nearest = nearestFolder(folder, (current) => configOf(current) !== undefined);
    if (nearest === undefined) return [];
    const config = configOf(nearest)!;
    const own = readConfig(config);
    const mapFile = typeof own?.importMap === 'string' ? resolve(nearest, own.importMap) : undefined;
    const imports = mapFile ? readConfig(mapFile)?.imports : own?.imports;
    if (!imports || typeof imports !== 'object') return [];
    const base = mapFile ? dirname(mapFile) : nearest;
    return Object.entries(imports as Record<string, unknown>)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && /^\.{0,2}\//.test(entry[1]))
      .map(([key, target]) => ({ prefix: key, suffix: '', wildcard: key.endsWith('/'), targets: [resolve(base, target) + (target.endsWith('/') ? '/' : '')] }))
      .sort((a, b) => b.prefix.length - a.prefix.length);
  });
}

const aliasCache = new TimedCache<PathAlias[]>(PROJECT_CACHE_MS, MAX_CACHED_FOLDERS);

/** The path aliases of the nearest config above a folder, cached per folder. */
function aliasesFor(folder: string): PathAlias[] {
  return aliasCache.get(folder, () => {
    const configOf = (current: string) => ['tsconfig.json', 'jsconfig.json'].map((name) => join(current, name)).find(isFile);
    const nearest = nearestFolder(folder, (current) => configOf(current) !== undefined);
    return nearest === undefined ? [] : configAliases(configOf(nearest)!, 0);
  });
}

/** `compilerOptions.paths` of a config (or of the config it extends), relative to `baseUrl` or else to the config declaring them. */
function configAliases(configFile: string, depth: number): PathAlias[] {
  const options = readConfig(configFile)?.compilerOptions;
  const parent = depth < MAX_EXTENDS ? extendedConfig(configFile) : undefined;
  const paths = options?.paths;
  if (!paths || typeof paths !== 'object') return parent ? configAliases(parent, depth + 1) : svelteKitAliases(configFile);
  const base = resolve(dirname(configFile), typeof options.baseUrl === 'string' ? options.baseUrl : '.');
  return Object.entries(paths as Record<string, unknown>).flatMap(([pattern, targets]): PathAlias[] => {
    if (!Array.isArray(targets)) return [];
    const star = pattern.indexOf('*');
    return [{
      prefix: star < 0 ? pattern : pattern.slice(0, star),
      suffix: star < 0 ? '' : pattern.slice(star + 1),
      wildcard: star >= 0,
      targets: targets.filter((t): t is string => typeof t === 'string').map((t) => resolve(base, t)),
    }];
  });
}

/** The config `svelte-kit sync` generates (git-ignored), which a SvelteKit app's own tsconfig extends. */
const SVELTE_KIT_CONFIG = join('.svelte-kit', 'tsconfig.json');
const SVELTE_CONFIGS = ['svelte.config.js', 'svelte.config.mjs', 'svelte.config.ts'];
/** A svelte config that may move `$lib` (`kit.files.lib`): its folder is then not known without running the config. */
const MOVES_LIB = /\blib\s*:/;
const MAX_SVELTE_CONFIG_BYTES = 256 * 1024;

/**
 * The aliases of a SvelteKit app whose generated config the checkout does not hold: a tsconfig extending
 * `./.svelte-kit/tsconfig.json` that is absent gets the paths `svelte-kit sync` writes there: `$lib` and `$lib/*` to the
 * app's `src/lib`, and each `kit.alias` of the svelte config (svelteConfigAliases). A svelte config that may set another
 * lib folder (`files: { lib: … }`) leaves `$lib` unread.
 */
function svelteKitAliases(configFile: string): PathAlias[] {
  const folder = dirname(configFile);
  const extended = readConfig(configFile)?.extends;
  if (typeof extended !== 'string' || resolve(folder, extended) !== join(folder, SVELTE_KIT_CONFIG) || isFile(join(folder, SVELTE_KIT_CONFIG))) return [];
  const svelteConfig = SVELTE_CONFIGS.map((name) => join(folder, name)).find(isFile);
  const text = svelteConfig === undefined ? undefined : boundedText(svelteConfig, MAX_SVELTE_CONFIG_BYTES);
  if (text === undefined) return [];
  const lib = join(folder, 'src', 'lib');
  const libAliases = MOVES_LIB.test(text) ? unreadAlias('$lib') : directoryAlias('$lib', lib);
  return [...svelteConfigAliases(svelteConfig!, text, folder), ...libAliases];
}

/**
 * The `kit.alias` entries of a svelte config, as `svelte-kit sync` turns them into paths: a key names its target
 * (relative to the app's folder) and, without a `/*` of its own, the files under it too. A target written as code
 * (`$db: lib('server/db')`, a helper building the path) is unread: the alias may name any file of the app. An `alias`
 * that is no object written out (a variable, a spread in it) leaves every bare specifier unread.
 */
function svelteConfigAliases(file: string, text: string, folder: string): PathAlias[] {
  if (!/\balias\b/.test(text)) return [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const aliases: PathAlias[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralElementLike(node) && node.name && ts.isIdentifier(node.name) && node.name.text === 'alias') {
      const value = ts.isPropertyAssignment(node) ? node.initializer : undefined;
      if (!value || !ts.isObjectLiteralExpression(value)) aliases.push(...unreadAlias(''));
      else for (const entry of value.properties) aliases.push(...configAliasEntry(entry, folder));
      return;
    }
    node.forEachChild(visit);
  };
  source.forEachChild(visit);
  return aliases;
}

/** One `kit.alias` entry: `'$db': 'src/lib/server/db'` read, a key whose target is not a string written out unread. */
function configAliasEntry(entry: ts.ObjectLiteralElementLike, folder: string): PathAlias[] {
  const key = entry.name && (ts.isIdentifier(entry.name) || ts.isStringLiteralLike(entry.name)) ? entry.name.text : undefined;
  if (key === undefined) return unreadAlias('');
  const target = ts.isPropertyAssignment(entry) && ts.isStringLiteralLike(entry.initializer) ? resolve(folder, entry.initializer.text) : undefined;
  if (target === undefined) return unreadAlias(key.replace(/\/\*$/, ''));
  const aliases = key.endsWith('/*') ? [{ prefix: key.slice(0, -1), suffix: '', wildcard: true, targets: [target] }] : directoryAlias(key, target);
  return aliases.map((alias) => ({ ...alias, kitAlias: true }));
}

/** `key` naming `target` and `key/…` naming the files under it (a directory alias, as `$lib`). */
function directoryAlias(key: string, target: string): PathAlias[] {
  return [{ prefix: `${key}/`, suffix: '', wildcard: true, targets: [`${target}/*`] }, { prefix: key, suffix: '', wildcard: false, targets: [target] }];
}

/** `key` and `key/…` through an alias whose target is not known; `''` stands for every bare specifier. */
function unreadAlias(key: string): PathAlias[] {
  const unread = { suffix: '', targets: [], unread: true, kitAlias: true };
  if (key === '') return [{ ...unread, prefix: '', wildcard: true }];
  return [{ ...unread, prefix: `${key}/`, wildcard: true }, { ...unread, prefix: key, wildcard: false }];
}

/**
 * How a specifier of `importer` (not relative) goes through an alias of a SvelteKit app's svelte config
 * (svelteKitAliases): 'unread' when the alias's target is not known (the file it names cannot be told: it may be any
 * file of the app), 'read' when it is, undefined when it goes through none. projectImporters.ts lists such importers
 * apart: a specifier like `$db` does not end in the name of the file it names.
 */
export function kitAliasOf(importer: string, specifier: string): 'read' | 'unread' | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  const matching = aliasesFor(dirname(importer)).filter((alias) => alias.kitAlias === true && aliasMatches(alias, specifier));
  if (matching.length === 0) return undefined;
  return matching.some((alias) => alias.unread === true) ? 'unread' : 'read';
}

/** Whether the nearest config of the importer's folder has aliases of a svelte config (kitAliasOf). */
export function hasKitAlias(importer: string): boolean {
  return aliasesFor(dirname(importer)).some((alias) => alias.kitAlias === true);
}

/** The file a config's relative `extends` names (package configs such as `@tsconfig/node20` hold no project paths). */
function extendedConfig(configFile: string): string | undefined {
  const extended = readConfig(configFile)?.extends;
  const first = Array.isArray(extended) ? extended[0] : extended;
  if (typeof first !== 'string' || !first.startsWith('.')) return undefined;
  const target = resolve(dirname(configFile), first);
  return [target, `${target}.json`].find(isFile);
}

/** A tsconfig read as TypeScript reads it (comments, trailing commas). */
function readConfig(file: string): any {
  try {
    return ts.parseConfigFileTextToJson(file, readFileSync(file, 'utf8')).config;
  } catch {
    return undefined;
  }
}

/** A workspace package's source for a subpath: its `exports`/`main` target, or where its build took it from (dist/ → src/). */
function packageEntry(folder: string, subpath: string | undefined): string | undefined {
  const manifest = readJson(join(folder, 'package.json'));
  const exports = manifest?.exports;
  const key = subpath ? `./${subpath}` : '.';
  const target = typeof exports === 'string' && !subpath ? exports : firstString(exports?.[key]) ?? (subpath ? `./${subpath}` : manifest?.main ?? manifest?.module);
  const targets = typeof target === 'string' ? [target, target.replace(/^(?:\.\/)?(?:dist|build|lib|out)(?:-[\w-]+)?\//, 'src/')] : [];
  targets.push(subpath ? `src/${subpath}` : 'src/index');
  for (const candidate of targets) {
    const file = resolveFile(resolve(folder, candidate));
    if (file && SOURCE_FILE.test(file) && !DECLARATION_FILE.test(file)) return file;
  }
  return undefined;
}

/** The first path of a conditional export (`{ source, import, default, … }`). */
function firstString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return undefined;
  const conditions = value as Record<string, unknown>;
  for (const key of ['source', 'import', 'default', 'require', 'node', ...Object.keys(conditions)]) {
    const found = key in conditions ? firstString(conditions[key]) : undefined;
    if (found) return found;
  }
  return undefined;
}

const owningPackages = new TimedCache<{ name: string; folder: string } | undefined>(PROJECT_CACHE_MS, MAX_CACHED_FOLDERS);

/** The nearest package.json at or above the file's folder (its `name` and folder): the package whose own source the file is. */
export function owningPackage(file: string): { name: string; folder: string } | undefined {
  const start = dirname(resolve(file));
  return owningPackages.get(start, () => {
    const folder = nearestFolder(start, (candidate) => isFile(join(candidate, 'package.json')));
    const name = folder ? readJson(join(folder, 'package.json'))?.name : undefined;
    return folder && typeof name === 'string' ? { name, folder } : undefined;
  });
}

/** The folder whose files may import a file: its workspace's root, or else the nearest folder with a package.json. */
export function projectRoot(file: string): string | undefined {
  const start = dirname(file);
  return workspaceRoot(start) ?? nearestFolder(start, (folder) => isFile(join(folder, 'package.json')));
}

/** The nearest folder at or above `start` (16 levels at most) for which `holds` is true. */
function nearestFolder(start: string, holds: (folder: string) => boolean): string | undefined {
  return foldersUp(start, 15).find(holds);
}
