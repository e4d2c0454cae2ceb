// SQL files a project's documentation shows whole as a snippet for its readers to run (MkDocs'
// `--8<-- "extras/convert.sql"`, Sphinx's `.. literalinclude:: ../scripts/convert.sql`, AsciiDoc's
// `include::scripts/convert.sql[]`), or tells them to run in psql with its include command (`Run within psql
// using \i db/checks/orphans.sql`): a one-off conversion, check or maintenance script a person pastes into psql or
// runs with `psql -f` or `\i`, in a session of its own, never sent through the application's pool. The pages are those
// of a `docs`/`doc` folder up to four levels above the file, or of such a level itself (the project root's README),
// within the file's repository.
import { basename, dirname, join, resolve, sep } from 'node:path';
import { SKIPPED_FOLDERS, boundedText, folderEntries } from './folderEntries';
import { foldersUpToRoot } from './projectPaths';
import { PSQL_INCLUDE_COMMAND, pagesAmong } from './psqlRuns';
import { CACHE_MS, TimedCache } from './timedCache';

/** The documentation folders looked for at each level above the file. */
const DOCS_FOLDERS = ['docs', 'doc'];
/**
 * A directive that pastes a whole `.sql` file into a page, or a psql include of one written on the page (`\i
 * db/x.sql`, `\ir db/x.sql`, in a code block or inline code; psql has no other meaning for it): its path argument.
 */
const SNIPPET = new RegExp(String.raw`(?:--8<--\s*["']|literalinclude::\s*|include::|(?<![\w\\])${PSQL_INCLUDE_COMMAND}["']?)([^\s"'\[\]\`]+\.sql)\b`, 'gi');
/** Bounds: how far up the documentation folder may be, how deep below it pages are read, how many (and their size). */
const LEVELS_UP = 4;
const LEVELS_DOWN = 3;
const MAX_FOLDERS = 200;
const MAX_PAGES = 1000;
const MAX_PAGE_BYTES = 512 * 1024;
/**
 * A placeholder for wherever the reader keeps the project, before the path a page includes (`\i /path/to/fix.sql`,
 * `\i /caminho/para/backend/fix.sql`, `\i <repo>/db/fix.sql`): what follows it is the end of the file's path.
 */
const PLACEHOLDER_FOLDER = /^\/?(?:path\/to|caminho\/para|ruta\/(?:a|al|hacia)|chemin\/vers|pfad\/zu|<[^<>\/]+>)\//i;

const snippetsByDocs = new TimedCache<string[]>(CACHE_MS);

/** Whether a documentation page of the project shows the file whole as a snippet. */
export function isDocumentedSnippet(fileName: string): boolean {
  if (!/\.sql$/i.test(fileName)) return false;
  const file = resolve(fileName);
  // Not above the repository's root: a folder holding it (a home folder's notes) is no page of the project.
  return foldersUpToRoot(dirname(file), LEVELS_UP).some((level) => {
    const below = file.slice(level.length + 1).split(sep).join('/');
    return [...DOCS_FOLDERS.map((docs) => join(level, docs)), level].some((docs) => snippetsOf(docs).some((path) => names(below, path)));
  });
}

/**
 * Whether a snippet path names the file `below` the level the docs folder is in: MkDocs resolves it from the
 * project root (`extras/x.sql`), Sphinx and AsciiDoc from the page (`../extras/x.sql`): compared without the
 * leading `./` and `../` steps, it must be the file's path below that level.
 */
export function names(below: string, path: string): boolean {
  const placeholder = PLACEHOLDER_FOLDER.exec(path);
  if (placeholder) {
    // The folder the reader keeps the project in is not written: the rest is the end of the file's path, or its name.
    const end = path.slice(placeholder[0].length);
    return below === end || below.endsWith(`/${end}`);
  }
  return below === path.replace(/^(?:\.{1,2}\/)+/, '');
}

/**
 * The `.sql` paths the pages of a documentation folder (and its subfolders, LEVELS_DOWN deep: an archive's
 * `docs/archive/2025/` notes) paste whole. For a folder above the file that is no documentation folder (the project's
 * root: its README or DEPLOYMENT.md telling the reader to `\i schema/init.sql`), its own pages only.
 */
function snippetsOf(docs: string): string[] {
  return snippetsByDocs.get(docs, () => {
    const folders = DOCS_FOLDERS.includes(basename(docs)) ? foldersBelow(docs) : [docs];
    const files = folders.flatMap((folder) => folderEntries(folder).filter((e) => e.isFile()).map((e) => join(folder, e.name)));
    const pages = pagesAmong(files, MAX_PAGES);
    const paths: string[] = [];
    for (const page of pages) {
      const text = boundedText(page, MAX_PAGE_BYTES); // unreadable: it shows nothing
      if (text === undefined || !text.includes('.sql')) continue;
      for (const match of text.matchAll(SNIPPET)) paths.push(match[1]);
    }
    return paths;
  });
}

/** A folder and its subfolders down to LEVELS_DOWN, nearest first, at most MAX_FOLDERS. */
function foldersBelow(root: string): string[] {
  const folders = [root];
  let level = [root];
  for (let depth = 0; depth < LEVELS_DOWN && level.length > 0 && folders.length < MAX_FOLDERS; depth++) {
    level = level.flatMap((folder) => folderEntries(folder).filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIPPED_FOLDERS.has(e.name))
      .map((e) => join(folder, e.name)));
    folders.push(...level);
  }
  return folders.slice(0, MAX_FOLDERS);
}
