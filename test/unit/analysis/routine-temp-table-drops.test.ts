// A call of a project routine that leaves a temporary table is the caller's finding, unless the calling body drops that
// table by name right after the call, in the same straight run of statements (routineTempTables.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** A routine `fill_scratch(n)` that leaves the temporary table(s) its body creates. */
const FILLER = `CREATE FUNCTION fill_scratch(n int) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  CREATE TEMPORARY TABLE IF NOT EXISTS scratch_rows (id int);
  INSERT INTO scratch_rows SELECT generate_series(1, n);
END $f$;
`;
const TWO_TABLES = FILLER.replace('INSERT INTO', "EXECUTE 'CREATE TEMP TABLE scratch_log (line text)';\n  INSERT INTO");
const NAMED_BY_VARIABLE = FILLER.replace('CREATE TEMPORARY TABLE IF NOT EXISTS scratch_rows (id int);', "EXECUTE format('CREATE TEMP TABLE %I (id int)', 'scratch_' || n);");

/** A caller whose body holds the statements from line 3 on. */
const caller = (statements: string): string => `CREATE FUNCTION summarize(n int) RETURNS bigint LANGUAGE plpgsql AS $c$
DECLARE total bigint;
BEGIN
  ${statements}
  RETURN total;
END $c$;
`;

const callRules = (definitions: string, sql: string): string[] =>
  analyzeSql(sql, { stateFunctions: stateFunctionIndex([{ path: '/db/routines.sql', text: definitions }]) }).map((f) => ruleLine(sql, f));

test('a call followed in the same run of statements by a DROP of the table it leaves carries nothing', () => {
  assert.deepEqual(callRules(FILLER, caller('PERFORM fill_scratch(n);\n  SELECT count(*) INTO total FROM scratch_rows;\n  DROP TABLE scratch_rows;')), []);
  assert.deepEqual(callRules(FILLER, caller('BEGIN\n    PERFORM fill_scratch(n);\n    DROP TABLE IF EXISTS pg_temp.Scratch_Rows;\n  EXCEPTION WHEN others THEN\n    RAISE NOTICE \'failed\';\n  END;')), []);
  const both = caller('PERFORM fill_scratch(n);\n  DROP TABLE scratch_log;\n  RAISE NOTICE \'logged\';\n  DROP TABLE scratch_rows, other_table;');
  assert.deepEqual(callRules(TWO_TABLES, both), []);
});

test('a call whose table is not dropped on every path, not all of whose tables are dropped, or whose table a variable names keeps its finding', () => {
  assert.deepEqual(callRules(FILLER, caller('PERFORM fill_scratch(n);')), ['temp-table 4']);
  assert.deepEqual(callRules(FILLER, caller('PERFORM fill_scratch(n);\n  IF n > 10 THEN\n    DROP TABLE scratch_rows;\n  END IF;')), ['temp-table 4']);
  assert.deepEqual(callRules(FILLER, caller('PERFORM fill_scratch(n);\n  IF n = 0 THEN RETURN 0; END IF;\n  DROP TABLE scratch_rows;')), ['temp-table 4']);
  assert.deepEqual(callRules(FILLER, caller('DROP TABLE IF EXISTS scratch_rows;\n  PERFORM fill_scratch(n);')), ['temp-table 5']);
  assert.deepEqual(callRules(FILLER, caller("PERFORM fill_scratch(n);\n  DROP TABLE other_rows;\n  RAISE NOTICE 'DROP TABLE scratch_rows';")), ['temp-table 4']);
  assert.deepEqual(callRules(TWO_TABLES, caller('PERFORM fill_scratch(n);\n  DROP TABLE scratch_rows;')), ['temp-table 4']);
  assert.deepEqual(callRules(NAMED_BY_VARIABLE, caller('PERFORM fill_scratch(n);\n  DROP TABLE scratch_1;')), ['temp-table 4']);
});

// Whether the drop follows the call is the body's control flow (bodyFlow.surelyPassesOneOf), as for a body's own temp
// tables and dblink connections: a complete IF between them is passed through, and drops in each arm of an IF/ELSE count.
test('a drop the run surely reaches after the call pairs with it: past a complete IF, IF EXISTS drops in a row, a drop in each arm, an EXECUTEd drop', () => {
  const checked = 'PERFORM fill_scratch(n);\n  SELECT count(*) INTO total FROM scratch_rows;\n  IF total > 0 THEN\n    INSERT INTO scratch_log(total) VALUES (total);\n  END IF;\n  DROP TABLE scratch_rows;';
  assert.deepEqual(callRules(FILLER, caller(checked)), []);
  assert.deepEqual(callRules(TWO_TABLES, caller('PERFORM fill_scratch(n);\n  DROP TABLE IF EXISTS scratch_rows;\n  DROP TABLE IF EXISTS scratch_log;')), []);
  const eachArm = 'PERFORM fill_scratch(n);\n  IF n > 10 THEN\n    DROP TABLE scratch_rows;\n  ELSE\n    total := 0;\n    DROP TABLE scratch_rows;\n  END IF;';
  assert.deepEqual(callRules(FILLER, caller(eachArm)), []);
  assert.deepEqual(callRules(FILLER, caller("PERFORM fill_scratch(n);\n  EXECUTE 'DROP TABLE scratch_rows';")), []);
});

test('a drop of another schema\'s table of that name, or one only some arms reach, does not drop the temporary table', () => {
  assert.deepEqual(callRules(FILLER, caller('PERFORM fill_scratch(n);\n  DROP TABLE IF EXISTS archive.scratch_rows;')), ['temp-table 4']);
  assert.deepEqual(callRules(FILLER, caller("PERFORM fill_scratch(n);\n  EXECUTE 'DROP TABLE archive.scratch_rows';")), ['temp-table 4']);
  assert.deepEqual(callRules(FILLER, caller("PERFORM fill_scratch(n);\n  EXECUTE 'DROP TABLE \"Archive\".scratch_rows';")), ['temp-table 4']);
  assert.deepEqual(callRules(FILLER, caller("PERFORM fill_scratch(n);\n  EXECUTE 'DROP TABLE pg_temp.scratch_rows';")), []);
  assert.deepEqual(callRules(FILLER, caller('PERFORM fill_scratch(n);\n  IF n > 10 THEN\n    DROP TABLE scratch_rows;\n  ELSIF n > 5 THEN\n    DROP TABLE scratch_rows;\n  END IF;')), ['temp-table 4']);
  assert.deepEqual(callRules(FILLER, caller('PERFORM fill_scratch(n);\n  FOR i IN 1..n LOOP\n    DROP TABLE IF EXISTS scratch_rows;\n  END LOOP;')), ['temp-table 4']);
});

// A long generated job calls the routine once per round: the calling body is read once for all its calls (its code, flow
// and drops), not once per call, which made such a body's lint quadratic (2000 rounds: half a minute).
test('a long body with a call per round is read in about linear time', () => {
  const rounds = Array.from({ length: 2000 }, (_, i) => [
    `PERFORM fill_scratch(${i});`,
    `UPDATE totals SET n = n + (SELECT count(*) FROM scratch_rows) WHERE id = ${i};`,
    `EXECUTE format('DELETE FROM log_%s WHERE id = %s', ${i}, ${i});`,
  ].join('\n  '));
  // Processor time, not wall time: other work on a loaded machine does not count.
  const started = process.cpuUsage();
  const findings = callRules(FILLER, caller(`${rounds.join('\n  ')}\n  DROP TABLE scratch_rows;`));
  const used = process.cpuUsage(started);
  const seconds = (used.user + used.system) / 1e6;
  assert.deepEqual(findings, []);
  // Under a second here; each call re-reading the body took minutes on the same loaded machine.
  assert.ok(seconds < 10, `${seconds.toFixed(1)} s`);
});
