import type { RuleInfo } from '../types';

// Static description of the 'advisory-lock' rule; detection lives in ../detect.ts, which walks the AST once for all rules.
export const advisoryLock: RuleInfo = {
  id: 'advisory-lock',
  defaultSeverity: 'warning',
  poolModes: ['transaction', 'statement'],
  title: "Session-level advisory lock",
  explanation:
    "A session advisory lock stays held by the server connection after the transaction ends, on a connection the client no longer controls; an unlock from a later transaction may run on another connection and fail.",
  productionError: "WARNING:  you don't own a lock of type ExclusiveLock",
  safeAlternative: "pg_advisory_xact_lock / pg_try_advisory_xact_lock (and _shared variants), released at transaction end.",
};
