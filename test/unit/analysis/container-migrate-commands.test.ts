// `prisma migrate deploy` run by a container as a YAML file starts it: a compose service's `command:`/`entrypoint:`
// (a string, a list, `sh -c "…"`) and a Kubernetes or Helm-template container's `command:`/`args:`. Each is read as a
// shell line is and judged on the URL the project's Prisma set-up migrates with (prismaMigrate.ts), the container's
// environment and working directory included (containerCommands.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { languageOf } from '../../../cli/files';
import { scratchGitRepository as repository, type ScratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** The findings of a YAML file written into the repository, as `rule line`. */
function lintYaml(repo: ScratchRepository, path: string, lines: readonly string[]): string[] {
  const text = lines.join('\n');
  return analyze(text, 'yaml', {}, repo.write(path, text)).map((f) => ruleLine(text, f));
}


const POOLED_SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n';
const DIRECT_SCHEMA = 'datasource db {\n  provider  = "postgresql"\n  url       = env("DATABASE_URL")\n  directUrl = env("DIRECT_URL")\n}\n';

/** A monorepo whose only Prisma set-up is the backend package's (the compose file at the root names no folder). */
function backendRepository(name: string, t: { after(fn: () => void): void }, schema: string): ScratchRepository {
  return repository(name, t, { 'packages/backend/prisma/schema.prisma': schema, 'packages/backend/package.json': '{"name":"backend"}' });
}

test('a compose service that runs prisma migrate deploy in its command (string, sh -c, flow list) is flagged on the repository\'s only Prisma set-up', (t) => {
  const repo = backendRepository('compose-migrate', t, POOLED_SCHEMA);
  assert.deepEqual(lintYaml(repo, 'docker-compose.yml', [
    'services:',
    '  db:',
    '    image: postgres:16',
    '  migrate:',
    '    build: .',
    '    env_file: ./.env',
    '    command: sh -c "pnpm exec prisma migrate deploy"',
    '  app:',
    '    build: .',
    '    command:',
    '      [',
    '        "sh",',
    '        "-c",',
    '        "pnpm exec prisma migrate deploy && node main.js",',
    '      ]',
    '  worker:',
    '    build: .',
    '    command: ["npx", "prisma", "migrate", "deploy"]',
    '  seed:',
    '    build: .',
    '    command: >',
    '      sh -c "',
    '        npx prisma generate &&',
    '        npx prisma migrate deploy &&',
    '        node seed.js',
    '      "',
  ]), ['advisory-lock 7', 'advisory-lock 14', 'advisory-lock 18', 'advisory-lock 24']);
});

test('a compose service is not flagged where the URL is direct: a directUrl, an environment on this machine or naming a direct URL, a development file, service or NODE_ENV', (t) => {
  const direct = backendRepository('compose-migrate-direct', t, DIRECT_SCHEMA);
  assert.deepEqual(lintYaml(direct, 'docker-compose.yml', ['services:', '  migrate:', '    command: sh -c "npx prisma migrate deploy"']), []);
  const pooled = backendRepository('compose-migrate-env', t, POOLED_SCHEMA);
  assert.deepEqual(lintYaml(pooled, 'compose.yaml', [
    'services:',
    '  local:',
    '    network_mode: host',
    '    environment:',
    '      DATABASE_URL: "postgresql://app@localhost:5432/app"',
    '    command: npx prisma migrate deploy',
    '  named:',
    '    environment:',
    '      - DATABASE_URL=${DIRECT_DATABASE_URL}',
    '    command: npx prisma migrate deploy',
    '  migrate-test:',
    '    command: npx prisma migrate deploy',
    '  web:',
    '    environment:',
    '      DATABASE_URL: postgresql://app:secret@db:5432/app',
    '      NODE_ENV: "development"',
    '    command: sh -c "npx prisma migrate deploy && npm run dev"',
    '  dev:',
    '    command: npx prisma migrate dev',
    '  app:',
    '    # command: npx prisma migrate deploy',
    '    healthcheck:',
    '      test: ["CMD", "echo", "prisma migrate deploy"]',
  ]), []);
  assert.deepEqual(lintYaml(pooled, 'docker-compose.dev.yml', ['services:', '  migrate:', '    command: npx prisma migrate deploy']), []);
  // The compose host of the file's own database is no direct URL (ruling 8): still flagged.
  assert.deepEqual(lintYaml(pooled, 'docker-compose.prod.yml', [
    'services:',
    '  migrate:',
    '    environment:',
    '      DATABASE_URL: postgresql://app:secret@db:5432/app',
    '    command: npx prisma migrate deploy',
  ]), ['advisory-lock 5']);
});

test('a Helm template\'s init container (command + args, sh -c, {{ }} values) is flagged on the set-up its workingDir names, not where the schema has a directUrl', (t) => {
  const template = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'spec:',
    '  replicas: {{ .Values.replicas | default 1 }}',
    '  template:',
    '    spec:',
    '      initContainers:',
    '        - name: db-migration',
    "          image: '{{ .Values.image }}'",
    '          workingDir: /app/packages/database',
    '          command: ["/bin/sh"]',
    '          args:',
    '            - "-c"',
    '            - "export DB_URL=postgresql://$PGUSER:$PGPASSWORD@$PGHOST:5432/app && npx prisma migrate deploy"',
    '      containers:',
    '        - name: api',
    '          command: ["node", "dist/main.js"]',
  ];
  const files = { 'packages/api/prisma/schema.prisma': DIRECT_SCHEMA, 'chart/Chart.yaml': 'name: app\n' };
  const pooled = repository('helm-migrate', t, { ...files, 'packages/database/prisma/schema.prisma': POOLED_SCHEMA.replace('DATABASE_URL', 'DB_URL') });
  assert.deepEqual(lintYaml(pooled, 'chart/templates/api-deployment.yaml', template), ['advisory-lock 14']);
  const direct = repository('helm-migrate-direct', t, { ...files, 'packages/database/prisma/schema.prisma': DIRECT_SCHEMA });
  assert.deepEqual(lintYaml(direct, 'chart/templates/api-deployment.yaml', template), []);
  // Two set-ups and no working directory: which one the image migrates is not known, so nothing is judged.
  assert.deepEqual(lintYaml(pooled, 'k8s/migrate-job.yaml', ['spec:', '  containers:', '    - name: migrate', '      command: ["npx", "prisma", "migrate", "deploy"]']), []);
});

test('compose files and Kubernetes or Helm YAML are linted; other YAML is not', () => {
  assert.equal(languageOf('docker-compose.yml'), 'yaml');
  assert.equal(languageOf('deploy/compose.prod.yaml'), 'yaml');
  assert.equal(languageOf('chart/templates/api-deployment.yaml'), 'yaml');
  assert.equal(languageOf('kubernetes/apps/migrate-job.yaml'), 'yaml');
  assert.equal(languageOf('.github/workflows/ci.yml'), undefined);
  assert.equal(languageOf('pnpm-lock.yaml'), undefined);
});
