import type { RuleInfo } from '../types';

// Static description of the 'listen' rule; detection lives in ../detect.ts, which walks the AST once for all rules.
export const listen: RuleInfo = {
  id: 'listen',
  defaultSeverity: 'warning',
  poolModes: ['transaction', 'statement'],
  title: "LISTEN/UNLISTEN on a pooled connection",
  explanation:
    "LISTEN registers the server connection, not the client: notifications go to a connection the client may no longer hold.",
  safeAlternative: "A dedicated direct (session) connection for listeners; NOTIFY and pg_notify are safe.",
};
