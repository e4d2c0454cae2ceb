import type { RuleInfo } from '../types';

// Static description of the 'session-set' rule; detection lives in ../detect.ts, which walks the AST once for all rules.
export const sessionSet: RuleInfo = {
  id: 'session-set',
  defaultSeverity: 'warning',
  poolModes: ['transaction', 'statement'],
  title: "Session-level setting leaks across pooled clients",
  explanation:
    "SET, SET ROLE, SET SESSION AUTHORIZATION and set_config(..., false) change the server connection's session. Behind a transaction-mode pooler the next transaction may run on another connection (the setting is missing) while the changed connection is handed to another client (the setting leaks).",
  safeAlternative: "SET LOCAL or set_config(..., true) inside a transaction block, or role/function-level settings (ALTER ROLE ... SET, CREATE FUNCTION ... SET).",
};
