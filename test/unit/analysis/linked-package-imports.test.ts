// A package.json that takes a package from a folder (`"@acme/sync": "link:../../packages/sync"`, also `file:`) — a
// separate end-to-end workspace linking the main one's packages — makes the specifier name that folder's files, as a
// workspace package's name does (moduleResolution.ts). A folder whose package.json carries another name, a tarball, or
// a dependency taken from the registry names nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolveModule } from '../../../server/analysis/moduleResolution';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('linked-package-imports', { after });

/** A repository with the package `@acme/sync` (built to dist/, its source in src/) and an e2e workspace of its own. */
function layout(folder: string, dependency: string, linkedName = '@acme/sync'): string {
  repo.write(`${folder}/packages/sync/package.json`, JSON.stringify({ name: linkedName, exports: { '.': './dist/index.js', './cleanup': './dist/cleanup/index.js' } }));
  repo.write(`${folder}/packages/sync/src/index.ts`, ['export const version = 1;']);
  repo.write(`${folder}/packages/sync/src/cleanup/index.ts`, ['export async function dropTenantSchemas(db) { await db.transaction(async () => {}); }']);
  repo.write(`${folder}/e2e/pnpm-workspace.yaml`, ['packages:', '  - packages/*']);
  repo.write(`${folder}/e2e/packages/harness/package.json`, JSON.stringify({ name: 'harness', devDependencies: { '@acme/sync': dependency } }));
  return repo.write(`${folder}/e2e/packages/harness/src/reset.ts`, ["import { dropTenantSchemas } from '@acme/sync/cleanup';"]);
}

test("a link: or file: dependency on a folder names that package's source, subpaths through its exports", () => {
  const linked = layout('linked', 'link:../../../packages/sync');
  assert.equal(resolveModule(linked, '@acme/sync/cleanup'), repo.path('linked/packages/sync/src/cleanup/index.ts'));
  assert.equal(resolveModule(linked, '@acme/sync'), repo.path('linked/packages/sync/src/index.ts'));
  const filed = layout('filed', 'file:../../../packages/sync');
  assert.equal(resolveModule(filed, '@acme/sync/cleanup'), repo.path('filed/packages/sync/src/cleanup/index.ts'));
});

test('a registry version, a tarball, or a folder whose package.json carries another name resolves to nothing', () => {
  assert.equal(resolveModule(layout('registry', '^2.0.0'), '@acme/sync/cleanup'), undefined);
  assert.equal(resolveModule(layout('tarball', 'file:../../../packages/sync/acme-sync-2.0.0.tgz'), '@acme/sync/cleanup'), undefined);
  assert.equal(resolveModule(layout('renamed', 'link:../../../packages/sync', '@acme/sync-legacy'), '@acme/sync/cleanup'), undefined);
});
