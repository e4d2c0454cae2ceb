// A .sql file the project's documentation pastes whole into a page (a snippet directive) is a script for
// readers to run by hand, in a session of their own (docSnippets.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';

before(() => initAnalysis());

const HAND_RUN = "SET ROLE admin_role;\nINSERT INTO jobs SELECT * FROM old_jobs;\n";

function project(t: Cleanup, files: Record<string, string>): string {
  return scratchRepository('doc-snippets', t).writeAll(files);
}

test('a .sql file a documentation page pastes whole (MkDocs --8<--, Sphinx literalinclude, AsciiDoc include::) runs in its own session', (t) => {
  const root = project(t, {
    'docs/upgrading.md': 'Run this as the owner:\n\n```sql\n--8<-- "contrib/convert_jobs.sql"\n```\n',
    'docs/source/admin.rst': '.. literalinclude:: ../../tools/sql/fix_owner.sql\n   :language: sql\n',
    'doc/guide.adoc': 'include::scripts/reindex.sql[]\n',
  });
  for (const path of [['contrib', 'convert_jobs.sql'], ['tools', 'sql', 'fix_owner.sql'], ['scripts', 'reindex.sql']]) {
    assert.deepEqual(analyzeSql(HAND_RUN, undefined, join(root, ...path)), [], path.join('/'));
  }
});

test('a file the documentation only mentions, or a file of the same name elsewhere, keeps its findings', (t) => {
  const root = project(t, {
    'docs/upgrading.md': 'The scheduler reads `contrib/queries.sql` at start.\n\n--8<-- "contrib/convert_jobs.sql"\n',
  });
  for (const path of [['contrib', 'queries.sql'], ['app', 'contrib', 'convert_jobs.sql'], ['convert_jobs.sql']]) {
    assert.deepEqual(analyzeSql(HAND_RUN, undefined, join(root, ...path)).map((f) => f.rule), ['session-set'], path.join('/'));
  }
});

// The pages read are capped (MAX_PAGES); the cap picks pages as psqlRuns.ts's pagesAmong does for every reader:
// a plain-text file by its extension alone (a data file) only after every other page.
test('a snippet page in a subfolder is read even when the docs folder above it holds more data files than the cap', (t) => {
  const data = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`docs/wordlist-${i}.txt`, 'alpha\nbeta\n']));
  const root = project(t, { ...data, 'docs/guide/upgrading.md': 'Run as the owner:\n\n--8<-- "contrib/convert_jobs.sql"\n' });
  assert.deepEqual(analyzeSql(HAND_RUN, undefined, join(root, 'contrib', 'convert_jobs.sql')), []);
});

test('the cap still bounds the pages read: a directive in a data file past it is not seen', (t) => {
  const data = Object.fromEntries(Array.from({ length: 1050 }, (_, i) => [`docs/wordlist-${i}.txt`, 'alpha\nbeta\n']));
  const root = project(t, { ...data, 'docs/guide/zz-notes.txt': '--8<-- "contrib/convert_jobs.sql"\n' });
  assert.deepEqual(analyzeSql(HAND_RUN, undefined, join(root, 'contrib', 'convert_jobs.sql')).map((f) => f.rule), ['session-set']);
});

test('a .sql file a documentation page tells the reader to include in psql (\\i, \\ir, in a code block or inline code) runs in its own session', (t) => {
  const root = project(t, {
    'docs/src/checks.md': 'Run inside `psql` (with `\\i db/checks/orphans.sql`) or paste it into your client.\n',
    'doc/maintenance.md': '```\nmydb=# \\ir tools/reindex_all.sql\n```\n',
    'docs/notes.md': 'Connect, then:\n\n    \\include "scripts/fix_owner.sql"\n    \\i sql/cleanup.sql\n',
  });
  for (const path of [['db', 'checks', 'orphans.sql'], ['tools', 'reindex_all.sql'], ['scripts', 'fix_owner.sql'], ['sql', 'cleanup.sql']]) {
    assert.deepEqual(analyzeSql(HAND_RUN, undefined, join(root, ...path)), [], path.join('/'));
  }
});

test('a page that only names the file, a file of the same name elsewhere, or a backslash that is no psql include keeps the findings', (t) => {
  const root = project(t, {
    'docs/src/checks.md': 'The job loads `db/checks/nightly.sql`.\nTeX: $x\\in db/checks/math.sql$ and a\\i db/checks/glued.sql\n\\i db/checks/orphans.sql\n',
  });
  for (const path of [['db', 'checks', 'nightly.sql'], ['db', 'checks', 'math.sql'], ['db', 'checks', 'glued.sql'], ['app', 'db', 'checks', 'orphans.sql']]) {
    assert.deepEqual(analyzeSql(HAND_RUN, undefined, join(root, ...path)).map((f) => f.rule), ['session-set'], path.join('/'));
  }
});

test("a page at the project's root (README, a status page) telling the reader to \\i a file runs it in its own session", (t) => {
  const root = project(t, {
    'README.md': '## Set up\n\n```bash\npsql "$DATABASE_URL"\n\\i database/bootstrap.sql\n```\n',
    'SETUP-NOTES.md': 'Then, still in psql: `\\ir tools/grants/owner.sql`.\n',
    'package.json': '{ "dependencies": { "pg": "^8.11.0" } }\n',
    'src/db.ts': "import { Pool } from 'pg';\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL });\n",
  });
  for (const path of [['database', 'bootstrap.sql'], ['tools', 'grants', 'owner.sql']]) {
    assert.deepEqual(analyzeSql(HAND_RUN, undefined, join(root, ...path)), [], path.join('/'));
  }
});

test("a root page's include names only its own path: another file, or a page in a folder below, gives nothing", (t) => {
  const root = project(t, {
    'README.md': 'Run `\\i database/bootstrap.sql` in psql.\n',
    'services/api/NOTES.md': '\\i queries/report.sql\n',
    // A program of the project: its other SQL files are not all hand-run.
    'package.json': '{ "dependencies": { "pg": "^8.11.0" } }\n',
    'src/db.ts': "import { Pool } from 'pg';\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL });\n",
  });
  for (const path of [['database', 'seed.sql'], ['queries', 'report.sql'], ['other', 'database', 'bootstrap.sql']]) {
    assert.deepEqual(analyzeSql(HAND_RUN, undefined, join(root, ...path)).map((f) => f.rule), ['session-set'], path.join('/'));
  }
});

// Session 36 (mend41a): only pages within the file's repository count, not notes in a folder that holds it.
test("a page in a folder above the repository's root tells nothing of the repository's files", (t) => {
  const scratch = scratchRepository('doc-snippets-outer', t);
  scratch.writeAll({
    'NOTES.md': 'notes: \\i proj/db/setup.sql\n',
    // The same kind of note inside the repository, at its root, names another file.
    'proj/NOTES.md': 'notes: \\i db/init.sql\n',
    'proj/package.json': '{ "dependencies": { "pg": "^8.11.0" } }\n',
    'proj/src/db.ts': "import { Pool } from 'pg';\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL });\n",
  });
  scratch.mkdir('proj/.git');
  assert.deepEqual(analyzeSql(HAND_RUN, undefined, scratch.path('proj', 'db', 'setup.sql')).map((f) => f.rule), ['session-set']);
  // The note inside the repository still counts.
  assert.deepEqual(analyzeSql(HAND_RUN, undefined, scratch.path('proj', 'db', 'init.sql')), []);
});

// Session 37 (mend43a): without `.git` (a downloaded archive, a folder before `git init`) every level up is read: a
// README in the file's own folder is no sign that the project's root, with its `docs/` pages, lies there.
test("without .git, a README beside the file does not hide the pages of the root's docs folder", (t) => {
  const scratch = scratchRepository('doc-snippets-no-git', t);
  scratch.writeAll({
    'docs/setup.md': '# Setup\n\n```\npsql "$DATABASE_URL"\n\\i db/setup.sql\n```\n',
    'db/README.md': '# Tables\n',
    'app/package.json': '{ "dependencies": { "pg": "^8.11.0" } }\n',
    'app/db.ts': "import { Pool } from 'pg';\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL });\n",
  });
  assert.deepEqual(analyzeSql(HAND_RUN, undefined, scratch.path('db', 'setup.sql')), []);
  // A file the page does not name keeps its finding.
  assert.deepEqual(analyzeSql(HAND_RUN, undefined, scratch.path('db', 'other.sql')).map((f) => f.rule), ['session-set']);
});

test("a psql include under a placeholder for the reader's checkout (\\i /path/to/…) names the file its path ends with", (t) => {
  const root = project(t, {
    'docs/archive/2024/sprint-notes.md': '```\ndocker exec -it db psql -U app -d app\n\\i /path/to/verify-isolation.sql\n```\n',
    'docs/archive/ops/old/runbook.md': 'Dentro do psql: `\\i /caminho/para/backend/checks/tenant-check.sql`\n',
  });
  for (const path of [['backend', 'verify-isolation.sql'], ['backend', 'checks', 'tenant-check.sql']]) {
    assert.deepEqual(analyzeSql(HAND_RUN, undefined, join(root, ...path)), [], path.join('/'));
  }
});

test('a placeholder include keeps the findings of a file whose path ends otherwise, and pages deeper than three folders are not read', (t) => {
  const root = project(t, {
    'docs/runbook.md': '\\i /path/to/backend/checks/tenant-check.sql\n\\i /opt/app/verify-isolation.sql\n',
    'docs/a/b/c/d/deep.md': '\\i db/deep-check.sql\n',
  });
  // Another folder's file of the same name, a fixed absolute path that is no placeholder, a page four folders down.
  for (const path of [['other', 'tenant-check.sql'], ['verify-isolation.sql'], ['db', 'deep-check.sql']]) {
    assert.deepEqual(analyzeSql(HAND_RUN, undefined, join(root, ...path)).map((f) => f.rule), ['session-set'], path.join('/'));
  }
});
