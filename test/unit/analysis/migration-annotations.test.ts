// Migration tools that read annotations in SQL comments (goose, sql-migrate, dbmate): an annotation that
// ends a statement ends it as `;` does, and a section the tool wraps in a transaction is inside one.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, splitStatements } from '../../../server/analysis/index';
import { IncrementalSqlDocument } from '../../../server/incrementalSql';

before(() => initAnalysis());

const rules = (sql: string, poolMode?: 'statement'): string[] => analyzeSql(sql, poolMode ? { poolMode } : undefined).map((f) => f.rule);
const lines = (sql: string): number[] => analyzeSql(sql).map((f) => sql.slice(0, f.start).split('\n').length);

test('goose: a StatementBegin … StatementEnd block ends at its StatementEnd line, with or without a semicolon', () => {
  const migration = `-- +goose Up
-- +goose StatementBegin
CREATE TABLE audit_log (id bigint, note text);
UPDATE accounts SET flagged = false
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_log;
`;
  assert.deepEqual(rules(migration), []);
  assert.deepEqual(splitStatements(migration).map((s) => s.text.split('\n')[0]), ['CREATE TABLE audit_log (id bigint, note text)', 'UPDATE accounts SET flagged = false', 'DROP TABLE audit_log']);
  // Annotations are case-insensitive, as goose reads them.
  assert.deepEqual(rules(migration.replace('StatementEnd', 'statementend').replace('+goose Up', '+goose UP')), []);
});

test('goose: a real mistake inside a block, and an Up statement left unterminated before Down (goose refuses the file), are still syntax errors', () => {
  assert.deepEqual(lines('-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE t (id int,)\n-- +goose StatementEnd\n'), [3]);
  assert.deepEqual(rules('-- +goose Up\nSELECT * FROM jobs\n-- +goose Down\nSELECT * FROM done;\n'), ['syntax-error']);
  // An annotation-looking comment that is not at the start of a line, or not StatementEnd, ends nothing.
  assert.deepEqual(rules('SELECT 1\n  -- +goose StatementEnd\nSELECT 2;\n'), ['syntax-error']);
  assert.deepEqual(rules('SELECT 1\n-- +goose StatementBegin\nSELECT 2;\n'), ['syntax-error']);
});

test('goose runs each section in a transaction: SET LOCAL and set_config(…, true) there are kept; a session SET still leaks after its commit', () => {
  const sql = `-- +goose Up
SET LOCAL lock_timeout = '5s';
SELECT set_config('app.tenant', 'migrations', true);
ALTER TABLE orders ADD COLUMN note text;
SET search_path TO billing;

-- +goose Down
SET LOCAL statement_timeout = 0;
ALTER TABLE orders DROP COLUMN note;
`;
  assert.deepEqual(rules(sql), ['session-set']);
  // Without the annotations, the same statements run one by one, outside any transaction.
  assert.deepEqual(rules(sql.replace(/^-- \+goose \w+\n/gm, '')), ['set-local-outside-transaction', 'set-local-outside-transaction', 'session-set', 'set-local-outside-transaction']);
});

test('goose NO TRANSACTION (anywhere in the file) runs both sections outside a transaction: SET LOCAL there does nothing', () => {
  const sql = `-- +goose NO TRANSACTION
-- +goose Up
SET LOCAL lock_timeout = '5s';
CREATE INDEX CONCURRENTLY orders_note ON orders (note);
-- +goose Down
SET LOCAL lock_timeout = '5s';
DROP INDEX CONCURRENTLY orders_note;
`;
  assert.deepEqual(rules(sql), ['set-local-outside-transaction', 'set-local-outside-transaction']);
});

test('goose: the Up and Down sections are separate transactions (a RESET in Down does not undo a SET of Up)', () => {
  assert.deepEqual(rules('-- +goose Up\nSET ROLE owner;\nCREATE TABLE t (id int);\nRESET ROLE;\n-- +goose Down\nDROP TABLE t;\n'), []);
  assert.deepEqual(rules('-- +goose Up\nSET ROLE owner;\nCREATE TABLE t (id int);\n-- +goose Down\nRESET ROLE;\nDROP TABLE t;\n'), ['session-set']);
});

test('goose NO TRANSACTION sends each statement through its pool: a RESET later in the file does not undo a SET there', () => {
  assert.deepEqual(rules('-- +goose NO TRANSACTION\n-- +goose Up\nSET lock_timeout = 0;\nCREATE INDEX CONCURRENTLY i ON t (c);\nRESET lock_timeout;\n'), ['session-set']);
  // The same script without annotations is written for one session (psql): nothing leaks.
  assert.deepEqual(rules('SET lock_timeout = 0;\nCREATE INDEX CONCURRENTLY i ON t (c);\nRESET lock_timeout;\n'), []);
});

test('a migration tool\'s implicit transaction is not a statement-mode finding; an explicit BEGIN still is', () => {
  assert.deepEqual(rules('-- +goose Up\nCREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n', 'statement'), []);
  assert.deepEqual(rules('BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\n', 'statement'), ['statement-mode-transaction']);
});

test('sql-migrate: sections in a transaction unless their marker says notransaction; StatementEnd ends a statement', () => {
  const sql = `-- +migrate Up
-- +migrate StatementBegin
SET LOCAL lock_timeout = '1s'
-- +migrate StatementEnd
CREATE TABLE t (id int);
-- +migrate Down notransaction
SET LOCAL lock_timeout = '1s';
DROP TABLE t;
`;
  assert.deepEqual(lines(sql), [7]);
  assert.deepEqual(rules(sql), ['set-local-outside-transaction']);
});

test('dbmate: a section is sent whole (its marker ends the last statement) in a transaction, unless transaction:false', () => {
  // Without the transaction, the section is still one multi-statement message (one implicit transaction): a SET
  // LOCAL followed by other statements of the section reaches them; last in the section, it reaches nothing.
  const sql = `-- migrate:up
SET LOCAL search_path TO app;
CREATE TABLE app.t (id int)
-- migrate:down transaction:false
DROP TABLE app.t;
SET LOCAL search_path TO app;
`;
  assert.deepEqual(lines(sql), [6]);
  assert.deepEqual(rules(sql), ['set-local-outside-transaction']);
});

test('the editor\'s incremental analysis reads the annotations as the one-shot analysis does, also after an edit', () => {
  const sql = '-- +goose NO TRANSACTION\n-- +goose Up\nSET LOCAL lock_timeout = 1;\n-- +goose StatementBegin\nSELECT 1\n-- +goose StatementEnd\n';
  const document = new IncrementalSqlDocument('db/migrations/0001_x.sql');
  assert.deepEqual(document.analyze(sql).map((f) => f.rule), ['set-local-outside-transaction']);
  const edited = sql.replace('-- +goose NO TRANSACTION\n', '');
  assert.deepEqual(document.analyze(edited).map((f) => f.rule), []);
  assert.deepEqual(analyzeSql(edited).map((f) => f.rule), []);
});

test('goose NO TRANSACTION: a StatementBegin … StatementEnd block is one query message, so a SET it resets or a temp table it drops leaves nothing', () => {
  const block = (statements: string) => `-- +goose NO TRANSACTION\n-- +goose Up\n-- +goose StatementBegin\n${statements}\n-- +goose StatementEnd\n`;
  assert.deepEqual(rules(block('SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN c int;\nRESET lock_timeout;')), []);
  assert.deepEqual(rules(block('CREATE TEMP TABLE moved AS SELECT id FROM t;\nUPDATE u SET done = true WHERE id IN (SELECT id FROM moved);\nDROP TABLE moved;')), []);
  // A PL/pgSQL body's semicolons stay inside the one statement goose sends; its session lock is still found.
  const plpgsql = block("DO $$\nBEGIN\n  PERFORM pg_advisory_lock(7);\n  UPDATE t SET c = 1;\nEND;\n$$;");
  assert.deepEqual(lines(plpgsql), [6]);
  assert.deepEqual(rules(plpgsql), ['advisory-lock']);
});

test('goose NO TRANSACTION: the same statements outside a block, or reset in another block, are sent one by one: still flagged', () => {
  const loose = '-- +goose NO TRANSACTION\n-- +goose Up\nSET lock_timeout = 0;\nALTER TABLE t ADD COLUMN c int;\nRESET lock_timeout;\n';
  assert.deepEqual(rules(loose), ['session-set']);
  const twoBlocks = [
    '-- +goose NO TRANSACTION', '-- +goose Up',
    '-- +goose StatementBegin', 'CREATE TEMP TABLE moved AS SELECT id FROM t;', '-- +goose StatementEnd',
    '-- +goose StatementBegin', 'DROP TABLE moved;', '-- +goose StatementEnd', '',
  ].join('\n');
  assert.deepEqual(rules(twoBlocks), ['temp-table']);
  // The editor reads the blocks as the one-shot analysis does.
  assert.deepEqual(new IncrementalSqlDocument('db/migrations/0002_x.sql').analyze(twoBlocks).map((f) => f.rule), ['temp-table']);
  const oneBlock = twoBlocks.replace('-- +goose StatementEnd\n-- +goose StatementBegin\n', '');
  assert.deepEqual(new IncrementalSqlDocument('db/migrations/0002_x.sql').analyze(oneBlock).map((f) => f.rule), []);
});

test('dbmate: a section with transaction:false is still sent whole, as one message: a SET it resets leaves nothing, one it keeps is flagged', () => {
  assert.deepEqual(rules('-- migrate:up transaction:false\nSET lock_timeout = 0;\nCREATE INDEX CONCURRENTLY i ON t (c);\nRESET lock_timeout;\n'), []);
  assert.deepEqual(rules('-- migrate:up transaction:false\nSET lock_timeout = 0;\nCREATE INDEX CONCURRENTLY i ON t (c);\n-- migrate:down\nRESET lock_timeout;\n'), ['session-set']);
});

test('drizzle-kit: a chunk before a --> statement-breakpoint line needs no semicolon (the migrator sends each chunk alone)', () => {
  const migration = [
    'CREATE TABLE "tags" ("id" serial PRIMARY KEY, "label" text NOT NULL);',
    '-- fill it from the old column',
    'INSERT INTO "tags" ("label") SELECT DISTINCT "tag" FROM "posts" WHERE "tag" IS NOT NULL',
    '--> statement-breakpoint',
    'ALTER TABLE "posts" DROP COLUMN "tag";--> statement-breakpoint',
    'CREATE INDEX "tags_label_idx" ON "tags" ("label")',
    '',
  ].join('\n');
  assert.deepEqual(rules(migration), []);
  assert.deepEqual(splitStatements(migration).map((s) => s.text.split(/\s+/)[0]), ['CREATE', 'INSERT', 'ALTER', 'CREATE']);
});

test('drizzle-kit: without the breakpoint the two statements run together, and a mistake inside a chunk is still a syntax error', () => {
  const joined = 'INSERT INTO "tags" ("label") SELECT "tag" FROM "posts"\n-- no breakpoint here\nALTER TABLE "posts" DROP COLUMN "tag";\n';
  assert.deepEqual(lines(joined), [3]);
  // A breakpoint inside the statement ends nothing but what is before it: the broken chunk is reported.
  assert.deepEqual(lines('CREATE TABLE "t" ("id" int,)\n--> statement-breakpoint\nSELECT 1;\n'), [1]);
  // The marker must be drizzle's: an arrow comment with other words is an ordinary comment.
  assert.deepEqual(lines('SELECT 1\n--> next: the index\nSELECT 2;\n'), [3]);
});
