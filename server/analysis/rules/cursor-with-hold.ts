import type { RuleInfo } from '../types';

// Static description of the 'cursor-with-hold' rule; detection lives in ../detect.ts, which walks the AST once for all rules.
export const cursorWithHold: RuleInfo = {
  id: 'cursor-with-hold',
  defaultSeverity: 'warning',
  poolModes: ['transaction', 'statement'],
  title: "Cursor WITH HOLD outlives the transaction",
  explanation:
    "A WITH HOLD cursor lives on after COMMIT on its server connection; the next FETCH may run on another connection.",
  productionError: "cursor \"name\" does not exist",
  safeAlternative: "A cursor without WITH HOLD, used inside one transaction block.",
};
