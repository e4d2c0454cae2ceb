// A PL/pgSQL body that looks a prepared statement up in pg_prepared_statements before it DEALLOCATEs it
// (`IF (SELECT 1 FROM pg_prepared_statements WHERE name = 'plan_x') > 0 THEN DEALLOCATE plan_x;`) knows
// the statement lives on one server connection: the DEALLOCATE runs only where the statement exists, so
// on any connection the pool hands out it neither fails nor touches another client's statement.
import type { Candidate } from './detect';

const LOOKUP = /\bpg_prepared_statements\b[^;]*/gi;
const LITERAL = /'((?:[^']|'')*)'/g;

/** The names (lower case) the body looks up in pg_prepared_statements, as string literals. */
function lookedUpNames(body: string): Set<string> {
  const names = new Set<string>();
  for (const lookup of body.matchAll(LOOKUP)) {
    for (const literal of lookup[0].matchAll(LITERAL)) names.add(literal[1].replace(/''/g, "'").toLowerCase());
  }
  return names;
}

/** The candidates without DEALLOCATEs of a statement the body looks up in pg_prepared_statements. */
export function withoutGuardedDeallocates(found: Candidate[], body: string): Candidate[] {
  if (!/pg_prepared_statements/i.test(body)) return found;
  const names = lookedUpNames(body);
  return found.filter(({ prepared }) => prepared?.action !== 'deallocate' || !names.has(prepared.name.toLowerCase()));
}
