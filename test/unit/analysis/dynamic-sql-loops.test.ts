// PL/pgSQL dynamic SQL inside a loop's body (`FOR … LOOP`, `WHILE … LOOP`, `FOREACH … LOOP`) runs as often as the loop
// does, in the same session as dynamic SQL anywhere else in the body: it is read as the loop head were not there.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

/** The rules and 1-based lines of a text's findings. */
function found(sql: string): string[] {
  return analyzeSql(sql).map((f) => `${f.rule}:${sql.slice(0, f.start).split('\n').length}`);
}

/** An anonymous block around one statement of its body, which stands on line 3. */
function doBlock(statement: string): string {
  return `DO $$\nBEGIN\n  ${statement}\nEND $$;\n`;
}

test('a temp table built with dynamic SQL in a loop of a DO block or a routine is flagged at its literal', () => {
  const loops = [
    "FOR n IN 1..20 LOOP EXECUTE 'CREATE TEMPORARY TABLE shard_' || n || ' (id int, body text)'; END LOOP;",
    "WHILE pending > 0 LOOP EXECUTE 'CREATE TEMP TABLE work_items (id int)'; pending := pending - 1; END LOOP;",
    "FOR row IN SELECT name FROM regions LOOP EXECUTE format('CREATE TEMP TABLE %I (id int)', row.name); END LOOP;",
    "FOREACH tag IN ARRAY tags LOOP EXECUTE 'CREATE TEMPORARY TABLE tag_' || tag || ' AS SELECT 1'; END LOOP;",
    "<<shards>> FOR n IN 1..4 LOOP EXECUTE 'CREATE TEMP TABLE part_' || n || ' (id int)'; END LOOP;",
  ];
  for (const loop of loops) assert.deepEqual(found(doBlock(loop)), ['temp-table:3'], loop);
  const routine = `CREATE FUNCTION fill_shards() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  ${loops[0]}\nEND $$;\n`;
  assert.deepEqual(found(routine), ['temp-table:3']);
});

test('other session statements built in a loop are read too', () => {
  assert.deepEqual(found(doBlock("FOR n IN 1..3 LOOP EXECUTE 'LISTEN channel_' || n; END LOOP;")), ['listen:3']);
  assert.deepEqual(found(doBlock("WHILE again LOOP EXECUTE 'SET search_path TO tenant_' || again; END LOOP;")), ['session-set:3']);
});

test('dynamic SQL in a loop that builds no session object, or drops what it built, stays silent', () => {
  for (const loop of [
    "FOR n IN 1..20 LOOP EXECUTE 'INSERT INTO shard_' || n || ' VALUES (1)'; END LOOP;",
    "FOR n IN 1..20 LOOP EXECUTE 'CREATE TABLE shard_' || n || ' (id int)'; END LOOP;",
    "FOR n IN 1..20 LOOP EXECUTE 'CREATE TEMP TABLE shard_' || n || ' (id int) ON COMMIT DROP'; END LOOP;",
    "FOR n IN 1..20 LOOP EXECUTE 'CREATE TEMP TABLE shard_' || n || ' (id int)'; EXECUTE 'DROP TABLE shard_' || n; END LOOP;",
    "WHILE pending > 0 LOOP EXECUTE 'SET LOCAL work_mem TO ''64MB'''; pending := pending - 1; END LOOP;",
    "FOR n IN 1..20 LOOP EXECUTE 'ANALYZE shard_' || n; END LOOP;",
  ]) {
    assert.deepEqual(found(doBlock(loop)), [], loop);
  }
});

test('ON COMMIT DROP written in a later literal of the `||` chain drops the dynamic temp table at commit; a CASE that may add it does not', () => {
  assert.deepEqual(found(doBlock("EXECUTE 'CREATE TEMP TABLE batch_' || n || ' (id int) ON COMMIT DROP';")), []);
  assert.deepEqual(found(doBlock("EXECUTE 'CREATE TEMP TABLE batch_' || n || ' (id int)' || CASE WHEN keep THEN '' ELSE ' ON COMMIT DROP' END;")), ['temp-table:3']);
  assert.deepEqual(found(doBlock("EXECUTE 'CREATE TEMP TABLE batch_' || n || ' (id int) /* not ON COMMIT DROP */';")), ['temp-table:3']);
});

test('the body of a loop over a dynamic query (FOR r IN EXECUTE … LOOP) is read as any loop body', () => {
  const overDynamicQuery = [
    "FOR rec IN EXECUTE 'SELECT relname FROM pg_class WHERE relkind = ''r''' LOOP EXECUTE 'CREATE TEMP TABLE snap_' || rec.relname || ' AS SELECT 1'; END LOOP;",
    "FOR rec IN EXECUTE format('SELECT id FROM %I', src) USING lim LOOP EXECUTE 'LISTEN feed_' || rec.id; END LOOP;",
    "FOR a, b IN EXECUTE q LOOP EXECUTE 'SET search_path TO ' || a; END LOOP;",
  ];
  assert.deepEqual(found(doBlock(overDynamicQuery[0])), ['temp-table:3']);
  assert.deepEqual(found(doBlock(overDynamicQuery[1])), ['listen:3']);
  assert.deepEqual(found(doBlock(overDynamicQuery[2])), ['session-set:3']);
});

test('a loop over a dynamic query whose body builds nothing that outlives the transaction stays silent', () => {
  for (const loop of [
    "FOR rec IN EXECUTE 'SELECT relname FROM pg_class' LOOP EXECUTE 'ANALYZE ' || quote_ident(rec.relname); END LOOP;",
    "FOR rec IN EXECUTE 'SELECT relname FROM pg_class' LOOP EXECUTE 'CREATE TEMP TABLE s_' || rec.relname || ' (id int) ON COMMIT DROP'; END LOOP;",
    "FOR rec IN EXECUTE 'SELECT 1' LOOP RAISE NOTICE 'row %', rec; END LOOP;",
  ]) {
    assert.deepEqual(found(doBlock(loop)), [], loop);
  }
});

test("a simple CASE's first arm is read as its later arms are", () => {
  const simpleCase = "CASE mode WHEN 'scratch' THEN EXECUTE 'CREATE TEMP TABLE scratch_' || n || ' (id int)'; WHEN 'feed' THEN EXECUTE 'LISTEN feed_' || n; END CASE;";
  assert.deepEqual(found(doBlock(simpleCase)), ['temp-table:3', 'listen:3']);
  const quiet = "CASE mode WHEN 'a' THEN EXECUTE 'ANALYZE t_' || n; ELSE EXECUTE 'VACUUM t_' || n; END CASE;";
  assert.deepEqual(found(doBlock(quiet)), []);
  const searched = "CASE WHEN mode = 'a' THEN EXECUTE 'LISTEN a_' || n; END CASE;";
  assert.deepEqual(found(doBlock(searched)), ['listen:3']);
});
