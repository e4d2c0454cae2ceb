// Compose files read as far as a test suite's database goes: which services a compose file starts, which of them run
// the tests (their `command:` or `entrypoint:` names a test run) and which run PostgreSQL (an image of it, or a build
// whose Dockerfile starts from one or installs its server). A suite run inside a compose service reaches the database
// service of the same file by the service's name as a host (`postgres://app@pg:5432/app`): that is the suite's own
// server, which the file starts for the run, not a pooler (ruling 13), unless it is a pooler's port or the service runs
// a pooler on it. A minimal reader of the `services:` map (keys by indentation), not a YAML parser: what it cannot read
// it does not count.
import { dirname, join } from 'node:path';
import { CACHE_MS, TimedCache } from './timedCache';
import { boundedText, folderEntries } from './folderEntries';
import { withoutTrailingSlashes } from './connectionHosts';
import { POOLER_PORTS, namesPooler } from './poolerEndpoints';

/** Images of PostgreSQL itself (the official one, PostGIS, pgvector, TimescaleDB, Supabase's, Bitnami's). */
export const POSTGRES_IMAGE = /(?:^|\/)(?:postgres|postgresql|postgis|pgvector|timescaledb[\w-]*)(?::|@|$)/i;
/** A compose file, whatever it is named for (`docker-compose.yml`, `compose.yaml`, `docker-compose.test.yml`). */
export const COMPOSE_FILE = /^(?:docker-)?compose[\w.-]*\.ya?ml$/i;
/** How much of a compose file or Dockerfile is read. */
const MAX_FILE_BYTES = 256 * 1024;
/** A package manager's install of PostgreSQL's server (`apk add postgresql14`, `apt-get install -y postgresql-16`), not of its client alone. */
const INSTALLS_SERVER = /\b(?:apk\s+add|apt-get\s+install|apt\s+install|yum\s+install|dnf\s+install|microdnf\s+install)\b[^\n]*?\spostgresql(?:-?\d+)?(?:-server)?(?=[\s;&|]|$)/im;
const FROM_LINE = /^[ \t]*FROM[ \t]+(?:--\S+[ \t]+)*(\S+)/gim;

/** One service of a compose file: its key, and the text of its block. */
export interface ComposeService {
  readonly name: string;
  /** `hostname:` and `container_name:`, other names the service is reached by. */
  readonly aliases: readonly string[];
  /** The block's lines, its key line first. */
  readonly lines: readonly string[];
  /** The index of its key line among the file's lines. */
  readonly firstLine: number;
}

/** The services of a compose file: the keys of its top-level `services:` map, each with its block. */
export function composeServices(text: string): ComposeService[] {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => /^services\s*:\s*(?:#.*)?$/.test(line));
  if (start < 0) return [];
  const services: ComposeService[] = [];
  let indent: number | undefined;
  let current: { name: string; lines: string[]; firstLine: number } | undefined;
  for (const [offset, line] of lines.slice(start + 1).entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) {
      current?.lines.push(line);
      continue;
    }
    const depth = line.length - line.trimStart().length;
    if (depth === 0) break;
    indent ??= depth;
    if (depth < indent) break;
    const key = depth === indent ? /^\s*["']?([\w.-]+)["']?\s*:\s*(?:#.*)?$/.exec(line) : null;
    if (key) {
      current = { name: key[1], lines: [line], firstLine: start + 1 + offset };
      services.push(current as ComposeService & { lines: string[] });
    } else current?.lines.push(line);
  }
  return services.map((service) => ({ ...service, aliases: aliasesOf(service.lines) }));
}

function aliasesOf(lines: readonly string[]): string[] {
  const aliases: string[] = [];
  for (const line of lines) {
    const alias = /^\s+(?:hostname|container_name)\s*:\s*["']?([\w.-]+)/.exec(line);
    if (alias) aliases.push(alias[1]);
  }
  return aliases;
}

/**
 * The value of a service's property (`command`, `entrypoint`, `image`): its line's value and every line below it
 * indented deeper (a `>` block, a list), joined; undefined when the service has none.
 */
export function serviceProperty(service: ComposeService, property: string): string | undefined {
  const lines = service.lines;
  for (let index = 1; index < lines.length; index++) {
    const match = new RegExp(`^(\\s+)${property}\\s*:(.*)$`).exec(lines[index]);
    if (!match) continue;
    const parts = [match[2].trim()];
    for (let next = index + 1; next < lines.length; next++) {
      const line = lines[next];
      if (line.trim() !== '' && line.length - line.trimStart().length <= match[1].length) break;
      parts.push(line.trim());
    }
    return parts.filter((part) => part !== '' && !part.startsWith('#')).join(' ');
  }
  return undefined;
}

/**
 * A command that starts a test runner: a package manager's test script (`npm test`, `pnpm run test:e2e`), a runner by
 * name (`vitest`, `jest`, `pytest`…), a toolchain's (`deno test`, `go test`, `node --test`), `make test`. Stricter than
 * testEnvironment.ts's TEST_RUN, which reads a CI step's whole script: a compose command also names hosts and paths (`pgbouncer-test:6432`,
 * `/srv/test-data`) whose words say nothing of what runs.
 */
const TEST_COMMAND = /\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:test|tests|e2e|spec)(?![\w-])|\b(?:npm|pnpm|yarn|bun)\s+run\s+(?:test|e2e)[:.][\w:.-]+|(?:^|[\s"'\[,/])(?:vitest|jest|mocha|ava|pytest|rspec|phpunit|bats|tox)(?=[\s"',\]]|$)|\bplaywright\s+test\b|\bcypress\s+run\b|\b(?:go|cargo|deno|bun|mix|dotnet)\s+test\b|\bnode\s+(?:--[\w-]+(?:=\S+)?\s+)*--test\b|\bmake\s+(?:test|check)[\w-]*/i;

/**
 * Whether a command starts a test runner (TEST_COMMAND), in any of the forms compose and Dockerfiles take: the shell form
 * (`npm test`), the exec form (`["npm", "test"]`) and a YAML list (`- npm` / `- test`, read joined as `- npm - test`)
 * name the same words once brackets, quotes, commas and list dashes are blanks.
 */
function startsTests(command: string): boolean {
  return TEST_COMMAND.test(command.replace(/[[\]"',]/g, ' ').replace(/(^|\s)-(?=\s|$)/g, '$1 '));
}

/** Whether a service runs tests: its `command:` or `entrypoint:` starts a test runner (TEST_COMMAND). */
export function runsTests(service: ComposeService): boolean {
  return [serviceProperty(service, 'command'), serviceProperty(service, 'entrypoint')].some((value) => value !== undefined && startsTests(value));
}

/**
 * Whether a service may run the tests: its `command:` or `entrypoint:` starts a test runner; without either, its build's
 * Dockerfile's `CMD`/`ENTRYPOINT` does, or what it runs cannot be read (a build with no Dockerfile found, neither an
 * image nor a build: `extends:` another file's service). Not a service that names a pooler (the pooler itself), nor one
 * running an image's own command (a database, a cache, a mail catcher).
 */
export function mayRunTests(service: ComposeService, composeFolder: string): boolean {
  const command = [serviceProperty(service, 'command'), serviceProperty(service, 'entrypoint')].filter((value) => value !== undefined);
  if (command.length > 0) return command.some((value) => startsTests(value!));
  if (namesPooler(service.lines.join('\n'))) return false;
  const built = service.lines.some((line) => /^\s+build\s*:/.test(line));
  if (!built) return serviceProperty(service, 'image') === undefined;
  const dockerfile = dockerfileText(service, composeFolder);
  if (dockerfile === undefined) return true;
  const runs = [...dockerfile.matchAll(RUN_LINE)].map((run) => run[1]);
  return runs.length === 0 || runs.some((run) => startsTests(run));
}
/** A Dockerfile's `CMD` or `ENTRYPOINT` line (the last one wins, but any that starts tests is enough to say it may). */
const RUN_LINE = /^[ \t]*(?:CMD|ENTRYPOINT)[ \t](.*)$/gim;

/** What a compose file's database service is: the PostgreSQL it runs, and whether a pooler runs beside it (its text, its Dockerfile's). */
interface DatabaseService {
  /** The service's block and its Dockerfile: what a pooler's settings would be in. */
  readonly text: string;
  readonly runsPooler: boolean;
}

/**
 * Whether a service runs PostgreSQL: its `image:` is PostgreSQL's, or its `build:` Dockerfile (read from the folder
 * `composeFolder` gives it) starts from such an image or installs PostgreSQL's server. Undefined when it does not.
 */
function databaseService(service: ComposeService, composeFolder: string): DatabaseService | undefined {
  const image = serviceProperty(service, 'image');
  const block = service.lines.join('\n');
  if (image !== undefined && POSTGRES_IMAGE.test(unquoted(image))) return { text: block, runsPooler: namesPooler(block) };
  const dockerfile = dockerfileText(service, composeFolder);
  if (dockerfile === undefined) return undefined;
  const images = [...dockerfile.matchAll(FROM_LINE)].map((from) => from[1]);
  const postgres = images.some((from) => POSTGRES_IMAGE.test(from)) || INSTALLS_SERVER.test(dockerfile.replace(/\\\r?\n/g, ' '));
  return postgres ? { text: `${block}\n${dockerfile}`, runsPooler: namesPooler(block) || namesPooler(dockerfile) } : undefined;
}

/** Whether a service runs PostgreSQL (its image, or the Dockerfile it builds: databaseService). */
export function runsPostgres(service: ComposeService, composeFolder: string): boolean {
  return databaseService(service, composeFolder) !== undefined;
}

/** The Dockerfile a service's `build:` names (`build: ./db`, or `context:` and `dockerfile:` under it), read; undefined without one. */
export function dockerfileText(service: ComposeService, composeFolder: string): string | undefined {
  const build = service.lines.findIndex((line) => /^\s+build\s*:/.test(line));
  if (build < 0) return undefined;
  const inline = /^\s+build\s*:\s*["']?([^\s"'#]+)/.exec(service.lines[build]);
  let context = inline ? inline[1] : '.';
  let dockerfile = 'Dockerfile';
  if (!inline) {
    const indent = service.lines[build].length - service.lines[build].trimStart().length;
    for (const line of service.lines.slice(build + 1)) {
      if (line.trim() !== '' && line.length - line.trimStart().length <= indent) break;
      const setting = /^\s+(context|dockerfile)\s*:\s*["']?([^\s"'#]+)/.exec(line);
      if (setting?.[1] === 'context') context = setting[2];
      else if (setting?.[1] === 'dockerfile') dockerfile = setting[2];
    }
  }
  return boundedText(join(composeFolder, context, dockerfile), MAX_FILE_BYTES);
}

function unquoted(value: string): string {
  return value.replace(/^["']|["']$/g, '');
}

/** The compose files of a folder that start a service running the tests, with their services: the one reader of both caches below. */
function testComposeFiles(folder: string): { path: string; services: ComposeService[] }[] {
  const files: { path: string; services: ComposeService[] }[] = [];
  for (const entry of folderEntries(folder)) {
    if (!COMPOSE_FILE.test(entry.name)) continue;
    const path = join(folder, entry.name);
    const text = boundedText(path, MAX_FILE_BYTES);
    if (text === undefined) continue;
    const services = composeServices(text);
    if (services.some(runsTests)) files.push({ path, services });
  }
  return files;
}

/** Per compose file of a folder: its database services by every name they are reached by, when one of its services runs the tests. */
const suiteDatabasesByFolder = new TimedCache<Map<string, DatabaseService>>(CACHE_MS, 512);

/** The database services of the compose files in `folder` that also start a service running the tests, by host name. */
function suiteDatabases(folder: string): Map<string, DatabaseService> {
  return suiteDatabasesByFolder.get(folder, () => {
    const databases = new Map<string, DatabaseService>();
    for (const { path, services } of testComposeFiles(folder)) {
      for (const service of services) {
        const database = runsTests(service) ? undefined : databaseService(service, dirname(path));
        if (database) for (const name of [service.name, ...service.aliases]) databases.set(name, database);
      }
    }
    return databases;
  });
}

/**
 * The named volumes a service mounts, by the directory it mounts each at (`- usock:/run/postgresql:ro`); not a folder of
 * the host (`- ./data:/data`, `- /srv/pg:/data`) nor the long form (`type: volume`, which is not read).
 */
function namedVolumeMounts(service: ComposeService): Map<string, string> {
  const mounts = new Map<string, string>();
  const volumes = serviceProperty(service, 'volumes');
  for (const mount of volumes?.matchAll(/(?:^|\s)-\s*["']?([A-Za-z0-9][\w.-]*):(\/[^\s:"']*)/g) ?? []) {
    mounts.set(withoutTrailingSlashes(mount[2]), mount[1]);
  }
  return mounts;
}

/** Per folder: the database services that share a named volume with a service running the tests, by the directory the latter mounts it at. */
const suiteSocketsByFolder = new TimedCache<Map<string, DatabaseService>>(CACHE_MS, 512);

function suiteSockets(folder: string): Map<string, DatabaseService> {
  return suiteSocketsByFolder.get(folder, () => {
    const sockets = new Map<string, DatabaseService>();
    for (const { path, services } of testComposeFiles(folder)) {
      const runners = services.filter(runsTests);
      const databases = services.filter((service) => !runsTests(service))
        .map((service) => ({ volumes: new Set(namedVolumeMounts(service).values()), database: databaseService(service, dirname(path)) }))
        .filter((found) => found.database !== undefined && found.volumes.size > 0);
      for (const runner of runners) {
        for (const [directory, volume] of namedVolumeMounts(runner)) {
          const shared = databases.filter((found) => found.volumes.has(volume));
          // One database service behind the directory: which server a socket there belongs to is then known.
          if (shared.length === 1) sockets.set(directory, shared[0].database!);
        }
      }
    }
    return sockets;
  });
}

/**
 * Whether a Unix-socket directory (and `port`, as written) of a connection string in a test file reaches the PostgreSQL
 * of a compose database service through a named volume: a service running the tests mounts the volume at that
 * directory, and the database service of the same compose file mounts it too (PostgreSQL's socket directory shared
 * with the suite: `usock:/run/postgresql` on both). As for a host name (reachesSuiteDatabase), a pooler's port is not
 * it, and where a pooler runs in the same service only a port written out that is not the pooler's `listen_port` is.
 */
export function reachesSuiteSocket(folders: readonly string[], directory: string, port: string | undefined): boolean {
  for (const folder of folders) {
    const database = suiteSockets(folder).get(directory);
    if (database) return reachesDatabase(database, port);
  }
  return false;
}

/** Whether a port (as written; undefined when none is) of a database service is PostgreSQL's, not a pooler's beside it. */
function reachesDatabase(database: DatabaseService, port: string | undefined): boolean {
  if (port !== undefined && (POOLER_PORTS.has(port) || !/^\d+$/.test(port))) return false;
  if (!database.runsPooler) return true;
  return port !== undefined && !new RegExp(`listen_port\\s*=\\s*${port}\\b`, 'i').test(database.text);
}

/**
 * Whether `host` (and `port`, as written; undefined when none is) of a URL in a test file reaches the PostgreSQL of a
 * compose service that a compose file in `folders` (the file's folder and those above it to the repository's root)
 * starts beside a service running the tests: the suite's own server. A pooler's port is not it; where a pooler runs
 * in the same service (a PgBouncer beside PostgreSQL in one image), only a port written out, and not the pooler's
 * `listen_port`, is.
 */
export function reachesSuiteDatabase(folders: readonly string[], host: string, port: string | undefined): boolean {
  for (const folder of folders) {
    const database = suiteDatabases(folder).get(host);
    if (database) return reachesDatabase(database, port);
  }
  return false;
}
