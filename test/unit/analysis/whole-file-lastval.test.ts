// lastval() returns the session's last nextval of any sequence: in a whole .sql file (one connection) or in
// one routine body (one call, one connection) it reads what this run drew once any nextval, or an
// INSERT/MERGE/COPY whose default may call one, ran earlier in the same file or body. With nothing drawn
// before it, in named queries, in a query text the application sends, or in a body with nothing before it,
// it still reads another session's state.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(async () => {
  await initAnalysis();
});

const currvalLines = (sql: string, fileName?: string): number[] => analyzeSql(sql, undefined, fileName)
  .filter((f) => f.rule === 'currval')
  .map((f) => sql.slice(0, f.start).split('\n').length);

test('in a whole .sql file, lastval after a nextval of any sequence earlier in the file is no finding', () => {
  const script = `CREATE SEQUENCE invoice_no START 100;
SELECT nextval('invoice_no');
SELECT lastval();
`;
  assert.deepEqual(currvalLines(script, '/app/scratch/invoices.sql'), []);
});

test('in a whole .sql file, lastval after an INSERT earlier in the file is no finding', () => {
  const script = `INSERT INTO invoice (total) VALUES (12);
SELECT lastval();
`;
  assert.deepEqual(currvalLines(script, '/app/scratch/invoices.sql'), []);
});

test('lastval with nothing drawn before it in the file, in named queries, or in a query text is still a finding', () => {
  assert.deepEqual(currvalLines("SELECT lastval();\nSELECT nextval('invoice_no');\n", '/app/scratch/invoices.sql'), [1]);
  const named = `-- name: NextInvoice :one
SELECT nextval('invoice_no');
-- name: LastInvoice :one
SELECT lastval();
`;
  assert.deepEqual(currvalLines(named, '/app/db/queries/invoices.sql'), [4]);
  assert.deepEqual(currvalLines("SELECT nextval('invoice_no');\nSELECT lastval();\n"), [2]);
});

test('lastval in a function body after a nextval in the same body is no finding; with none before it, a finding', () => {
  const drawn = `CREATE FUNCTION take_invoice() RETURNS bigint LANGUAGE sql AS $$
  SELECT nextval('invoice_no');
  SELECT lastval();
$$;
`;
  assert.deepEqual(currvalLines(drawn, '/app/db/functions.sql'), []);
  const undrawn = `SELECT nextval('invoice_no');
CREATE FUNCTION last_invoice() RETURNS bigint LANGUAGE sql AS $$ SELECT lastval() $$;
`;
  assert.deepEqual(currvalLines(undrawn, '/app/db/functions.sql'), [2]);
});
