// `.poolsafe.json`: the project's analysis settings, shared by the editor and the CLI.
//   { "poolMode": "transaction", "preparedStatements": "unsupported", "trackedParameters": "synced", "rules": { "listen": "off", "temp-table": "error" },
//     "sessionScripts": ["db/migrate/**"], "loadBalancing": true }
// Unknown keys and bad values are reported (not silently ignored), and the valid part still applies,
// so one typo never switches the whole linter off.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AnalysisOptions, PoolMode, PreparedStatementSupport, RuleId, Severity, TrackedParameterSupport } from './types';
import { isRuleId } from './rules/index';

export const CONFIG_FILE_NAME = '.poolsafe.json';

const POOL_MODES: readonly PoolMode[] = ['transaction', 'session', 'statement'];
const PREPARED_SUPPORT: readonly PreparedStatementSupport[] = ['unsupported', 'supported'];
const TRACKED_SUPPORT: readonly TrackedParameterSupport[] = ['synced', 'unsynced'];
const RULE_LEVELS: readonly (Severity | 'off')[] = ['error', 'warning', 'info', 'hint', 'off'];

export interface LoadedConfig {
  options: Partial<AnalysisOptions>;
  /** Human-readable problems, each prefixed with the file path. */
  errors: string[];
  /** `false` lints vendored, minified and bundled files too (which files, not how: not an analysis option). */
  defaultIgnore?: boolean;
  /** The folder of the config file: the workspace it describes. */
  root?: string;
}

/**
 * The nearest `.poolsafe.json` in `startDir` or one of its parents. With `known` (folder -> its answer), each
 * folder is looked at once: a whole-repository lint asks for every folder, and their parents are shared.
 */
export function findConfigFile(startDir: string, known?: Map<string, string | undefined>): string | undefined {
  const visited: string[] = [];
  let found: string | undefined;
  for (let dir = resolve(startDir); ; ) {
    if (known?.has(dir)) {
      found = known.get(dir);
      break;
    }
    visited.push(dir);
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) {
      found = candidate;
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const dir of visited) known?.set(dir, found);
  return found;
}

export function loadConfigFile(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { options: {}, errors: [`${path}: cannot read: ${(error as Error).message}`] };
  }
  return { ...parseConfig(text, path), root: dirname(resolve(path)) };
}

export function parseConfig(text: string, path = CONFIG_FILE_NAME): LoadedConfig {
  let raw: unknown;
  try {
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    return { options: {}, errors: [`${path}: invalid JSON: ${(error as Error).message}`] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { options: {}, errors: [`${path}: expected a JSON object`] };
  }
  const errors: string[] = [];
  const options: Partial<AnalysisOptions> = {};
  let defaultIgnore: boolean | undefined;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === 'poolMode') {
      if (POOL_MODES.includes(value as PoolMode)) options.poolMode = value as PoolMode;
      else errors.push(`${path}: poolMode must be one of ${POOL_MODES.join(', ')} (got ${JSON.stringify(value)})`);
    } else if (key === 'preparedStatements') {
      if (PREPARED_SUPPORT.includes(value as PreparedStatementSupport)) options.preparedStatements = value as PreparedStatementSupport;
      else errors.push(`${path}: preparedStatements must be "unsupported" or "supported" (got ${JSON.stringify(value)})`);
    } else if (key === 'trackedParameters') {
      if (TRACKED_SUPPORT.includes(value as TrackedParameterSupport)) options.trackedParameters = value as TrackedParameterSupport;
      else errors.push(`${path}: trackedParameters must be "synced" or "unsynced" (got ${JSON.stringify(value)})`);
    } else if (key === 'rules') {
      options.rules = parseRules(value, path, errors);
    } else if (key === 'sessionScripts') {
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) options.sessionScripts = { base: dirname(resolve(path)), patterns: value };
      else errors.push(`${path}: sessionScripts must be an array of glob strings, e.g. ["db/migrate/**"] (got ${JSON.stringify(value)})`);
    } else if (key === 'loadBalancing') {
      if (typeof value === 'boolean') options.loadBalancing = value;
      else errors.push(`${path}: loadBalancing must be true or false (got ${JSON.stringify(value)})`);
    } else if (key === 'defaultIgnore') {
      if (typeof value === 'boolean') defaultIgnore = value;
      else errors.push(`${path}: defaultIgnore must be true or false (got ${JSON.stringify(value)})`);
    } else if (key !== '$schema') {
      errors.push(`${path}: unknown key "${key}"`);
    }
  }
  return defaultIgnore === undefined ? { options, errors } : { options, errors, defaultIgnore };
}

function parseRules(value: unknown, path: string, errors: string[]): AnalysisOptions['rules'] {
  const rules: AnalysisOptions['rules'] = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push(`${path}: rules must be an object of rule id → ${RULE_LEVELS.join('|')}`);
    return rules;
  }
  for (const [id, level] of Object.entries(value as Record<string, unknown>)) {
    if (!isRuleId(id)) errors.push(`${path}: unknown rule "${id}"`);
    else if (!RULE_LEVELS.includes(level as Severity | 'off')) errors.push(`${path}: rule "${id}" must be one of ${RULE_LEVELS.join(', ')} (got ${JSON.stringify(level)})`);
    else rules[id as RuleId] = level as Severity | 'off';
  }
  return rules;
}

/** Later sources win: e.g. mergeOptions(fileConfig, editorSettings, commandLineFlags). */
export function mergeOptions(...layers: (Partial<AnalysisOptions> | undefined)[]): Partial<AnalysisOptions> {
  const merged: Partial<AnalysisOptions> = {};
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.poolMode) merged.poolMode = layer.poolMode;
    if (layer.preparedStatements) merged.preparedStatements = layer.preparedStatements;
    if (layer.trackedParameters) merged.trackedParameters = layer.trackedParameters;
    if (layer.rules) merged.rules = { ...merged.rules, ...layer.rules };
    if (layer.sessionScripts) merged.sessionScripts = layer.sessionScripts;
    if (layer.ownSession !== undefined) merged.ownSession = layer.ownSession;
    if (layer.loadBalancing !== undefined) merged.loadBalancing = layer.loadBalancing;
    if (layer.catalog) merged.catalog = layer.catalog;
    if (layer.stateFunctions) merged.stateFunctions = layer.stateFunctions;
    if (layer.sourceRoutines) merged.sourceRoutines = layer.sourceRoutines;
    if (layer.closingRoutines) merged.closingRoutines = layer.closingRoutines;
    // The linted files' candidates (the CLI) stand for the workspace's only when there are some: most runs have none.
    if (layer.postgresJsModules?.size) merged.postgresJsModules = layer.postgresJsModules;
  }
  return merged;
}
