import type { RuleInfo } from '../types';

// Static description of the 'set-local-outside-transaction' rule; detection lives in ../detect.ts, which walks the AST once for all rules.
export const setLocalOutsideTransaction: RuleInfo = {
  id: 'set-local-outside-transaction',
  defaultSeverity: 'hint',
  poolModes: ['transaction', 'statement', 'session'],
  title: "SET LOCAL outside a transaction block has no effect",
  explanation:
    "SET LOCAL only lasts until the end of the current transaction; outside BEGIN ... COMMIT each statement is its own transaction, so the setting is gone before the next statement runs.",
  productionError: "WARNING:  SET LOCAL can only be used in transaction blocks",
  safeAlternative: "Put SET LOCAL inside BEGIN ... COMMIT together with the statements that need it.",
};
