// Prisma Migrate run by a hosting platform from the project's own files: a Procfile's process lines (Heroku runs
// `release:` before each deploy, `web:`/`worker:` as the app's start commands) and a Fly.io config's `[deploy]
// release_command` and `[processes]` commands, read as a Dockerfile's CMD is (prismaMigrate.ts, platformCommands.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import type { DocumentLanguage } from '../../../server/analysis/types';
import { languageOf } from '../../../cli/files';
import { scratchGitRepository as repository, type ScratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

function lint(repo: ScratchRepository, path: string, language: DocumentLanguage, lines: readonly string[]): string[] {
  const text = lines.join('\n');
  return analyze(text, language, {}, repo.write(path, text)).filter((f) => f.rule === 'advisory-lock').map((f) => `${f.rule} ${text.slice(0, f.start).split('\n').length}`);
}

const POOLED = 'datasource db {\n  provider = "postgres"\n  url      = env("DATABASE_URL")\n}\n';
const WITH_DIRECT = 'datasource db {\n  provider  = "postgres"\n  url       = env("DATABASE_URL")\n  directUrl = env("DATABASE_URL_DIRECT")\n}\n';
const SCRIPTS = JSON.stringify({ name: 'shop', scripts: { 'db:apply': 'prisma migrate deploy', boot: 'npm run db:apply && node build/server.js', serve: 'node build/server.js' } });

test('a Procfile process line running prisma migrate deploy, itself or through a package script, is flagged on its line', (t) => {
  const repo = repository('procfile-release', t, { 'prisma/schema.prisma': POOLED, 'package.json': SCRIPTS });
  assert.deepEqual(lint(repo, 'Procfile', 'procfile', ['web: npm run serve', '', 'release: npx prisma migrate deploy']), ['advisory-lock 3']);
  assert.deepEqual(lint(repo, 'Procfile', 'procfile', ['release: npm run db:apply', 'web: node build/server.js']), ['advisory-lock 1']);
  // A start command is one too, as a Dockerfile's CMD is.
  assert.deepEqual(lint(repo, 'Procfile', 'procfile', ['# the app', 'web: npm run boot']), ['advisory-lock 2']);
  assert.deepEqual(lint(repo, 'Procfile', 'procfile', ['web: bash -c "npx prisma migrate deploy && node build/server.js"']), ['advisory-lock 1']);
});

test('a Procfile is silent with a directUrl, for other commands, when named or typed for development, or with a local URL', (t) => {
  const direct = repository('procfile-direct', t, { 'prisma/schema.prisma': WITH_DIRECT, 'package.json': SCRIPTS });
  assert.deepEqual(lint(direct, 'Procfile', 'procfile', ['release: npx prisma migrate deploy', 'web: npm run boot']), []);
  const pooled = repository('procfile-silent', t, { 'prisma/schema.prisma': POOLED, 'package.json': SCRIPTS });
  assert.deepEqual(lint(pooled, 'Procfile', 'procfile', ['release: node scripts/seed.js', 'web: npm run serve', 'worker: npx prisma migrate dev']), []);
  assert.deepEqual(lint(pooled, 'Procfile.dev', 'procfile', ['release: npx prisma migrate deploy']), []);
  assert.deepEqual(lint(pooled, 'Procfile', 'procfile', ['release-test: npx prisma migrate deploy']), []);
  assert.deepEqual(lint(pooled, 'Procfile', 'procfile', ['release: DATABASE_URL=postgresql://app@localhost:5432/app npx prisma migrate deploy']), []);
  assert.deepEqual(lint(pooled, 'Procfile', 'procfile', ['# release: npx prisma migrate deploy']), []);
});

test('a Procfile runs in its own folder: the Prisma set-up is looked for from there', (t) => {
  const repo = repository('procfile-folders', t, { 'apps/api/prisma/schema.prisma': POOLED, 'apps/api/package.json': '{"name":"api"}', 'apps/admin/prisma/schema.prisma': WITH_DIRECT });
  assert.deepEqual(lint(repo, 'apps/api/Procfile', 'procfile', ['release: npx prisma migrate deploy']), ['advisory-lock 1']);
  assert.deepEqual(lint(repo, 'apps/admin/Procfile', 'procfile', ['release: npx prisma migrate deploy']), []);
});

test("a Fly.io config's release_command and process commands running prisma migrate deploy are flagged on their line", (t) => {
  const repo = repository('fly-release', t, { 'prisma/schema.prisma': POOLED, 'package.json': SCRIPTS });
  assert.deepEqual(lint(repo, 'fly.toml', 'toml', [
    'app = "shop"',
    'primary_region = "ams"',
    '',
    '[env]',
    '  PORT = "8080"',
    '',
    '[deploy]',
    '  release_command = "npx prisma migrate deploy"',
    '',
    '[[services]]',
    '  internal_port = 8080',
  ]), ['advisory-lock 8']);
  assert.deepEqual(lint(repo, 'fly.production.toml', 'toml', ['[deploy]', "release_command = 'npm run db:apply'"]), ['advisory-lock 2']);
  assert.deepEqual(lint(repo, 'fly.toml', 'toml', ['[processes]', '  app = "npm run boot"', '  jobs = "node build/jobs.js"']), ['advisory-lock 2']);
});

test('a Fly.io config is silent with a directUrl, elsewhere than [deploy]/[processes], for other commands, or when its env says development', (t) => {
  const direct = repository('fly-direct', t, { 'prisma/schema.prisma': WITH_DIRECT, 'package.json': SCRIPTS });
  assert.deepEqual(lint(direct, 'fly.toml', 'toml', ['[deploy]', '  release_command = "npx prisma migrate deploy"']), []);
  const pooled = repository('fly-silent', t, { 'prisma/schema.prisma': POOLED, 'package.json': SCRIPTS });
  assert.deepEqual(lint(pooled, 'fly.toml', 'toml', ['[deploy]', '  release_command = "node build/migrate.js"', '  strategy = "rolling"']), []);
  assert.deepEqual(lint(pooled, 'fly.toml', 'toml', ['[build]', '  release_command = "npx prisma migrate deploy"']), []);
  assert.deepEqual(lint(pooled, 'fly.toml', 'toml', ['[deploy]', '  # release_command = "npx prisma migrate deploy"']), []);
  assert.deepEqual(lint(pooled, 'fly.staging-dev.toml', 'toml', ['[deploy]', '  release_command = "npx prisma migrate deploy"']), []);
  assert.deepEqual(lint(pooled, 'fly.toml', 'toml', ['[env]', '  NODE_ENV = "development"', '[deploy]', '  release_command = "npx prisma migrate deploy"']), []);
});

test('Procfiles and Fly.io configs are linted by name; pages and programs so named are not', () => {
  assert.equal(languageOf('Procfile'), 'procfile');
  assert.equal(languageOf('deployment/heroku/Procfile'), 'procfile');
  assert.equal(languageOf('apps/Procfile.back'), 'procfile');
  assert.equal(languageOf('fly.toml'), 'toml');
  assert.equal(languageOf('apps/web/fly.worker.toml'), 'toml');
  assert.equal(languageOf('Procfile.md'), undefined);
  assert.equal(languageOf('lexers/procfile.py'), undefined);
  assert.equal(languageOf('Cargo.toml'), undefined);
  assert.equal(languageOf('generators/procfiles.js'), 'javascript');
});
