import type { RuleInfo } from '../types';

// Static description of the 'syntax-error' rule; the parser (../detect.ts) finds these, and only for text
// that is surely a whole PostgreSQL statement (not psql meta-commands, other dialects or fragments).
//
// Default severity 'warning', not 'error': PoolSafe is not a SQL compiler, and the database reports the
// real error when the statement runs. A statement PostgreSQL cannot parse is still worth a visible mark
// (a typo in a migration fails at deploy time), but a red error would compete with the compiler's own
// and with the pooling findings this tool exists for. Users who want none set it to "off".
export const syntaxError: RuleInfo = {
  id: 'syntax-error',
  defaultSeverity: 'warning',
  poolModes: ['transaction', 'statement', 'session'],
  title: "SQL that PostgreSQL cannot parse",
  explanation:
    "The statement does not parse with PostgreSQL's own parser, so it fails when it runs. Reported only for text that is surely a whole PostgreSQL statement: psql meta-commands and variables, COPY data, other SQL dialects and SQL fragments are left alone.",
  safeAlternative: "Fix the statement; if the file is not PostgreSQL at all, turn the rule off for it (\"syntax-error\": \"off\").",
};
