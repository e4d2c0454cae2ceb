// Which files of a project import a given file: the reverse of moduleResolution.ts, for facts that depend on
// how a module's exports are used elsewhere (drizzleDatabaseUses.ts: whether any importer runs a transaction
// on an exported drizzle database). The project's source files are listed once per project root (bounded in
// count, cached for a while); each is searched as bytes for the end of a specifier that could name the file
// (its name, or its folder's for an index file, before a quote), and only those are decoded and their
// specifiers resolved. The answer is cached per file for a while. A one-shot lint (folderEntries.ts's isOneShotRun:
// nothing changes under it) reads each of the project's files once for the specifiers it names, and reads again only
// the files naming one that ends in a name of the file asked about (ClinicalSageAI's lint had read its 6,500 files
// again for each of a dozen files asked about: 19,000 reads, 245 MB, three times what it lints).
import { basename, dirname, isAbsolute, join } from 'node:path';
import { boundedBytes, isOneShotRun, walkFolders } from './folderEntries';
import { DECLARATION_FILE, SOURCE_EXTENSIONS, SOURCE_FILE, hasKitAlias, kitAliasOf, owningPackage, projectRoot, resolveModule } from './moduleResolution';
import { readJson } from './packageManifests';
import { isFile } from './folderEntries';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';

const MAX_PROJECTS = 8;
const MAX_FILES = 20_000;
const MAX_FOLDERS = 20_000;
const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** `from '…'`, `import '…'`, `import('…')`, `require('…')`: every way a file can name another. */
const SPECIFIER = /\b(?:from|import|require)\s*(?:\(\s*)?(['"])([^'"\n]{1,300})\1/g;

/** A project's source files; undefined when the project is too big to list. */
type ProjectFiles = string[] | undefined;

const projects = new TimedCache<ProjectFiles>(PROJECT_CACHE_MS, MAX_PROJECTS);
const importers = new TimedCache<string[] | undefined>(PROJECT_CACHE_MS, MAX_PROJECTS * 8);

/** Per last segment of a specifier (lastSegment): the project's files naming a specifier ending in it. */
type SpecifierIndex = Map<string, Set<string>>;
/** A one-shot run's index of each project's specifiers, per project root (read once: nothing changes under the run). */
const indexes = new TimedCache<SpecifierIndex>(PROJECT_CACHE_MS, MAX_PROJECTS);

/**
 * The files of `file`'s project that import it (by any specifier resolving to it), or undefined when that
 * cannot be known (no project root, more files than the bounds allow, or a file importing through an alias whose
 * target is not read).
 */
export function importersOf(file: string): string[] | undefined {
  if (!isAbsolute(file) || !isFile(file)) return undefined;
  return importers.get(file, () => {
    const root = projectRoot(file);
    const files = root === undefined ? undefined : projectFiles(root);
    if (!files) return undefined;
    const aliasing = kitAliasImporters(root!, files);
    if (!aliasing) return undefined;
    // Computed once per call: it reads the owning package's manifest, which every candidate would otherwise read again.
    const names = specifierEndings(file);
    const importing = (candidate: string) => imports(candidate, file, names) || (aliasing.get(candidate)?.some((s) => resolveModule(candidate, s) === file) ?? false);
    if (!isOneShotRun()) return files.filter((candidate) => candidate !== file && importing(candidate));
    // Only a file naming a specifier that ends in one of the file's names can import it: the others are not read again.
    const index = indexes.get(root!, () => indexSpecifiers(files));
    const naming = new Set([...[...names].flatMap((name) => [...(index.get(name) ?? [])]), ...aliasing.keys()]);
    return files.filter((candidate) => candidate !== file && naming.has(candidate) && importing(candidate));
  });
}

/**
 * Per project root: the files importing through an alias of a svelte config, each with the specifiers it names that
 * way, or undefined when one's target is unread.
 */
const kitAliasUsers = new TimedCache<Map<string, string[]> | undefined>(PROJECT_CACHE_MS, MAX_PROJECTS);

/**
 * The files of the project naming a module through an alias of a SvelteKit app's svelte config (`import { db } from
 * '$db'`, moduleResolution.ts's kitAliasOf), with those specifiers: such a specifier does not end in the name of the
 * file it names, so these files are resolved apart. Undefined when one goes through an alias whose target is not read
 * (built by a function): it may import any file, so no file's importers can be listed. Read once per project root.
 */
function kitAliasImporters(root: string, files: readonly string[]): Map<string, string[]> | undefined {
  return kitAliasUsers.get(root, () => {
    const found = new Map<string, string[]>();
    for (const candidate of files) {
      if (!hasKitAlias(candidate)) continue;
      const bytes = boundedBytes(candidate, MAX_FILE_BYTES);
      if (bytes === undefined) return undefined;
      const read: string[] = [];
      for (const specifier of specifiersIn(bytes.toString('utf8'))) {
        const use = kitAliasOf(candidate, specifier);
        if (use === 'unread') return undefined;
        if (use === 'read') read.push(specifier);
      }
      if (read.length > 0) found.set(candidate, read);
    }
    return found;
  });
}

/** The files naming a specifier, per last segment of it (lastSegment); a file over the size bound or unreadable names none. */
function indexSpecifiers(files: readonly string[]): SpecifierIndex {
  const index: SpecifierIndex = new Map();
  for (const candidate of files) {
    const bytes = boundedBytes(candidate, MAX_FILE_BYTES);
    if (bytes === undefined) continue;
    for (const specifier of specifiersIn(bytes.toString('utf8'))) {
      const segment = lastSegment(specifier);
      let naming = index.get(segment);
      // A copy of the segment: a slice of the file's text would keep all of that text alive.
      if (!naming) index.set(Buffer.from(segment).toString(), (naming = new Set()));
      naming.add(candidate);
    }
  }
  return index;
}

/**
 * Whether `candidate` names `file` in a specifier; `names` are the file's specifierEndings. Its bytes are searched
 * first for the text a specifier naming the file ends with (`/db'`, `"./index"`…), so most files are never decoded.
 */
function imports(candidate: string, file: string, names: ReadonlySet<string>): boolean {
  const bytes = boundedBytes(candidate, MAX_FILE_BYTES);
  if (bytes === undefined) return false;
  if (![...names].some((name) => bytes.includes(`${name}'`) || bytes.includes(`${name}"`))) return false;
  return specifiersIn(bytes.toString('utf8')).some((s) => names.has(lastSegment(s)) && resolveModule(candidate, s) === file);
}

/** The last segment a specifier naming the file may end in: its name with or without extension, or its folder's for an index. */
export function namesOf(file: string): Set<string> {
  const name = basename(file);
  const stem = name.replace(SOURCE_FILE, '');
  const names = new Set([name, stem, `${stem}.js`, `${stem}.mjs`, `${stem}.cjs`]);
  if (stem === 'index') names.add(basename(dirname(file))).add('.').add('..');
  return names;
}

/**
 * The last segments a specifier naming the file may end in: its own names (namesOf), and, for a file of a package,
 * the last segment of the package's name (`@clinic/db` for its entry `packages/db/src/index.ts`, whose folder is
 * `src`) and of each subpath its `exports` declares (`./client` for `./src/pg.ts`). Which file such a specifier
 * names is then resolved as for any other (moduleResolution.ts's workspace packages): these only say which files
 * are worth resolving.
 */
function specifierEndings(file: string): Set<string> {
  const names = namesOf(file);
  const own = owningPackage(file);
  if (!own) return names;
  names.add(lastSegment(own.name));
  const exported = readJson(join(own.folder, 'package.json'))?.exports;
  if (exported && typeof exported === 'object' && !Array.isArray(exported)) {
    for (const key of Object.keys(exported)) if (key.startsWith('./') && !key.includes('*')) names.add(lastSegment(key));
  }
  return names;
}

export function lastSegment(specifier: string): string {
  const trimmed = specifier.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  return slash < 0 ? trimmed : trimmed.slice(slash + 1);
}

function projectFiles(root: string): ProjectFiles {
  return projects.get(root, () => listProject(root));
}

const mentions = new TimedCache<boolean>(PROJECT_CACHE_MS, MAX_PROJECTS * 4);

/**
 * Whether some source file of `file`'s project (every one under its project root, as importersOf lists them) holds text
 * matching `pattern`: true also when the project cannot be listed, since an unread file may hold it. Each file is searched
 * as bytes; the answer is cached per project and pattern for a while.
 */
export function projectMayMention(file: string, pattern: RegExp): boolean {
  const root = isAbsolute(file) ? projectRoot(file) : undefined;
  if (root === undefined) return true;
  return mentions.get(`${root}\u0000${pattern.source}\u0000${pattern.flags}`, () => {
    const files = projectFiles(root);
    return files === undefined || files.some((candidate) => {
      const bytes = boundedBytes(candidate, MAX_FILE_BYTES);
      return bytes === undefined || pattern.test(bytes.toString('utf8'));
    });
  });
}

const naming = new TimedCache<string[] | undefined>(PROJECT_CACHE_MS, MAX_PROJECTS * 4);

/**
 * The source files of `file`'s project (as importersOf lists them) whose text holds `text` (a script's file name:
 * spawnedScripts.ts), or undefined when the project cannot be listed. Each file is searched as bytes; cached per
 * project and text for a while.
 */
export function projectFilesNaming(file: string, text: string): readonly string[] | undefined {
  const root = isAbsolute(file) ? projectRoot(file) : undefined;
  if (root === undefined) return undefined;
  return naming.get(`${root}\u0000${text}`, () => {
    const files = projectFiles(root);
    if (files === undefined) return undefined;
    const found: string[] = [];
    for (const candidate of files) {
      const bytes = boundedBytes(candidate, MAX_FILE_BYTES);
      // A file over the size bound (a bundle) is not read, as importersOf does not read it.
      if (bytes !== undefined && bytes.includes(text)) found.push(candidate);
    }
    return found;
  });
}

/** `declare module 'fastify' {`: a module augmentation, naming the module it adds declarations to. */
const AUGMENTATION = /\bdeclare\s+module\s+(['"])([^'"\n]{1,300})\1/g;

/** Per project root: the files that augment a module (`declare module 'fastify' { … }`), per module specifier. */
const augmentations = new TimedCache<Map<string, string[]> | undefined>(PROJECT_CACHE_MS, MAX_PROJECTS);

/**
 * The source files of `file`'s project that augment the module `specifier` (`declare module 'fastify' { interface
 * FastifyInstance { db: Sql } }`), or undefined when the project cannot be listed. Each file is searched as bytes for
 * `declare module` first; the index is made once per project root and kept for a while.
 */
export function projectAugmentationsOf(file: string, specifier: string): readonly string[] | undefined {
  const root = isAbsolute(file) ? projectRoot(file) : undefined;
  if (root === undefined) return undefined;
  const index = augmentations.get(root, () => {
    const files = projectFiles(root);
    if (!files) return undefined;
    const bySpecifier = new Map<string, string[]>();
    for (const candidate of files) {
      const bytes = boundedBytes(candidate, MAX_FILE_BYTES);
      if (bytes === undefined || !bytes.includes('declare module')) continue;
      for (const match of bytes.toString('utf8').matchAll(AUGMENTATION)) {
        const named = bySpecifier.get(match[2]) ?? [];
        if (!named.includes(candidate)) named.push(candidate);
        bySpecifier.set(Buffer.from(match[2]).toString(), named);
      }
    }
    return bySpecifier;
  });
  return index === undefined ? undefined : index.get(specifier) ?? [];
}

/** Every source file under the root (dependencies, build output and hidden folders skipped). */
function listProject(root: string): ProjectFiles {
  const files: string[] = [];
  const end = walkFolders(root, MAX_FOLDERS, (folder, entries) => {
    for (const entry of entries) {
      if (!entry.isFile() || !SOURCE_EXTENSIONS.some((e) => entry.name.endsWith(e)) || DECLARATION_FILE.test(entry.name)) continue;
      if (files.length >= MAX_FILES) return false;
      files.push(join(folder, entry.name));
    }
    return true;
  });
  return end === 'complete' ? files : undefined;
}

/** The module specifiers a file's text names, in any form (import, export … from, import(), require()). */
export function specifiersIn(text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map((m) => m[2]);
}

/** How many files an import closure may hold before it is taken to mention anything (importClosureMayMention). */
const MAX_CLOSURE_FILES = 2_000;
/** `import(name)`, `require(path)`, `` import(`./${x}`) ``: a module loaded by a computed name, which may be any file. */
const COMPUTED_LOAD = /\b(?:import|require)\s*\(\s*[^'"\s)]/;
const closureMentions = new TimedCache<boolean>(PROJECT_CACHE_MS, MAX_PROJECTS * 8);

/**
 * Whether `file`, or a project file it loads directly or through others (every specifier it names: relative paths,
 * path aliases, workspace packages; not a dependency, whose code is not the project's), holds text matching `pattern`.
 * True also when a file cannot be read, one loads a module by a computed name, or the closure passes its bound: an
 * unread file may hold it. Cached per file and pattern for a while.
 */
export function importClosureMayMention(file: string, pattern: RegExp): boolean {
  if (!isAbsolute(file)) return true;
  return closureMentions.get(`${file}\u0000${pattern.source}\u0000${pattern.flags}`, () => {
    const seen = new Set<string>([file]);
    const pending = [file];
    while (pending.length > 0) {
      const current = pending.pop()!;
      const bytes = boundedBytes(current, MAX_FILE_BYTES);
      if (bytes === undefined) return true;
      const text = bytes.toString('utf8');
      if (pattern.test(text) || COMPUTED_LOAD.test(text)) return true;
      for (const specifier of specifiersIn(text)) {
        const loaded = resolveModule(current, specifier);
        if (!loaded || seen.has(loaded) || !SOURCE_FILE.test(loaded) || DECLARATION_FILE.test(loaded) || /[\\/]node_modules[\\/]/.test(loaded)) continue;
        if (seen.size >= MAX_CLOSURE_FILES) return true;
        seen.add(loaded);
        pending.push(loaded);
      }
    }
    return false;
  });
}
