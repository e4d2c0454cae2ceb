// `.sql` files of a Go module whose database drivers are another database's only: the nearest project manifest above
// the file (within its repository) is a go.mod that requires a SQLite or MySQL driver directly (`modernc.org/sqlite`,
// `github.com/mattn/go-sqlite3`, `github.com/go-sql-driver/mysql`…) and no PostgreSQL driver or library at all, direct
// or indirect (`github.com/lib/pq`, `github.com/jackc/pgx/v5`, gorm's postgres driver…): nothing of the program sends
// SQL to PostgreSQL, so its schema and query files (typeless SQLite columns, `datetime` defaults) are that database's,
// left alone as a file whose path names the dialect is (sqlcConfig.ts's dialectOfSqlFile). Where a manifest of another
// language sits nearer the file than the go.mod (a Node back end's package.json beside its migrations), or beside it,
// the file is not read as the Go program's. The driver lists are driverModules.ts's.
import { dirname, join, resolve } from 'node:path';
import { boundedText, folderEntries } from './folderEntries';
import { GO_POSTGRES_MODULES, goModuleDatabase } from './driverModules';
import { PROGRAM_MANIFEST } from './psqlOnlyProjects';
import { ROOT_LEVELS, foldersUpToRoot } from './projectPaths';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';

const GO_MOD = 'go.mod';
const MAX_GO_MOD_BYTES = 256 * 1024;

/** Per folder: the other database its go.mod's drivers say, undefined for PostgreSQL, a mix, none, or no go.mod. */
const byModuleFolder = new TimedCache<'sqlite' | 'mysql' | undefined>(PROJECT_CACHE_MS);

/** The other database a `.sql` file's Go module drives (see above), if any. */
export function dialectOfGoModule(fileName: string): 'sqlite' | 'mysql' | undefined {
  for (const folder of foldersUpToRoot(dirname(resolve(fileName)), ROOT_LEVELS)) {
    const manifests = folderEntries(folder).filter((entry) => entry.isFile() && PROGRAM_MANIFEST.has(entry.name)).map((entry) => entry.name);
    if (manifests.length === 0) continue;
    // The nearest project is this folder's: the Go module's alone, or not read as one.
    return manifests.length === 1 && manifests[0] === GO_MOD ? byModuleFolder.get(folder, () => goModDatabase(join(folder, GO_MOD))) : undefined;
  }
  return undefined;
}

/** The one other database a go.mod's direct requirements drive, when nothing it requires is PostgreSQL's. */
function goModDatabase(path: string): 'sqlite' | 'mysql' | undefined {
  const requirements = goModRequirements(boundedText(path, MAX_GO_MOD_BYTES) ?? '');
  if (requirements.some(({ module }) => GO_POSTGRES_MODULES.test(module))) return undefined;
  const databases = new Set(requirements.filter(({ indirect }) => !indirect).map(({ module }) => goModuleDatabase(module)));
  databases.delete(undefined);
  return databases.size === 1 ? [...databases][0] : undefined;
}

/** A module a go.mod requires, and whether it is marked `// indirect` (needed by a dependency, not imported by the module). */
interface GoRequirement { module: string; indirect: boolean }

/** The requirements of a go.mod: `require path version` lines and the lines of `require ( … )` blocks. */
function goModRequirements(text: string): GoRequirement[] {
  const requirements: GoRequirement[] = [];
  let inBlock = false;
  for (const line of text.split(/\r?\n/)) {
    const [code, comment = ''] = splitComment(line);
    const words = code.trim().split(/\s+/).filter(Boolean);
    if (inBlock) {
      if (words[0] === ')') inBlock = false;
      else if (words.length >= 2) requirements.push({ module: unquoted(words[0]), indirect: /^\s*indirect\b/.test(comment) });
    } else if (words[0] === 'require') {
      if (words[1] === '(') inBlock = true;
      else if (words.length >= 3) requirements.push({ module: unquoted(words[1]), indirect: /^\s*indirect\b/.test(comment) });
    }
  }
  return requirements;
}

/** A go.mod line's code and the text of its `//` comment. */
function splitComment(line: string): [string, string?] {
  const at = line.indexOf('//');
  return at < 0 ? [line] : [line.slice(0, at), line.slice(at + 2)];
}

/** A module path as written, without the quotes go.mod allows around it. */
function unquoted(word: string): string {
  return word.replace(/^["`](.*)["`]$/, '$1');
}
