// PgBouncer's auth_ident_file (PostgreSQL's pg_ident.conf): user name maps that an auth_hba_file rule
// names with `map=`. Each line is `MAPNAME SYSTEM-USERNAME DATABASE-USERNAME`; an unquoted `all` as the
// database user name admits any user. Used by `cert` rules, where the system name is the client
// certificate's name, and `peer` rules, where it is the unix peer's OS user. Pure: text in, maps out.
import { HbaError, tokenizeHbaLine } from './hba';

export interface IdentMapping {
  systemName: string;
  /** undefined: any database user (`all`). */
  databaseUser: string | undefined;
}

/** Map name → its lines, in file order. */
export type IdentMaps = ReadonlyMap<string, readonly IdentMapping[]>;

/** Parses an auth_ident_file; throws HbaError naming the line it cannot read. */
export function parseIdent(text: string): IdentMaps {
  const maps = new Map<string, IdentMapping[]>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const tokens = tokenizeHbaLine(raw);
    if (tokens.length === 0) return;
    if (tokens.length !== 3 || tokens.some((token) => token.length !== 1)) throw new HbaError(`ident line ${index + 1}: expected MAPNAME SYSTEM-USERNAME DATABASE-USERNAME`);
    const [[map], [system], [user]] = tokens;
    const mapping = { systemName: system.text, databaseUser: user.keyword && user.text === 'all' ? undefined : user.text };
    maps.set(map.text, [...(maps.get(map.text) ?? []), mapping]);
  });
  return maps;
}

/** Whether some line of `mappings` lets a client whose certificate (or peer) names a system name in as `user`. */
export function identAllows(mappings: readonly IdentMapping[], certificateNames: (name: string) => boolean, user: string): boolean {
  return mappings.some((mapping) => (mapping.databaseUser === undefined || mapping.databaseUser === user) && certificateNames(mapping.systemName));
}
