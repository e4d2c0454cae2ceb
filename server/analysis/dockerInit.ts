// SQL files the official postgres container image runs at first start: a compose file mounts them (or a
// Dockerfile copies them, also one a compose file builds from another folder) into /docker-entrypoint-initdb.d, whose .sql files the image's entrypoint runs with
// psql, each in its own session on the freshly created database, never through the application's pool.
import { basename, dirname, join, resolve } from 'node:path';
import { CACHE_MS, TimedCache } from './timedCache';
import { boundedText, folderEntries } from './folderEntries';
import { foldersUpToRoot } from './projectPaths';
import { withoutTrailingSlashes } from './connectionHosts';

const INIT_FOLDER = '/docker-entrypoint-initdb.d';
/** A Dockerfile by name: `Dockerfile`, `Dockerfile.prod`, `api.Dockerfile`. */
const DOCKERFILE_NAME = /^(?:Dockerfile[\w.-]*|[\w.-]+\.Dockerfile)$/i;
/** Files that can mount or copy a script into the image: compose files and Dockerfiles. */
const CONTAINER_FILE = new RegExp(`^(?:(?:docker-)?compose[\\w.-]*\\.ya?ml|${DOCKERFILE_NAME.source.slice(1, -1)})$`, 'i');

/** Whether a file is a Dockerfile by its name (not a page about one: `Dockerfile.md`). */
export function isDockerfile(path: string): boolean {
  const name = basename(path);
  return DOCKERFILE_NAME.test(name) && !/\.(?:md|txt)$/i.test(name);
}
/** `- ./init.sql:/docker-entrypoint-initdb.d/init.sql:ro` (quoted or not), or a long-form `source:` line's value. */
const VOLUME_MOUNT = /^\s*-?\s*["']?([^\s"':]+):\/docker-entrypoint-initdb\.d(\/[^\s"':]*)?/;
/** `COPY [--chown=…] src… /docker-entrypoint-initdb.d/` (or ADD). */
const COPY_INTO = /^\s*(?:COPY|ADD)\s+((?:--\S+\s+)*)(.+?)\s+\/docker-entrypoint-initdb\.d(\/\S*)?\s*$/i;
/** Bounds: how far up a container file is looked for, how many are read per folder, and their size. */
const FOLDER_LEVELS = 3;
const MAX_FILES_PER_FOLDER = 20;
const MAX_FILE_BYTES = 256 * 1024;

/** What a container file puts into the init folder: files (absolute paths) and whole folders' contents. */
interface InitSources { files: Set<string>; folders: Set<string> }
const sourcesByFolder = new TimedCache<InitSources>(CACHE_MS);

/**
 * Whether a compose file or Dockerfile in the file's folder or up to FOLDER_LEVELS above (not above its repository's
 * root: a compose file beside the checkout is none of the project's) puts it into the postgres image's init folder.
 */
export function isDockerInitScript(fileName: string): boolean {
  if (!/\.sql$/i.test(fileName)) return false;
  const file = resolve(fileName);
  return foldersUpToRoot(dirname(file), FOLDER_LEVELS).some((folder) => {
    const { files, folders } = initSourcesIn(folder);
    return files.has(file) || folders.has(dirname(file));
  });
}

/**
 * Whether the file is a byte-identical copy of a script that a container file of the repository (as isDockerInitScript
 * looks for them) puts into the init folder under the same name: a backup or a second copy of a psql init script is
 * that script, written for a session of its own. A file under a migrations folder, whatever its bytes, is left to the
 * migration tool's reading; a copy differing by a byte is no copy.
 */
export function isDockerInitScriptCopy(fileName: string, text: string): boolean {
  if (!/\.sql$/i.test(fileName)) return false;
  const file = resolve(fileName);
  if (/migrat/i.test(dirname(file))) return false;
  const name = basename(file);
  return foldersUpToRoot(dirname(file), FOLDER_LEVELS).some((folder) => {
    const { files, folders } = initSourcesIn(folder);
    const originals = [...[...files].filter((source) => basename(source) === name), ...[...folders].map((source) => join(source, name))];
    return originals.some((original) => original !== file && boundedText(original, MAX_FILE_BYTES) === text);
  });
}

function initSourcesIn(folder: string): InitSources {
  return sourcesByFolder.get(folder, () => readInitSources(folder));
}

function readInitSources(folder: string): InitSources {
  const sources: InitSources = { files: new Set(), folders: new Set() };
  for (const name of containerFilesIn(folder)) {
    // Unreadable or too large: it puts nothing there.
    const text = boundedText(join(folder, name), MAX_FILE_BYTES);
    if (text?.includes(INIT_FOLDER)) addInitSources(text, folder, sources);
    // A compose file building an image from a Dockerfile elsewhere: that Dockerfile's COPY sources are paths in the build context.
    if (text && /^(?:docker-)?compose/i.test(name)) {
      for (const { context, dockerfile } of composeBuilds(text, folder)) {
        const built = boundedText(dockerfile, MAX_FILE_BYTES);
        if (built?.includes(INIT_FOLDER)) addInitSources(built, context, sources);
      }
    }
  }
  return sources;
}

/** `context: <dir>` and `dockerfile: <path>` lines of a compose file's `build:` sections (quoted or not). */
const BUILD_KEY = /^\s*(context|dockerfile)\s*:\s*["']?([^\s"'#]+)["']?\s*(?:#.*)?$/;
/** Bound of the Dockerfiles followed from one compose file. */
const MAX_BUILDS = 10;

/**
 * The images a compose file builds from a named Dockerfile: the build context (resolved against the compose file's
 * folder; `.` when the section names none before its `dockerfile:`) and the Dockerfile (resolved against the context).
 * Lines are read in order, a `context:` standing for the `dockerfile:` that follows it in the same section.
 */
function composeBuilds(text: string, folder: string): { context: string; dockerfile: string }[] {
  const builds: { context: string; dockerfile: string }[] = [];
  let context: string | undefined;
  for (const line of text.split('\n')) {
    if (/^\s*build\s*:/.test(line) || /^\s{0,2}[\w.-]+\s*:\s*$/.test(line)) context = undefined; // a new build section or service
    const key = BUILD_KEY.exec(line);
    if (!key) continue;
    if (key[1] === 'context') context = resolve(folder, key[2]);
    else if (builds.length < MAX_BUILDS) {
      const base = context ?? folder;
      builds.push({ context: base, dockerfile: resolve(base, key[2]) });
    }
  }
  return builds;
}

function containerFilesIn(folder: string): string[] {
  return folderEntries(folder).map((entry) => entry.name).filter((name) => CONTAINER_FILE.test(name)).slice(0, MAX_FILES_PER_FOLDER);
}

/** `WORKDIR /docker-entrypoint-initdb.d`: the relative destinations of the COPY lines after it are in the init folder. */
const WORKDIR = /^\s*WORKDIR\s+["']?(\S+?)["']?\s*$/i;
/**
 * `COPY [--chown=…] src… <relative destination>` (or ADD), read after a WORKDIR in the init folder: the sources and
 * the destination, read word by word (no expression: each word one way).
 */
function relativeCopy(line: string): { sources: string[]; target: string } | undefined {
  const words = line.trim().split(/\s+/);
  if (words.length < 3 || !/^(?:COPY|ADD)$/i.test(words[0])) return undefined;
  const rest = words.slice(1).filter((word) => !word.startsWith('--'));
  const target = rest.pop();
  if (!target || rest.length === 0 || target.startsWith('/')) return undefined;
  return { sources: rest, target };
}

/**
 * Records each source a mount or COPY line puts into the init folder, resolved against the container file's folder
 * (a Dockerfile's: its build context). A Dockerfile that first changes into the init folder (`WORKDIR
 * /docker-entrypoint-initdb.d`) and then copies to a relative name (`COPY db/schema.sql 10_schema.sql`, `COPY
 * init/ .`) puts its sources there too, until another WORKDIR or FROM.
 */
function addInitSources(text: string, folder: string, sources: InitSources): void {
  let inInitFolder = false;
  for (const line of text.split('\n')) {
    const workdir = WORKDIR.exec(line);
    if (workdir || /^\s*FROM\s/i.test(line)) inInitFolder = workdir !== null && withoutTrailingSlashes(workdir[1]) === INIT_FOLDER;
    if (inInitFolder && !line.includes(INIT_FOLDER)) {
      const copy = relativeCopy(line);
      // `.` and `./` are the init folder itself; any other relative name a file in it.
      const target = copy && (copy.target === '.' || copy.target === './' ? '/' : copy.target);
      for (const source of copy?.sources ?? []) addSource(resolve(folder, source), target, sources);
      continue;
    }
    if (!line.includes(INIT_FOLDER)) continue;
    const mount = VOLUME_MOUNT.exec(line);
    if (mount) {
      addSource(resolve(folder, mount[1]), mount[2], sources);
      continue;
    }
    const copy = COPY_INTO.exec(line);
    for (const source of copy ? copy[2].split(/\s+/) : []) addSource(resolve(folder, source), copy?.[3], sources);
  }
}

/**
 * A source mounted or copied onto a file path inside the init folder is that file; onto the folder itself it
 * is a folder whose scripts all run (or, for a COPY of single files or a glob, those files).
 */
function addSource(source: string, target: string | undefined, sources: InitSources): void {
  if (source.includes('*')) sources.folders.add(dirname(source));
  else if (/\.sql$/i.test(source)) sources.files.add(source);
  else if (!target || target === '/') sources.folders.add(source);
}
