// A .sql file runs whole on one connection (psql, a migration tool, a program that sends it as one
// message): a currval after an INSERT or nextval earlier in the file reads the value this run drew. A
// collection of named queries (`-- name: …`, each sent on its own), a query text that is no file, and a
// function body (run later, in its caller's session) keep the finding.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(async () => {
  await initAnalysis();
});

const SCRIPT = `INSERT INTO board (title) VALUES ('Roadmap');
INSERT INTO card (board_id, label) VALUES (currval('board_id_seq'), 'first');
SELECT nextval('ticket_seq');
UPDATE card SET ticket = currval('ticket_seq') WHERE label = 'first';
`;

const rules = (sql: string, fileName?: string): string[] => analyzeSql(sql, undefined, fileName).map((f) => f.rule);

test('in a whole .sql file, currval after an INSERT or nextval earlier in the file is no finding', () => {
  assert.deepEqual(rules(SCRIPT, '/app/db/seed/boards.sql'), []);
});

test('currval with nothing drawn before it, in named queries, in a query text, or in a function body is still a finding', () => {
  assert.deepEqual(rules("SELECT currval('board_id_seq');\nINSERT INTO board (title) VALUES ('x');\n", '/app/db/seed/boards.sql'), ['currval']);
  const named = `-- name: AddBoard :exec
INSERT INTO board (title) VALUES ($1);
-- name: LastBoard :one
SELECT currval('board_id_seq');
`;
  assert.deepEqual(rules(named, '/app/db/queries/boards.sql'), ['currval']);
  assert.deepEqual(rules(SCRIPT), ['currval', 'currval']);
  const body = `INSERT INTO board (title) VALUES ('Roadmap');
CREATE FUNCTION last_board() RETURNS bigint LANGUAGE sql AS $$ SELECT currval('board_id_seq') $$;
`;
  assert.deepEqual(rules(body, '/app/db/functions.sql'), ['currval']);
});
