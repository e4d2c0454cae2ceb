// Where a document's analysis options come from: built-in defaults, then the nearest .poolsafe.json,
// then the editor's `poolsafe.*` settings (settings win). Settings left at their `null` default do not
// override the file, so a team's .poolsafe.json applies unless a user deliberately changes a setting.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalysisOptions, DocumentLanguage, PoolMode, PreparedStatementSupport, RuleId, Severity } from './analysis/types';
import { getRule } from './analysis/rules/index';
import { findConfigFile, loadConfigFile, mergeOptions } from './analysis/config';

export const ALL_LANGUAGES: readonly DocumentLanguage[] = ['sql', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact'];

/** The `poolsafe` settings section as the client sends it (unvalidated). */
export interface RawSettings {
  poolMode?: unknown;
  preparedStatements?: unknown;
  rules?: unknown;
  languages?: unknown;
  loadBalancing?: unknown;
}

export interface EditorSettings {
  options: Partial<AnalysisOptions>;
  languages: readonly DocumentLanguage[];
}

const POOL_MODES = new Set<unknown>(['transaction', 'session', 'statement']);
const PREPARED = new Set<unknown>(['supported', 'unsupported']);
const LEVELS = new Set<unknown>(['error', 'warning', 'info', 'hint', 'off']);

/** Keeps only well-formed values: a bad setting must not switch the linter off. */
export function parseSettings(raw: RawSettings | null | undefined): EditorSettings {
  const options: Partial<AnalysisOptions> = {};
  if (POOL_MODES.has(raw?.poolMode)) options.poolMode = raw!.poolMode as PoolMode;
  if (PREPARED.has(raw?.preparedStatements)) options.preparedStatements = raw!.preparedStatements as PreparedStatementSupport;
  if (typeof raw?.loadBalancing === 'boolean') options.loadBalancing = raw.loadBalancing;
  if (raw?.rules && typeof raw.rules === 'object' && !Array.isArray(raw.rules)) {
    const rules: AnalysisOptions['rules'] = {};
    for (const [id, level] of Object.entries(raw.rules as Record<string, unknown>)) {
      if (getRule(id) && LEVELS.has(level)) rules[id as RuleId] = level as Severity | 'off';
    }
    options.rules = rules;
  }
  const languages = Array.isArray(raw?.languages)
    ? ALL_LANGUAGES.filter((language) => (raw!.languages as unknown[]).includes(language))
    : ALL_LANGUAGES;
  return { options, languages };
}

interface FileConfig {
  path?: string;
  options: Partial<AnalysisOptions>;
  /** `false` when the file asks to lint vendored, minified and bundled files too. */
  defaultIgnore?: boolean;
}

/** Caches the nearest .poolsafe.json per directory; cleared whenever a watched config file changes. */
export class ConfigFiles {
  private byDirectory = new Map<string, FileConfig>();
  private reported = new Set<string>();

  constructor(private readonly log: (message: string) => void) {}

  clear(): void {
    this.byDirectory.clear();
    this.reported.clear();
  }

  /** The config file that applies to a document, if the document lives on disk. */
  forDocument(uri: string): FileConfig {
    if (!uri.startsWith('file:')) return { options: {} };
    const directory = dirname(fileURLToPath(uri));
    let config = this.byDirectory.get(directory);
    if (!config) {
      config = this.load(findConfigFile(directory));
      this.byDirectory.set(directory, config);
    }
    return config;
  }

  private load(path: string | undefined): FileConfig {
    if (!path) return { options: {} };
    const { options, errors, defaultIgnore } = loadConfigFile(path);
    // Report each problem once per load, not once per keystroke.
    for (const error of errors) {
      if (!this.reported.has(error)) this.log(error);
      this.reported.add(error);
    }
    return { path, options, defaultIgnore };
  }
}

export function effectiveOptions(file: Partial<AnalysisOptions>, editor: Partial<AnalysisOptions>): Partial<AnalysisOptions> {
  return mergeOptions(file, editor);
}
