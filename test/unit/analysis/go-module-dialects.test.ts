// A Go module whose go.mod requires only another database's driver (SQLite's, MySQL's) and nothing of PostgreSQL's:
// its `.sql` files are that database's, left alone as a file whose path names the dialect is. Any PostgreSQL module
// in the go.mod, a driver needed only indirectly, or another language's manifest nearer the file keeps the findings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { dialectOfGoModule } from '../../../server/analysis/goModuleDialects';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const repo = scratchRepository('go-module-dialects', { after });
repo.mkdir('.git');

/** SQLite's schema: a column without a type, which PostgreSQL's parser refuses. */
const SQLITE_SCHEMA = 'CREATE TABLE notes (\n  id integer primary key,\n  body,\n  created_at datetime default current_timestamp\n);\n';
const UNSAFE = 'SET search_path TO app;\nLISTEN jobs;\n';

/** A Go module in `folder` with these requirement lines (a `require ( … )` block), and the path of its schema file. */
function goModule(folder: string, requirements: readonly string[]): string {
  repo.write(`${folder}/go.mod`, [`module example.com/${folder}`, '', 'go 1.21', '', 'require (', ...requirements.map((line) => `\t${line}`), ')', '']);
  return repo.path(folder, 'db', 'schema.sql');
}

const rules = (sql: string, file: string): string[] => analyzeSql(sql, undefined, file).map((f) => f.rule);

test("a go.mod requiring SQLite's or MySQL's driver and no PostgreSQL one makes its .sql files that dialect's: no findings", () => {
  const sqlite = goModule('notes', ['github.com/jmoiron/sqlx v1.3.5', 'modernc.org/sqlite v1.23.1', 'golang.org/x/sys v0.9.0 // indirect']);
  assert.equal(dialectOfGoModule(sqlite), 'sqlite');
  assert.deepEqual(rules(SQLITE_SCHEMA, sqlite), []);
  assert.deepEqual(rules(UNSAFE, sqlite), []);
  const mysql = goModule('shop', ['github.com/go-sql-driver/mysql v1.7.1']);
  assert.equal(dialectOfGoModule(mysql), 'mysql');
  assert.deepEqual(rules(UNSAFE, mysql), []);
  // The one-line form of a requirement, a file folders below the module's root.
  repo.write('single/go.mod', 'module example.com/single\n\ngo 1.22\n\nrequire github.com/mattn/go-sqlite3 v1.14.22\n');
  assert.deepEqual(rules(SQLITE_SCHEMA, repo.path('single', 'internal', 'store', 'sql', 'schema.sql')), []);
});

test('a go.mod on pgx, or listing a PostgreSQL module beside the SQLite driver (even indirectly), keeps the syntax error and the findings', () => {
  const shapes: Record<string, readonly string[]> = {
    pgx: ['github.com/jackc/pgx/v5 v5.5.0'],
    both: ['github.com/lib/pq v1.10.9', 'modernc.org/sqlite v1.23.1'],
    'pgx indirect': ['github.com/mattn/go-sqlite3 v1.14.22', 'github.com/jackc/pgx/v4 v4.18.1 // indirect'],
    'gorm on postgres': ['gorm.io/driver/sqlite v1.5.4', 'gorm.io/driver/postgres v1.5.4'],
  };
  for (const [shape, requirements] of Object.entries(shapes)) {
    const schema = goModule(shape.replace(/ /g, '-'), requirements);
    assert.equal(dialectOfGoModule(schema), undefined, shape);
    assert.deepEqual(rules(SQLITE_SCHEMA, schema), ['syntax-error'], shape);
    assert.deepEqual(rules(UNSAFE, schema), ['session-set', 'listen'], shape);
  }
});

test("a SQLite driver needed only by a dependency, or another language's manifest nearer the file or beside the go.mod, keeps the findings", () => {
  const indirect = goModule('indirect', ['github.com/go-chi/chi/v5 v5.0.8', 'modernc.org/sqlite v1.23.1 // indirect']);
  assert.deepEqual(rules(SQLITE_SCHEMA, indirect), ['syntax-error']);
  // A Node back end inside the Go module's tree: its migrations are its own project's.
  goModule('mixed', ['modernc.org/sqlite v1.23.1']);
  repo.write('mixed/web/package.json', '{ "dependencies": { "express": "4" } }');
  assert.equal(dialectOfGoModule(repo.path('mixed', 'web', 'migrations', '001.sql')), undefined);
  assert.deepEqual(rules(UNSAFE, repo.path('mixed', 'web', 'migrations', '001.sql')), ['session-set', 'listen']);
  // The same package.json beside the go.mod: the folder is not the Go module's alone.
  const beside = goModule('beside', ['modernc.org/sqlite v1.23.1']);
  repo.write('beside/package.json', '{ "dependencies": { "express": "4" } }');
  assert.deepEqual(rules(SQLITE_SCHEMA, beside), ['syntax-error']);
  // No go.mod at all above the file.
  assert.deepEqual(rules(SQLITE_SCHEMA, repo.path('plain', 'schema.sql')), ['syntax-error']);
});
