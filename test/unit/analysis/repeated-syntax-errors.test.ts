// A file whose statements fail to parse the same way many times is not read as thousands of mistakes: a tool's
// own notation that reads like PostgreSQL is another dialect, and one syntax error repeated in many statements is
// reported once, with how many more statements fail the same way.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { IncrementalSqlDocument } from '../../../server/incrementalSql';
import { REPEATED_SYNTAX_ERRORS } from '../../../server/analysis/repeatedSyntaxErrors';

before(() => initAnalysis());

const rules = (sql: string, file?: string): string[] => analyzeSql(sql, undefined, file).map((f) => f.rule);

test('an apply file of a change-data-capture tool (EXECUTE with a bracketed list of values) is not PostgreSQL: no syntax errors, no prepared-statement findings', () => {
  const transaction = (n: number): string => `BEGIN; -- {"xid":${n},"lsn":"0/${n}"}
PREPARE ins_${n} AS INSERT INTO readings (at, name, value) VALUES ($1, $2, $3);
EXECUTE ins_${n}["2025-01-02 03:04:05+00","sensor_${n}","${n}"];
COMMIT; -- {"xid":${n}}
`;
  const file = [1, 2, 3].map(transaction).join('');
  assert.deepEqual(rules(file, '/work/app/replay/apply.sql'), []);
  // A list that opens with a number, and an empty one.
  assert.deepEqual(rules('PREPARE p AS SELECT $1, $2;\nEXECUTE p[42, "x"];\nEXECUTE p[];\n', '/work/app/replay/more.sql'), []);
});

test("PostgreSQL's own EXECUTE, and a subscript typed after a statement name, are still read as PostgreSQL", () => {
  assert.deepEqual(rules('PREPARE p AS SELECT $1;\nEXECUTE p(1);\n', '/work/app/q.sql'), ['prepared-statement', 'prepared-statement']);
  // One bracket typed for a parenthesis, with neither a string nor a comma in it: a mistake to report.
  assert.deepEqual(rules('SELECT 1;\nEXECUTE p[1];\n', '/work/app/q.sql'), ['syntax-error']);
  // PL/pgSQL's dynamic EXECUTE of an array element is a body statement, not a syntax error.
  const body = `CREATE FUNCTION run_all(cmds text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1 .. array_length(cmds, 1) LOOP
    EXECUTE cmds[i];
  END LOOP;
END $$;`;
  assert.deepEqual(rules(body, '/work/app/q.sql'), []);
});

const broken = (k: number, token: string): string => `SELECT ${token} AS c${k} FROM t;\n`;

test('one syntax error repeated in more statements than the limit is reported once, with the count of the others', () => {
  const count = REPEATED_SYNTAX_ERRORS + 5;
  const sql = `SELECT 1;\n${Array.from({ length: count }, (_, k) => broken(k, 'a ++ FROM')).join('')}`;
  for (const findings of [analyzeSql(sql, undefined, '/work/app/gen.sql'), new IncrementalSqlDocument('/work/app/gen.sql').analyze(sql)]) {
    assert.equal(findings.length, 1);
    assert.equal(findings[0].rule, 'syntax-error');
    assert.equal(sql.slice(0, findings[0].start).split('\n').length, 2, 'the first occurrence');
    assert.match(findings[0].message, new RegExp(`and ${count - 1} more statements of this file fail the same way`));
  }
});

test('distinct mistakes, and one mistake repeated up to the limit, are each reported where they are', () => {
  const repeated = Array.from({ length: REPEATED_SYNTAX_ERRORS }, (_, k) => broken(k, 'a ++ FROM')).join('');
  const findings = analyzeSql(repeated, undefined, '/work/app/gen.sql');
  assert.equal(findings.length, REPEATED_SYNTAX_ERRORS);
  assert.ok(findings.every((f) => !/more statements/.test(f.message)));
  // Many errors, each at another token (the message names it): none folds.
  const distinct = Array.from({ length: REPEATED_SYNTAX_ERRORS + 5 }, (_, k) => `SELECT 1 x${k} y${k};\n`).join('');
  const found = analyzeSql(distinct, undefined, '/work/app/gen.sql');
  assert.equal(found.length, REPEATED_SYNTAX_ERRORS + 5);
  assert.equal(new Set(found.map((f) => f.message)).size, REPEATED_SYNTAX_ERRORS + 5);
});
