// A routine body that flips a built-in switch for its own work and flips it back to the default servers keep
// (`SET client_min_messages = warning` — or `EXECUTE 'SET client_min_messages TO ' || level`, or `set_config(…,
// false)` — then `SET client_min_messages TO notice`): the closing SET puts back what the connection had, as
// `SET … TO DEFAULT` would (postgresParameters.ts isKeptDefault, the policy context.ts applies to a transaction or a
// script). One call of the body runs on one server connection, so the pair leaves nothing behind when every path from
// the first SET reaches the restore (an error in between rolls the SET back with the caller's transaction); a RETURN,
// or a handler that returns, between them keeps the SET's finding. A restore no SET of its body surely reaches keeps
// its own finding too, as one alone does in a script. A way out preceded by a restore of its own (an exception handler
// that puts the default back and returns) leaves nothing either.
import type { Candidate } from './detect';
import { isKeptDefault } from './postgresParameters';
import { undoes } from './undo';

/**
 * Whether control surely passes from one candidate's place to a later one's (offsets as the candidates hold them);
 * a way out in between counts for nothing when one of `beforeLeaving` (places of statements doing what `to` does)
 * surely runs before it on its path.
 */
export type Reaches = (from: number, to: number, beforeLeaving?: readonly number[]) => boolean;

/**
 * Drops from `found` each SET of a kept-default setting from which every path reaches a restore of it in the body,
 * and the restores that follow such a SET.
 */
export function dropKeptDefaultRestores(found: Candidate[], reaches: Reaches): void {
  const restores = found.filter((candidate) => isSessionSet(candidate) && isKeptDefault(candidate.setting, candidate.settingValue));
  if (restores.length === 0) return;
  const dropped = new Set<Candidate>();
  for (const set of found) {
    if (!isSessionSet(set) || isKeptDefault(set.setting, set.settingValue)) continue;
    const later = restores.filter((restore) => restore.setting === set.setting && restore.start > set.start);
    const places = later.map((restore) => restore.start);
    if (!later.some((restore) => reaches(set.start, restore.start, places))) continue;
    dropped.add(set);
    for (const restore of later) dropped.add(restore);
  }
  for (let i = found.length - 1; i >= 0; i--) if (dropped.has(found[i])) found.splice(i, 1);
}

/** A session SET (static, dynamic SQL whose literal names the setting, or set_config) of a known setting. */
function isSessionSet(candidate: Candidate): boolean {
  return candidate.rule === 'session-set' && candidate.setting !== undefined;
}

/** A RESET (RESET ALL, `SET … TO DEFAULT`; static or dynamic) of a body: its undo key (undo.ts) and its place. */
export interface SettingReset {
  key: string;
  at: number;
}

/** Whether an undo key (undo.ts undoKeys) puts a setting back to its default. */
export function isSettingUndo(key: string): boolean {
  return key.startsWith('set:');
}

/**
 * Whether a run that passed a SET (its end) without an error may still not reach a RESET (its start; offsets as the
 * candidates hold them): a RETURN between them that no statement of `beforeLeaving` (places of RESETs of the same
 * setting) surely precedes, or the RESET sitting in an exception handler the SET is not in (the run without an error
 * never enters it; one with an error there rolls the SET back with the block or the caller's transaction, or the
 * handler puts it back on a path of its own).
 */
export type MissesReset = (from: number, to: number, beforeLeaving: readonly number[]) => boolean;

/**
 * Drops from `found` each session SET that a later RESET of its setting in the body undoes: the RESET puts back what a
 * fresh connection has, as a restore to the kept default does above. A RETURN in between keeps the SET, unless a RESET
 * of its own precedes that RETURN; a RESET only an exception handler runs keeps it too (`MissesReset`). Only a RETURN
 * and a handler are weighed (not a branch or a COMMIT): a RESET under the same condition as its SET (`IF tiered THEN SET
 * …; END IF; … IF tiered THEN RESET …; END IF;`) still undoes it, and so does one under another condition (`IF debug
 * THEN RESET …`), a known miss.
 */
export function dropResetSets(found: Candidate[], resets: readonly SettingReset[], missesReset: MissesReset): void {
  if (resets.length === 0) return;
  for (let i = found.length - 1; i >= 0; i--) {
    const set = found[i];
    const later = resets.filter((reset) => reset.at > set.start && undoes(reset.key, set));
    const places = later.map((reset) => reset.at);
    if (later.some((reset) => !missesReset(set.end, reset.at, places))) found.splice(i, 1);
  }
}
