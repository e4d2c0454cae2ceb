import type { RuleInfo } from '../types';

// Static description of the 'session-extension' rule; detection lives in ../detect.ts, which walks the AST once for all rules.
export const sessionExtension: RuleInfo = {
  id: 'session-extension',
  defaultSeverity: 'warning',
  poolModes: ['transaction', 'statement'],
  title: "Extension call keeps session state",
  explanation:
    "dblink named connections, pg_variables variables and HypoPG's hypothetical and hidden indexes live in one backend's session; later transactions may run on another connection.",
  productionError: "could not find connection \"name\"",
  safeAlternative: "Transaction-scoped variants (pg_variables is_transactional), unnamed dblink calls, HypoPG calls and their undo (hypopg_reset() after hypopg_create_index, hypopg_unhide_all_indexes() after hypopg_hide_index) in one statement or function, or a session connection.",
};
