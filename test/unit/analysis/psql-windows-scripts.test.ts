// Windows setup scripts that run `.sql` files with psql, read as their shell twins are (windowsScripts.ts): a batch
// file's `%name%` variables, `%~dp0` folder, `for %%f in (…)` loops, `copy /b`/`type` concatenations and psql named in
// any case; a PowerShell script's `$PSScriptRoot`, `foreach`/`ForEach-Object` over Get-ChildItem and `$env:` variables.
// Such a file runs in psql's own session, unless the script shows psql connecting through a transaction pooler.
// Comment lines, other database clients and plain copies run nothing with psql.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** A setup script that leaves session state behind: a search path and a scratch table. */
const LEAVES_STATE = 'SET search_path = survey, public;\nCREATE TEMP TABLE parcel_points (id bigint);\n';
const STATE_RULES = ['session-set', 'temp-table'];
/** An application's source beside the scripts: its project is no psql-only one (psqlOnlyProjects.ts). */
const APPLICATION = { 'app/server.py': 'import psycopg\n' };

const rules = (root: string, path: string): string[] => analyzeSql(LEAVES_STATE, undefined, join(root, ...path.split('/'))).map((f) => f.rule).sort();
/** A batch file's lines, with Windows line ends. */
const batch = (...lines: string[]): string => `${lines.join('\r\n')}\r\n`;

test('a batch file runs psql on a path through its own variable, from its own folder (%~dp0), or through a variable holding psql.exe', (t) => {
  const root = scratchRepository('psql-batch-variables', t).writeAll({
    ...APPLICATION,
    'scripts/build_db.bat': batch(
      '@echo off',
      'setlocal',
      'set sql_dir=..\\database',
      'set /p host="Server: "',
      'psql -h %host% -U %USERNAME% -d inventory --single-transaction --file=%sql_dir%\\core_tables.sql',
      'if %errorlevel% NEQ 0 goto :fail',
      'PSQL.EXE -h %host% -d inventory -f "%~dp0reference_rows.sql"',
    ),
    'tools/grants.cmd': batch(
      'set "PG=C:\\Program Files\\PostgreSQL\\16\\bin\\psql.exe"',
      '"%PG%" -d inventory -f ..\\database\\grants.sql',
    ),
  });
  assert.deepEqual(rules(root, 'database/core_tables.sql'), []);
  assert.deepEqual(rules(root, 'scripts/reference_rows.sql'), []);
  assert.deepEqual(rules(root, 'database/grants.sql'), []);
  // A file no script names keeps its findings.
  assert.deepEqual(rules(root, 'database/reports.sql'), STATE_RULES);
});

test('a batch for loop hands psql each file of its list; copy /b and type join files into the one psql runs', (t) => {
  const root = scratchRepository('psql-batch-loops', t).writeAll({
    ...APPLICATION,
    'scripts/load_all.bat': batch(
      'FOR %%S IN (db\\views\\*.sql) DO (',
      '  echo Loading %%~nxS',
      '  psql -d warehouse -v ON_ERROR_STOP=1 -f "%%S"',
      ')',
      'for /r db\\seed %%x in (*.sql) do psql -d warehouse -f %%x',
    ),
    'scripts/bundle.cmd': batch(
      'copy /b db\\parts\\head.sql + db\\parts\\body.sql out\\bundle.sql',
      'type db\\extra\\tail.sql >> out\\bundle.sql',
      'psql -d warehouse -1 -f out\\bundle.sql',
    ),
  });
  assert.deepEqual(rules(root, 'db/views/stock_levels.sql'), []);
  assert.deepEqual(rules(root, 'db/seed/nested/regions.sql'), []);
  assert.deepEqual(rules(root, 'db/parts/head.sql'), []);
  assert.deepEqual(rules(root, 'db/parts/body.sql'), []);
  assert.deepEqual(rules(root, 'db/extra/tail.sql'), []);
  assert.deepEqual(rules(root, 'db/queries/report.sql'), STATE_RULES);
});

test('a PowerShell script runs psql on files below $PSScriptRoot, from foreach and ForEach-Object over Get-ChildItem', (t) => {
  const root = scratchRepository('psql-powershell-loops', t).writeAll({
    ...APPLICATION,
    'scripts/setup.ps1': [
      '$env:PGPASSWORD = "dev"',
      '$schema = Join-Path $PSScriptRoot "..\\sql\\schema.sql"',
      '& psql -d $env:APP_DB -f $schema',
      'foreach ($Script in Get-ChildItem -Path "$PSScriptRoot\\..\\sql\\functions" -Filter *.sql) {',
      '  & psql.exe -d $env:APP_DB -f $Script.FullName',
      '}',
      'Get-ChildItem .\\sql\\seed\\*.sql | Sort-Object Name | ForEach-Object { psql -d $env:APP_DB -f $_.FullName }',
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'sql/schema.sql'), []);
  assert.deepEqual(rules(root, 'sql/functions/totals.sql'), []);
  assert.deepEqual(rules(root, 'sql/seed/demo.sql'), []);
  assert.deepEqual(rules(root, 'sql/queries/report.sql'), STATE_RULES);
});

test('a batch or PowerShell script whose psql connects through a transaction pooler leaves its files their findings', (t) => {
  const root = scratchRepository('psql-windows-pooler', t).writeAll({
    ...APPLICATION,
    'scripts/deploy.bat': batch(
      'set DB_URL=postgresql://app.ref:%DB_PASSWORD%@aws-0-eu-west-1.pooler.supabase.com:6543/postgres',
      'psql "%db_url%" -f sql\\deploy.sql',
      // Set twice (a pooler, then a local server): which one runs is not shown, the file is psql's own session.
      'set TARGET=postgresql://app@pool.example.com:6543/app',
      'if "%1"=="local" set TARGET=postgresql://app@localhost/app',
      'psql "%TARGET%" -f sql\\either.sql',
    ),
    'scripts/deploy.ps1': '$Url = "postgres://app@ep-calm-lake-7-pooler.eu-central-1.aws.neon.tech/app"\npsql $Url -f sql\\neon.sql\n',
  });
  assert.deepEqual(rules(root, 'sql/deploy.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'sql/neon.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'sql/either.sql'), []);
});

test('psql in a batch comment, another client on .sql files, and a plain copy run nothing with psql', (t) => {
  const root = scratchRepository('psql-batch-negatives', t).writeAll({
    ...APPLICATION,
    'scripts/notes.bat': batch(
      '@echo off',
      'REM psql -d app -f sql\\old_setup.sql',
      ':: for %%f in (sql\\legacy\\*.sql) do psql -f %%f',
      'rem',
      'mysql -u root shop < sql\\shop_schema.sql',
      'for %%f in (sql\\shopdb\\*.sql) do mysql -u root shop < %%f',
      'copy sql\\staging\\load.sql backup\\load.sql',
      'psql -d app -f backup\\other.sql',
    ),
  });
  for (const file of ['sql/old_setup.sql', 'sql/legacy/a.sql', 'sql/shop_schema.sql', 'sql/shopdb/orders.sql', 'sql/staging/load.sql']) {
    assert.deepEqual(rules(root, file), STATE_RULES, file);
  }
  // The file psql does run, for contrast.
  assert.deepEqual(rules(root, 'backup/other.sql'), []);
});

test('a PowerShell block comment <# … #> runs nothing, however many there are; the script between and after them still runs psql', (t) => {
  const root = scratchRepository('psql-powershell-block-comments', t).writeAll({
    ...APPLICATION,
    'scripts/load.ps1': [
      '<# Usage:',
      '   psql -d app -f sql\\described.sql',
      '#>',
      'psql -d app -f sql\\between.sql <# psql -d app -f sql\\inline.sql #>',
      '<#> psql -d app -f sql\\odd_marks.sql #>',
      'psql -d app -f sql\\after.sql',
    ].join('\n'),
  });
  for (const file of ['sql/described.sql', 'sql/inline.sql', 'sql/odd_marks.sql']) assert.deepEqual(rules(root, file), STATE_RULES, file);
  assert.deepEqual(rules(root, 'sql/between.sql'), []);
  assert.deepEqual(rules(root, 'sql/after.sql'), []);
});
