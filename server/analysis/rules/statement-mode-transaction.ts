import type { RuleInfo } from '../types';

// Static description of the 'statement-mode-transaction' rule; detection lives in ../detect.ts, which walks the AST once for all rules.
export const statementModeTransaction: RuleInfo = {
  id: 'statement-mode-transaction',
  defaultSeverity: 'error',
  poolModes: ['statement'],
  title: "Multi-statement transaction under statement pooling",
  explanation:
    "In statement pooling mode every statement may run on a different server connection, so multi-statement transactions are refused by the pooler.",
  productionError: "transaction blocks not allowed in statement pooling mode",
  safeAlternative: "Single-statement transactions, or transaction pooling mode.",
};
