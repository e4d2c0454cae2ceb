// The npm package a module specifier loads, however it is written. Deno (Supabase Edge Functions, Deno Deploy) loads
// npm packages by `npm:` specifiers or from CDNs that serve npm builds (`https://esm.sh/postgres@3.4.4`), and
// postgres.js is also published to deno.land/x under the name `postgresjs`. Code written so uses the same drivers as
// code that imports `postgres` or `pg`, so every reader of a file's imports sees the npm name instead of the URL.
// A JSR package (`jsr:@db/postgres@0.19`, Deno's own registry; always scoped) is read by its JSR name the same way, and
// deno-postgres, at deno.land/x/postgres, by its JSR name `@db/postgres`.

import { escapeRegExp } from './regexText';

/** A package name as npm spells it, scoped or not, and what follows it: `@scope/name@1.2/sub/path`. */
const NPM_PATH = String.raw`((?:@[\w.-]+\/)?[\w.-]+)(?:@[^/?#]*)?((?:\/[^?#]*)?)`;
/** `npm:name@version/sub`: Deno's (and Bun's) npm specifier; `jsr:@scope/name@version/sub`, Deno's JSR specifier. */
const REGISTRY_SCHEME = String.raw`(?:npm|jsr):\/?`;
const REGISTRY_SPECIFIER = new RegExp(String.raw`^${REGISTRY_SCHEME}${NPM_PATH}`);
/**
 * CDNs that serve an npm package's build at `<host>/<name>@<version>/<sub>` (jsDelivr under `/npm/`), each a URL a Deno
 * program imports as it would the package. esm.sh's optional build prefix (`/v135/`) is not a package's name.
 */
const NPM_CDN_HOST = String.raw`(?:esm\.sh(?:\/v\d+)?|cdn\.skypack\.dev|unpkg\.com|cdn\.jsdelivr\.net\/npm)\/`;
const NPM_CDN = new RegExp(String.raw`^https?:\/\/${NPM_CDN_HOST}${NPM_PATH}`);
/**
 * What stands just before a package's name in a specifier packageSpecifier reads as that package (`npm:`, `jsr:`, a
 * CDN's host), for readers that look for a package's name in a file's raw text.
 */
export const REGISTRY_PREFIX_IN_TEXT = String.raw`(?:${REGISTRY_SCHEME}|${NPM_CDN_HOST})`;
/**
 * deno.land/x modules whose code is an npm or JSR package's, by their deno.land name: porsager's postgres.js is
 * `postgresjs` there, deno-postgres (JSR `@db/postgres`) is `postgres`.
 */
const DENO_LAND_PACKAGES: ReadonlyMap<string, string> = new Map([['postgresjs', 'postgres'], ['postgres', '@db/postgres']]);
/**
 * Where a raw text may name one of DENO_LAND_PACKAGES (group 1: its deno.land name), for readers that test a whole
 * file's text before tokenising it (embeddedGate.ts): `deno.land/x/postgresjs` followed by a version, a path or the end.
 */
export const DENO_LAND_PACKAGE_IN_TEXT = new RegExp(String.raw`deno\.land\/x\/(${[...DENO_LAND_PACKAGES.keys()].map(escapeRegExp).join('|')})(?![\w.-])`, 'g');

/**
 * Where a raw text may hold a specifier packageSpecifier reads as npm package `name` (or a path inside it): the name
 * quoted, after `npm:` or a CDN's host, ended as NPM_PATH ends a name; or a deno.land/x name standing for it. Not a
 * `postgres://` URL nor a longer name (`postgres-migrations`). For readers that skip a module's parse when its text
 * cannot name the package; an escaped specifier (`'\x70ostgres'`) is missed, as no one writes one.
 */
export function specifierInText(name: string): RegExp {
  const npmForms = String.raw`(?:['"\`]|${REGISTRY_PREFIX_IN_TEXT})${escapeRegExp(name)}(?=[@/?#'"\`])`;
  const denoLandNames = [...DENO_LAND_PACKAGES].filter(([, npmName]) => npmName === name).map(([denoLandName]) => escapeRegExp(denoLandName));
  const denoLandForm = denoLandNames.length > 0 ? [String.raw`deno\.land\/x\/(?:${denoLandNames.join('|')})(?![\w.-])`] : [];
  return new RegExp([npmForms, ...denoLandForm].join('|'));
}

/** The npm package a deno.land/x name (DENO_LAND_PACKAGE_IN_TEXT's group 1) stands for. */
export function denoLandPackage(denoLandName: string): string | undefined {
  return DENO_LAND_PACKAGES.get(denoLandName);
}
/** `https://deno.land/x/name@version/mod.js`: the module's entry file (other files of it are not the package's entry). */
const DENO_LAND_ENTRY = /^https?:\/\/deno\.land\/x\/([\w.-]+?)(?:@[^/?#]*)?\/(?:mod|index)\.[jt]s$/;
/** What a CDN may put after a package's path and that names no file of it: jsDelivr's `+esm`, a trailing slash. */
const CDN_ENTRY_SUFFIX = /\/(?:\+esm)?$/;

/** The npm specifier (`postgres`, `pg/lib/client`) a Deno or CDN specifier loads; any other specifier unchanged. */
export function packageSpecifier(specifier: string): string {
  const npm = REGISTRY_SPECIFIER.exec(specifier) ?? NPM_CDN.exec(specifier);
  if (npm) return npm[1] + npm[2].replace(CDN_ENTRY_SUFFIX, '');
  const denoLand = DENO_LAND_ENTRY.exec(specifier);
  return (denoLand && DENO_LAND_PACKAGES.get(denoLand[1])) ?? specifier;
}
