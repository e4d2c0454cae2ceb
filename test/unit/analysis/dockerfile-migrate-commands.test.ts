// Prisma Migrate run by an image's start command: a Dockerfile's `CMD`/`ENTRYPOINT` (exec form, shell form, `sh -c
// "…"` over continued lines) running `prisma migrate deploy` itself or a package.json script holding it, judged as a
// container's command is (prismaMigrate.ts) with the stage's `ENV` lines as its environment. And `prisma migrate reset
// --force`, which applies every migration under the same lock, read wherever `migrate deploy` is.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { languageOf } from '../../../cli/files';
import { scratchGitRepository as repository, type ScratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

function findingLines(text: string, language: 'dockerfile' | 'shellscript' | 'typescript', repo: ScratchRepository, path: string): string[] {
  return analyze(text, language, {}, repo.write(path, text)).filter((f) => f.rule === 'advisory-lock').map((f) => ruleLine(text, f));
}

function lintDockerfile(repo: ScratchRepository, path: string, lines: readonly string[]): string[] {
  return findingLines(lines.join('\n'), 'dockerfile', repo, path);
}


const POOLED_SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n';
const DIRECT_SCHEMA = 'datasource db {\n  provider  = "postgresql"\n  url       = env("DATABASE_URL")\n  directUrl = env("DIRECT_URL")\n}\n';
const START_SCRIPTS = JSON.stringify({ name: 'bot', scripts: { 'start:prod': 'npx prisma migrate deploy && node dist/main', 'start:dev': 'prisma migrate deploy && nest start --watch' } });

test('a Dockerfile CMD running a package script that holds prisma migrate deploy (sh -c over continued lines) is flagged at the line that runs it', (t) => {
  const repo = repository('dockerfile-script', t, { 'prisma/schema.prisma': POOLED_SCHEMA, 'package.json': START_SCRIPTS });
  assert.deepEqual(lintDockerfile(repo, 'Dockerfile', [
    'FROM node:22',
    'WORKDIR /app',
    'RUN npm ci --omit=dev',
    'CMD ["/bin/sh", "-c", \\',
    '  "rm -rf /tmp/cache/*; \\',
    '  npm run start:prod"]',
  ]), ['advisory-lock 6']);
});

test('exec-form, shell-form and ENTRYPOINT sh -c commands running prisma migrate deploy are flagged; RUN at build time is not', (t) => {
  const repo = repository('dockerfile-forms', t, { 'prisma/schema.prisma': POOLED_SCHEMA, 'package.json': '{"name":"app"}' });
  assert.deepEqual(lintDockerfile(repo, 'Dockerfile', [
    'FROM node:22 AS build',
    'RUN npx prisma migrate deploy',
    'FROM node:22',
    'CMD ["npx", "prisma", "migrate", "deploy"]',
  ]), ['advisory-lock 4']);
  assert.deepEqual(lintDockerfile(repo, 'api.Dockerfile', ['FROM node:22', 'CMD npx prisma migrate deploy && node server.js']), ['advisory-lock 2']);
  assert.deepEqual(lintDockerfile(repo, 'Dockerfile.prod', ['FROM node:22', 'ENTRYPOINT ["sh", "-c", "npx prisma migrate deploy && exec node server.js"]']), ['advisory-lock 2']);
});

test('a Dockerfile whose schema has a directUrl, whose stage ENV sets a local or test URL, or that is named or staged for development is not flagged', (t) => {
  const direct = repository('dockerfile-direct', t, { 'prisma/schema.prisma': DIRECT_SCHEMA, 'package.json': START_SCRIPTS });
  assert.deepEqual(lintDockerfile(direct, 'Dockerfile', ['FROM node:22', 'CMD ["npm", "run", "start:prod"]']), []);
  const pooled = repository('dockerfile-development', t, { 'prisma/schema.prisma': POOLED_SCHEMA, 'package.json': START_SCRIPTS });
  assert.deepEqual(lintDockerfile(pooled, 'Dockerfile', ['FROM node:22', 'ENV DATABASE_URL=postgresql://app:app@localhost:5432/app', 'CMD ["npm", "run", "start:prod"]']), []);
  assert.deepEqual(lintDockerfile(pooled, 'Dockerfile', ['FROM node:22', 'ENV NODE_ENV development', 'CMD ["npm", "run", "start:prod"]']), []);
  assert.deepEqual(lintDockerfile(pooled, 'Dockerfile', ['FROM node:22 AS dev', 'CMD ["npm", "run", "start:prod"]']), []);
  assert.deepEqual(lintDockerfile(pooled, 'Dockerfile', ['FROM node:22', 'CMD ["npm", "run", "start:dev"]']), []);
  for (const path of ['Dockerfile.dev', 'dev.Dockerfile', 'docker/Dockerfile.test']) {
    assert.deepEqual(lintDockerfile(pooled, path, ['FROM node:22', 'CMD ["npm", "run", "start:prod"]']), [], path);
  }
  // The development stage's ENV does not reach the production stage built from the base image.
  assert.deepEqual(lintDockerfile(pooled, 'Dockerfile', [
    'FROM node:22 AS development',
    'ENV NODE_ENV=development',
    'FROM node:22 AS production',
    'CMD ["npm", "run", "start:prod"]',
  ]), ['advisory-lock 4']);
});

test('Dockerfiles are linted by name as dockerfile documents; a program named for one stays a program', () => {
  assert.equal(languageOf('Dockerfile'), 'dockerfile');
  assert.equal(languageOf('apps/api/Dockerfile.prod'), 'dockerfile');
  assert.equal(languageOf('docker/api.Dockerfile'), 'dockerfile');
  assert.equal(languageOf('Dockerfile.md'), undefined);
  assert.equal(languageOf('generators/dockerfile.js'), 'javascript');
});

test('prisma migrate reset --force (or -f) applies the migrations under the same lock: flagged where migrate deploy is; without it, and migrate dev, are not', (t) => {
  const repo = repository('migrate-reset', t, { 'prisma/schema.prisma': POOLED_SCHEMA, 'package.json': '{"name":"app"}' });
  const script = ['#!/bin/sh', 'npx prisma migrate reset --force', 'npx prisma migrate reset -f --skip-seed', 'npx prisma migrate reset', 'npx prisma migrate dev', 'npx prisma migrate reset --force-ish'].join('\n');
  assert.deepEqual(findingLines(script, 'shellscript', repo, 'scripts/setup.sh'), ['advisory-lock 2', 'advisory-lock 3']);
  const program = [
    "import { execSync } from 'node:child_process';",
    "execSync('yarn prisma migrate reset --force --schema ./prisma/schema.prisma', { stdio: 'inherit' });",
    "execSync('yarn prisma migrate reset', { stdio: 'inherit' });",
  ].join('\n');
  assert.deepEqual(findingLines(program, 'typescript', repo, 'src/scripts/setup-db.ts'), ['advisory-lock 2']);
  // A script named for resetting a developer's database stays unread.
  assert.deepEqual(findingLines(script, 'shellscript', repo, 'scripts/db-reset.sh'), []);
});
