// Pairs of routines around one piece of session state, one beginning it and leaving it on purpose, the other
// ending it: an extension's `pre_restore()` that marks the session as restoring a dump and `post_restore()`
// that turns the mark back off; `lock_for_maintenance(id)` that takes a session advisory lock and
// `unlock_for_maintenance(id)` that releases it, called by the same caller on the same connection. The state
// the pair leaves is the opener's: its statement is the finding. The closer's only ends it.
// No parser here: the embedded-SQL bundle reaches this through context.ts.
import type { Candidate, StatementFacts } from './detect';
import type { DocumentText } from './types';
import { escapeRegExp } from './regexText';
import { triggerDefinitions, type TriggerDefinition } from './triggerDefinitions';

/** A statement of the file: where it is in the text, and what it holds. */
export interface PlacedStatement {
  start: number;
  end: number;
  facts: StatementFacts;
}

/** The values that read as "off" for a custom (dotted) setting, which is empty until set. */
const OFF_VALUES = new Set(['off', 'false', 'f', 'no', 'n', '0', '']);

/** Whether a constant (lower case, NULL as `''`) reads as "off" for a custom setting; also read by embeddedSettingPairs.ts. */
export function readsAsOff(value: string | undefined): boolean {
  return value !== undefined && OFF_VALUES.has(value);
}

/**
 * The closing halves of routine pairs among the statements' candidates (stored code only):
 * - a session SET (or set_config(…, false)) that turns a custom setting (`ext.flag`) off — `off`, `false`, `0`,
 *   `''`, NULL — when another routine sets the same setting to a value not known to be off (a constant that is
 *   not, a parameter: `set_config('app.tenant', p_tenant, false)` and its clearing `set_config('app.tenant', '',
 *   false)`): it puts back what an unset custom setting reads as (a RESET in effect, written as
 *   a SET because a database- or role-level default may be on). A custom setting only: a built-in parameter's
 *   default may be on (`enable_seqscan`), so turning it off is no return;
 * - an advisory unlock of the very key (arguments as written) another routine locks, when a third routine of
 *   the statements calls both (one call, one server connection: the unlock releases the lock where it was
 *   taken), or when the two are trigger routines fired by one statement, the lock's BEFORE and the unlock's AFTER
 *   it (firedInOneStatement). Called apart, by the application, the unlock may run on another connection: still a
 *   finding.
 * - a statement of the file itself (not of a routine body) that puts a custom setting back to `''` or NULL when
 *   another statement or routine of the file sets it to a value not known to be off: clearsBesideSetters.
 * `text` is the text the statements' offsets point into (without it, no lock pair is found).
 */
export function closingHalvesOfPairs(statements: readonly PlacedStatement[], text?: DocumentText): Set<Candidate> {
  const closing = new Set<Candidate>(clearsBesideSetters(statements));
  const stored = storedCandidates(statements);
  if (stored.length < 2) return closing;
  const sets = stored.filter(isSetOfCustomSetting);
  for (const candidate of sets) {
    if (!readsAsOff(candidate.settingValue)) continue;
    if (sets.some((other) => other.setting === candidate.setting && other.routine !== candidate.routine && isUndoneByClear(other))) closing.add(candidate);
  }
  const locks = stored.filter((c) => c.rule === 'advisory-lock' && c.advisory?.action === 'lock');
  let triggers: TriggerDefinition[] | undefined;
  for (const candidate of stored) {
    const unlock = candidate.rule === 'advisory-lock' && candidate.advisory?.action === 'unlock' ? candidate.advisory : undefined;
    if (!unlock || unlock.key === '*' || text === undefined) continue;
    const helpers = locks.filter((lock) => sameKey(lock.advisory!.key, unlock.key) && lock.routine !== candidate.routine);
    const firedTogether = (lock: Candidate): boolean => firedInOneStatement((triggers ??= triggerDefinitions(statementTexts(statements, text))), lock.routine!, candidate.routine!);
    if (helpers.some((lock) => calledTogether(statements, text, lock.routine!, candidate.routine!) || firedTogether(lock))) closing.add(candidate);
  }
  return closing;
}

/** The statements' texts, up to the bound of those searched. */
function* statementTexts(statements: readonly PlacedStatement[], text: DocumentText): Generator<string> {
  for (const { start, end } of statements.slice(0, MAX_CALLER_STATEMENTS)) yield text.slice(start, end);
}

/**
 * Whether the unlock routine runs only as a trigger fired in the same statement as the lock routine, after it: each
 * trigger of the file running it is an AFTER trigger, and the file has a BEFORE trigger running the lock routine on
 * the same table, for each of its events (`BEFORE INSERT ON comments` … `AFTER INSERT ON comments`), without a WHEN
 * condition, and row by row where the unlock runs row by row. Both then run in that statement's transaction, on one
 * connection, the lock first. A routine no trigger runs is not one.
 */
function firedInOneStatement(triggers: readonly TriggerDefinition[], lock: string, unlock: string): boolean {
  const unlocking = triggers.filter((trigger) => sameRoutine(trigger.routine, unlock));
  return unlocking.length > 0 && unlocking.every((after) => after.timing === 'after' && triggers.some((before) =>
    before.timing === 'before' && sameRoutine(before.routine, lock) && before.table === after.table && !before.conditional
    && (before.rowLevel || !after.rowLevel) && after.events.every((event) => before.events.includes(event))));
}

/** Routine names compared without their schema, as calledTogether finds calls. */
function sameRoutine(a: string, b: string): boolean {
  return a.split('.').pop() === b.split('.').pop();
}

/**
 * The candidates inside routine bodies, in statement order: one loop, no array per statement (asked of every SQL
 * sequence, most of which define no routine: a 17k-statement file's flatMap copied every candidate to find none).
 */
function storedCandidates(statements: readonly PlacedStatement[]): Candidate[] {
  const stored: Candidate[] = [];
  for (const { facts } of statements) for (const candidate of facts.candidates) if (candidate.storedCode === true && candidate.routine !== undefined) stored.push(candidate);
  return stored;
}

/**
 * The file's own statements (a script's `select set_config('app.org', '', false)`, `SET app.org TO ''`) that put a
 * custom setting back to `''` or NULL while another statement or routine of the file sets it to a value not known to be
 * off: as a TS/JS module's clearer beside its setter (embeddedSettingPairs.ts), the clear leaves what `RESET` would,
 * wherever it runs, and the leak is the setter's, which keeps its finding. Only `''`/NULL, what an unset custom setting
 * reads as: an `'off'` of its own is a value the next client reads. A setter advancing a counter from the setting's
 * own value pairs with nothing (isUndoneByClear).
 */
function clearsBesideSetters(statements: readonly PlacedStatement[]): Candidate[] {
  let customSets: Candidate[] | undefined;
  for (const { facts } of statements) for (const candidate of facts.candidates) if (isSetOfCustomSetting(candidate)) (customSets ??= []).push(candidate);
  if (customSets === undefined || customSets.length < 2) return [];
  const setters = customSets.filter(isUndoneByClear);
  return customSets.filter((clear) => clear.routine === undefined && clear.settingValue === ''
    && setters.some((setter) => setter.setting === clear.setting));
}

/**
 * A setter whose leak a clear of the same setting closes: it sets a value not known to be off. One whose value is
 * computed from the setting's own (`current_setting(name)::int + 1`) advances a counter: the "off" value is its start,
 * which the counter relies on, not an undo.
 */
function isUndoneByClear(setter: Candidate): boolean {
  return isOn(setter) && !setter.valueFromOwnSetting;
}

/** Bound of the statements searched for a caller of both helpers. */
const MAX_CALLER_STATEMENTS = 5000;

/** Whether one statement (another routine's definition) calls both routines by name. */
function calledTogether(statements: readonly PlacedStatement[], text: DocumentText, first: string, second: string): boolean {
  const calls = [first, second].map((routine) => new RegExp(`\\b${escapeRegExp(routine.split('.').pop()!)}\\s*\\(`, 'i'));
  return statements.slice(0, MAX_CALLER_STATEMENTS).some(({ start, end, facts }) => {
    if (facts.candidates.some((c) => c.routine === first || c.routine === second)) return false; // a helper's own definition
    const statement = text.slice(start, end);
    return calls.every((call) => call.test(statement));
  });
}

function isSetOfCustomSetting(candidate: Candidate): boolean {
  return candidate.rule === 'session-set' && candidate.setting?.includes('.') === true;
}

/** A value not known to be off: a constant that is not, or what a parameter or expression holds (`set_config('app.tenant', p_tenant, false)`). */
function isOn(candidate: Candidate): boolean {
  return !readsAsOff(candidate.settingValue);
}

/** Lock keys as written, compared without their spacing or letter case (`f(), id` and `F(),id`). */
function sameKey(a: string, b: string): boolean {
  return a.replace(/\s+/g, '').toLowerCase() === b.replace(/\s+/g, '').toLowerCase();
}
