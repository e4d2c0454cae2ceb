// Two routines around one custom setting: the one that turns it on and leaves it on is the finding; the
// one that turns it back off only ends that state (routinePairs.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const routine = (name: string, statement: string): string =>
  `CREATE FUNCTION ${name}() RETURNS void LANGUAGE plpgsql AS $fn$\nBEGIN\n  ${statement}\nEND\n$fn$;\n`;
const lines = (sql: string): number[] => analyzeSql(sql).map((f) => sql.slice(0, f.start).split('\n').length);

test('the routine that turns a custom setting back off, beside the one that turns it on, is not reported', () => {
  const begin = routine('begin_bulk_load', "SET bulkload.active = 'on';");
  const finish = routine('finish_bulk_load', 'SET bulkload.active TO off;');
  // Only the opener's SET (line 3, or 8 when second) is reported, whichever routine comes first in the file.
  assert.deepEqual(lines(begin + finish), [3]);
  assert.deepEqual(lines(finish + begin), [8]);
  for (const off of ['false', '0', "''", 'no']) {
    assert.deepEqual(lines(begin + routine('finish_bulk_load', `SET SESSION bulkload.active = ${off};`)), [3], off);
  }
});

test('a SET to off with no companion, of a built-in parameter, or of another setting is still reported', () => {
  // Alone: nothing says it ends a state another routine began.
  assert.deepEqual(lines(routine('finish_bulk_load', 'SET bulkload.active TO off;')), [3]);
  // A built-in parameter may default to on: turning it off is a change of its own.
  const planner = routine('prefer_index', 'SET enable_seqscan = off;') + routine('allow_scan', 'SET enable_seqscan = on;');
  assert.deepEqual(lines(planner), [3, 8]);
  // Another setting, or both in one routine, is no pair.
  const other = routine('begin_bulk_load', "SET bulkload.active = 'on';") + routine('finish_bulk_load', 'SET bulkload.skip_checks = off;');
  assert.deepEqual(lines(other), [3, 8]);
  const oneRoutine = routine('toggle', "SET bulkload.active = 'on';\n  SET bulkload.active = off;");
  assert.deepEqual(lines(oneRoutine), [3, 4]);
  // Both turning it on: two openers.
  const twice = routine('begin_bulk_load', "SET bulkload.active = 'on';") + routine('begin_again', 'SET bulkload.active = true;');
  assert.deepEqual(lines(twice), [3, 8]);
});

test('an unlock helper releasing the key a lock helper of the file takes, both called by one routine, is not reported; the lock is', () => {
  const take = routine('lock_for_upkeep', 'PERFORM pg_advisory_lock(upkeep_prefix(), item_id);');
  const release = routine('unlock_for_upkeep', 'PERFORM pg_advisory_unlock(upkeep_prefix(),item_id);');
  const caller = routine('run_upkeep', 'PERFORM lock_for_upkeep();\n  PERFORM compress_items();\n  PERFORM unlock_for_upkeep();');
  const kinds = analyzeSql(take + release + caller).filter((f) => f.rule === 'advisory-lock')
    .map((f) => (f.start < take.length ? 'take' : f.start < take.length + release.length ? 'release' : 'caller'));
  // The lock helper's own lock, and its call in the caller (state a call leaves): never the unlock helper.
  assert.ok(kinds.includes('take'));
  assert.ok(!kinds.includes('release'), kinds.join());
});

test('an unlock helper called apart from the lock helper, of another key, of every lock, or with no lock in the file is still reported', () => {
  const take = routine('lock_for_upkeep', 'PERFORM pg_advisory_lock(upkeep_prefix(), item_id);');
  // No routine calls both: the application may call them on two connections.
  const release = routine('unlock_for_upkeep', 'PERFORM pg_advisory_unlock(upkeep_prefix(), item_id);');
  assert.deepEqual(lines(take + release), [3, 8]);
  const other = routine('unlock_other', 'PERFORM pg_advisory_unlock(other_prefix(), item_id);');
  const callsOther = routine('run_upkeep', 'PERFORM lock_for_upkeep();\n  PERFORM unlock_other();');
  assert.ok(lines(take + other + callsOther).includes(8));
  const all = routine('unlock_everything', 'PERFORM pg_advisory_unlock_all();');
  const callsAll = routine('run_upkeep', 'PERFORM lock_for_upkeep();\n  PERFORM unlock_everything();');
  assert.ok(lines(take + all + callsAll).includes(8));
  assert.deepEqual(lines(routine('unlock_for_upkeep', 'PERFORM pg_advisory_unlock(upkeep_prefix(), item_id);')), [3]);
});

test('set_config(…, false) of a custom setting back to an empty value, beside a routine that sets it from its parameter, is the closing half: not reported', () => {
  const enter = "CREATE FUNCTION enter_shop(shop text) RETURNS void LANGUAGE plpgsql AS $fn$\nBEGIN\n  PERFORM set_config('shop.current', shop, false);\nEND\n$fn$;\n";
  for (const off of ["''", 'NULL', "''::text", "'off'"]) {
    const leave = routine('leave_shop', `PERFORM set_config('shop.current', ${off}, false);`);
    assert.deepEqual(lines(enter + leave), [3], off);
    assert.deepEqual(lines(leave + enter), [8], off);
  }
  // The SET statement form closes a set_config opener too.
  assert.deepEqual(lines(enter + routine('leave_shop', "SET shop.current = '';")), [3]);
});

test('set_config(…, false) to a non-empty value, of another setting, or with no opener is still reported', () => {
  const enter = "CREATE FUNCTION enter_shop(shop text) RETURNS void LANGUAGE plpgsql AS $fn$\nBEGIN\n  PERFORM set_config('shop.current', shop, false);\nEND\n$fn$;\n";
  // Two routines setting values: two openers.
  assert.deepEqual(lines(enter + routine('default_shop', "PERFORM set_config('shop.current', 'main', false);")), [3, 8]);
  // Clearing another setting is no pair.
  assert.deepEqual(lines(enter + routine('leave_shop', "PERFORM set_config('shop.previous', '', false);")), [3, 8]);
  // A clearing routine alone: nothing in the file began what it ends.
  assert.deepEqual(lines(routine('leave_shop', "PERFORM set_config('shop.current', '', false);")), [3]);
  // A built-in parameter set back to '' is a change of its own.
  assert.deepEqual(lines(routine('use_schema', "PERFORM set_config('search_path', 'shop', false);") + routine('no_schema', "PERFORM set_config('search_path', '', false);")), [3, 8]);
});

test('a start value beside a routine that advances the setting from its own current value is a counter, not an undo: reported', () => {
  const start = routine('open_batch', "PERFORM set_config('batch.seq', '0', false);");
  // The companion computes its value from the setting itself, directly or through a variable it fills from it.
  const direct = routine('next_batch', "PERFORM set_config('batch.seq', (current_setting('batch.seq')::int + 1)::text, false);");
  assert.deepEqual(lines(start + direct), [3, 8]);
  const throughVariable = `CREATE FUNCTION next_batch() RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
  n bigint := current_setting('batch.seq')::bigint;
BEGIN
  IF n > 1000 THEN
    n := 0;
  END IF;
  PERFORM set_config('batch.seq', (n + 1)::text, false);
  RETURN n;
END
$fn$;
`;
  assert.deepEqual(lines(start + throughVariable), [3, 13]);
  const selectedInto = routine('next_batch', "SELECT current_setting('batch.seq') INTO k;\n  PERFORM set_config('batch.seq', (k::int + 1)::text, false);");
  assert.deepEqual(lines(start + selectedInto), [3, 9]);
});

test('an off value beside a routine setting the value from another setting, or from a parameter, still pairs', () => {
  const clear = routine('close_batch', "PERFORM set_config('batch.seq', '0', false);");
  // Read from another setting: the companion turns this one on with a value of its own.
  const other = routine('open_batch', "PERFORM set_config('batch.seq', current_setting('batch.default_seq'), false);");
  assert.deepEqual(lines(other + clear), [3]);
  const fromOtherVariable = routine('open_batch', "v := current_setting('batch.default_seq');\n  PERFORM set_config('batch.seq', v, false);");
  assert.deepEqual(lines(fromOtherVariable + clear), [4]);
  const parameter = `CREATE FUNCTION open_batch(seq text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM set_config('batch.seq', seq, false);
END
$fn$;
`;
  assert.deepEqual(lines(parameter + clear), [3]);
});

// A script's own statements: a seed file that sets a custom setting for its inserts and clears it before it ends.
const seedScript = (setter: string, clear: string): string =>
  `${setter}\nINSERT INTO shops (id, name) VALUES (1, 'main') ON CONFLICT DO NOTHING;\n${clear}\n`;

test("a script's statement putting a custom setting back to '' or NULL beside the file's setter is not reported; the setter is", () => {
  const setter = "SELECT set_config('shop.current', '7d1c', false);";
  for (const clear of ["SELECT set_config('shop.current', '', false);", "SELECT set_config('shop.current', NULL, false);", "SET shop.current TO '';", "SET SESSION shop.current = '';"]) {
    assert.deepEqual(lines(seedScript(setter, clear)), [1], clear);
  }
  // The clear written before the setter, and a setter that is a routine of the file taking the value as a parameter.
  assert.deepEqual(lines(seedScript("SELECT set_config('shop.current', '', false);", setter)), [3]);
  const enter = "CREATE FUNCTION enter_shop(shop text) RETURNS void LANGUAGE plpgsql AS $fn$\nBEGIN\n  PERFORM set_config('shop.current', shop, false);\nEND\n$fn$;\n";
  assert.deepEqual(lines(`${enter}SELECT set_config('shop.current', '', false);\n`), [3]);
});

test("a script's clear stays reported alone, of another or a built-in setting, as an 'off' of its own, or beside a counter", () => {
  assert.deepEqual(lines("SELECT set_config('shop.current', '', false);\n"), [1]);
  assert.deepEqual(lines(seedScript("SELECT set_config('shop.current', '7d1c', false);", "SELECT set_config('shop.previous', '', false);")), [1, 3]);
  assert.deepEqual(lines(seedScript("SELECT set_config('search_path', 'shop', false);", "SELECT set_config('search_path', '', false);")), [1, 3]);
  // An "off" the script writes is a value the next client of the connection reads, not an unset setting.
  for (const off of ["SELECT set_config('shop.audit', 'off', false);", 'SET shop.audit = false;', 'SET shop.audit TO 0;']) {
    assert.deepEqual(lines(seedScript("SELECT set_config('shop.audit', 'on', false);", off)), [1, 3], off);
  }
  // Two clears and no value: nothing in the file sets what they clear.
  assert.deepEqual(lines(seedScript("SET shop.current TO '';", "SELECT set_config('shop.current', NULL, false);")), [1, 3]);
  // A routine advancing the setting as a counter from its own value: the script's '' restarts it.
  const next = routine('next_batch', "PERFORM set_config('batch.seq', (coalesce(nullif(current_setting('batch.seq', true), ''), '0')::int + 1)::text, false);");
  assert.deepEqual(lines(`${next}SELECT set_config('batch.seq', '', false);\n`), [3, 6]);
});

/** A trigger routine whose body runs `statement` (line 7 of its definition, after its DECLARE). */
const triggerRoutine = (name: string, statement: string): string =>
  `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger AS $fn$
DECLARE
  _space constant int := 5150;
  _event int;
BEGIN
  _event = NEW.event_id;
  ${statement}
  RETURN NEW;
END;
$fn$ LANGUAGE plpgsql;
`;
const TAKE_SEAT = triggerRoutine('seat_number_take', 'PERFORM pg_advisory_lock(_space, _event);');
const RELEASE_SEAT = triggerRoutine('seat_number_release', 'PERFORM pg_advisory_unlock(_space,_event);');
const trigger = (name: string, clauses: string, routine: string): string => `CREATE TRIGGER ${name}\n  ${clauses}\n  EXECUTE PROCEDURE ${routine}();\n`;
const BEFORE_INSERT = trigger('seat_number_take', 'BEFORE INSERT ON seats\n  FOR EACH ROW -- WHEN (NEW.seat IS NULL)', 'seat_number_take');
const AFTER_INSERT = trigger('seat_number_release', 'AFTER INSERT ON seats\n  FOR EACH ROW', 'seat_number_release');

test("an unlock in an AFTER trigger's routine, releasing the key a BEFORE trigger of the same table and event locks, is not reported; the lock is", () => {
  // The routines define lines 1–10 and 11–20: the lock is on line 7, the unlock on line 17.
  assert.deepEqual(lines(TAKE_SEAT + RELEASE_SEAT + BEFORE_INSERT + AFTER_INSERT), [7]);
  // Triggers first, quoted and schema-qualified names, EXECUTE FUNCTION, a statement-level unlock after row-level locks.
  const spelled = trigger('"Take"', 'BEFORE UPDATE OF seat, row_no OR INSERT ON public.seats FOR ROW', 'app.seat_number_take')
    + 'CREATE TRIGGER release AFTER INSERT OR UPDATE OF seat, row_no ON public.seats /* FOR EACH ROW WHEN (x) */ EXECUTE FUNCTION app.seat_number_release();\n';
  assert.deepEqual(lines(spelled + TAKE_SEAT + RELEASE_SEAT), [4 + 7]);
  // A constraint trigger deferred to the commit still runs in the statement's transaction, on its connection.
  const deferred = 'CREATE CONSTRAINT TRIGGER seat_number_release AFTER INSERT ON seats DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION seat_number_release();\n';
  assert.deepEqual(lines(TAKE_SEAT + RELEASE_SEAT + BEFORE_INSERT + deferred), [7]);
});

test('an unlock trigger routine is still reported when no BEFORE lock trigger surely fires in the same statement', () => {
  const both = (...triggers: string[]): number[] => lines(TAKE_SEAT + RELEASE_SEAT + triggers.join(''));
  const cases: Record<string, string[]> = {
    // no trigger runs either routine: they may be called apart
    noTriggers: [],
    // the unlock fires on another table
    otherTable: [BEFORE_INSERT, trigger('seat_number_release', 'AFTER INSERT ON bookings FOR EACH ROW', 'seat_number_release')],
    // the unlock also fires on updates, which take no lock
    moreEvents: [BEFORE_INSERT, trigger('seat_number_release', 'AFTER INSERT OR UPDATE ON seats FOR EACH ROW', 'seat_number_release')],
    // the unlock fires for other updated columns than the lock
    otherColumns: [trigger('seat_number_take', 'BEFORE UPDATE OF seat ON seats FOR EACH ROW', 'seat_number_take'), trigger('seat_number_release', 'AFTER UPDATE ON seats FOR EACH ROW', 'seat_number_release')],
    // the lock may not be taken
    conditionalLock: [trigger('seat_number_take', 'BEFORE INSERT ON seats FOR EACH ROW WHEN (NEW.seat IS NULL)', 'seat_number_take'), AFTER_INSERT],
    // one lock per statement, one unlock per row
    statementLock: [trigger('seat_number_take', 'BEFORE INSERT ON seats FOR EACH STATEMENT', 'seat_number_take'), AFTER_INSERT],
    // the unlock fires before the lock
    unlockFirst: [trigger('seat_number_take', 'AFTER INSERT ON seats FOR EACH ROW', 'seat_number_take'), trigger('seat_number_release', 'BEFORE INSERT ON seats FOR EACH ROW', 'seat_number_release')],
    // the unlock routine also runs on a table no lock trigger guards
    secondTable: [BEFORE_INSERT, AFTER_INSERT, trigger('booking_release', 'AFTER INSERT ON bookings FOR EACH ROW', 'seat_number_release')],
  };
  for (const [name, triggers] of Object.entries(cases)) assert.deepEqual(both(...triggers), [7, 17], name);
  // Another key: no pair whatever the triggers.
  const otherKey = triggerRoutine('seat_number_release', 'PERFORM pg_advisory_unlock(_space, _event + 1);');
  assert.deepEqual(lines(TAKE_SEAT + otherKey + BEFORE_INSERT + AFTER_INSERT), [7, 17]);
});
