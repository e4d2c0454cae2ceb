// Syntax of a PostgreSQL newer than the bundled parser (SQL/PGQ, FOR PORTION OF) is valid on newer servers:
// no syntax error for it; a real typo, before such syntax or in a statement without it, is still reported.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const rules = (sql: string): string[] => analyzeSql(sql).map((f) => f.rule);

test('CREATE, ALTER and DROP PROPERTY GRAPH get no syntax error; a LISTEN after them is still found', () => {
  const sql = [
    'CREATE PROPERTY GRAPH g VERTEX TABLES (actor KEY (actor_id) LABEL actor PROPERTIES (actor_id, name));',
    'ALTER PROPERTY GRAPH g ADD VERTEX TABLES (film);',
    'DROP PROPERTY GRAPH g;',
    'LISTEN jobs;',
  ].join('\n');
  assert.deepEqual(rules(sql), ['listen']);
});

test('a GRAPH_TABLE query gets no syntax error', () => {
  assert.deepEqual(rules('SELECT name\n  FROM GRAPH_TABLE (g MATCH (v IS vertex) COLUMNS (v.name))\n ORDER BY name;'), []);
});

test('UPDATE and DELETE … FOR PORTION OF get no syntax error', () => {
  const sql = [
    "UPDATE price FOR PORTION OF valid_at FROM '2024-07-01' TO '2024-08-01' SET rate = 0.49 WHERE id = 1;",
    "DELETE FROM price FOR PORTION OF valid_at FROM '2023-06-01' TO '2023-07-01' WHERE id = 2;",
  ].join('\n');
  assert.deepEqual(rules(sql), []);
});

test('a typo before the newer syntax is still a syntax error', () => {
  assert.deepEqual(rules('SELEC name FROM GRAPH_TABLE (g MATCH (v) COLUMNS (v.name));'), ['syntax-error']);
  assert.deepEqual(rules("UPDATE price SET rate = , FOR PORTION OF valid_at FROM '2024-07-01' TO '2024-08-01';"), ['syntax-error']);
});

test('a typo in a statement without newer syntax is still a syntax error, also when the marker is only in a string or comment', () => {
  assert.deepEqual(rules('SELECT id, FROM orders;'), ['syntax-error']);
  assert.deepEqual(rules("SELECT 'property graph', FROM orders;"), ['syntax-error']);
  assert.deepEqual(rules('SELECT id, /* FOR PORTION OF */ FROM orders;'), ['syntax-error']);
});

test('an init script for PostgreSQL 9 (CREATE USER … WITH UNENCRYPTED PASSWORD, removed in 10) gets no syntax error; a typo before the clause, or in another role statement, is still reported', () => {
  assert.deepEqual(rules("CREATE USER app_clear WITH UNENCRYPTED PASSWORD 'secret';\nALTER ROLE app_md5 UNENCRYPTED PASSWORD 'other';\nGRANT ALL ON DATABASE app TO app_clear;\n"), []);
  assert.deepEqual(rules("CREAT USER app_clear WITH UNENCRYPTED PASSWORD 'secret';\n"), ['syntax-error']);
  assert.deepEqual(rules("CREATE USER app_clear WITH ENCRYPTED PASSWORD 'secret' LOGINN;\n"), ['syntax-error']);
});

test('INSERT … ON CONFLICT … DO SELECT (PostgreSQL 19 get-or-create) gets no syntax error, with WHERE, a row lock or a RETURNING list', () => {
  const sql = [
    "INSERT INTO tag (name) VALUES ('red') ON CONFLICT (name) DO SELECT RETURNING id;",
    "INSERT INTO tag (name) VALUES ('red') ON CONFLICT ON CONSTRAINT tag_name_key DO SELECT WHERE tag.hidden = false RETURNING id, name;",
    "INSERT INTO tag AS t (name) VALUES ('red') ON CONFLICT (name) WHERE deleted_at IS NULL DO SELECT FOR UPDATE RETURNING t.id * 2 AS doubled;",
  ].join('\n');
  assert.deepEqual(rules(sql), []);
});

test('around ON CONFLICT … DO SELECT a typo before the clause, a misspelt DO SELEC, or DO SELECT without ON CONFLICT is still a syntax error', () => {
  assert.deepEqual(rules("INSERT INTO tag (name) VALUES ('red',) ON CONFLICT (name) DO SELECT RETURNING id;"), ['syntax-error']);
  assert.deepEqual(rules("INSERT INTO tag (name) VALUES ('red') ON CONFLICT (name,) DO SELECT RETURNING id;"), ['syntax-error']);
  assert.deepEqual(rules("INSERT INTO tag (name) VALUES ('red') ON CONFLICT (name) DO SELEC RETURNING id;"), ['syntax-error']);
  assert.deepEqual(rules("INSERT INTO tag (name) VALUES ('red') DO SELECT RETURNING id;"), ['syntax-error']);
  assert.deepEqual(rules("INSERT INTO tag (name) VALUES ('red') /* ON CONFLICT (name) */ DO SELECT RETURNING id;"), ['syntax-error']);
  assert.deepEqual(rules("INSERT INTO tag (name) VALUES ('red') ON CONFLICT (name) DO NOTHING;\nINSERT INTO tag (name) VALUES ('blue') DO SELECT RETURNING id;"), ['syntax-error']);
});

test('names that PostgreSQL 16 and 17 made keywords (a parameter json of type json, a column system_user, a function json_value) get no syntax error: valid up to PostgreSQL 15', () => {
  const sql = [
    'CREATE FUNCTION render(json json) RETURNS text LANGUAGE sql AS $$ SELECT $1::text $$;',
    'CREATE FUNCTION merge_docs(base int, JSON jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT $2 $$;',
    'CREATE TABLE audit_entry (system_user text, payload json);',
    'CREATE FUNCTION json_value(doc jsonb, key text) RETURNS text LANGUAGE sql AS $$ SELECT doc ->> key $$;',
  ].join('\n');
  assert.deepEqual(rules(sql), []);
});

test("a statement that uses such a name keeps its pooling findings (they are those of the statement as PostgreSQL 15 reads it)", () => {
  const sql = "CREATE FUNCTION remember(json json) RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM set_config('search_path', 'tenant_a', false);\nEND\n$$;\n";
  assert.deepEqual(rules(sql), ['session-set']);
});

test('a real mistake next to such a name is still a syntax error (a third word, a doubled comma, a misspelt keyword)', () => {
  assert.deepEqual(rules('CREATE FUNCTION render(doc json json) RETURNS text LANGUAGE sql AS $$ SELECT 1 $$;'), ['syntax-error']);
  assert.deepEqual(rules('CREATE TABLE audit_entry (system_user text,, note text);'), ['syntax-error']);
  assert.deepEqual(rules('CREAT TABLE audit_entry (json_table text);'), ['syntax-error']);
  assert.deepEqual(rules('SET search_path = json json;'), ['syntax-error']);
});

test('pg_dump output of old releases (a quoted language name with LANCOMPILER, WITH (iscachable), tables WITH OIDS) gets no syntax error; a typo elsewhere still does', () => {
  const sql = [
    "CREATE TRUSTED PROCEDURAL LANGUAGE 'plpgsql' HANDLER \"plpgsql_call_handler\" LANCOMPILER 'PL/pgSQL';",
    "CREATE FUNCTION double_it(integer) RETURNS integer AS 'SELECT $1 * 2' LANGUAGE 'sql' WITH (iscachable);",
    'CREATE TABLE shelves (id integer, label text) WITH OIDS;',
    'COPY shelves TO stdout WITH OIDS;',
  ].join('\n');
  assert.deepEqual(rules(sql), []);
  assert.deepEqual(rules('CREATE TABLE shelves (id integer, label text) WITH OIDZ;'), ['syntax-error']);
  assert.deepEqual(rules('CREATE TABLE shelves (id integer label text) WITH OIDS;'), ['syntax-error']);
});

test('CHECKPOINT with an option list (PostgreSQL 19: MODE FAST | SPREAD, FLUSH_UNLOGGED [boolean]) gets no syntax error', () => {
  const sql = ['CHECKPOINT (MODE FAST);', 'checkpoint (mode spread, flush_unlogged true);', 'CHECKPOINT (FLUSH_UNLOGGED);', 'CHECKPOINT;'].join('\n');
  assert.deepEqual(rules(sql), []);
});

test('around CHECKPOINT options a broken list, a misspelt CHECKPIONT, or a call checkpoint(…) in a broken query is still a syntax error', () => {
  assert.deepEqual(rules('CHECKPOINT (MODE FAST;'), ['syntax-error']);
  assert.deepEqual(rules('CHECKPOINT (MODE FAST,, FLUSH_UNLOGGED);'), ['syntax-error']);
  assert.deepEqual(rules('CHECKPIONT (MODE FAST);'), ['syntax-error']);
  assert.deepEqual(rules('SELECT checkpoint(1), FROM jobs;'), ['syntax-error']);
});

test('a publication of PostgreSQL 19 (FOR ALL SEQUENCES, ALL TABLES EXCEPT (TABLE …), ALTER … SET ALL TABLES / SEQUENCES) gets no syntax error', () => {
  const sql = [
    'CREATE PUBLICATION everything FOR ALL TABLES EXCEPT (TABLE ONLY audit_log);',
    'CREATE PUBLICATION most FOR ALL TABLES EXCEPT (TABLE audit_log, sessions, TABLE scratch);',
    'CREATE PUBLICATION counters FOR ALL SEQUENCES;',
    'CREATE PUBLICATION both_kinds FOR ALL TABLES, ALL SEQUENCES;',
    'ALTER PUBLICATION most SET ALL TABLES EXCEPT (TABLE audit_log);',
    'ALTER PUBLICATION most SET ALL TABLES;',
    'ALTER PUBLICATION counters SET ALL SEQUENCES;',
  ].join('\n');
  assert.deepEqual(rules(sql), []);
});

test('around the PostgreSQL 19 publication clauses a typo before them, or the same words outside a publication, is still a syntax error', () => {
  assert.deepEqual(rules('CREATE PUBLICATON most FOR ALL TABLES EXCEPT (TABLE audit_log);'), ['syntax-error']);
  assert.deepEqual(rules('CREATE PUBLICATION most FOR ALL TABELS EXCEPT (TABLE audit_log);'), ['syntax-error']);
  assert.deepEqual(rules('CREATE PUBLICATION counters FOR ALL SEQUENCE;'), ['syntax-error']);
  assert.deepEqual(rules('ALTER PUBLICATION most ST ALL TABLES;'), ['syntax-error']);
  assert.deepEqual(rules('GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO app,;'), ['syntax-error']);
  assert.deepEqual(rules('SELECT id FROM orders EXCEPT (TABLE archived,);'), ['syntax-error']);
});

test('publication lists the PostgreSQL 19 grammar rejects are still a syntax error: no TABLE before the first excluded table, ALL TABLES or ALL SEQUENCES twice', () => {
  assert.deepEqual(rules('CREATE PUBLICATION most FOR ALL TABLES EXCEPT (audit_log, sessions);'), ['syntax-error']);
  assert.deepEqual(rules('CREATE PUBLICATION twice FOR ALL SEQUENCES, ALL TABLES, ALL TABLES;'), ['syntax-error']);
  assert.deepEqual(rules('CREATE PUBLICATION twice FOR ALL SEQUENCES, ALL TABLES, ALL SEQUENCES;'), ['syntax-error']);
});
