// A PostgreSQL container the code starts itself with the container engine's CLI (`execFileSync('docker', ['run', …,
// 'postgres:17'])`, `spawn('podman', ['run', …])`) in a function of the repository, reached through what that function
// returns (`{ host: '127.0.0.1', port: container.port }`), also where the function is loaded inside the caller
// (`const { startDb } = await import('./db-container.js')`): the code's own server, no pooler between. Another image,
// another engine command, a process starter that is not node's, and a file naming a pooler keep the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('own-server-docker-run', { after });
before(() => initAnalysis());

function rulesOf(file: string): string[] {
  return analyze(readFileSync(file, 'utf8'), 'typescript', {}, file).map((f) => f.rule);
}

/** A helper module starting a container of `image` with `engine`'s `command` through `starter` of `module`. */
const helper = (image: string, { engine = 'docker', command = 'run', starter = 'execFileSync', module = 'node:child_process', extra = [] as string[] } = {}) => [
  `import { ${starter} } from '${module}';`,
  ...extra,
  'export async function startDb(version = 16) {',
  `  const image = process.argv[3] ?? ${image};`,
  `  ${starter}('${engine}', ['${command}', '-d', '--rm', '--name', 'scratch-db', '-e', 'POSTGRES_PASSWORD=pw', '-p', '127.0.0.1:54329:5432', image]);`,
  "  return { port: 54329, password: 'pw' };",
  '}',
];

const caller = (load: 'import' | 'dynamic', from: string) => [
  "import pg from 'pg';",
  ...(load === 'import' ? [`import { startDb } from '${from}';`] : []),
  'export async function inspect(schema: string) {',
  ...(load === 'dynamic' ? [`  const { startDb } = await import('${from}');`] : []),
  '  const db = await startDb();',
  "  const client = new pg.Client({ host: '127.0.0.1', port: db.port, user: 'postgres', password: db.password });",
  '  await client.connect();',
  "  await client.query(\"SELECT set_config('search_path', $1, false)\", [schema]);",
  '}',
];

test('a client of the container a helper starts with `docker run` of a postgres image, imported or loaded in the function, gets no pooling finding', () => {
  repo.writeAll({
    'package.json': '{ "name": "inspector" }',
    'src/db-container.ts': helper('`postgres:${version}-alpine`'),
    'src/podman-container.ts': helper("'docker.io/library/postgres:17'", { engine: 'podman', starter: 'spawnSync', module: 'child_process' }),
    'src/inspect-static.ts': caller('import', './db-container.js'),
    'src/inspect-dynamic.ts': caller('dynamic', './db-container.js'),
    'src/inspect-podman.ts': caller('dynamic', './podman-container.js'),
  });
  for (const file of ['src/inspect-static.ts', 'src/inspect-dynamic.ts', 'src/inspect-podman.ts']) assert.deepEqual(rulesOf(repo.path(file)), [], file);
});

test('another image, another engine command, a starter not from child_process, and a helper naming a pooler keep the finding', () => {
  repo.writeAll({
    'package.json': '{ "name": "inspector" }',
    'src/other-image.ts': helper("'redis:7'"),
    'src/pull-only.ts': helper("'postgres:16'", { command: 'pull' }),
    'src/own-starter.ts': helper("'postgres:16'", { module: './shell' }),
    'src/pooled.ts': helper("'postgres:16'", { extra: ['// the bench runs behind pgbouncer in CI'] }),
    'src/use-other-image.ts': caller('dynamic', './other-image.js'),
    'src/use-pull-only.ts': caller('import', './pull-only.js'),
    'src/use-own-starter.ts': caller('dynamic', './own-starter.js'),
    'src/use-pooled.ts': caller('import', './pooled.js'),
  });
  for (const file of ['src/use-other-image.ts', 'src/use-pull-only.ts', 'src/use-own-starter.ts', 'src/use-pooled.ts']) {
    assert.deepEqual(rulesOf(repo.path(file)), ['session-set'], file);
  }
});
