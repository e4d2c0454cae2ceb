// Runs of `prisma migrate deploy` that a shell script starts in other shapes than the command written out: through
// the CLI's own entry file, through a package.json script a package manager runs, and on a Prisma config kept in
// `.config/prisma.ts`. Each is judged on the URL the project's Prisma set-up migrates with (prismaMigrate.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchGitRepository as repository, type ScratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** The findings of a shell script written into the repository, as `rule line`. */
function lintScript(repo: ScratchRepository, path: string, lines: readonly string[]): string[] {
  const text = lines.join('\n');
  return analyze(text, 'shellscript', {}, repo.write(path, text)).map((f) => ruleLine(text, f));
}


const SCHEMA_WITHOUT_URL = 'datasource db {\n  provider = "postgresql"\n}\n';
const POOLED_SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n';
const DIRECT_SCHEMA = 'datasource db {\n  provider  = "postgresql"\n  url       = env("DATABASE_URL")\n  directUrl = env("DIRECT_URL")\n}\n';

test('a Prisma config in .config/prisma.ts is the project\'s config: a URL chain ending in the pooled URL is flagged, a direct one is not', (t) => {
  const pooled = repository('prisma-dot-config', t, {
    'prisma/schema.prisma': SCHEMA_WITHOUT_URL,
    '.config/prisma.ts': "import { join } from 'node:path';\nexport default { datasource: { url: process.env.DIRECT_URL ?? process.env.DATABASE_URL }, schema: join(__dirname, '..', 'prisma', 'schema.prisma') };\n",
  });
  assert.deepEqual(lintScript(pooled, 'docker/entrypoint.sh', ['#!/bin/sh', 'set -ex', 'npx prisma migrate deploy', 'exec node main']), ['advisory-lock 3']);
  const direct = repository('prisma-dot-config-direct', t, {
    'prisma/schema.prisma': SCHEMA_WITHOUT_URL,
    '.config/prisma.ts': 'export default { datasource: { url: process.env.DIRECT_URL } };\n',
  });
  assert.deepEqual(lintScript(direct, 'docker/entrypoint.sh', ['npx prisma migrate deploy']), []);
  // Its `schema` path is the config file's own: relative to `.config/`.
  const elsewhere = repository('prisma-dot-config-schema', t, {
    'db/schema.prisma': POOLED_SCHEMA,
    '.config/prisma.ts': "export default { schema: '../db/schema.prisma' };\n",
  });
  assert.deepEqual(lintScript(elsewhere, 'docker/entrypoint.sh', ['npx prisma migrate deploy']), ['advisory-lock 1']);
});

test("prisma migrate deploy started through the CLI's entry file (node node_modules/prisma/build/index.js) is flagged on a pooled fallback, not on a direct URL", (t) => {
  const fallback = repository('prisma-entry-file', t, {
    'prisma/schema.prisma': SCHEMA_WITHOUT_URL,
    'prisma.config.ts': "export default { datasource: { url: process.env.POSTGRES_URL_NON_POOLING ?? process.env.POSTGRES_PRISMA_URL ?? '' } };\n",
  });
  assert.deepEqual(lintScript(fallback, 'scripts/container-entrypoint.sh', ['#!/bin/bash', 'node node_modules/prisma/build/index.js migrate deploy', 'exec node server.js']), ['advisory-lock 2']);
  // Development commands through the same file are not read.
  assert.deepEqual(lintScript(fallback, 'scripts/container-entrypoint.sh', ['node node_modules/prisma/build/index.js migrate dev']), []);
  const direct = repository('prisma-entry-file-direct', t, {
    'prisma/schema.prisma': SCHEMA_WITHOUT_URL,
    'prisma.config.ts': 'export default { datasource: { url: process.env.POSTGRES_URL_NON_POOLING } };\n',
  });
  assert.deepEqual(lintScript(direct, 'scripts/container-entrypoint.sh', ['node node_modules/prisma/build/index.js migrate deploy']), []);
});

/** A workspace whose `@acme/db` package holds the schema `schema` and the scripts `scripts`. */
function workspace(name: string, t: { after(fn: () => void): void }, schema: string, scripts: Record<string, string>): ScratchRepository {
  return repository(name, t, {
    'package.json': JSON.stringify({ name: 'acme', private: true, workspaces: ['packages/*'], scripts: { 'db:deploy': 'prisma migrate deploy --schema packages/db/prisma/schema.prisma' } }),
    'packages/db/package.json': JSON.stringify({ name: '@acme/db', scripts }),
    'packages/db/prisma/schema.prisma': schema,
  });
}

test('a package script that runs prisma migrate deploy, run by yarn, npm or pnpm from a shell script, is flagged at the shell line on its package\'s set-up', (t) => {
  const repo = workspace('prisma-package-script', t, POOLED_SCHEMA, { 'prisma:migrate:prod': 'prisma generate && prisma migrate deploy' });
  assert.deepEqual(lintScript(repo, 'entrypoint.sh', [
    '#!/bin/bash',
    'echo "migrating"',
    'DATABASE_URL="$DATABASE_URL" yarn workspace @acme/db prisma:migrate:prod',
    'exec supervisord',
  ]), ['advisory-lock 3']);
  assert.deepEqual(lintScript(repo, 'docker/start.sh', ['npm run prisma:migrate:prod --workspace=@acme/db && node dist/main.js']), ['advisory-lock 1']);
  assert.deepEqual(lintScript(repo, 'docker/start.sh', ['pnpm --filter @acme/db run prisma:migrate:prod']), ['advisory-lock 1']);
  // The script of the package.json nearest the shell script: the package's own, with its --schema.
  assert.deepEqual(lintScript(repo, 'packages/db/docker-entrypoint.sh', ['pnpm run prisma:migrate:prod']), ['advisory-lock 1']);
  assert.deepEqual(lintScript(repo, 'deploy.sh', ['if ! yarn db:deploy; then exit 1; fi']), ['advisory-lock 1']);
});

test('a package script run on a direct URL, named for development or tests, running migrate dev, in a compose service, printed, or unknown gives nothing', (t) => {
  const direct = workspace('prisma-package-direct', t, DIRECT_SCHEMA, { 'prisma:migrate:prod': 'prisma migrate deploy' });
  assert.deepEqual(lintScript(direct, 'entrypoint.sh', ['yarn workspace @acme/db prisma:migrate:prod']), []);
  const repo = workspace('prisma-package-negatives', t, POOLED_SCHEMA, {
    'prisma:migrate:prod': 'prisma migrate deploy',
    'prisma:migrate:e2e': 'prisma migrate deploy',
    'prisma:migrate:dev': 'prisma migrate dev',
    'migrate:test-db': 'DATABASE_URL=$TEST_DATABASE_URL prisma migrate deploy',
    'migrate:in-compose': 'docker compose exec -T api prisma migrate deploy',
  });
  assert.deepEqual(lintScript(repo, 'entrypoint.sh', [
    'yarn workspace @acme/db prisma:migrate:e2e',
    'yarn workspace @acme/db prisma:migrate:dev',
    'yarn workspace @acme/db migrate:test-db',
    'yarn workspace @acme/db migrate:in-compose',
    'echo "then run: yarn workspace @acme/db prisma:migrate:prod"',
    '# yarn workspace @acme/db prisma:migrate:prod',
    'yarn workspace @acme/missing prisma:migrate:prod',
    'DATABASE_URL="$TEST_DATABASE_URL" yarn workspace @acme/db prisma:migrate:prod',
    'docker compose exec -T api yarn workspace @acme/db prisma:migrate:prod',
  ]), []);
  // A script path named for testing, as for the command written out.
  assert.deepEqual(lintScript(repo, 'scripts/run-integration-tests.sh', ['yarn workspace @acme/db prisma:migrate:prod']), []);
});
