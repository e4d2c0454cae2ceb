// Another tool's command language written in `.sql` files: a sharding router's console (`CREATE DISTRIBUTION ds1 …`,
// `CREATE KEY RANGE …`, `SHOW key_ranges(…)`) or any server a regression suite runs its scripts against. A syntax error is
// reported only for text that is surely PostgreSQL: DDL of an object kind PostgreSQL has not is another tool's, and a
// statement a regression test's expected output echoes was answered by the server it ran on.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseSync } from 'libpg-query';
import { analyze, analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { POSTGRES_OBJECT_KIND_WORDS } from '../../../server/analysis/statementStart';
import { IncrementalSqlDocument } from '../../../server/incrementalSql';
import { scratchRepository } from '../../helpers/scratch';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** Each finding as `rule line` (1-based line of its start). */
const rulesOf = (text: string, path?: string): string[] => analyzeSql(text, undefined, path).map((f) => ruleLine(text, f));

const ROUTER_SETUP = [
  'DROP DISTRIBUTION ALL CASCADE;',
  'DROP KEY RANGE ALL;',
  'CREATE DISTRIBUTION ds1 COLUMN TYPES integer;',
  'CREATE KEY RANGE krid1 FROM 1 ROUTE TO sh1 FOR DISTRIBUTION ds1;',
  'create key range from 100 route to sh2 for distribution ds1;',
  'ALTER DISTRIBUTION ds1 ATTACH RELATION orders DISTRIBUTION KEY customer_id;',
  "ALTER DISTRIBUTION 'REPLICATED' ALTER RELATION countries SCHEMA app;",
  'CREATE REFERENCE RELATION countries;',
  'CREATE DISTRIBUTED RELATION items (id) IN ds1;',
  'CREATE SHARD sh3 WITH HOSTS localhost:6432;',
  '/* the router names its own objects */ DROP SHARD sh3;',
].join('\n') + '\n';

test("DDL of object kinds PostgreSQL has not (a sharding router's CREATE DISTRIBUTION, KEY RANGE, REFERENCE RELATION, SHARD) gets no syntax error", () => {
  assert.deepEqual(rulesOf(ROUTER_SETUP, 'examples/init.sql'), []);
  assert.deepEqual(rulesOf(ROUTER_SETUP), []);
  // Other engines' kinds read the same way: ClickHouse's dictionaries, a streaming engine's sources and sinks.
  const engines = "CREATE DICTIONARY rates (id Int32) PRIMARY KEY id SOURCE(CLICKHOUSE(TABLE 'r')) LAYOUT(FLAT()) LIFETIME(300);\nCREATE SOURCE orders FROM KAFKA BROKER 'k:9092' TOPIC 'orders';\nCREATE SINK totals FROM order_totals INTO KAFKA BROKER 'k:9092' TOPIC 't';\n";
  assert.deepEqual(rulesOf(engines, 'db/streams.sql'), []);
});

test("another tool's DDL does not make its file another engine's: PostgreSQL statements beside it keep their findings", () => {
  const mixed = `${ROUTER_SETUP}SET search_path TO app;\nCREATE TABLE t (a int,, b int);\n`;
  assert.deepEqual(rulesOf(mixed, 'db/setup.sql'), ['session-set 12', 'syntax-error 13']);
});

test("a query an application sends to the router's console in its own words gets no syntax error", () => {
  const source = "import { Client } from 'pg';\nexport async function setUp(console: Client): Promise<void> {\n  await console.query('CREATE KEY RANGE krid1 FROM 1 ROUTE TO sh1 FOR DISTRIBUTION ds1');\n  await console.query('CREATE TABLE t (a int,, b int)');\n}\n";
  assert.deepEqual(analyze(source, 'typescript', undefined, 'src/router.ts').map((f) => f.rule), ['syntax-error']);
});

test('a mistake in DDL of a kind PostgreSQL has, or a near miss of one (a typo), keeps its syntax error', () => {
  for (const statement of [
    'CREATE TABLE t (a int,, b int);', // a known kind, broken later
    'CREATE TABEL t (a int);', 'CREATE TALBE t (a int);', 'ALTER TABL t ADD COLUMN b int;', 'DROP INDX i;', 'CREATE FUNCTON f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;', // near misses
    'CREATE TEMP TABEL t (a int);', // the parser stops after the kind's first word: not at the word after CREATE
    'DROP IF EXISTS t;', // the kind forgotten before IF EXISTS
    'DROP users;', 'CREATE users (id int);', // the kind forgotten, with nothing named after the word
    'DROP COLUMN legacy_id;', 'ALTER COLUMN price TYPE numeric;', // an ALTER TABLE action without its ALTER TABLE line
    'CREAT TABLE t (a int);', // no CREATE at all
  ]) {
    assert.deepEqual(rulesOf(`${statement}\n`, 'db/schema.sql'), ['syntax-error 1'], statement);
  }
});

test("a kind forgotten before a name and an action (ALTER accounts ADD …) or shortened (CREATE TBL) reads as another tool's command: PoolSafe is not a SQL compiler", () => {
  assert.deepEqual(rulesOf('ALTER accounts ADD COLUMN age int;\n', 'db/schema.sql'), []);
  assert.deepEqual(rulesOf('CREATE TBL accounts (id int);\n', 'db/schema.sql'), []); // shortened: no near miss of TABLE
  // A name within one letter of a kind reads as a typo of it (`users` of USER): reported.
  assert.deepEqual(rulesOf('ALTER users ADD COLUMN age int;\n', 'db/schema.sql'), ['syntax-error 1']);
});

test("every word listed as one of PostgreSQL's object kinds is one its parser reads past after CREATE, ALTER or DROP", () => {
  for (const word of POSTGRES_OBJECT_KIND_WORDS) {
    const readPast = ['create', 'alter', 'drop'].some((verb) => {
      try {
        parseSync(`${verb} ${word} x`);
        return true;
      } catch (error) {
        return ((error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition ?? 0) > verb.length + 1;
      }
    });
    assert.ok(readPast, word);
  }
});

const CONSOLE_SCRIPT = [
  '\\c spqr-console',
  'SHOW key_ranges(key_range_id, shard_id);',
  'SET __spqr__commit_strategy TO 1pc;',
  'LOCK KEY RANGE krid1;',
  'SHOW clients (client_id, user);',
  '\\c regress',
  'SELECT * FROM x WHERE id = 1 bogus;',
].join('\n') + '\n';
const CONSOLE_OUTPUT = [
  '\\c spqr-console',
  'SHOW key_ranges(key_range_id, shard_id);',
  ' key_range_id | shard_id ',
  '--------------+----------',
  ' krid1        | sh1',
  '(1 row)',
  '',
  'SET __spqr__commit_strategy TO 1pc;',
  'LOCK KEY RANGE krid1;',
  ' lock key range ',
  '----------------',
  ' key range id -> krid1',
  '(1 row)',
  '',
  // Only a longer statement that opens like one of the script's is echoed: not the script's own.
  "SHOW clients (client_id, user) WHERE server_id = 'sh1';",
  '(0 rows)',
  '',
  '\\c regress',
  'SELECT * FROM x WHERE id = 1 bogus;',
  'ERROR:  syntax error',
  'LINE 1: SELECT * FROM x WHERE id = 1 bogus;',
  '',
].join('\n');

test("a regression script's statement its expected output echoes (the server answered it, or the test records its failure) gets no syntax error", (t) => {
  const root = scratchRepository('answered-statements', t).writeAll({ 'console/expected/key_ranges.out': CONSOLE_OUTPUT, 'console/expected/other.out': 'SELECT 1;\n' });
  const script = join(root, 'console', 'sql', 'key_ranges.sql');
  // Every statement the output echoes is left alone, the one it answers with another server's `ERROR:  syntax error` too;
  // the statement only a longer echoed one opens with keeps its error.
  assert.deepEqual(rulesOf(CONSOLE_SCRIPT, script), ['syntax-error 5']);
  // The editor's incremental analysis agrees.
  assert.deepEqual(new IncrementalSqlDocument(script).analyze(CONSOLE_SCRIPT).map((f) => f.rule), ['syntax-error']);
  // A mistake the output does not echo is still reported; so is the same script beside an output that echoes none of it.
  assert.deepEqual(rulesOf(`${CONSOLE_SCRIPT}SELECT id, FROM t;\n`, script), ['syntax-error 5', 'syntax-error 8']);
  assert.deepEqual(rulesOf(CONSOLE_SCRIPT, join(root, 'console', 'sql', 'other.sql')).map((f) => f.split(' ')[0]), Array(5).fill('syntax-error'));
});
