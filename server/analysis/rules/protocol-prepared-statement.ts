import type { RuleInfo } from '../types';

// Static description of the 'protocol-prepared-statement' rule; detection lives in ../detect.ts, which walks the AST once for all rules.
export const protocolPreparedStatement: RuleInfo = {
  id: 'protocol-prepared-statement',
  defaultSeverity: 'warning',
  poolModes: ['transaction', 'statement'],
  title: "Named protocol-level prepared statement",
  explanation:
    "Drivers that name prepared statements (e.g. node-postgres { name, text }) create them on one server connection; unless the pooler tracks them (PgBouncer >= 1.21 max_prepared_statements) the next Bind may land on a connection that lacks them.",
  productionError: "prepared statement \"name\" does not exist",
  safeAlternative: "Disable statement naming in the driver, or use a pooler that supports protocol-level prepared statements.",
};
