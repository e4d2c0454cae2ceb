// A Makefile's own variables (makefiles.ts): a recipe that runs psql through one (`$(DB_CLIENT) -f …`) runs its file in
// psql's session (psqlRuns.ts), and the files a PGXS Makefile pastes with `cat` into the script its module installs are
// that script's sources, loaded in the installer's session (ownSession.ts isExtensionScript). Other variables, other
// Makefiles and other targets keep their files' findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** A script that leaves session state behind: a custom setting, a scratch table. */
const LEAVES_STATE = "SET app.tenant = 'north';\nCREATE TEMP TABLE pending_rows (id bigint);\n";
const STATE_RULES = ['session-set', 'temp-table'];

/** An application beside the scripts: the repository is no psql-only project (psqlOnlyProjects.ts). */
const APPLICATION = { 'service/app.rb': "require 'pg'\n" };

const rules = (root: string, ...path: string[]): string[] => analyzeSql(LEAVES_STATE, undefined, join(root, ...path)).map((f) => f.rule).sort();

test('a Makefile recipe that runs psql through a variable of its own runs the file in psql\'s session', (t) => {
  const root = scratchRepository('make-psql-variable', t).writeAll({
    ...APPLICATION,
    Makefile: [
      'DB_CLIENT := /opt/pg/bin/psql -X -v ON_ERROR_STOP=1',
      'LOADER ?= psql --quiet # overridable',
      '# set from another such variable, and in braces',
      'QUIET_CLIENT = $(LOADER) -o /dev/null',
      '',
      'setup:',
      '\t$(DB_CLIENT) -d scratch -f db/setup/base.sql',
      '\t${LOADER} -d scratch --file=db/extra/load.sql',
      '\t$(QUIET_CLIENT) -d scratch -f db/quiet/load.sql',
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'db', 'setup', 'base.sql'), []);
  assert.deepEqual(rules(root, 'db', 'extra', 'load.sql'), []);
  assert.deepEqual(rules(root, 'db', 'quiet', 'load.sql'), []);
  // A file the recipes do not run keeps its findings (outside their folder, whose other scripts are run the same way: scriptFolder.ts).
  assert.deepEqual(rules(root, 'db', 'queries', 'report.sql'), STATE_RULES);
});

test('a Makefile variable that is no psql command, or that the Makefile does not set, runs nothing with psql', (t) => {
  const root = scratchRepository('make-other-variable', t).writeAll({
    ...APPLICATION,
    Makefile: [
      'FORMAT = pg_format --inplace',
      'SAY = echo psql',
      'check:',
      '\t$(FORMAT) -f db/queries/format.sql',
      '\t$(SAY) -f db/queries/echoed.sql',
      '\t$(CLIENT) -f db/queries/unknown.sql',
    ].join('\n'),
  });
  for (const name of ['format.sql', 'echoed.sql', 'unknown.sql']) assert.deepEqual(rules(root, 'db', 'queries', name), STATE_RULES, name);
});

test('the files a PGXS Makefile pastes with cat into the script its module installs are that script\'s sources', (t) => {
  const root = scratchRepository('pgxs-sources', t).writeAll({
    ...APPLICATION,
    'contrib/geohex/Makefile': [
      'DATA_built = geohex.sql',
      'ifeq ($(OLD),yes)',
      'PARTS = parts/types.sql parts/compat.sql',
      'else',
      'PARTS = parts/types.sql',
      'endif',
      'PG_CONFIG = pg_config',
      'PGXS := $(shell $(PG_CONFIG) --pgxs)',
      'include $(PGXS)',
      '',
      'geohex.sql.in: $(PARTS)',
      '\tcat $(PARTS) > $@',
    ].join('\n'),
    'ext/tilebox/Makefile': [
      'EXTENSION = tilebox',
      'EXTVERSION = 0.3',
      'DATA = $(EXTENSION)--$(EXTVERSION).sql',
      'include $(shell pg_config --pgxs)',
      '',
      '$(EXTENSION)--$(EXTVERSION).sql: $(wildcard src/*.sql)',
      '\t@cat $^ > "$@"',
      '',
      'docs/everything.sql: src/notes.sql',
      '\tcat src/notes.sql > $@',
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'contrib', 'geohex', 'parts', 'types.sql'), []);
  assert.deepEqual(rules(root, 'contrib', 'geohex', 'parts', 'compat.sql'), []);
  assert.deepEqual(rules(root, 'ext', 'tilebox', 'src', 'tiles.sql'), []);
  // A file no recipe pastes into an installed script keeps its findings.
  assert.deepEqual(rules(root, 'contrib', 'geohex', 'parts', 'unused.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'ext', 'tilebox', 'notes', 'draft.sql'), STATE_RULES);
});

test('a PGXS Makefile\'s $(shell ls <glob>) list names the files the glob matches, ls\'s options left out', (t) => {
  const root = scratchRepository('pgxs-shell-ls', t).writeAll({
    ...APPLICATION,
    'contrib/ledger/Makefile': [
      'DATA_built = ledger.sql',
      'PIECES = $(shell ls -1 pieces/*.sql)',
      'include $(PGXS)',
      'ledger.sql: $(PIECES)',
      '\tcat $(PIECES) > $@',
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'contrib', 'ledger', 'pieces', 'entries.sql'), []);
  // Outside the listed folder a file keeps its findings.
  assert.deepEqual(rules(root, 'contrib', 'ledger', 'drafts', 'entries.sql'), STATE_RULES);
});

test('cat into a file of a Makefile that builds no PGXS module, or into a target it does not install, makes no extension source', (t) => {
  const root = scratchRepository('pgxs-not-installed', t).writeAll({
    ...APPLICATION,
    // No `include $(PGXS)`: a Makefile that bundles SQL for the application.
    'bundle/Makefile': 'DATA_built = bundle.sql\nPARTS = parts/one.sql\nbundle.sql: $(PARTS)\n\tcat $(PARTS) > $@\n',
    // A PGXS Makefile whose `cat` writes a report, no installed script.
    'module/Makefile': 'DATA = module.sql\ninclude $(PGXS)\nreport.sql: parts/stats.sql\n\tcat parts/stats.sql > $@\n',
  });
  assert.deepEqual(rules(root, 'bundle', 'parts', 'one.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'module', 'parts', 'stats.sql'), STATE_RULES);
});
