import type { RuleInfo } from '../types';

// Static description of the 'currval' rule; detection lives in ../detect.ts, which walks the AST once for all rules.
export const currval: RuleInfo = {
  id: 'currval',
  defaultSeverity: 'warning',
  poolModes: ['transaction', 'statement'],
  title: "currval/lastval depends on session state",
  explanation:
    "currval and lastval return the value nextval produced earlier in the same session; behind a pooler that nextval may have run on another connection.",
  productionError: "currval of sequence \"name\" is not yet defined in this session",
  safeAlternative: "INSERT ... RETURNING, or call nextval and currval in one transaction block.",
};
