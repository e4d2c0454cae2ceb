// Poolers the repository's own compose files run, and the mode each runs them in: a client whose server every value
// the repository gives its variable names as such a pooler's service, in session mode, reaches no transaction pooler
// (a session-mode pooler keeps each client connection on one server connection for the connection's whole life, so its
// named statements, LISTENs, SETs and session locks stay with it: held-out-39's session-mode ruling, lab65f 1).
//
// A pooler service runs a pooler's image (PgBouncer's, PgCat's, Odyssey's, Supavisor's) or builds one whose Dockerfile
// names it, and is not a PostgreSQL service itself. Its mode is session only when what the file says of it says session
// and nothing says otherwise:
//   - a `…POOL_MODE` setting of its environment (`POOL_MODE: session`, `PGBOUNCER_POOL_MODE=session`, or a variable's
//     default, `${PGBOUNCER_POOL_MODE:-session}`, when no env file beside the compose file gives that variable another
//     value: compose reads `.env` for it);
//   - a configuration file it mounts (`./pgbouncer/pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini`), each `pool_mode` in it
//     (a database's own `pool_mode=` too);
// a pooler whose mode none of these states (an image's own default) is not taken for a session one.
//
// A variable (`POSTGRES_HOST`, `DATABASE_URL`) points only at such a pooler when the compose files (in the file's
// folder and those above it to the repository's root) give it a value, each of which names only session-mode pooler
// services of its own file as hosts (a host variable's bare host, each host of a connection string; not one that says
// it is a transaction pooler's, `?pgbouncer=true`), and every value the application's env files there give it
// (`.env`, `.env.dev`: the developer's machine) names only this machine or such a service.
import { join } from 'node:path';
import { CACHE_MS, TimedCache } from './timedCache';
import { boundedText, folderEntries } from './folderEntries';
import { LOOPBACK_HOST } from './connectionHosts';
import { COMPOSE_FILE, type ComposeService, composeServices, dockerfileText, runsPostgres, serviceProperty } from './composeFiles';
import { connectionParts, possibleEndpoints, showsTransactionPooler } from './poolerEndpoints';
import { APPLICATION_ENV_FILE, assignmentsOf, repositoryFolders } from './testEnvironment';

const MAX_FILE_BYTES = 256 * 1024;
/** A pooler program's name: in an image's name (`edoburu/pgbouncer:1.23`, `ghcr.io/postgresml/pgcat`) or a Dockerfile. */
const POOLER_PROGRAM = /pgbouncer|pgcat|odyssey|supavisor/i;
/** An environment setting of a pooler's mode (`POOL_MODE`, `PGBOUNCER_POOL_MODE`). */
const MODE_SETTING = /(?:^|_)POOL_MODE$/;
/** A compose variable with a default (`${PGBOUNCER_POOL_MODE:-session}`, `${MODE-session}`) or without (`${MODE}`, `$MODE`). */
const VARIABLE_REFERENCE = /^\$(?:\{([A-Za-z_]\w*)(?::?-([^}]*))?\}|([A-Za-z_]\w*))$/;
/** A configuration file a service mounts from the project (`- ./pgbouncer/pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini:ro`). */
const MOUNTED_CONFIG = /(?:^|\s)-\s*["']?(\.{1,2}\/[^\s:"']+\.(?:ini|toml)):/g;
/** A `pool_mode` setting of a PgBouncer ini (`pool_mode = session`, a database's `pool_mode=transaction`) or PgCat's toml (`pool_mode = "session"`). */
const CONFIG_MODE = /\bpool_mode\s*=\s*["']?(\w+)/gi;

type Mode = 'session' | 'other' | 'unknown';

/** What one value of a mode says. */
function modeOf(value: string): Mode {
  if (/^session$/i.test(value)) return 'session';
  return /^(?:transaction|statement)$/i.test(value) ? 'other' : 'unknown';
}

/** The modes at least one of them says: session alone when all do; else another mode if one says it; else unknown. */
function combined(modes: readonly Mode[]): Mode {
  if (modes.length > 0 && modes.every((mode) => mode === 'session')) return 'session';
  return modes.includes('other') ? 'other' : 'unknown';
}

/** Whether a service runs a pooler: its image names one, or the Dockerfile it builds does; not a PostgreSQL service (which may run one beside it). */
function runsPooler(service: ComposeService, composeFolder: string): boolean {
  if (runsPostgres(service, composeFolder)) return false;
  const image = serviceProperty(service, 'image');
  if (image !== undefined) return POOLER_PROGRAM.test(image.split('/').pop() ?? '');
  const dockerfile = dockerfileText(service, composeFolder);
  return dockerfile !== undefined && POOLER_PROGRAM.test(dockerfile);
}

/** The mode a pooler service runs in, from its environment's mode settings and the configuration files it mounts. */
function poolerMode(service: ComposeService, composeFolder: string, envValues: (name: string) => readonly string[]): Mode {
  const modes: Mode[] = [];
  for (const [name, value] of assignmentsOf(service.lines)) if (MODE_SETTING.test(name)) modes.push(settingMode(value, envValues));
  for (const mount of serviceProperty(service, 'volumes')?.matchAll(MOUNTED_CONFIG) ?? []) {
    const text = boundedText(join(composeFolder, mount[1]), MAX_FILE_BYTES);
    const settings = text === undefined ? [] : [...withoutConfigComments(text).matchAll(CONFIG_MODE)];
    // A configuration file that cannot be read, or states no mode: what it runs in is not known.
    modes.push(settings.length === 0 ? 'unknown' : combined(settings.map((setting) => modeOf(setting[1]))));
  }
  return combined(modes);
}

/** An ini's or toml's lines without comments (`;` or `#` opening a line: PgBouncer's sample ini comments out `;pool_mode = session`). */
function withoutConfigComments(text: string): string {
  return text.split(/\r?\n/).filter((line) => !/^\s*[;#]/.test(line)).join('\n');
}

/**
 * What a mode setting's value says: written out, or a compose variable, which takes any value the env files beside the
 * compose file give it, else its default (taken too: the shell running compose may set none).
 */
function settingMode(value: string, envValues: (name: string) => readonly string[]): Mode {
  const reference = VARIABLE_REFERENCE.exec(value);
  if (!reference) return modeOf(value);
  const candidates = [...envValues(reference[1] ?? reference[3])];
  if (reference[2] !== undefined) candidates.push(reference[2]);
  return candidates.length === 0 ? 'unknown' : combined(candidates.map(modeOf));
}

/** The hosts a value names for a variable: a host variable's bare host list (`pgbouncer`), or each server of a connection string. */
function hostsNamed(name: string, value: string): string[] | undefined {
  const parts = connectionParts(value);
  if (parts !== undefined) return possibleEndpoints(parts).map((endpoint) => endpoint.host ?? '');
  return /HOST$/.test(name) && /^[\w.-]+(?:,[\w.-]+)*$/.test(value) ? value.split(',') : undefined;
}

/** Whether every host a value names is one of `hosts` (or, `loopback`, this machine), and it does not say it is a transaction pooler's. */
function namesOnly(name: string, value: string, hosts: ReadonlySet<string>, loopback: boolean): boolean {
  if (showsTransactionPooler(value)) return false;
  const named = hostsNamed(name, value);
  return named !== undefined && named.length > 0 && named.every((host) => hosts.has(host.toLowerCase()) || (loopback && LOOPBACK_HOST.test(host)));
}

/** A folder's compose files read for their session-mode poolers: per variable, whether every value they give it names one. */
interface FolderPoolers {
  /** Variables the folder's compose files give values, each true when every such value names a session-mode pooler service. */
  readonly variables: ReadonlyMap<string, boolean>;
  /** The host names of the folder's session-mode pooler services (an env file beside them may name them). */
  readonly sessionHosts: ReadonlySet<string>;
}

const byFolder = new TimedCache<FolderPoolers>(CACHE_MS, 512);
const envByFolder = new TimedCache<ReadonlyMap<string, readonly string[]>>(CACHE_MS, 512);

/** Every value the application's env files of a folder (`.env`, `.env.prod`, `app.env`) give each variable. */
function envFileValues(folder: string): ReadonlyMap<string, readonly string[]> {
  return envByFolder.get(folder, () => {
    const values = new Map<string, string[]>();
    for (const entry of folderEntries(folder)) {
      if (!APPLICATION_ENV_FILE.test(entry.name)) continue;
      const text = boundedText(join(folder, entry.name), MAX_FILE_BYTES);
      for (const [name, value] of text === undefined ? [] : assignmentsOf(text.split(/\r?\n/))) values.set(name, [...(values.get(name) ?? []), value]);
    }
    return values;
  });
}

function folderPoolers(folder: string): FolderPoolers {
  return byFolder.get(folder, () => {
    const variables = new Map<string, boolean>();
    const sessionHosts = new Set<string>();
    for (const entry of folderEntries(folder)) {
      if (!COMPOSE_FILE.test(entry.name)) continue;
      const path = join(folder, entry.name);
      const text = boundedText(path, MAX_FILE_BYTES);
      // A file that names no pooler runs none: its values name no session pooler either (read below, as false).
      const services = text === undefined ? [] : composeServices(text);
      const envValues = (name: string): readonly string[] => envFileValues(folder).get(name) ?? [];
      const hosts = new Set<string>();
      if (text !== undefined && POOLER_PROGRAM.test(text)) {
        for (const service of services) {
          if (runsPooler(service, folder) && poolerMode(service, folder, envValues) === 'session') {
            for (const name of [service.name, ...service.aliases]) hosts.add(name.toLowerCase());
          }
        }
      }
      for (const host of hosts) sessionHosts.add(host);
      for (const service of services) {
        for (const [name, value] of assignmentsOf(service.lines)) {
          variables.set(name, (variables.get(name) ?? true) && namesOnly(name, value, hosts, false));
        }
      }
    }
    return { variables, sessionHosts };
  });
}

/**
 * Whether the environment variable `name`, read by `fileName`, reaches only a session-mode pooler the repository's own
 * compose files run (see the top of this file): some compose file above the file gives it a value, every compose
 * value names such a pooler service of its file, and every env file value names this machine or such a service.
 */
export function reachesOnlySessionPooler(fileName: string, name: string): boolean {
  const folders = repositoryFolders(fileName);
  const found = folders.map(folderPoolers);
  if (!found.some((poolers) => poolers.variables.get(name) === true) || found.some((poolers) => poolers.variables.get(name) === false)) return false;
  const sessionHosts = new Set(found.flatMap((poolers) => [...poolers.sessionHosts]));
  return folders.every((folder) => (envFileValues(folder).get(name) ?? []).every((value) => namesOnly(name, value, sessionHosts, true)));
}

/** Whether a compose file above `fileName` runs a session-mode pooler (reachesOnlySessionPooler may then say yes): a cheap first test. */
export function runsSessionPooler(fileName: string): boolean {
  return repositoryFolders(fileName).some((folder) => folderPoolers(folder).sessionHosts.size > 0);
}
