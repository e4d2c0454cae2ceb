// A Bun program that runs psql through Bun Shell (`import { $ } from 'bun'`, then `` await $`psql -f ${file}` ``) runs
// the file in psql's own session, as a shell script does (bunShellPsqlRuns.ts, asked by psqlRuns.ts). The file argument
// is read through the program's consts, imported consts, path joins and its own one-return functions; a part it cannot
// read stands for one path segment. A path with no literal folder, an untagged template, a pooler's port, or a project
// that is no Bun project keeps the findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** A script that leaves session state behind: a custom setting and a scratch table. */
const LEAVES_STATE = "SET app.batch = 'nightly';\nCREATE TEMP TABLE pending_rows (id bigint);\n";
const STATE_RULES = ['session-set', 'temp-table'];

const rules = (root: string, ...path: string[]): string[] => analyzeSql(LEAVES_STATE, undefined, join(root, ...path)).map((f) => f.rule).sort();

/** A Bun worker whose report step builds each report's SQL path from a folder const another module exports. */
const REPORT_WORKER = {
  'worker/package.json': '{ "name": "worker", "type": "module" }\n',
  'worker/bun.lock': '{}\n',
  'worker/config/folders.ts': "/** Where the image keeps the reports. */\nexport const REPORT_DIR = '/worker/reports'\n",
  'worker/steps/runReports.ts': [
    "import { $ } from 'bun'",
    "import { join } from 'path'",
    "import { REPORT_DIR } from '../config/folders'",
    '',
    'const reportFolder = (report: string) => join(REPORT_DIR, report)',
    'function reportStem(report: string) {',
    '  return join(reportFolder(report), report)',
    '}',
    '',
    'export async function runReport(report: string) {',
    '  const sqlFile = `${reportStem(report)}.sql`',
    '  await $`psql -X -q -f ${sqlFile}`',
    '}',
  ].join('\n'),
  // Folders two below the root, read one after another: the first one's programs end nothing.
  'worker/tasks/nightly/prepare.ts': "import { $ } from 'bun'\nawait $`psql -f ./scratch/prepare.sql`\n",
  'worker/tasks/weekly/cleanup.ts': "import { $ } from 'bun'\nawait $`psql -f ./scratch/cleanup.sql`\n",
  'worker/steps/seed.ts': [
    "import { $ as sh } from 'bun'",
    'await sh`psql -v ON_ERROR_STOP=1 -f ./seeds/base.sql`',
    "await Bun.$`psql --file=${join(import.meta.dir, 'sql', 'views.sql')}`",
  ].join('\n'),
};

test('a file a Bun Shell template runs with psql -f runs in psql\'s session: consts, imports, joins and the program\'s functions read', (t) => {
  const root = scratchRepository('bun-shell-psql', t).writeAll(REPORT_WORKER);
  assert.deepEqual(rules(root, 'worker', 'reports', 'daily', 'daily.sql'), []);
  assert.deepEqual(rules(root, 'worker', 'seeds', 'base.sql'), []);
  assert.deepEqual(rules(root, 'worker', 'steps', 'sql', 'views.sql'), []);
  assert.deepEqual(rules(root, 'worker', 'scratch', 'prepare.sql'), []);
  assert.deepEqual(rules(root, 'worker', 'scratch', 'cleanup.sql'), []);
  // A file the pattern does not reach: another folder, a part with a `/` in it, another file name.
  assert.deepEqual(rules(root, 'worker', 'queries', 'daily', 'daily.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'worker', 'reports', 'daily', 'extra', 'daily.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'worker', 'seeds', 'other.sql'), STATE_RULES);
});

test('an unknown folder, an untagged template, a pooler\'s port, a commented-out run or a project without Bun keeps the findings', (t) => {
  const root = scratchRepository('bun-shell-psql-kept', t).writeAll({
    'jobs/package.json': '{ "name": "jobs" }\n',
    'jobs/bunfig.toml': '\n',
    'jobs/run.ts': [
      "import { $ } from 'bun'",
      'export async function apply(dir: string) {',
      '  await $`psql -f ${dir}/schema.sql`',
      '  console.log(`psql -f ./notes/readme.sql`)',
      '  await $`psql -h db.internal -p 6543 -f ./pooled/load.sql`',
      '  // await $`psql -f ./extras/legacy.sql`',
      '}',
    ].join('\n'),
    'plain/package.json': '{ "name": "plain" }\n',
    'plain/run.ts': "import { $ } from 'bun'\nawait $`psql -f ./seeds/base.sql`\n",
  });
  assert.deepEqual(rules(root, 'jobs', 'db', 'schema.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'jobs', 'notes', 'readme.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'jobs', 'pooled', 'load.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'jobs', 'extras', 'legacy.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'plain', 'seeds', 'base.sql'), STATE_RULES);
});
