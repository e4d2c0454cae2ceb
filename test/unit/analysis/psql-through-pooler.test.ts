// A `.sql` file the repository's scripts run with psql is a session of its own (psqlRuns.ts), unless the script
// shows that psql connects through a transaction pooler (psqlConnections.ts): Supabase's transaction port 6543, a
// Neon `-pooler` host, `pgbouncer=true`. Then each autocommit statement may land on another server connection and the
// file keeps its findings. A connection the script does not show (a variable it never sets, or sets twice, another
// Makefile's target) and a pooler in session mode (port 5432 of a pooler host, PgBouncer's 6432) change nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';
import { showsTransactionPooler } from '../../../server/analysis/poolerEndpoints';

before(() => initAnalysis());

/** A setup script that leaves session state behind: a search path and a scratch table. */
const LEAVES_STATE = 'SET search_path = billing, public;\nCREATE TEMP TABLE import_rows (id bigint);\n';
const STATE_RULES = ['session-set', 'temp-table'];
/** An application's source beside the scripts: its project is no psql-only one (psqlOnlyProjects.ts). */
const APPLICATION = { 'app/main.py': 'import psycopg\n' };

const rules = (root: string, path: string, text = LEAVES_STATE): string[] => analyzeSql(text, undefined, join(root, ...path.split('/'))).map((f) => f.rule).sort();

test('a shell script that runs psql on a URL its own function prints with port 6543 runs the file through the pooler', (t) => {
  const root = scratchRepository('psql-pooler-shell', t).writeAll({
    ...APPLICATION,
    'scripts/rebuild.sh': [
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      'project="$(cat .project-ref)"',
      'dburl() {',
      '  local host',
      '  host="$(curl -s "$API/hosts/$project" | jq -r .host)"',
      '  # the transaction pooler, as the workers use',
      '  echo "postgresql://owner.${project}:${SECRET}@${host}:6543/postgres?sslmode=require"',
      '}',
      'DB="$(dburl)"',
      'psql "$DB" -qAt -v ON_ERROR_STOP=1 -f sql/billing.sql',
      'step "ledger" bash -c "psql \'$DB\' -q -f \'$HERE/sql/ledger.sql\' && echo done"',
    ],
  });
  assert.deepEqual(rules(root, 'sql/billing.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'sql/ledger.sql'), STATE_RULES);
  // psql's meta-commands do not make the file one session either.
  assert.deepEqual(rules(root, 'sql/billing.sql', `\\set ON_ERROR_STOP on\n${LEAVES_STATE}`), STATE_RULES);
});

test('a Makefile whose recipe asks its own target (or variable) for a transaction pooler URL runs the file through the pooler', (t) => {
  const root = scratchRepository('psql-pooler-make', t).writeAll({
    ...APPLICATION,
    Makefile: [
      'REF := $(shell cat .ref)',
      'POOLED = postgres://app.$(REF)@eu.pooler.example.com:6543/postgres',
      'host:',
      '\t@curl -s https://api.example.com/$(REF)/pooler | jq -r .host',
      'url:',
      '\t@echo "postgresql://app.$(REF):$(PW)@$$($(MAKE) --no-print-directory host):6543/postgres"',
      'schema:',
      '\t@psql "$$($(MAKE) --no-print-directory url)" -v ON_ERROR_STOP=1 -f sql/schema.sql',
      'seed:',
      '\tpsql "$(POOLED)" -f sql/seed.sql',
    ],
  });
  assert.deepEqual(rules(root, 'sql/schema.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'sql/seed.sql'), STATE_RULES);
});

test('an environment default, a Neon pooled host, -p 6543 or pgbouncer=true shows a transaction pooler', (t) => {
  const root = scratchRepository('psql-pooler-forms', t).writeAll({
    ...APPLICATION,
    'scripts/load.sh': [
      '#!/bin/sh',
      'psql "${DATABASE_URL:-postgres://app@ep-quiet-sea-123-pooler.eu-central-1.aws.neon.tech/app}" -f db/a.sql',
      'psql -h "$POOL_HOST" -p 6543 -U app -d postgres -f db/b.sql',
      'psql --dbname="postgres://app@db.internal:5432/app?pgbouncer=true" --file=db/c.sql',
    ],
  });
  for (const file of ['db/a.sql', 'db/b.sql', 'db/c.sql']) assert.deepEqual(rules(root, file), STATE_RULES, file);
});

test('psql -1 through a pooler runs the file in one transaction: a SET LOCAL at its top is no finding, a plain SET still is', (t) => {
  const root = scratchRepository('psql-pooler-single', t).writeAll({
    ...APPLICATION,
    'scripts/apply.sh': '#!/bin/sh\nURL=postgres://app@pool.example.com:6543/app\npsql "$URL" --single-transaction -f db/apply.sql\n',
  });
  const text = "SET search_path = billing;\nSET LOCAL statement_timeout = '5min';\n";
  assert.deepEqual(rules(root, 'db/apply.sql', text), ['session-set']);
  // Without -1 each statement is its own transaction: the SET LOCAL is lost at once.
  const autocommit = scratchRepository('psql-pooler-autocommit', t).writeAll({
    ...APPLICATION,
    'scripts/apply.sh': '#!/bin/sh\nURL=postgres://app@pool.example.com:6543/app\npsql "$URL" -f db/apply.sql\n',
  });
  assert.deepEqual(rules(autocommit, 'db/apply.sql', text), ['session-set', 'set-local-outside-transaction']);
});

test('a session-mode pooler, or a connection the script does not show, leaves the file a session of its own', (t) => {
  const root = scratchRepository('psql-pooler-unknown', t).writeAll({
    ...APPLICATION,
    // Port 5432 of a pooler host is Supavisor's session mode; 6432 is PgBouncer's, in session mode unless configured.
    Makefile: [
      'url:',
      '\t@echo "postgresql://app.$(REF)@$$($(MAKE) --no-print-directory host):5432/postgres"',
      'matrix:',
      '\tpsql "$$($(MAKE) --no-print-directory url)" -f sql/matrix.sql',
      'other:',
      '\tpsql "$$($(MAKE) -C ../infra --no-print-directory url)" -f sql/other.sql',
    ],
    'scripts/run.sh': [
      '#!/bin/sh',
      'psql -h pgbouncer -p 6432 -f db/bouncer.sql',
      'psql "$DATABASE_URL" -f db/env.sql',
      // Set twice (a pooler, then a local server): which one runs is not shown.
      'TARGET=postgres://app@pool.example.com:6543/app',
      'if [ -n "$LOCAL" ]; then TARGET=postgres://app@localhost/app; fi',
      'psql "$TARGET" -f db/either.sql',
      'psql "$2" -f db/argument.sql',
    ],
  });
  for (const file of ['sql/matrix.sql', 'sql/other.sql', 'db/bouncer.sql', 'db/env.sql', 'db/either.sql', 'db/argument.sql']) {
    assert.deepEqual(rules(root, file), [], file);
  }
});

test('what a connection string shows of a transaction pooler by itself', () => {
  const pooled = [
    'postgresql://app.ref:pw@aws-0-eu-west-1.pooler.supabase.com:6543/postgres',
    'postgres://app@ep-long-leaf-42-pooler.us-east-2.aws.neon.tech/app?sslmode=require',
    'postgres://app@bouncer.internal:5432/app?pgbouncer=true&connection_limit=1',
    'host=pool.internal port=6543 dbname=app',
  ];
  const notShown = [
    'postgresql://app.ref:pw@aws-0-eu-west-1.pooler.supabase.com:5432/postgres',
    'postgres://app@ep-long-leaf-42.us-east-2.aws.neon.tech/app',
    'postgres://app@pgbouncer:6432/app',
    'postgres://app@localhost/app?application_name=p6543',
    'host=pool.internal port=5432 dbname=app',
  ];
  for (const url of pooled) assert.equal(showsTransactionPooler(url), true, url);
  for (const url of notShown) assert.equal(showsTransactionPooler(url), false, url);
});

test('a psql command commented out in a shell script names no connection: the live command beside it decides', (t) => {
  const root = scratchRepository('psql-pooler-commented-shell', t).writeAll({
    ...APPLICATION,
    'ops/release.sh': [
      '#!/usr/bin/env bash',
      '# psql "postgresql://ops@pool.example.net:6543/main" -f db/schema.sql   # retired: went through the pooler',
      'psql "$DIRECT_URL" -f db/schema.sql',
      '  #psql "postgresql://ops@pool.example.net:6543/main" -f db/grants.sql',
      'echo "# rebuilt" && psql "$DIRECT_URL" -f db/grants.sql',
      // A `#` inside quotes, or in `$#`, comments nothing out: this pooled run stays one.
      'echo "step #3"; [ $# -gt 0 ] && psql "postgresql://ops@pool.example.net:6543/main" -f db/refresh.sql',
    ],
  });
  assert.deepEqual(rules(root, 'db/schema.sql'), []);
  assert.deepEqual(rules(root, 'db/grants.sql'), []);
  assert.deepEqual(rules(root, 'db/refresh.sql'), STATE_RULES);
});

test('a commented-out Makefile recipe line that ran psql through a pooler is no pooled run', (t) => {
  const root = scratchRepository('psql-pooler-commented-make', t).writeAll({
    ...APPLICATION,
    Makefile: [
      'POOLED = postgres://app@pool.example.net:6543/app',
      'schema:',
      '#\tpsql "$(POOLED)" -f sql/schema.sql',
      '\t# psql "$(POOLED)" -f sql/schema.sql',
      '\tpsql "$(LOCAL_URL)" -f sql/schema.sql',
      'seed:',
      '\tpsql "$(POOLED)" -f sql/seed.sql',
    ],
  });
  assert.deepEqual(rules(root, 'sql/schema.sql'), []);
  assert.deepEqual(rules(root, 'sql/seed.sql'), STATE_RULES);
});

test('an environment default is the connection where the repository sets the variable nowhere else', (t) => {
  const script = [
    '#!/bin/sh',
    'psql "${DATABASE_URL:-postgres://app@pool.example.net:6543/app}" -f db/url.sql',
    'psql -h "${PGHOST:-pool.example.net}" -p "${PGPORT:-6543}" -f db/port.sql',
  ];
  const makefile = ['PGURL ?= postgres://app@pool.example.net:6543/app', 'load:', '\tpsql "$(PGURL)" -f sql/load.sql'];
  const bare = scratchRepository('psql-pooler-default', t).writeAll({ ...APPLICATION, 'scripts/load.sh': script, Makefile: makefile });
  for (const file of ['db/url.sql', 'db/port.sql', 'sql/load.sql']) assert.deepEqual(rules(bare, file), STATE_RULES, file);
});

test('an environment default the repository also sets (an env file, CI) is no evidence of a pooler', (t) => {
  const script = [
    '#!/bin/sh',
    'psql "${DATABASE_URL:-postgres://app@pool.example.net:6543/app}" -f db/url.sql',
    'psql -h "${PGHOST:-pool.example.net}" -p "${PGPORT:-6543}" -f db/port.sql',
  ];
  const makefile = ['PGURL ?= postgres://app@pool.example.net:6543/app', 'load:', '\tpsql "$(PGURL)" -f sql/load.sql'];
  const withEnvFile = scratchRepository('psql-pooler-default-env', t).writeAll({
    ...APPLICATION,
    '.env.example': 'DATABASE_URL=postgres://app@localhost:5432/app\nPGPORT=5432\nPGURL=postgres://app@localhost:5432/app\n',
    'scripts/load.sh': script,
    Makefile: makefile,
  });
  for (const file of ['db/url.sql', 'db/port.sql', 'sql/load.sql']) assert.deepEqual(rules(withEnvFile, file), [], file);
  const withCi = scratchRepository('psql-pooler-default-ci', t).writeAll({
    ...APPLICATION,
    '.github/workflows/test.yml': ['on: push', 'jobs:', '  test:', '    runs-on: ubuntu-latest', '    env:', '      DATABASE_URL: postgres://postgres@localhost:5432/postgres', '    steps:', '      - run: ./scripts/load.sh && npm test'],
    'scripts/load.sh': script.slice(0, 2),
  });
  assert.deepEqual(rules(withCi, 'db/url.sql'), []);
  // A default only when set (`:+`) shows nothing of an unset variable.
  const alternate = scratchRepository('psql-pooler-alternate', t).writeAll({ ...APPLICATION, 'scripts/load.sh': ['#!/bin/sh', 'psql -h pool.example.net -p "${PGPORT:+6543}" -f db/alt.sql'] });
  assert.deepEqual(rules(alternate, 'db/alt.sql'), []);
});
