// Session advisory locks a function or procedure body takes and releases itself. One call runs on one
// server connection, so an unlock of a lock the same body took earlier releases it where it was taken:
// that unlock is no finding. The lock still is one unless the body also releases it in an EXCEPTION
// handler that an error after the lock reaches — one of the block holding the lock or of a block around it:
// session locks survive ROLLBACK, so an error between the lock and its unlock (or a procedure's COMMIT that
// outlives the caller's transaction) leaves it held by a pooled server connection that a transaction pooler
// hands to other clients, where nobody can release it. A nested block's handler (`BEGIN CREATE TYPE …;
// EXCEPTION WHEN duplicate_object THEN NULL; END;`) catches only what its own statements raise.
import type { Candidate } from './detect';
import { flowEvents, inHandlerOfBlockAround } from './bodyFlow';
import { replaceLiteralsAndComments } from './templatePlaceholders';

/** Which lock a call takes or releases: `shared:` for the shared family, then its arguments as written ('*': unlock all). */
export interface AdvisoryUse {
  action: 'lock' | 'unlock';
  key: string;
  /** The function called (for the message). */
  name: string;
}

const HANDLER = /\bexception\s+when\b/i;

/**
 * Applies the body's own lock/unlock pairs to its candidates (offsets relative to the statement;
 * the body starts at `bodyStart`): paired unlocks are dropped, and paired locks are dropped when a
 * handler releases them too, or else keep a finding that says why.
 */
export function pairBodyLocks(candidates: Candidate[], body: string, bodyStart: number): Candidate[] {
  const uses = candidates.filter((candidate) => candidate.advisory);
  if (!uses.some((c) => c.advisory!.action === 'lock') || !uses.some((c) => c.advisory!.action === 'unlock')) return candidates;
  // Whether the unlock sits in a handler of a block whose main section holds the lock (PL/pgSQL blocks only: a body
  // with no `EXCEPTION WHEN` — a PL/Python or PL/v8 one among them — has none).
  const code = replaceLiteralsAndComments(body);
  const events = HANDLER.test(code) ? flowEvents(body) : undefined;
  const guards = (lock: Candidate, unlock: Candidate): boolean =>
    events !== undefined && inHandlerOfBlockAround(code, events, lock.start - bodyStart, unlock.start - bodyStart);
  const releases = (lock: Candidate, unlock: Candidate): boolean =>
    unlock.advisory!.action === 'unlock' && (unlock.advisory!.key === '*' || unlock.advisory!.key === lock.advisory!.key);
  const dropped = new Set<Candidate>();
  const unguarded = new Set<Candidate>();
  for (const lock of uses) {
    if (lock.advisory!.action !== 'lock') continue;
    const unlocks = uses.filter((unlock) => unlock.start > lock.start && releases(lock, unlock));
    if (unlocks.length === 0) continue;
    for (const unlock of unlocks) dropped.add(unlock);
    if (unlocks.some((unlock) => guards(lock, unlock))) dropped.add(lock);
    else unguarded.add(lock);
  }
  return candidates.filter((c) => !dropped.has(c)).map((c) => (unguarded.has(c) ? releasedOnNormalPathOnly(c) : c));
}

/** A lock its body releases on the normal path only: the hazard is the error path (no quick fix: a procedure may need the lock across COMMITs). */
function releasedOnNormalPathOnly(lock: Candidate): Candidate {
  return {
    ...lock,
    fix: undefined,
    message: `${lock.advisory!.name} takes a session-level lock that this body releases only when it reaches its unlock: after an error (session locks survive ROLLBACK) it stays held by a server connection the pooler hands to other clients; release it in an EXCEPTION handler too, or use the transaction-level pg_advisory_xact_lock family.`,
  };
}
