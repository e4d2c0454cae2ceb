import type { RuleInfo } from '../types';

// Static description of the 'write-in-read' rule; detection lives in ../balancing.ts (only with loadBalancing).
export const writeInRead: RuleInfo = {
  id: 'write-in-read',
  defaultSeverity: 'error',
  poolModes: ['transaction', 'statement', 'session'],
  concern: 'load-balancing',
  title: 'a SELECT that writes may be sent to a read-only replica',
  explanation:
    "Pgpool-II decides where a SELECT goes from its text: a SELECT that calls no VOLATILE function and has no FOR UPDATE/SHARE, INTO or data-modifying WITH is a read, and may go to a replica. A function declared STABLE or IMMUTABLE that still calls nextval/setval or a writing function, or a view that calls one, hides the write: on the replica the statement fails.",
  productionError: 'cannot execute nextval() in a read-only transaction (SQLSTATE 25006)',
  safeAlternative: 'Declare the function VOLATILE (the default), so Pgpool-II sends its callers to the primary; or call the writing function directly instead of through a view.',
};
