import type { RuleInfo } from '../types';

// Static description of the 'prepared-statement' rule; detection lives in ../detect.ts, which walks the AST once for all rules.
export const preparedStatement: RuleInfo = {
  id: 'prepared-statement',
  defaultSeverity: 'error',
  poolModes: ['transaction', 'statement'],
  title: "SQL-level prepared statement is bound to one server connection",
  explanation:
    "PREPARE creates the statement on one server connection only; EXECUTE or DEALLOCATE in a later transaction may run on another connection.",
  productionError: "prepared statement \"name\" does not exist / prepared statement \"name\" already exists",
  safeAlternative: "Unnamed statements (parameterised queries), PL/pgSQL functions (which cache plans safely), or pooler-side prepared-statement support.",
};
