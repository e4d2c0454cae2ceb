// Session state a later statement undoes: a session SET restored (`RESET x`, `SET x TO DEFAULT`, `RESET ALL` —
// which keeps the role and session user: KEPT_BY_RESET_ALL —, `DISCARD ALL`), a temporary table, view or sequence
// dropped (`DROP TABLE t`, `DISCARD TEMP`). Undone in the
// same transaction, query message or function body, it never reaches another client (context.ts,
// detect.ts). No parser here: the embedded-SQL bundle reaches this through context.ts.
import type { Candidate, StatementFacts } from './detect';
import { HOLE_IDENTIFIER_PREFIX, isFilledPlaceholder } from './templatePlaceholders';
import { KEPT_BY_RESET_ALL, settingsResetBy } from './vocabulary';

/**
 * The settings DISCARD ALL resets (StatementFacts.resets): it runs SET SESSION AUTHORIZATION DEFAULT, then RESET ALL
 * (then DEALLOCATE ALL, CLOSE ALL, UNLISTEN *, …), so it undoes the role and session user RESET ALL keeps (not the seed).
 */
export const DISCARD_ALL_RESETS: readonly string[] = ['session_authorization', '*'];

/** What a statement undoes, as keys `set:<setting>` and `temp:<name>`; `<kind>:*` undoes every one of its kind (RESET ALL: but KEPT_BY_RESET_ALL). */
export function undoKeys(facts: StatementFacts): string[] {
  const resets = facts.resets?.map((setting) => `set:${setting}`) ?? [];
  return facts.drops ? [...resets, ...facts.drops.map((name) => `temp:${name}`)] : resets;
}

/** The key an undo of the candidate's state matches (a session SET's setting, a temporary object's name), if any. */
export function undoableKey(candidate: Candidate): string | undefined {
  if (candidate.rule === 'session-set' && candidate.setting) return `set:${candidate.setting}`;
  if (candidate.rule === 'temp-table' && candidate.temporary) return `temp:${candidate.temporary}`;
  return undefined;
}

/** Whether an undo key (undoKeys) undoes the candidate's state. */
export function undoes(undo: string, candidate: Candidate): boolean {
  const key = undoableKey(candidate);
  if (!key) return false;
  return undo === key || undoesEvery(undo, key) || resetsSetting(undo, key) || dropsUnknownTemp(undo, key);
}

/** Whether a reset of one setting (`set:session_authorization`) puts back the key's (`set:role`: settingsResetBy). */
function resetsSetting(undo: string, key: string): boolean {
  return undo.startsWith('set:') && key.startsWith('set:') && settingsResetBy(undo.slice('set:'.length)).includes(key.slice('set:'.length));
}

/** Whether an undo of every one of a kind (`set:*` for RESET ALL, `temp:*` for DISCARD TEMP) reaches the key. */
function undoesEvery(undo: string, key: string): boolean {
  if (!undo.endsWith(':*') || !key.startsWith(undo.slice(0, -1))) return false;
  return !(undo === 'set:*' && KEPT_BY_RESET_ALL.has(key.slice('set:'.length)));
}

/**
 * A temporary table named by a template hole (`CREATE TEMP TABLE ${t} …; DROP TABLE ${t}`) is filled with a
 * different placeholder at each hole, so the names never match: a DROP whose name is a hole too is taken to
 * drop it (guessing it left is a false finding; it is the same code's own table in practice).
 */
function dropsUnknownTemp(undo: string, key: string): boolean {
  const standsForHole = (name: string) => isFilledPlaceholder(name) || name.includes(HOLE_IDENTIFIER_PREFIX);
  return key.startsWith('temp:') && undo.startsWith('temp:') && standsForHole(key.slice(5)) && standsForHole(undo.slice(5));
}
