import type { RuleInfo } from '../types';

// Static description of the 'read-after-write' rule; detection lives in ../balancing.ts (only with loadBalancing).
export const readAfterWrite: RuleInfo = {
  id: 'read-after-write',
  defaultSeverity: 'warning',
  poolModes: ['transaction', 'statement', 'session'],
  concern: 'load-balancing',
  title: 'read right after a write may go to a lagging replica',
  explanation:
    "A load balancer such as Pgpool-II sends a write to the primary and a read outside a writing transaction to a read replica. The replica applies the primary's changes a little later (replication lag), so a read right after a committed write can miss it: the row just inserted is not found, the old value comes back.",
  safeAlternative: 'Put the write and the read in one transaction (BEGIN … COMMIT): after a write, Pgpool-II sends the rest of the transaction to the primary. Or take the data from the write itself (INSERT … RETURNING).',
};
