// Whether a postgres.js client connects through Cloudflare Hyperdrive: made with the `connectionString` of a Worker's
// Hyperdrive binding (`postgres(env.HYPERDRIVE.connectionString)`), the binding declared in the Worker's wrangler
// configuration (`[[hyperdrive]] binding = "HYPERDRIVE"` in wrangler.toml, `"hyperdrive": [{ "binding": … }]` in
// wrangler.json/.jsonc, also under an `env` section). Hyperdrive pools server connections per transaction, but it keeps
// named prepared statements working across them (Cloudflare's "Supporting Postgres Named Prepared Statements in
// Hyperdrive"; ruling lab56b 2): postgres.js's default `prepare: true` is no hazard through it. Session state still is,
// so this answers the prepared-statement question only.
//
// The URL is followed where the code shows it: the binding's `connectionString` written in the call, a `const` holding
// it, or a parameter of a top-level function every call of which (in its file and, exported, in the project's
// importers, uncalledHelpers.ts's reading: at least one call) passes one (`createDb(env.HYPERDRIVE.connectionString)`,
// ruling lab57d 2). Any other value, or one call with another URL, keeps the finding.
import ts from 'typescript';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isConstDeclaration, objectProperty, unwrap } from './embeddedFlow';
import { declarationNamed } from './directUrls';
import { folderEntries } from './folderEntries';
import { foldersUpToRoot } from './projectPaths';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';
import { alwaysHandedMatching } from './uncalledHelpers';

/** wrangler's configuration files, in the Worker's folder. */
const WRANGLER_CONFIG = /^wrangler\.(?:toml|jsonc?)$/;
/** Folders above a file searched for its Worker's configuration. */
const MAX_LEVELS = 8;
/** How many consts a URL is followed through. */
const MAX_DEPTH = 4;
const MAX_CACHED = 256;

const bindingsByFolder = new TimedCache<ReadonlySet<string>>(PROJECT_CACHE_MS, MAX_CACHED);

/** Whether the connection string `url` (a postgres.js client's first argument) is always a Hyperdrive binding's. */
export function connectsThroughHyperdrive(url: ts.Expression | undefined, fileName: string | undefined): boolean {
  return url !== undefined && fileName !== undefined && holdsHyperdriveUrl(url, resolve(fileName), 0);
}

/**
 * drizzle-orm/postgres-js's own client (`drizzle({ connection: { url, max: 1 } })`, `drizzle(url)`): its URL — the
 * connection itself, or the `url` of connection options written in the call — is always a Hyperdrive binding's.
 */
export function drizzleConnectsThroughHyperdrive(connection: ts.Expression, fileName: string | undefined): boolean {
  const value = unwrap(connection);
  return connectsThroughHyperdrive(ts.isObjectLiteralExpression(value) ? objectProperty(value, 'url') : value, fileName);
}

function holdsHyperdriveUrl(expression: ts.Expression, file: string, depth: number): boolean {
  const value = unwrap(expression);
  if (isBindingConnectionString(value, file)) return true;
  if (!ts.isIdentifier(value) || depth >= MAX_DEPTH) return false;
  const declaration = declarationNamed(value.getSourceFile(), value.text, value);
  if (declaration && ts.isVariableDeclaration(declaration)) {
    return isConstDeclaration(declaration) && declaration.initializer !== undefined && holdsHyperdriveUrl(declaration.initializer, file, depth + 1);
  }
  if (!declaration || !ts.isParameter(declaration) || !ts.isIdentifier(declaration.name) || declaration.initializer) return false;
  const fn = declaration.parent;
  return alwaysHandedMatching(fn, declaration, fn.getSourceFile(), file, (argument) => {
    const caller = resolve(argument.getSourceFile().fileName);
    return holdsHyperdriveUrl(argument, caller, depth + 1);
  }, 'valueMentions'); // `export type Db = ReturnType<typeof createDb>` beside the factory hands it no URL
}

/** `env.HYPERDRIVE.connectionString`, `c.env.DB.connectionString`, `HYPERDRIVE.connectionString`: a binding of the file's Worker. */
function isBindingConnectionString(value: ts.Expression, file: string): boolean {
  if (!ts.isPropertyAccessExpression(value) || value.name.text !== 'connectionString') return false;
  const holder = unwrap(value.expression);
  const binding = ts.isPropertyAccessExpression(holder) ? holder.name.text : ts.isIdentifier(holder) ? holder.text : undefined;
  return binding !== undefined && hyperdriveBindings(dirname(file)).has(binding);
}

/** The Hyperdrive binding names the wrangler configurations in the folder and the folders above it (to the repository's root) declare. */
export function hyperdriveBindings(folder: string): ReadonlySet<string> {
  return bindingsByFolder.get(folder, () => {
    const names = new Set<string>();
    for (const up of foldersUpToRoot(folder, MAX_LEVELS)) {
      for (const entry of folderEntries(up)) {
        if (entry.isFile() && WRANGLER_CONFIG.test(entry.name)) for (const name of configBindings(join(up, entry.name))) names.add(name);
      }
    }
    return names;
  });
}

/** The `binding` of each Hyperdrive entry of one wrangler configuration. */
function configBindings(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return file.endsWith('.toml') ? tomlBindings(text) : jsonBindings(file, text);
}

/**
 * `[[hyperdrive]]` (or `[[env.production.hyperdrive]]`) tables: the `binding = "…"` each holds, up to the next table.
 * Also the inline form `hyperdrive = [{ binding = "…", id = "…" }]`.
 */
function tomlBindings(text: string): string[] {
  const names: string[] = [];
  let inHyperdrive = false;
  for (const line of text.split(/\r?\n/)) {
    // The table name is taken whole and trimmed after: `\s*` beside a lazy name would match the spaces two ways.
    const table = /^\s*\[\[?([^\]]*)\]/.exec(line);
    if (table) {
      inHyperdrive = /(?:^|\.)hyperdrive$/.test(table[1].trim());
      continue;
    }
    const binding = inHyperdrive ? /^\s*binding\s*=\s*["']([^"']+)["']/.exec(line) : null;
    if (binding) names.push(binding[1]);
    const inline = /^\s*hyperdrive\s*=\s*\[(.*)$/.exec(line);
    if (inline) for (const found of inline[1].matchAll(/binding\s*=\s*["']([^"']+)["']/g)) names.push(found[1]);
  }
  return names;
}

/** The `hyperdrive` arrays of a JSON/JSONC configuration, at its top and under each `env` entry. */
function jsonBindings(file: string, text: string): string[] {
  const config = ts.parseConfigFileTextToJson(file, text).config as Record<string, unknown> | undefined;
  if (!config || typeof config !== 'object') return [];
  const environments = config.env && typeof config.env === 'object' ? Object.values(config.env as Record<string, unknown>) : [];
  return [config, ...environments].flatMap((section) => {
    const entries = section && typeof section === 'object' ? (section as Record<string, unknown>).hyperdrive : undefined;
    return Array.isArray(entries) ? entries.flatMap((entry) => (entry && typeof entry.binding === 'string' ? [entry.binding as string] : [])) : [];
  });
}
