// A deploy script (`deploy/` or `deployment/` beside the project's folders) that applies a SQL file with psql runs it in
// psql's own session, as a `scripts/` one does; so does one that pipes the file through a text filter into psql
// (`sed '/^-- migrate:down/,$d' db/migrations/001.sql | psql -1 -f -`, `grep -v '^\\set' x.sql | psql`), also into a shell
// function of the script that runs psql with all its arguments. Through a transaction pooler's URL the file keeps its
// findings; a filter whose output goes elsewhere, and a file the filter only names as its pattern, run nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** A migration's up half that leaves a search path and a scratch table behind, then its down half. */
const UP_AND_DOWN = '-- migrate:up\nSET search_path TO shop, public;\nCREATE TEMP TABLE loaded_rows (id bigint);\n-- migrate:down\nDROP SCHEMA shop;\n';
const STATE_RULES = ['session-set', 'temp-table'];
/** An application's source beside the scripts: its project is no psql-only one (psqlOnlyProjects.ts). */
const APPLICATION = { 'api/server.ts': "import { Pool } from 'pg';\nexport const pool = new Pool();\n" };

const rules = (root: string, path: string): string[] => analyzeSql(UP_AND_DOWN, undefined, join(root, ...path.split('/'))).map((f) => f.rule).sort();

test('a deploy script that pipes a migration through sed into a psql function of its own runs it in psql\'s session', (t) => {
  const root = scratchRepository('psql-deploy-sed', t).writeAll({
    ...APPLICATION,
    'deploy/bootstrap.sh': [
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      'cd "$(dirname "$0")/.."',
      'as_owner() { docker exec -i "$CONTAINER" psql -h 127.0.0.1 -U shop_owner -d shop "$@"; }',
      "sed -n '/^-- migrate:up/,/^-- migrate:down/p' db/migrations/001_schema.sql | as_owner -v ON_ERROR_STOP=1 -1 -f - >/dev/null",
      "sed -e 's/:owner/shop_owner/g' db/migrations/002_grants.sql | psql \"$ADMIN_URL\" --single-transaction",
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'db/migrations/001_schema.sql'), []);
  assert.deepEqual(rules(root, 'db/migrations/002_grants.sql'), []);
  // A migration the script does not name keeps its findings.
  assert.deepEqual(rules(root, 'db/migrations/003_orders.sql'), STATE_RULES);
});

test('grep filters piped into psql from a deployment script, and cat from a deploy script, name their file; the pattern does not', (t) => {
  const root = scratchRepository('psql-deployment-grep', t).writeAll({
    ...APPLICATION,
    'deployment/install.sh': [
      '#!/bin/sh',
      "grep -v '^\\\\' sql/schema.sql | psql -d shop -v ON_ERROR_STOP=1",
      // The pattern names a file, not the input: grep reads the file after it.
      "grep -e 'sql/patterns.sql' sql/functions.sql | psql -d shop",
    ].join('\n'),
    'deploy/restore.sh': '#!/bin/sh\ncat sql/seed.sql | docker compose exec -T db psql -U shop\n',
  });
  assert.deepEqual(rules(root, 'sql/schema.sql'), []);
  assert.deepEqual(rules(root, 'sql/functions.sql'), []);
  assert.deepEqual(rules(root, 'sql/seed.sql'), []);
  assert.deepEqual(rules(root, 'sql/patterns.sql'), STATE_RULES);
});

test('a filter whose output does not reach psql runs nothing, and a filter through the transaction pooler keeps the findings', (t) => {
  const root = scratchRepository('psql-filter-other', t).writeAll({
    ...APPLICATION,
    'deploy/check.sh': [
      '#!/bin/sh',
      // Into a formatter, a file, and a count: no psql run.
      "sed 's/shop/app/' db/migrations/001_schema.sql | pg_format > /tmp/formatted.sql",
      "grep -c 'SET' db/migrations/002_grants.sql > /tmp/count",
      'psql "$URL" -c "select 1"',
      // Through Supabase's transaction port: every statement may land on another server connection.
      'POOLED="postgresql://app.ref:${PW}@aws-0-eu.pooler.supabase.com:6543/postgres"',
      "sed '/^-- migrate:down/,$d' db/migrations/003_orders.sql | psql \"$POOLED\" -f -",
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'db/migrations/001_schema.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'db/migrations/002_grants.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'db/migrations/003_orders.sql'), STATE_RULES);
});

test('a deploy script of another project folder (not an ancestor\'s) runs nothing for the file', (t) => {
  const root = scratchRepository('psql-deploy-elsewhere', t).writeAll({
    ...APPLICATION,
    'services/billing/deploy/apply.sh': "#!/bin/sh\nsed '/^-- migrate:down/,$d' db/migrations/001_schema.sql | psql -1 -f -\n",
  });
  assert.deepEqual(rules(root, 'db/migrations/001_schema.sql'), STATE_RULES);
});
