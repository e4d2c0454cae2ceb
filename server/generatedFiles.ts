// Files a user never wrote — vendored trees, minified and bundled JavaScript — are not linted by
// default (as ESLint skips node_modules): their findings are noise the user cannot act on, and a 3 MB
// committed bundle costs seconds and hundreds of MB. Shared by `poolsafe lint` and the language server;
// `--no-default-ignore` / `"defaultIgnore": false` in .poolsafe.json turn it off.
import { basename } from 'node:path';
import type { DocumentLanguage } from './analysis/types';

/** Folders that hold third-party or package-manager code, never the project's own. */
export const DEFAULT_IGNORED_DIRECTORIES: ReadonlySet<string> = new Set(['.yarn', 'vendor', 'bower_components', 'jspm_packages']);

/** Minified builds by name, and Yarn Plug'n'Play's generated loaders. */
const GENERATED_NAME = /(\.min\.[cm]?js|^\.pnp\.c?js|^\.pnp\.loader\.mjs)$/i;

/** A line this long is not typed by a person (VS Code stops tokenising at 20,000). */
const MINIFIED_LINE_LENGTH = 10_000;
/** Bundles that wrap lines still average far above hand-written code (≈ 30–60 per line). */
const MINIFIED_MEAN_LINE_LENGTH = 1_000;
const MEAN_CHECK_MIN_SIZE = 4_096;
/** Banners bundlers and code generators put at the top of what they write. */
const GENERATED_BANNER = /@generated\b|\bCode generated\b.*\bDO NOT EDIT\b|webpackBootstrap|^\/\*! For license information please see /m;
const BANNER_WINDOW = 1_024;
/** A file's opening comment saying it is generated and not to be edited, in any words and case (`// ⚠️
 * generated - do not modify ⚠️`, `/* This file is auto-generated. Do not edit by hand. *⁠/`). Looked for only in
 * the comments that open the file: a generator's own source holds the same words in a string further down. */
const GENERATED_HEADER = /\b(?:auto-?)?generated\b[^\n]{0,40}\bdo not (?:edit|modify)\b/i;
/** ANTLR's banner on every lexer, parser, listener and visitor it writes (`// Generated from PostgreSQLParser.g4 by ANTLR
 * 4.13.2`): megabytes of generated code, never edited, in the opening comments as the header above. */
const ANTLR_HEADER = /\bGenerated from \S+\.g4? by ANTLR\b/;

export function isDefaultIgnoredName(fileName: string): boolean {
  return GENERATED_NAME.test(basename(fileName));
}

/** Whether any folder on the path, or the file's name, is ignored by default (for single documents). */
export function isDefaultIgnoredPath(path: string): boolean {
  const parts = path.split(/[\\/]/);
  return isDefaultIgnoredName(path) || parts.slice(0, -1).some((part) => DEFAULT_IGNORED_DIRECTORIES.has(part) || part === 'node_modules');
}

/** SQL files, shell scripts, container YAML, Dockerfiles, Procfiles and Fly.io configs are always the user's: only JavaScript/TypeScript can be minified or bundled. */
export function mayBeGenerated(language: DocumentLanguage): boolean {
  return language === 'typescript' || language === 'typescriptreact' || language === 'javascript' || language === 'javascriptreact';
}

/** Minified or bundled JavaScript/TypeScript, judged by its text. */
export function isGeneratedText(text: string, language: DocumentLanguage): boolean {
  if (!mayBeGenerated(language)) return false;
  const top = text.slice(0, BANNER_WINDOW);
  const opening = openingComments(top);
  if (GENERATED_BANNER.test(top) || GENERATED_HEADER.test(opening) || ANTLR_HEADER.test(opening)) return true;
  let lines = 0;
  for (let start = 0; start <= text.length; lines++) {
    const end = text.indexOf('\n', start);
    const stop = end === -1 ? text.length : end;
    if (stop - start >= MINIFIED_LINE_LENGTH) return true;
    start = stop + 1;
  }
  return text.length >= MEAN_CHECK_MIN_SIZE && text.length / lines >= MINIFIED_MEAN_LINE_LENGTH;
}

/** The comments (and a `#!` line) before a file's first code: where generators put their banner. */
function openingComments(text: string): string {
  let at = 0;
  for (;;) {
    while (at < text.length && /\s/.test(text[at])) at++;
    if (text.startsWith('//', at) || (at === 0 && text.startsWith('#!'))) {
      const end = text.indexOf('\n', at);
      at = end === -1 ? text.length : end + 1;
    } else if (text.startsWith('/*', at)) {
      const end = text.indexOf('*/', at + 2);
      at = end === -1 ? text.length : end + 2;
    } else {
      return text.slice(0, at);
    }
  }
}
