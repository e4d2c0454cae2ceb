// The repository's root (projectPaths.ts) is a fact of the real folders, whatever path a caller hands in: the CLI run
// in a package folder (`poolsafe lint .`) gives paths relative to that folder, and a walk up from them must still reach
// the root above it. It is looked for as far up as any reader walks, so that no reader passes it; and the language
// server, which asks for it a hundred times per analysis, probes the disk once per start folder for a moment only.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { join, sep } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { ROOT_CACHE_MS, ROOT_LEVELS, foldersUpToRoot, insideRepository, repositoryRoot } from '../../../server/analysis/projectPaths';
import { packageFolder } from '../../../server/analysis/packageManifests';
import { repositoryFolders } from '../../../server/analysis/testEnvironment';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const GIT = { '.git/HEAD': 'ref: refs/heads/main\n' };

/** Runs `body` with the working directory at `folder`, as the CLI run there would have it. */
function inFolder<T>(folder: string, body: () => T): T {
  const before = process.cwd();
  process.chdir(folder);
  try {
    return body();
  } finally {
    process.chdir(before);
  }
}

test("a path relative to a package folder reaches the repository's root above that folder, as the same path made absolute does", (t) => {
  const repo = scratchRepository('root-relative', t);
  repo.writeAll({ ...GIT, '.env.test': 'ORDERS_URL=postgres://localhost/orders\n', 'apps/orders/spec/db.ts': '' });
  const pkg = repo.path('apps', 'orders');
  inFolder(pkg, () => {
    assert.equal(repositoryRoot('spec'), repo.root);
    assert.equal(repositoryRoot('.'), repo.root);
    assert.deepEqual(foldersUpToRoot('spec', 8), [join(pkg, 'spec'), pkg, repo.path('apps'), repo.root]);
    assert.deepEqual(repositoryFolders(join('spec', 'db.ts')), repositoryFolders(repo.path('apps', 'orders', 'spec', 'db.ts')));
    assert.ok(insideRepository('spec', 'spec'));
    // The folder holding the checkout stays outside it, however the path is written.
    assert.ok(!insideRepository(join('..', '..', '..'), 'spec'));
    assert.ok(!foldersUpToRoot('spec', 8).includes(join(repo.root, '..')));
  });
});

test('a file deeper than eight folders below the root still has it: the same statement gets the same verdict at any depth', (t) => {
  const holder = scratchRepository('root-deep', t);
  // The folder holding the checkout lists only a MySQL driver: it is none of the checkout's packages.
  holder.writeAll({ 'package.json': JSON.stringify({ name: 'scripts', dependencies: { mysql2: '^3.9.0' } }) });
  const checkout = join('clone', 'billing');
  const statement = 'SELECT id FROM invoices WHERE issued_at > NOW() - INTERVAL 30 DAY;\n';
  const shallow = holder.write(join(checkout, 'sql', 'overdue.sql'), statement);
  const deep = holder.write(join(checkout, 'svc', 'invoices', 'src', 'main', 'resources', 'sql', 'reports', 'yearly', 'q4', 'overdue.sql'), statement);
  holder.write(join(checkout, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  const rules = (file: string) => analyzeSql(statement, undefined, file).map((f) => f.rule);
  assert.deepEqual(rules(shallow), ['syntax-error']);
  assert.deepEqual(rules(deep), ['syntax-error']);
  assert.equal(packageFolder(deep), undefined, "the package.json above the checkout is not the deep file's");
  assert.equal(repositoryRoot(join(deep, '..')), holder.path(checkout));
  // A checkout whose own package lists only MySQL's driver still makes its deep file MySQL's.
  const fresh = scratchRepository('root-deep-own', t);
  fresh.writeAll({ ...GIT, 'package.json': JSON.stringify({ name: 'billing', dependencies: { mysql2: '^3.9.0' } }) });
  const ownDeep = fresh.write(join('svc', 'invoices', 'src', 'main', 'resources', 'sql', 'reports', 'yearly', 'q4', 'overdue.sql'), statement);
  assert.deepEqual(rules(ownDeep), []);
});

test('no walk goes further up than the root is looked for', (t) => {
  const repo = scratchRepository('root-walk-cap', t);
  const deep = repo.mkdir(Array.from({ length: ROOT_LEVELS + 4 }, (_, index) => `d${index}`).join(sep));
  assert.equal(foldersUpToRoot(deep, 40).length, ROOT_LEVELS + 1);
});

test("the language server probes a start folder's root once per moment, and sees a repository created above the file after it", async (t) => {
  const repo = scratchRepository('root-probes', t);
  repo.writeAll({ ...GIT, 'pkg/src/a.ts': '' });
  const start = repo.path('pkg', 'src');
  let probes = 0;
  const original = fs.existsSync;
  t.mock.method(fs, 'existsSync', (path: fs.PathLike) => {
    if (/[\\/]\.git(?:hub)?$/.test(String(path))) probes++;
    return original(path);
  });
  assert.equal(repositoryRoot(start), repo.root);
  const first = probes;
  assert.ok(first > 0);
  for (let index = 0; index < 50; index++) foldersUpToRoot(start, 8);
  assert.equal(probes, first, 'asked again within the moment: no probe');
  repo.mkdir('pkg/.git');
  await new Promise((done) => setTimeout(done, ROOT_CACHE_MS + 50));
  assert.equal(repositoryRoot(start), repo.path('pkg'), 'a repository created above the folder counts once the moment has passed');
  assert.ok(probes > first);
});
