import type { RuleInfo } from '../types';

// Static description of the 'load' rule; detection lives in ../detect.ts, which walks the AST once for all rules.
export const load: RuleInfo = {
  id: 'load',
  defaultSeverity: 'warning',
  poolModes: ['transaction', 'statement'],
  title: "LOAD affects one backend only",
  explanation:
    "LOAD loads a library into the current server process only; other pooled connections do not have it.",
  safeAlternative: "session_preload_libraries (or shared_preload_libraries) on the server.",
};
