// The one reading of a Makefile's variables (makefiles.ts variableValues), of a shell script's assignments
// (shellAssignments.ts) and of a connection string (poolerEndpoints.ts connectionParts), which psqlConnections.ts,
// psqlRuns.ts and localTestDatabases.ts all ask.
import { test, before, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chainVariableValues, recipeChains, recipeTargetsAt, variableValues } from '../../../server/analysis/makefiles';
import { shellAssignments } from '../../../server/analysis/shellAssignments';
import { connectionParts, possibleEndpoints, showsTransactionPooler } from '../../../server/analysis/poolerEndpoints';
import { reachesOnlyThisMachine, serverParts, socketHost } from '../../../server/analysis/connectionHosts';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const makeValue = (lines: string[], name: string): string[] | undefined => variableValues(lines.join('\n')).get(name);

test('make: += appends with a space, ?= sets only an unset variable, != is a command output', () => {
  assert.deepEqual(makeValue(['FLAGS = -X', 'FLAGS += -q', 'FLAGS +=', 'FLAGS += --echo-errors'], 'FLAGS'), ['-X -q --echo-errors']);
  assert.deepEqual(makeValue(['FLAGS += -q'], 'FLAGS'), ['-q']);
  assert.deepEqual(makeValue(['PORT = 5433', 'PORT ?= 6543'], 'PORT'), ['5433']);
  assert.deepEqual(makeValue(['PORT ?= 6543', 'PORT ?= 5432'], 'PORT'), ['6543']);
  assert.deepEqual(makeValue(['REV != git rev-parse HEAD'], 'REV'), ['$(shell git rev-parse HEAD)']);
  assert.deepEqual(makeValue(['A := 1', 'A ::= 2', 'A :::= 3', 'export override A = 4'], 'A'), ['1', '2', '3', '4']);
});

test('make: a # starts a comment unless escaped or inside a variable reference', () => {
  assert.deepEqual(makeValue(['PGPORT = 6543   # Supavisor, transaction mode'], 'PGPORT'), ['6543']);
  assert.deepEqual(makeValue(['TAG = build\\#7 # the seventh'], 'TAG'), ['build#7']);
  assert.deepEqual(makeValue(["HASH := $(shell printf '#%s' x) # kept"], 'HASH'), ["$(shell printf '#%s' x)"]);
  assert.deepEqual(makeValue(['EMPTY = # nothing'], 'EMPTY'), ['']);
});

test('make: a recipe line that sets a shell variable is no make variable; a tab-led line outside a rule is', () => {
  const makefile = ['\tURL = postgres://before-any-rule/db', 'load:', '\tURL=postgres://app@pool.example.net:6543/app psql "$$URL" -f a.sql', '', '\t@echo done', 'OTHER = 1'];
  assert.deepEqual(makeValue(makefile, 'URL'), ['postgres://before-any-rule/db']);
  assert.deepEqual(makeValue(makefile, 'OTHER'), ['1']);
  // A conditional among the recipe lines does not end the recipe.
  assert.equal(makeValue(['load:', 'ifdef CI', '\tPORT = 6543', 'endif'], 'PORT'), undefined);
});

test('shell: NAME=value after any keyword or separator, the value one shell word whole', () => {
  const script = [
    'export DB_URL="postgres://app@pool.example.net:6543/app"',
    'local  SEED=db/seed.sql; declare -rx SEED="$ROOT"/db/seed.sql',
    'readonly DIR="$(cd "$(dirname "$0")/../sql" && pwd)"  # absolute',
    'typeset -x A=1 B=\'two words\' C=3',
    '[ -n "$CI" ] && SEED=ci/seed.sql || (SEED=other.sql)',
    'FILES=(a.sql "b c.sql")',
  ].join('\n');
  assert.deepEqual(shellAssignments(script, 'DB_URL'), ['"postgres://app@pool.example.net:6543/app"']);
  assert.deepEqual(shellAssignments(script, 'SEED'), ['db/seed.sql', '"$ROOT"/db/seed.sql', 'ci/seed.sql', 'other.sql']);
  assert.deepEqual(shellAssignments(script, 'DIR'), ['"$(cd "$(dirname "$0")/../sql" && pwd)"']);
  assert.deepEqual(shellAssignments(script, 'B'), ["'two words'"]);
  assert.deepEqual(shellAssignments(script, 'FILES'), ['(a.sql "b c.sql")']);
  // Not an assignment: part of another word, a comparison, a commented-out line.
  assert.deepEqual(shellAssignments('MY_SEED=x.sql\n[ "$SEED" == y ]\n# SEED=old.sql\necho hi # SEED=z.sql', 'SEED'), []);
});

test('connection strings: one reading of URLs and key/value strings', () => {
  assert.deepEqual(connectionParts('postgres://u:p@[::1]:6543/db?host=%2Frun%2Fpg&pgbouncer=true'), {
    form: 'url', host: '[::1]', port: '6543', endpoints: [{ host: '[::1]', port: '6543' }], parameters: new Map([['host', '/run/pg'], ['pgbouncer', 'true']]),
    database: 'db',
  });
  assert.deepEqual(connectionParts("host='pool.internal' PORT=6543 dbname=app"), {
    form: 'keywords', host: 'pool.internal', port: '6543', endpoints: [{ host: 'pool.internal', port: '6543' }], parameters: new Map(),
    database: 'app',
  });
  // The database: a URL's path percent-decoded, its `?dbname=` first; none when the URL names none.
  assert.equal(connectionParts('postgres://u@h:6432/pg%62ouncer')?.database, 'pgbouncer');
  assert.equal(connectionParts('postgres://u@h:6432/app?dbname=pgcat')?.database, 'pgcat');
  assert.equal(connectionParts('postgres://u@h:6432')?.database, undefined);
  assert.equal(connectionParts('postgres://u@h:6432/')?.database, undefined);
  // The servers a driver may reach: the authority's, and those a URL's `?host=`/`?port=` lists put before them.
  assert.deepEqual(possibleEndpoints(connectionParts('postgres://u@localhost:5432/app?host=pool.lan&port=6543')!), [{ host: 'localhost', port: '5432' }, { host: 'pool.lan', port: '6543' }]);
  assert.deepEqual(possibleEndpoints(connectionParts('postgres://u@a.lan,b.lan/app?port=5432,6432')!), [{ host: 'a.lan', port: undefined }, { host: 'b.lan', port: undefined }, { host: 'a.lan', port: '5432' }, { host: 'b.lan', port: '6432' }]);
  assert.deepEqual(possibleEndpoints(connectionParts('postgres://u@[::1]:5433/app')!), [{ host: '[::1]', port: '5433' }]);
  assert.equal(connectionParts('postgres://u@db:/app')?.port, undefined);
  assert.equal(connectionParts('mysql://u@db/app'), undefined);
  // A malformed escape in one pair leaves that pair out, not the others.
  assert.deepEqual([...connectionParts('postgresql://u@/db?host=%ZZ&port=5433')!.parameters], [['port', '5433']]);
  assert.deepEqual(serverParts('postgresql://u@localhost:6543/db'), [{ kind: 'other' }]);
  assert.deepEqual(serverParts('host=127.0.0.1 port=5432'), [{ kind: 'loopback' }]);
  assert.deepEqual(socketHost('postgresql://u@%2Frun%2Fpostgresql:5433/db'), { directory: '/run/postgresql', port: '5433' });
  // A port the text does not write out as a number is unknown, not PostgreSQL's default.
  assert.equal(socketHost('postgresql://u@%2Ftmp:$PGPORT/db'), undefined);
});

test('connection strings with several hosts: each host keeps its own port, and a pooler behind any of them counts', () => {
  assert.deepEqual(connectionParts('postgres://ops@primary.lan:5432,[fd00::7]:6543/main')?.endpoints, [
    { host: 'primary.lan', port: '5432' }, { host: '[fd00::7]', port: '6543' },
  ]);
  // libpq pairs key/value host and port lists by position; one port stands for every host.
  assert.deepEqual(connectionParts('host=a.lan,b.lan port=5432,6543 dbname=main')?.endpoints, [{ host: 'a.lan', port: '5432' }, { host: 'b.lan', port: '6543' }]);
  assert.deepEqual(connectionParts('host=a.lan,b.lan port=6432')?.endpoints, [{ host: 'a.lan', port: '6432' }, { host: 'b.lan', port: '6432' }]);
  for (const pooled of [
    'postgres://ops@primary.lan:5432,standby.lan:6543/main',
    'host=primary.lan,standby.lan port=5432,6543 dbname=main',
    'postgresql://ops@/main?host=a.lan,b.lan&port=5432,6543',
    'postgres://ops@db-a.lan,ep-quiet-sun-3-pooler.eu-west-2.aws.neon.tech/main',
  ]) assert.equal(showsTransactionPooler(pooled), true, pooled);
  for (const direct of ['postgres://ops@primary.lan:5432,standby.lan:5433/main', 'host=a.lan,b.lan port=5432']) {
    assert.equal(showsTransactionPooler(direct), false, direct);
  }
  // This machine only when every host is, and never with a pooler's port on any.
  assert.equal(reachesOnlyThisMachine('postgres://u@localhost:5432,127.0.0.1:5433/t'), true);
  assert.equal(reachesOnlyThisMachine('postgres://u@localhost:5432,localhost:6432/t'), false);
  assert.equal(reachesOnlyThisMachine('postgres://u@localhost:5432,db.example.net:5432/t'), false);
  assert.equal(reachesOnlyThisMachine('host=localhost,::1 port=5432,6543'), false);
  // A URL's query host is one more server (possibleEndpoints); a bare host is judged alone.
  assert.equal(reachesOnlyThisMachine('postgres://u@localhost/t?host=db.example.net'), false);
  assert.equal(reachesOnlyThisMachine('postgres://u@localhost/t?host=127.0.0.1&port=5433'), true);
  assert.equal(reachesOnlyThisMachine('[::1]'), true);
  assert.deepEqual(serverParts('postgres'), [{ kind: 'other' }]);
});

// Session 38 (fix45c): libpq keeps a repeated keyword's last value (a URL's query parameter and the key/value form
// alike), and so do node-postgres (pg-connection-string) and postgres.js for a URL's query.
test('a repeated connection parameter keeps its last value', () => {
  assert.equal(connectionParts('postgres://u@h.lan/app?host=a.lan&host=b.lan')?.parameters.get('host'), 'b.lan');
  assert.equal(connectionParts('postgres://u@h.lan/app?dbname=one&dbname=two')?.database, 'two');
  assert.deepEqual(connectionParts('host=a.lan port=5432 host=b.lan')?.endpoints, [{ host: 'b.lan', port: '5432' }]);
  assert.deepEqual(possibleEndpoints(connectionParts('postgres://u@h.lan:5432/app?port=6543&port=5433')!), [{ host: 'h.lan', port: '5432' }, { host: 'h.lan', port: '5433' }]);
  for (const pooled of ['postgres://u@h.lan/app?port=5432&port=6543', 'host=h.lan port=5432 port=6543', 'postgres://u@h.lan/app?pgbouncer=false&pgbouncer=true']) {
    assert.equal(showsTransactionPooler(pooled), true, pooled);
  }
  for (const direct of ['postgres://u@h.lan/app?port=6543&port=5432', 'host=h.lan port=6543 port=5432', 'postgres://u@h.lan/app?pgbouncer=true&pgbouncer=false']) {
    assert.equal(showsTransactionPooler(direct), false, direct);
  }
});

// Session 39 (fix47a): a key/value string is read as libpq tokenises it, so a keyword written inside a quoted value
// is part of that value, not a keyword of the string.
test("a key/value string's quoted value is one value: a keyword inside it is not the string's", () => {
  assert.deepEqual(connectionParts("host=db.lan port=6543 dbname=app application_name='seed port=5432'")?.endpoints, [{ host: 'db.lan', port: '6543' }]);
  assert.deepEqual(connectionParts("application_name='nightly port=6543' host=db.lan port=5432")?.endpoints, [{ host: 'db.lan', port: '5432' }]);
  // A quote escaped inside the value does not end it; a quoted value may hold blanks.
  assert.deepEqual(connectionParts(String.raw`host=db.lan port=6543 application_name='it\'s port=5432 now'`)?.endpoints, [{ host: 'db.lan', port: '6543' }]);
  assert.equal(connectionParts("host = 'db.lan' dbname = 'my app' port='6543'")?.database, 'my app');
  assert.equal(showsTransactionPooler("host=db.lan port=6543 application_name='seed port=5432'"), true);
  assert.equal(showsTransactionPooler("host=db.lan port=5432 application_name='seed port=6543'"), false);
});

/** A setup script that leaves session state behind. */
const LEAVES_STATE = 'SET search_path = billing, public;\nCREATE TEMP TABLE import_rows (id bigint);\n';
const STATE_RULES = ['session-set', 'temp-table'];
const APPLICATION = { 'app/main.py': 'import psycopg\n' };
const rules = (root: string, path: string): string[] => analyzeSql(LEAVES_STATE, undefined, join(root, ...path.split('/'))).map((f) => f.rule).sort();

// Session 36 (mend41a): a `define` block's body is the defined variable's value, never assignments of its own lines;
// a target's own assignment (`seed: PGPORT = 6543`) is one more value the variable may hold.
test('make: the lines of a define block are its value, not assignments', () => {
  const makefile = ['define HELP', 'PGPORT = 5432 when run locally', 'endef', 'PGPORT = 6543'];
  assert.deepEqual(makeValue(makefile, 'PGPORT'), ['6543']);
  assert.deepEqual(makeValue(makefile, 'HELP'), ['PGPORT = 5432 when run locally']);
  // A nested define, a define with an operator, and `export define` all end at their own endef.
  const nested = ['export define OUTER :=', 'define INNER', 'PGHOST = localhost', 'endef', 'endef', 'PGHOST = pool.example.net'];
  assert.deepEqual(makeValue(nested, 'PGHOST'), ['pool.example.net']);
  assert.equal(makeValue(nested, 'INNER'), undefined);
});

test('a define block that mentions another port leaves the Makefile\'s pooler port its one value: the psql run goes through the pooler', (t) => {
  const root = scratchRepository('assignments-make-define', t).writeAll({
    ...APPLICATION,
    Makefile: ['define HELP', 'PGPORT = 5432 when run locally', 'endef', 'PGPORT = 6543', 'seed:', '\tpsql -h pool.example.net -p $(PGPORT) -f sql/seed.sql'],
  });
  assert.deepEqual(rules(root, 'sql/seed.sql'), STATE_RULES);
});

test("make: a target's own assignment is one more value of the variable; a rule's prerequisites are none", () => {
  assert.deepEqual(makeValue(['PGPORT = 5432', 'seed: PGPORT = 6543', 'seed:', '\tpsql -p $(PGPORT) -f sql/seed.sql'], 'PGPORT'), ['5432', '6543']);
  assert.deepEqual(makeValue(['load reload: override PGPORT := 6543'], 'PGPORT'), ['6543']);
  assert.equal(makeValue(['seed: schema data', '\tpsql -f sql/seed.sql'], 'schema'), undefined);
});

// Session 37 (mend43a): a target's own assignment holds in that target's recipe only (and in its prerequisites',
// besides their own value), never in another target's.
const TWO_TARGETS = ['PGHOST = pool.example.net', 'PGPORT = 6543', '', 'check: PGPORT = 5432', '', 'load:', '\tpsql -h $(PGHOST) -p $(PGPORT) -f sql/load.sql', '', 'check:', '\tpsql -h localhost -p $(PGPORT) -f sql/check.sql'];

test("make: each recipe sees the global values, overridden by its own targets' assignments only", () => {
  const makefile = TWO_TARGETS.join('\n');
  const at = (command: string): string[] => recipeTargetsAt(makefile, makefile.indexOf(command));
  assert.deepEqual(at('psql -h $(PGHOST)'), ['load']);
  assert.deepEqual(at('psql -h localhost'), ['check']);
  assert.deepEqual(recipeTargetsAt(makefile, makefile.indexOf('PGPORT = 6543')), []);
  assert.deepEqual(chainVariableValues(makefile, ['load']).get('PGPORT'), ['6543']);
  assert.deepEqual(chainVariableValues(makefile, ['check']).get('PGPORT'), ['5432']);
  assert.deepEqual(chainVariableValues(makefile, ['check']).get('PGHOST'), ['pool.example.net']);
  // `+=` of a target appends to the global value; a recipe shared by two targets runs once for each, with its own value.
  const appended = ['OPTS = -X', 'quiet: OPTS += -q', 'quiet: PGPORT = 5432', 'loud: PGPORT = 6543', 'quiet loud:', '\tpsql -p $(PGPORT) $(OPTS)'].join('\n');
  assert.deepEqual(chainVariableValues(appended, ['quiet']).get('OPTS'), ['-X -q']);
  assert.deepEqual(chainVariableValues(appended, ['loud']).get('OPTS'), ['-X']);
  assert.deepEqual(chainVariableValues(appended, ['quiet']).get('PGPORT'), ['5432']);
  assert.deepEqual(chainVariableValues(appended, ['loud']).get('PGPORT'), ['6543']);
  assert.deepEqual(recipeChains(appended, ['quiet', 'loud']), [['quiet'], ['loud']]);
  // A target's value also holds in the recipes it needs (`make check` runs load's recipe on 5432): a run of its own.
  const needing = [...TWO_TARGETS, 'check: load'].join('\n');
  assert.deepEqual(recipeChains(needing, ['load']), [['load'], ['check', 'load']]);
  assert.deepEqual(chainVariableValues(needing, ['load']).get('PGPORT'), ['6543']);
  assert.deepEqual(chainVariableValues(needing, ['check', 'load']).get('PGPORT'), ['5432']);
  assert.deepEqual(chainVariableValues(needing, ['check']).get('PGPORT'), ['5432']);
});

// Session 38 (fix45c, review43b N2): GNU make gives a target's own variables to its prerequisites when they are built
// through it; built as goals of their own, they keep their values. Each way of running a recipe is one run, with one
// value per variable, so a pooler port seen by any run is a pooled psql run.
test('make: each way a recipe runs (asked for itself, or through each target that needs it) has its own values', () => {
  const makefile = [
    'PGPORT = 6543', 'all: deploy', 'deploy: migrate', 'deploy: PGPORT = 5433', 'migrate: seed', 'migrate: OPTS += -q',
    'seed:', '\tpsql -p $(PGPORT) $(OPTS) -f db/seed.sql', '.PHONY: seed migrate deploy all',
    'audit: private PGPORT = 5434', 'audit: seed',
  ].join('\n');
  assert.deepEqual(recipeChains(makefile, ['seed']), [['seed'], ['migrate', 'seed'], ['audit', 'seed'], ['deploy', 'migrate', 'seed'], ['all', 'deploy', 'migrate', 'seed']]);
  assert.deepEqual(chainVariableValues(makefile, ['seed']).get('PGPORT'), ['6543']);
  assert.deepEqual(chainVariableValues(makefile, ['all', 'deploy', 'migrate', 'seed']).get('PGPORT'), ['5433']);
  assert.deepEqual(chainVariableValues(makefile, ['deploy', 'migrate', 'seed']).get('OPTS'), ['-q']);
  // A prerequisite's own value wins over the one it inherits; a private one is not inherited.
  assert.deepEqual(chainVariableValues([makefile, 'seed: PGPORT = 5432'].join('\n'), ['deploy', 'migrate', 'seed']).get('PGPORT'), ['5432']);
  assert.deepEqual(chainVariableValues(makefile, ['audit', 'seed']).get('PGPORT'), ['6543']);
  assert.deepEqual(chainVariableValues(makefile, ['audit']).get('PGPORT'), ['5434']);
  // A line outside any recipe runs once, with the global values; a loop of prerequisites ends.
  assert.deepEqual(recipeChains(makefile, []), [[]]);
  assert.deepEqual(recipeChains(['a: b', 'b: a', 'a:', '\tpsql'].join('\n'), ['a']), [['a'], ['b', 'a']]);
});

test('make: the ways a recipe runs are capped, however many targets need it through however many others', () => {
  // Eight levels of twelve targets, each needing every target of the level below: 12^8 chains down to `seed`.
  const levels = Array.from({ length: 8 }, (_, level) => Array.from({ length: 12 }, (_, i) => `l${level}t${i}`));
  const rules = levels.flatMap((level, index) => level.map((target) => `${target}: ${index === 0 ? 'seed' : levels[index - 1].join(' ')}`));
  const started = process.hrtime.bigint();
  const chains = recipeChains([...rules, 'seed:', '\tpsql -f db/seed.sql'].join('\n'), ['seed']);
  assert.equal(chains.length, 32);
  assert.ok(process.hrtime.bigint() - started < 2_000_000_000n);
});

const SEED_THROUGH_TEST = ['PGHOST = db.internal.example.com', 'PGPORT = 6543', '', 'seed:', '\tpsql -h $(PGHOST) -p $(PGPORT) -f sql/seed.sql', '', 'test: PGPORT = 5432', 'test: seed', '\tnpm test'];

test("a prerequisite's pooler run stays pooled when a target that needs it sets another port: make seed still goes through the pooler", (t) => {
  const root = scratchRepository('assignments-make-prerequisite-pooler', t).writeAll({ ...APPLICATION, Makefile: SEED_THROUGH_TEST });
  assert.deepEqual(rules(root, 'sql/seed.sql'), STATE_RULES);
  // The other way round: only `make test` reaches the pooler, through seed with test's port.
  const through = scratchRepository('assignments-make-prerequisite-through', t).writeAll({
    ...APPLICATION, Makefile: SEED_THROUGH_TEST.map((line) => line.replace('6543', '5432').replace('test: PGPORT = 5432', 'test: PGPORT = 6543')),
  });
  assert.deepEqual(rules(through, 'sql/seed.sql'), STATE_RULES);
  // No run reaches the pooler: seed's own direct port wins over the one test would hand it, and a private one is not handed on.
  const own = scratchRepository('assignments-make-prerequisite-own', t).writeAll({
    ...APPLICATION, Makefile: [...SEED_THROUGH_TEST.map((line) => line.replace('6543', '5432').replace('test: PGPORT = 5432', 'test: PGPORT = 6543')), 'seed: PGPORT = 5433'],
  });
  assert.deepEqual(rules(own, 'sql/seed.sql'), []);
  const hidden = scratchRepository('assignments-make-prerequisite-private', t).writeAll({
    ...APPLICATION, Makefile: SEED_THROUGH_TEST.map((line) => line.replace('6543', '5432').replace('test: PGPORT = 5432', 'test: private PGPORT = 6543')),
  });
  assert.deepEqual(rules(hidden, 'sql/seed.sql'), []);
});

test("another target's own port leaves a recipe's pooler run through the pooler; the target's own port is its recipe's alone", (t) => {
  const root = scratchRepository('assignments-make-target-port', t).writeAll({ ...APPLICATION, Makefile: TWO_TARGETS });
  assert.deepEqual(rules(root, 'sql/load.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'sql/check.sql'), []);
  // The other way round: the pooler's port set by the target that runs through it.
  const own = scratchRepository('assignments-make-target-pooler', t).writeAll({
    ...APPLICATION,
    Makefile: ['PGPORT = 5432', 'load: PGPORT = 6543', 'load:', '\tpsql -h pool.example.net -p $(PGPORT) -f sql/load.sql', 'check:', '\tpsql -h pool.example.net -p $(PGPORT) -f sql/check.sql'],
  });
  assert.deepEqual(rules(own, 'sql/load.sql'), STATE_RULES);
  assert.deepEqual(rules(own, 'sql/check.sql'), []);
});

test('a Makefile port with a trailing comment, or a URL with appended psql options, still shows the pooler', (t) => {
  const root = scratchRepository('assignments-make-pooler', t).writeAll({
    ...APPLICATION,
    Makefile: [
      'PGPORT = 6543   # Supavisor, transaction mode',
      'POOL = postgres://app@pool.example.net:6543/app',
      'POOL += --set ON_ERROR_STOP=1',
      'seed:',
      '\tpsql -h pool.example.net -p $(PGPORT) -f sql/seed.sql',
      'schema:',
      '\tpsql $(POOL) -f sql/schema.sql',
    ],
  });
  assert.deepEqual(rules(root, 'sql/seed.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'sql/schema.sql'), STATE_RULES);
});

const shellRules = (t: TestContext, name: string, lines: string[], file: string): string[] =>
  rules(scratchRepository(name, t).writeAll({ ...APPLICATION, 'scripts/load.sh': ['#!/bin/sh', ...lines] }), file);

test('a shell script: a commented-out assignment of a pooler URL sets nothing, so the psql run stays a session of its own', (t) => {
  assert.deepEqual(shellRules(t, 'assignments-shell-comment', ['# URL=postgres://ops@pool.example.net:6543/main', 'psql "$URL" -f db/schema.sql'], 'db/schema.sql'), []);
});

test('a shell script: a .sql path assigned with a quoted variable part is a file psql runs', (t) => {
  assert.deepEqual(shellRules(t, 'assignments-shell-quoted', ['SEED="$DATA_ROOT"/db/load_accounts.sql', 'psql "$LOCAL_URL" -f "$SEED"'], 'db/load_accounts.sql'), []);
  assert.deepEqual(shellRules(t, 'assignments-shell-quoted-unset', ['psql "$LOCAL_URL" -f "$SEED"'], 'db/load_accounts.sql'), STATE_RULES);
});

test('a shell script: a folder variable whose line ends with a comment names the folder a loop hands psql', (t) => {
  const lines = ['PATCHES=$ROOT/db/patches   # applied in order', 'for f in "$PATCHES"/*.sql; do psql "$LOCAL_URL" -f "$f"; done'];
  assert.deepEqual(shellRules(t, 'assignments-shell-folder', lines, 'db/patches/001_accounts.sql'), []);
  // The same folder named by a variable the script never sets names no file.
  assert.deepEqual(shellRules(t, 'assignments-shell-unset', lines.slice(1), 'db/patches/001_accounts.sql'), STATE_RULES);
});

test('a psql run on a multi-host connection whose later host is a transaction pooler goes through the pooler', (t) => {
  const root = scratchRepository('psql-multi-host-pooler', t).writeAll({
    ...APPLICATION,
    'scripts/deploy.sh': [
      '#!/bin/sh',
      'PG="postgresql://ops@primary.lan:5432,standby.lan:6543/main"',
      'psql "$PG" -f sql/multi_url.sql',
      'psql -h primary.lan,standby.lan -p 5432,6543 -d main -f sql/multi_flags.sql',
      'psql "postgresql://ops@primary.lan:5432,standby.lan:5433/main" -f sql/multi_direct.sql',
    ].join('\n'),
  });
  assert.deepEqual(rules(root, 'sql/multi_url.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'sql/multi_flags.sql'), STATE_RULES);
  assert.deepEqual(rules(root, 'sql/multi_direct.sql'), []);
});
