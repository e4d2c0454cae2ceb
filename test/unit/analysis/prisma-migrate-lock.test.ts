import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository, type ScratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** The findings of a file written into the repository, as `rule line`. */
function lint(repo: ScratchRepository, path: string, lines: readonly string[], options = {}): string[] {
  const text = lines.join('\n');
  const language = /\.sh$/.test(path) ? 'shellscript' : 'javascript';
  return analyze(text, language, options, repo.write(path, text)).map((f) => ruleLine(text, f));
}

/** A repository whose Prisma schema migrates on `datasourceLines` (its `datasource db { … }` body). */
function prismaProject(name: string, t: { after(fn: () => void): void }, datasourceLines: readonly string[]): ScratchRepository {
  const repo = scratchRepository(name, t);
  repo.mkdir('.git');
  repo.write('prisma/schema.prisma', ['generator client {', '  provider = "prisma-client-js"', '}', 'datasource db {', ...datasourceLines, '}', 'model Order {', '  id Int @id', '}', ''].join('\n'));
  return repo;
}

const POOLED_POSTGRES = ['  provider = "postgresql"', '  url      = env("DATABASE_URL")'];

test('prisma migrate deploy in a shell script takes its session lock on a datasource with no directUrl: flagged at the command', (t) => {
  const repo = prismaProject('prisma-shell', t, POOLED_POSTGRES);
  assert.deepEqual(lint(repo, 'scripts/build/release.sh', [
    '#!/bin/sh',
    'set -e',
    'if [ "$APP" = "api" ]; then',
    '    npx prisma migrate deploy',
    'fi',
  ]), ['advisory-lock 4']);
  // Run inside a pod or container, or through the package's own binary: the same CLI on the same datasource.
  assert.deepEqual(lint(repo, 'deploy/k8s/migrate.sh', ['#!/bin/bash', 'kubectl exec -n "$NS" deployment/api -- npx prisma migrate deploy']), ['advisory-lock 2']);
  assert.deepEqual(lint(repo, 'docker/entrypoint.sh', ['#!/bin/sh', './node_modules/.bin/prisma migrate deploy && exec "$@"']), ['advisory-lock 2']);
  const message = analyze('npx prisma migrate deploy\n', 'shellscript', {}, repo.path('docker/entrypoint.sh'))[0]?.message ?? '';
  assert.match(message, /^prisma migrate deploy takes a session advisory lock/);
  // Session mode keeps the lock on the CLI's own server connection.
  assert.deepEqual(lint(repo, 'scripts/release.sh', ['npx prisma migrate deploy'], { poolMode: 'session' }), []);
});

test('prisma migrate deploy on a directUrl, another database, a test database, or only printed, commented or developed gives nothing', (t) => {
  const direct = prismaProject('prisma-direct', t, [...POOLED_POSTGRES, '  directUrl = env("DIRECT_URL")']);
  assert.deepEqual(lint(direct, 'scripts/release.sh', ['npx prisma migrate deploy']), []);
  const sqlite = prismaProject('prisma-sqlite', t, ['  provider = "sqlite"', '  url      = env("DATABASE_URL")']);
  assert.deepEqual(lint(sqlite, 'scripts/release.sh', ['npx prisma migrate deploy']), []);
  const pooled = prismaProject('prisma-shown', t, POOLED_POSTGRES);
  assert.deepEqual(lint(pooled, 'scripts/notes.sh', [
    'echo "then run: npx prisma migrate deploy"',
    '# npx prisma migrate deploy',
    'log "running prisma migrate deploy"',
    'npx prisma migrate dev --name init',
    'DATABASE_URL="$TEST_DATABASE_URL" npx prisma migrate deploy',
  ]), []);
  assert.deepEqual(lint(pooled, 'tests/setup-db.sh', ['npx prisma migrate deploy']), []);
  // A local development script that points the datasource's variable at this machine's database first.
  assert.deepEqual(lint(pooled, 'dev-local.sh', ['export DATABASE_URL="postgresql://app:dev@localhost:5433/app"', 'if npx prisma migrate deploy; then echo ok; fi']), []);
  // Scripts named for development or testing run on a developer's or a suite's database.
  for (const path of ['scripts/dev-full.sh', 'run-docker-tests.sh', 'scripts/prepare-integration-db.sh', 'scripts/db-reset.sh', 'scripts/e2e/validate.sh']) {
    assert.deepEqual(lint(pooled, path, ['npx prisma migrate deploy']), [], path);
  }
  // Run inside a container named for local development.
  assert.deepEqual(lint(pooled, 'scripts/commands.sh', ['docker exec shop-app-local npx prisma migrate deploy']), []);
  // Run in a compose service, whose URL the compose file sets (not read).
  assert.deepEqual(lint(pooled, 'scripts/deploy.sh', ['if ! docker-compose exec -T app npx prisma migrate deploy; then exit 1; fi', 'docker compose run --rm api npx prisma migrate deploy']), []);
  // One that sets it from elsewhere keeps the finding.
  assert.deepEqual(lint(pooled, 'release.sh', ['export DATABASE_URL="$PROD_DATABASE_URL"', 'npx prisma migrate deploy']), ['advisory-lock 2']);
  // No Prisma schema where the script looks: nothing says which database, or that it is PostgreSQL.
  const bare = scratchRepository('prisma-none', t);
  bare.mkdir('.git');
  assert.deepEqual(lint(bare, 'scripts/release.sh', ['npx prisma migrate deploy']), []);
});

test("a program that starts prisma migrate deploy through child_process is flagged when prisma.config's datasource URL may be the pooled one", (t) => {
  const repo = scratchRepository('prisma-config', t);
  repo.mkdir('.git');
  repo.write('prisma/schema.prisma', 'datasource db {\n  provider = "postgresql"\n}\n');
  repo.write('prisma.config.ts', [
    "import { defineConfig } from 'prisma/config';",
    'export default defineConfig({',
    "  schema: 'prisma/schema.prisma',",
    '  datasource: { url: process.env.DIRECT_URL || process.env["DATABASE_URL"] },',
    '});',
  ].join('\n'));
  assert.deepEqual(lint(repo, 'scripts/deploy.mjs', [
    "import { execSync } from 'node:child_process';",
    "console.log('applying migrations');",
    "execSync('npx prisma migrate deploy', { stdio: 'inherit' });",
  ]), ['advisory-lock 3']);
  assert.deepEqual(lint(repo, 'scripts/deploy-async.js', [
    "const { exec } = require('child_process');",
    "const { promisify } = require('util');",
    'const run = promisify(exec);',
    "module.exports = async () => { await run('pnpm exec prisma migrate deploy'); };",
  ]), ['advisory-lock 4']);
  assert.deepEqual(lint(repo, 'scripts/deploy-spawn.mjs', [
    "import { spawnSync } from 'node:child_process';",
    "spawnSync('npx', ['prisma', 'migrate', 'deploy'], { stdio: 'inherit' });",
  ]), ['advisory-lock 2']);
  // The project's own helper, a string only printed, and a test's setup are not read as the CLI's run.
  assert.deepEqual(lint(repo, 'scripts/setup.mjs', [
    "import { execSync } from 'node:child_process';",
    'const runCommand = (command) => execSync(command);',
    "console.log('run npx prisma migrate deploy next');",
    "runCommand('npx prisma migrate deploy');",
  ]), []);
  assert.deepEqual(lint(repo, 'tests/global-setup.mjs', ["import { execSync } from 'node:child_process';", "execSync('npx prisma migrate deploy');"]), []);
});

test('prisma.config naming only direct URLs, or a URL whose pooled sibling the env example documents, gives nothing; a config schema made with path.join is read', (t) => {
  const direct = scratchRepository('prisma-config-direct', t);
  direct.mkdir('.git');
  direct.write('prisma/schema.prisma', 'datasource db {\n  provider = "postgresql"\n}\n');
  direct.write('prisma.config.ts', "export default { datasource: { url: process.env.DIRECT_URL || process.env.DATABASE_URL_UNPOOLED } };\n");
  const deploy = ["import { execSync } from 'node:child_process';", "execSync('npx prisma migrate deploy');"];
  assert.deepEqual(lint(direct, 'scripts/deploy.mjs', deploy), []);
  const sibling = scratchRepository('prisma-config-sibling', t);
  sibling.mkdir('.git');
  sibling.write('prisma/schema.prisma', 'datasource db {\n  provider = "postgresql"\n}\n');
  sibling.write('prisma.config.ts', "export default { datasource: { url: process.env['DATABASE_URL'] } };\n");
  sibling.write('.env.example', 'DATABASE_URL=postgres://app@db:5432/app\nDATABASE_URL_POOLED=postgres://app@pgbouncer:6432/app\n');
  assert.deepEqual(lint(sibling, 'docker/entrypoint.sh', ['npx prisma migrate deploy']), []);
  // A monorepo's config points at a schema folder elsewhere; the schema there says the URL.
  const nested = scratchRepository('prisma-config-join', t);
  nested.mkdir('.git');
  nested.write('libs/db/prisma/src/schema.prisma', `datasource db {\n${POOLED_POSTGRES.join('\n')}\n}\n`);
  nested.write('prisma.config.ts', "import path from 'node:path';\nconst folder = path.join('libs', 'db', 'prisma', 'src');\nexport default { schema: folder };\n");
  assert.deepEqual(lint(nested, 'scripts/build/release.sh', ['npx prisma migrate deploy']), ['advisory-lock 1']);
});
