// A connection string may name several servers (`postgres://u@h1:5432,h2:5432/db`, `host=h1,h2 port=5432`, a host
// variable's `a,b`), and libpq may reach any of them: the application's env files point a variable at another machine
// when any of its hosts is one, whatever their order, and a test environment's value is its PostgreSQL service only
// when every host is that service or this machine (testEnvironment.ts, reading them through poolerEndpoints.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applicationEnvironmentVariable, testEnvironmentVariable } from '../../../server/analysis/testEnvironment';
import { scratchRepository } from '../../helpers/scratch';

test("an application env value reaches another machine when any of its hosts is one, in either order and in libpq's key/value form", (t) => {
  const repository = scratchRepository('env-host-lists', t);
  repository.mkdir('.git');
  repository.writeAll({
    '.env': [
      'LOCAL_FIRST=postgres://app:pw@localhost:5432,db.prod.example.com:5432/app',
      'REMOTE_FIRST=postgres://app:pw@db.prod.example.com:5432,localhost:5432/app',
      'KEYWORDS="host=localhost,db.prod.example.com port=5432 dbname=app"',
      'REPORTS_HOST=localhost,db.prod.example.com',
      'REPORTS_PORT=5432,6543',
      'ALL_LOCAL=postgres://app@localhost:5432,127.0.0.1:5433/app',
      'LOCAL_KEYWORDS="host=127.0.0.1,localhost port=5432 dbname=app"',
      'PLACEHOLDER=postgres://USER:PASSWORD@HOST:5432/app',
    ].join('\n'),
    'src/db.ts': '',
  });
  const file = repository.path('src/db.ts');
  for (const name of ['LOCAL_FIRST', 'REMOTE_FIRST', 'KEYWORDS', 'REPORTS_HOST', 'REPORTS_PORT']) {
    assert.equal(applicationEnvironmentVariable(file, name), 'elsewhere', name);
  }
  assert.equal(applicationEnvironmentVariable(file, 'ALL_LOCAL'), 'local');
  assert.equal(applicationEnvironmentVariable(file, 'LOCAL_KEYWORDS'), 'local');
  assert.equal(applicationEnvironmentVariable(file, 'PLACEHOLDER'), 'unset');
});

test("a test workflow's value is its PostgreSQL service when every host is that service or this machine, in a URL or key/value form", (t) => {
  const repository = scratchRepository('env-host-lists-ci', t);
  repository.mkdir('.git');
  repository.writeAll({
    '.github/workflows/test.yml': [
      'jobs:',
      '  test:',
      '    services:',
      '      postgres:',
      '        image: postgres:16',
      '    env:',
      '      SERVICE_URL: postgres://ci@postgres:5432/t',
      '      SERVICE_KEYWORDS: host=postgres port=5432 dbname=t',
      '      SERVICE_AND_LOCAL: postgres://ci@postgres:5432,localhost:5432/t',
      '      SERVICE_AND_REMOTE: postgres://ci@postgres:5432,db.prod.example.com:5432/t',
      '    steps:',
      '      - run: npm test',
    ].join('\n'),
    'test/db.test.ts': '',
  });
  const file = repository.path('test/db.test.ts');
  for (const name of ['SERVICE_URL', 'SERVICE_KEYWORDS', 'SERVICE_AND_LOCAL']) assert.equal(testEnvironmentVariable(file, name), 'local', name);
  assert.equal(testEnvironmentVariable(file, 'SERVICE_AND_REMOTE'), 'elsewhere');
});

// A URL's `?host=`/`?port=` may stand before its authority's (libpq, node-postgres): a value whose query names another
// machine reaches it, however local its authority looks.
test("a value whose URL query names another host (?host=) reaches that host, in the application's env files and a test workflow", (t) => {
  const repository = scratchRepository('env-query-hosts', t);
  repository.mkdir('.git');
  repository.writeAll({
    '.env': [
      'QUERY_HOST=postgres://app:pw@localhost:5432/app?host=db.prod.example.com',
      'QUERY_LOCAL=postgres://app:pw@localhost/app?host=127.0.0.1&port=5433',
    ].join('\n'),
    '.github/workflows/test.yml': [
      'jobs:',
      '  test:',
      '    services:',
      '      postgres:',
      '        image: postgres:16',
      '    env:',
      '      SERVICE_QUERY_REMOTE: postgres://ci@localhost:5432/t?host=db.prod.example.com',
      '      SERVICE_QUERY_SERVICE: postgres://ci@localhost:5432/t?host=postgres',
      '    steps:',
      '      - run: npm test',
    ].join('\n'),
    'src/db.ts': '',
    'test/db.test.ts': '',
  });
  assert.equal(applicationEnvironmentVariable(repository.path('src/db.ts'), 'QUERY_HOST'), 'elsewhere');
  assert.equal(applicationEnvironmentVariable(repository.path('src/db.ts'), 'QUERY_LOCAL'), 'local');
  const spec = repository.path('test/db.test.ts');
  assert.equal(testEnvironmentVariable(spec, 'SERVICE_QUERY_REMOTE'), 'elsewhere');
  assert.equal(testEnvironmentVariable(spec, 'SERVICE_QUERY_SERVICE'), 'local');
});
