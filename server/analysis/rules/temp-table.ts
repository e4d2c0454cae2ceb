import type { RuleInfo } from '../types';

// Static description of the 'temp-table' rule; detection lives in ../detect.ts, which walks the AST once for all rules.
export const tempTable: RuleInfo = {
  id: 'temp-table',
  defaultSeverity: 'warning',
  poolModes: ['transaction', 'statement'],
  title: "Temporary object outlives the transaction",
  explanation:
    "A temporary table (or view/sequence) belongs to the server connection's session: the next transaction may run elsewhere and not see it, and another client may later find it.",
  productionError: "relation \"name\" does not exist / relation \"name\" already exists",
  safeAlternative: "CREATE TEMP TABLE ... ON COMMIT DROP inside a transaction block.",
};
