// Session advisory locks a function or procedure body takes and releases itself. One call runs on one
// server connection, so an unlock of a lock the same body took earlier releases it where it was taken:
// that unlock is no finding. The lock still is one unless the body also releases it in an EXCEPTION
// handler: session locks survive ROLLBACK, so an error between the lock and its unlock (or a procedure's
// COMMIT that outlives the caller's transaction) leaves it held by a pooled server connection that a
// transaction pooler hands to other clients, where nobody can release it.
import type { Candidate } from './detect';
import { replaceLiteralsAndComments } from './templatePlaceholders';

/** Which lock a call takes or releases: `shared:` for the shared family, then its arguments as written ('*': unlock all). */
export interface AdvisoryUse {
  action: 'lock' | 'unlock';
  key: string;
  /** The function called (for the message). */
  name: string;
}

const HANDLER = /\bexception\s+when\b/i;

/** Where the body's first EXCEPTION handler starts (offset into the body), or Infinity. */
function handlerStart(body: string): number {
  const blanked = replaceLiteralsAndComments(body);
  return HANDLER.exec(blanked)?.index ?? Infinity;
}

/**
 * Applies the body's own lock/unlock pairs to its candidates (offsets relative to the statement;
 * the body starts at `bodyStart`): paired unlocks are dropped, and paired locks are dropped when a
 * handler releases them too, or else keep a finding that says why.
 */
export function pairBodyLocks(candidates: Candidate[], body: string, bodyStart: number): Candidate[] {
  const uses = candidates.filter((candidate) => candidate.advisory);
  if (!uses.some((c) => c.advisory!.action === 'lock') || !uses.some((c) => c.advisory!.action === 'unlock')) return candidates;
  const handlerAt = bodyStart + handlerStart(body);
  const releases = (lock: Candidate, unlock: Candidate): boolean =>
    unlock.advisory!.action === 'unlock' && (unlock.advisory!.key === '*' || unlock.advisory!.key === lock.advisory!.key);
  const dropped = new Set<Candidate>();
  const unguarded = new Set<Candidate>();
  for (const lock of uses) {
    if (lock.advisory!.action !== 'lock') continue;
    const unlocks = uses.filter((unlock) => unlock.start > lock.start && releases(lock, unlock));
    if (unlocks.length === 0) continue;
    for (const unlock of unlocks) dropped.add(unlock);
    if (unlocks.some((unlock) => unlock.start >= handlerAt)) dropped.add(lock);
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
