// A folder's package.json `scripts` are read in one place (packageManifests.ts packageScripts) for every analysis that
// asks what a script runs: a Prisma migrate run by `npm run`, drizzle-kit's `--config`, a test script's inline settings,
// files and runner configurations. The reading keeps the file's order and only commands written as strings, and reads a
// folder's own manifest, never one further up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { packageScripts } from '../../../server/analysis/packageManifests';
import { scratchRepository } from '../../helpers/scratch';

test('a package.json\'s scripts are its string commands, in the order the file writes them', (t) => {
  const root = scratchRepository('package-scripts-order', t).writeAll({
    'package.json': JSON.stringify({ scripts: { test: 'vitest run', build: 'tsc', broken: 42, 'db:deploy': 'prisma migrate deploy', nested: { a: 'b' } } }),
  });
  assert.deepEqual([...packageScripts(root)], [['test', 'vitest run'], ['build', 'tsc'], ['db:deploy', 'prisma migrate deploy']]);
});

test('a folder without a package.json, or with one that is not JSON or has no scripts object, has no scripts', (t) => {
  const root = scratchRepository('package-scripts-none', t).writeAll({
    'no-manifest/README.md': '# nothing here\n',
    'not-json/package.json': '{ "scripts": { "test": "jest", } ',
    'no-scripts/package.json': JSON.stringify({ name: 'app', dependencies: { pg: '^8' } }),
    'string-scripts/package.json': JSON.stringify({ scripts: 'jest' }),
    'null-manifest/package.json': 'null',
  });
  for (const folder of ['no-manifest', 'not-json', 'no-scripts', 'string-scripts', 'null-manifest']) {
    assert.equal(packageScripts(join(root, folder)).size, 0, folder);
  }
});

test('a folder\'s scripts are its own package.json\'s, not those of a manifest above it', (t) => {
  const root = scratchRepository('package-scripts-own', t).writeAll({
    'package.json': JSON.stringify({ scripts: { migrate: 'prisma migrate deploy' } }),
    'packages/web/README.md': '# web\n',
  });
  assert.equal(packageScripts(join(root, 'packages', 'web')).size, 0);
  assert.equal(packageScripts(root).get('migrate'), 'prisma migrate deploy');
});
