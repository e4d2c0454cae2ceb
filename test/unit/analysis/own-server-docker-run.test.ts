// A PostgreSQL container the code starts itself with the container engine's CLI (`execFileSync('docker', ['run', …,
// 'postgres:17'])`, `spawn('podman', ['run', …])`) in a function of the repository, reached through what that function
// returns (`{ host: '127.0.0.1', port: container.port }`), also where the function is loaded inside the caller
// (`const { startDb } = await import('./db-container.js')`): the code's own server, no pooler between. Another image,
// another engine command, a process starter that is not node's, and a file naming a pooler keep the finding. The image
// is the run's own argument (after its options), not any `postgres` the function writes elsewhere.
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

/** A helper module whose `docker run` is given `list` (after `'run'`), with `lines` before it and `returned` returned. */
const runner = (list: string, { lines = [] as string[], returned = "{ port: 54329, password: 'pw' }", header = [] as string[] } = {}) => [
  "import { execFileSync } from 'node:child_process';",
  ...header,
  'export function startDb(tag = 16) {',
  ...lines.map((line) => `  ${line}`),
  `  execFileSync('docker', ['run', ${list}]);`,
  `  return ${returned};`,
  '}',
];

test('the image `docker run` is given decides: a postgres image after its flags, written in the function, as its default or as a constant of the file', () => {
  repo.writeAll({
    'package.json': '{ "name": "inspector" }',
    // The image after flags with and without values; the server's own command and its options after it.
    'src/flags.ts': runner("'-it', '--rm', '--name=scratch', '-e', 'POSTGRES_HOST_AUTH_METHOD=trust', '-p', '54329:5432', 'postgres:16', 'postgres', '-c', 'fsync=off'"),
    // A variable holding the image after `--`, the end of the options, with a default the command line may override.
    'src/variable.ts': runner("'-d', '--name', name, '--', image", { lines: ["const name = `db-${tag}`;", "const image = process.argv[2] || 'postgres:17';"] }),
    // A constant of the file.
    'src/constant.ts': runner("'-d', IMAGE", { header: ["const IMAGE = 'docker.io/library/postgres:16-alpine';"] }),
    // PostgreSQL with extensions, as the compose files' reader knows its images.
    'src/postgis.ts': runner("'-d', '-p', '54329:5432', `postgis/postgis:${tag}-3.4`"),
    'src/use-flags.ts': caller('import', './flags.js'),
    'src/use-variable.ts': caller('dynamic', './variable.js'),
    'src/use-constant.ts': caller('import', './constant.js'),
    'src/use-postgis.ts': caller('import', './postgis.js'),
  });
  for (const file of ['src/use-flags.ts', 'src/use-variable.ts', 'src/use-constant.ts', 'src/use-postgis.ts']) assert.deepEqual(rulesOf(repo.path(file)), [], file);
});

test('a run whose image is another, unwritten or a pooler keeps the finding, whatever else in the function says postgres', () => {
  repo.writeAll({
    'package.json': '{ "name": "inspector" }',
    // Another image; `postgres` is only the container's name, the database or the user the function returns.
    'src/other.ts': runner("'-d', '--name', 'postgres', '-p', '6380:6379', 'redis:7'", { returned: "{ port: 6380, database: 'postgres', user: 'postgres' }" }),
    // The image is the command line's alone: nothing says it is PostgreSQL's.
    'src/unwritten.ts': runner("'-d', '-e', 'POSTGRES_PASSWORD=pw', image", { lines: ['const image = process.argv[2];'], returned: "{ port: 54329, user: 'postgres' }" }),
    // A default that may be either image.
    'src/either.ts': runner("'-d', image", { lines: ["const image = process.argv[2] === 'proxy' ? 'ghcr.io/acme/sql-proxy:3' : 'postgres:16';"] }),
    // Poolers' images, by default or written out (the file names the pooler).
    'src/pgbouncer.ts': runner("'-d', image", { lines: ["const image = process.argv[2] ?? 'edoburu/pgbouncer:latest';"], returned: "{ port: 54329, user: 'postgres' }" }),
    'src/bitnami.ts': runner("'-d', '-e', 'POSTGRESQL_HOST=postgres', 'bitnami/pgbouncer:1.23.1'", { returned: "{ port: 54329, user: 'postgres' }" }),
    // A postgres container in a file that also runs PgDog's image, which may stand in front of it.
    'src/pgdog.ts': runner("'-d', '-p', '54329:5432', 'postgres:16'", { header: ["export const PROXY_IMAGE = 'ghcr.io/pgdogdev/pgdog:main';"] }),
    // An image the environment overrides: read from the environment, the function may reach another server (MAY_CONNECT_ELSEWHERE).
    'src/environment.ts': runner("'-d', image", { lines: ["const image = process.env.PG_IMAGE ?? 'postgres:16';"] }),
  });
  for (const name of ['other', 'unwritten', 'either', 'pgbouncer', 'bitnami', 'pgdog', 'environment']) {
    repo.write(`src/use-${name}.ts`, caller('import', `./${name}.js`).join('\n'));
    assert.deepEqual(rulesOf(repo.path(`src/use-${name}.ts`)), ['session-set'], name);
  }
});
