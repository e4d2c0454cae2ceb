// Whether a function is volatile, read from pg_proc on the primary the first time its name is seen
// and cached, as Pgpool-II does when write_function_list and read_only_function_list are empty (a
// volatile function makes a SELECT a write). An unqualified name counts as volatile when a volatile
// function of that name exists in any schema (Pgpool-II's query matches every schema).
import type { DatabaseTarget } from './config';

const MAX_CACHED = 10_000;
const VOLATILITY_QUERY =
  "SELECT bool_or(p.provolatile = 'v') FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace " +
  "WHERE p.proname = $1 AND ($2 = '' OR n.nspname = $2)";

export type RunQuery = (target: DatabaseTarget, sql: string, params: string[]) => Promise<(string | null)[][]>;

export class FunctionVolatility {
  /** "database\0name" → volatile. */
  private readonly known = new Map<string, boolean>();

  constructor(private readonly run: RunQuery) {}

  /** Cached answer; undefined when the name must be looked up first. */
  cached(target: DatabaseTarget, name: string): boolean | undefined {
    return this.known.get(keyOf(target, name));
  }

  /** Looks up the names not cached yet (failures leave them unknown: they count as not volatile). */
  async lookUp(target: DatabaseTarget, names: readonly string[]): Promise<void> {
    for (const name of names) {
      const key = keyOf(target, name);
      if (this.known.has(key)) continue;
      const dot = name.lastIndexOf('.');
      const [schema, proname] = dot > 0 ? [name.slice(0, dot), name.slice(dot + 1)] : ['', name];
      try {
        const rows = await this.run(target, VOLATILITY_QUERY, [proname, schema]);
        const value = rows[0]?.[0];
        if (this.known.size >= MAX_CACHED) this.known.clear();
        this.known.set(key, value === 't');
      } catch {
        return;
      }
    }
  }

  /** CREATE/ALTER/DROP FUNCTION or PROCEDURE went through the pooler: answers may have changed. */
  forget(): void {
    this.known.clear();
  }
}

/** DDL that can change a function's volatility (or create one with a cached name). */
export function changesFunctions(sql: string): boolean {
  return /^\s*(create|alter|drop)\b[\s\S]*?\b(function|procedure)\b/i.test(sql);
}

function keyOf(target: DatabaseTarget, name: string): string {
  return `${target.host}\0${target.port}\0${target.dbname}\0${name}`;
}
