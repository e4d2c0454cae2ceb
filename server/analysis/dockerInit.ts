// SQL files the official postgres container image runs at first start: a compose file mounts them (or a
// Dockerfile copies them) into /docker-entrypoint-initdb.d, whose .sql files the image's entrypoint runs with
// psql, each in its own session on the freshly created database, never through the application's pool.
import { dirname, join, resolve } from 'node:path';
import { TimedCache } from './timedCache';
import { boundedText, folderEntries, foldersUp } from './folderEntries';

const INIT_FOLDER = '/docker-entrypoint-initdb.d';
/** Files that can mount or copy a script into the image: compose files and Dockerfiles. */
const CONTAINER_FILE = /^(?:(?:docker-)?compose[\w.-]*\.ya?ml|Dockerfile[\w.-]*|[\w.-]+\.Dockerfile)$/i;
/** `- ./init.sql:/docker-entrypoint-initdb.d/init.sql:ro` (quoted or not), or a long-form `source:` line's value. */
const VOLUME_MOUNT = /^\s*-?\s*["']?([^\s"':]+):\/docker-entrypoint-initdb\.d(\/[^\s"':]*)?/;
/** `COPY [--chown=…] src… /docker-entrypoint-initdb.d/` (or ADD). */
const COPY_INTO = /^\s*(?:COPY|ADD)\s+((?:--\S+\s+)*)(.+?)\s+\/docker-entrypoint-initdb\.d(\/\S*)?\s*$/i;
/** Bounds: how far up a container file is looked for, how many are read per folder, and their size. */
const FOLDER_LEVELS = 3;
const MAX_FILES_PER_FOLDER = 20;
const MAX_FILE_BYTES = 256 * 1024;
const CACHE_MS = 10_000;

/** What a container file puts into the init folder: files (absolute paths) and whole folders' contents. */
interface InitSources { files: Set<string>; folders: Set<string> }
const sourcesByFolder = new TimedCache<InitSources>(CACHE_MS);

/** Whether a compose file or Dockerfile in the file's folder or up to FOLDER_LEVELS above puts it into the postgres image's init folder. */
export function isDockerInitScript(fileName: string): boolean {
  if (!/\.sql$/i.test(fileName)) return false;
  const file = resolve(fileName);
  return foldersUp(dirname(file), FOLDER_LEVELS).some((folder) => {
    const { files, folders } = initSourcesIn(folder);
    return files.has(file) || folders.has(dirname(file));
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
  }
  return sources;
}

function containerFilesIn(folder: string): string[] {
  return folderEntries(folder).map((entry) => entry.name).filter((name) => CONTAINER_FILE.test(name)).slice(0, MAX_FILES_PER_FOLDER);
}

/** Records each source a mount or COPY line puts into the init folder, resolved against the container file's folder. */
function addInitSources(text: string, folder: string, sources: InitSources): void {
  for (const line of text.split('\n')) {
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
