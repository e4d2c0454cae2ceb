// PostGraphile's CLI in watch mode (`postgraphile --watch`, `-w`) keeps a client of its pool with `LISTEN
// postgraphile_watch`, as the `watchPg` option does in code. A shell script that starts it, on a line of its own or
// through a package.json script it runs, is reported at the watch flag (or at the run of the package script), unless the
// connection it is given is a URL the project names direct, or the script is test code.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository, type ScratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** The findings of a shell script written into the repository, as `rule line`. */
function lintScript(repo: ScratchRepository, path: string, lines: readonly string[]): string[] {
  const text = lines.join('\n');
  return analyze(text, 'shellscript', {}, repo.write(path, text)).map((f) => ruleLine(text, f));
}

test('postgraphile --watch (or -w) in a start script is a LISTEN, also on a local URL the script exports, reported at the flag', (t) => {
  const repo = scratchRepository('postgraphile-watch', t);
  repo.mkdir('.git');
  assert.deepEqual(lintScript(repo, 'api/start.sh', [
    'export DATABASE_URL=postgres://app:secret@localhost/app',
    '',
    'npx postgraphile \\',
    '  --subscriptions \\',
    '  --watch \\',
    '  --connection $DATABASE_URL \\',
    '  --schema app_public',
  ]), ['listen 5']);
  assert.deepEqual(lintScript(repo, 'bin/serve', ['#!/usr/bin/env bash', 'exec yarn postgraphile -c "$DATABASE_URL" -w --port 5000']), ['listen 2']);
  assert.deepEqual(lintScript(repo, 'scripts/graphql.sh', ['DATABASE_URL=$APP_URL ./node_modules/.bin/postgraphile --schema app --watch']), ['listen 1']);
});

test('postgraphile started without watch mode, on a direct URL, in test code, or only mentioned, is not reported', (t) => {
  const repo = scratchRepository('postgraphile-quiet', t);
  repo.mkdir('.git');
  assert.deepEqual(lintScript(repo, 'api/start.sh', ['npx postgraphile -c $DATABASE_URL --schema app_public --export-schema-graphql schema.graphql']), []);
  assert.deepEqual(lintScript(repo, 'api/watch.sh', ['npx postgraphile --watch --connection "$DATABASE_DIRECT_URL" --schema app']), []);
  assert.deepEqual(lintScript(repo, 'test/serve.sh', ['npx postgraphile --watch -c $DATABASE_URL']), []);
  assert.deepEqual(lintScript(repo, 'api/setup.sh', [
    '# npx postgraphile --watch -c $DATABASE_URL',
    'echo "run: npx postgraphile --watch"',
    'npm install -w api postgraphile',
    'yarn add postgraphile --watch-ignore',
  ]), []);
});

test('a package script that runs postgraphile --watch is reported where a shell line runs it', (t) => {
  const repo = scratchRepository('postgraphile-script', t);
  repo.mkdir('.git');
  repo.write('server/package.json', JSON.stringify({ name: 'server', scripts: { serve: 'postgraphile --watch -c $DATABASE_URL', schema: 'postgraphile -X --export-schema-graphql schema.graphql', direct: 'postgraphile -w -c $DIRECT_DATABASE_URL' } }));
  assert.deepEqual(lintScript(repo, 'server/run.sh', ['set -e', 'npm run serve', 'npm run schema', 'npm run direct']), ['listen 2']);
});
