// Prisma Migrate reached through a chain of package.json scripts: an image's start command or a shell line runs one
// script, which runs another (`npm run …`, `yarn …`, `pnpm …`, `bun run …`, joined by `&&` or `;`), which holds
// `prisma migrate deploy`. The chain is followed a few scripts deep, each link judged as the first run is
// (prismaMigrate.ts): its name, its own assignments, the Prisma set-up of the package it runs in.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchGitRepository as repository, type ScratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

function lint(repo: ScratchRepository, path: string, language: 'dockerfile' | 'shellscript', lines: readonly string[]): string[] {
  const text = lines.join('\n');
  return analyze(text, language, {}, repo.write(path, text)).filter((f) => f.rule === 'advisory-lock').map((f) => ruleLine(text, f));
}

const POOLED = 'datasource main {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n';
const WITH_DIRECT = 'datasource main {\n  provider  = "postgresql"\n  url       = env("DATABASE_URL")\n  directUrl = env("DATABASE_URL_DIRECT")\n}\n';

/** A single-package project whose schema is `schema` and whose package.json holds `scripts`. */
function project(name: string, t: { after(fn: () => void): void }, schema: string, scripts: Record<string, string>): ScratchRepository {
  return repository(name, t, { 'prisma/schema.prisma': schema, 'package.json': JSON.stringify({ name, scripts }) });
}

const CHAINED = {
  launch: 'npm run db:apply && npm run serve',
  'db:apply': 'prisma generate && prisma migrate deploy',
  serve: 'node build/server.js',
  release: 'yarn run prepare-db; node build/server.js',
  'prepare-db': 'pnpm db:apply',
  'boot-bun': 'bun run db:apply && bun build/server.js',
  'boot-legacy': 'npm run-script db:apply',
  'boot-yarn': 'yarn db:apply',
  'boot-pnpm': 'pnpm run db:apply',
  'only-serve': 'npm run serve',
};

test('a Dockerfile CMD running a package script that runs another holding prisma migrate deploy is flagged at the CMD', (t) => {
  const repo = project('chain-dockerfile', t, POOLED, CHAINED);
  assert.deepEqual(lint(repo, 'Dockerfile', 'dockerfile', ['FROM node:22-alpine', 'WORKDIR /app', 'ENV NODE_ENV=production', 'COPY . .', 'CMD ["npm", "run", "launch"]']), ['advisory-lock 5']);
  // A chain that never reaches the migration gives nothing.
  assert.deepEqual(lint(repo, 'Dockerfile', 'dockerfile', ['FROM node:22-alpine', 'CMD ["npm", "run", "only-serve"]']), []);
});

test('each package manager\'s run of a script, joined by && or ;, is followed from a shell line, three scripts deep', (t) => {
  const repo = project('chain-managers', t, POOLED, CHAINED);
  assert.deepEqual(lint(repo, 'scripts/start.sh', 'shellscript', [
    '#!/bin/sh',
    'set -e',
    'yarn release',
    'npm run boot-bun',
    'npm run boot-legacy',
    'npm run boot-yarn',
    'npm run boot-pnpm',
    'npm run only-serve',
  ]), ['advisory-lock 3', 'advisory-lock 4', 'advisory-lock 5', 'advisory-lock 6', 'advisory-lock 7']);
});

test('a chain whose migration URL has a directUrl, or that a Dockerfile stage runs for development or on a local URL, is not flagged', (t) => {
  const direct = project('chain-direct', t, WITH_DIRECT, CHAINED);
  assert.deepEqual(lint(direct, 'Dockerfile', 'dockerfile', ['FROM node:22', 'CMD ["npm", "run", "launch"]']), []);
  const pooled = project('chain-development-image', t, POOLED, CHAINED);
  assert.deepEqual(lint(pooled, 'Dockerfile', 'dockerfile', ['FROM node:22', 'ENV NODE_ENV=development', 'CMD ["npm", "run", "launch"]']), []);
  assert.deepEqual(lint(pooled, 'Dockerfile', 'dockerfile', ['FROM node:22 AS dev', 'CMD ["npm", "run", "launch"]']), []);
  assert.deepEqual(lint(pooled, 'Dockerfile', 'dockerfile', ['FROM node:22', 'ENV DATABASE_URL=postgresql://app:app@127.0.0.1:5432/app', 'CMD ["npm", "run", "launch"]']), []);
});

test('a link named for development or testing, setting a test or direct URL or a development NODE_ENV, a cycle, or a chain past the bound gives nothing', (t) => {
  const repo = project('chain-negatives', t, POOLED, {
    'db:apply': 'prisma migrate deploy',
    'start-a': 'npm run db:apply:local',
    'db:apply:local': 'prisma migrate deploy',
    'start-b': 'NODE_ENV=test npm run db:apply',
    'start-c': 'DATABASE_URL=$DATABASE_URL_DIRECT npm run db:apply',
    'start-d': 'npm run start-dev',
    'start-dev': 'npm run db:apply && next dev',
    ping: 'npm run pong',
    pong: 'npm run ping',
    'deep-1': 'npm run deep-2',
    'deep-2': 'npm run deep-3',
    'deep-3': 'npm run deep-4',
    'deep-4': 'npm run deep-5',
    'deep-5': 'npm run db:apply',
    'shallow-1': 'npm run deep-3',
    'printed': 'echo "then: npm run db:apply"',
  });
  assert.deepEqual(lint(repo, 'scripts/start.sh', 'shellscript', ['npm run start-a', 'npm run start-b', 'npm run start-c', 'npm run start-d', 'npm run ping', 'npm run deep-1', 'npm run printed']), []);
  // The command in the fourth script of a chain is read (deep-3 → deep-4 → deep-5 → db:apply); in the fifth it is not.
  assert.deepEqual(lint(repo, 'scripts/start.sh', 'shellscript', ['npm run deep-3']), ['advisory-lock 1']);
  assert.deepEqual(lint(repo, 'scripts/start.sh', 'shellscript', ['npm run shallow-1']), []);
  // Nor a shell script named for development.
  assert.deepEqual(lint(project('chain-dev-script', t, POOLED, { go: 'npm run db:apply', 'db:apply': 'prisma migrate deploy' }), 'scripts/dev-up.sh', 'shellscript', ['npm run go']), []);
});

test('a root script that runs a workspace package\'s script is judged on that package\'s Prisma set-up', (t) => {
  const files = (schema: string) => ({
    'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['packages/*'], scripts: { 'start:prod': 'yarn workspace @mono/db migrate && node apps/api/main.js' } }),
    'packages/db/package.json': JSON.stringify({ name: '@mono/db', scripts: { migrate: 'prisma migrate deploy' } }),
    'packages/db/prisma/schema.prisma': schema,
  });
  assert.deepEqual(lint(repository('chain-workspace', t, files(POOLED)), 'Dockerfile', 'dockerfile', ['FROM node:22', 'CMD ["yarn", "start:prod"]']), ['advisory-lock 2']);
  assert.deepEqual(lint(repository('chain-workspace-direct', t, files(WITH_DIRECT)), 'Dockerfile', 'dockerfile', ['FROM node:22', 'CMD ["yarn", "start:prod"]']), []);
});
