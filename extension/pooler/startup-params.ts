// Settings a client asks for in its startup packet: plain parameters (`statement_timeout=5s`,
// `search_path=…`) and `options` (`-c name=value`, `--name=value`). PostgreSQL applies them to the
// session; PgBouncer refuses most. PoolSafe applies them, like its tracked parameters, to whichever
// server connection the client is given (see Client.paramSyncSql).

/** Startup parameters that are not settings: the pooler uses them itself. */
const NOT_SETTINGS = new Set(['user', 'database', 'replication', 'options']);

export class StartupParamError extends Error {}

const OPTIONS_ERROR = "unsupported options startup parameter: only '-c config=val' and '--config=val' are allowed";

/**
 * Splits `options` as PostgreSQL does (pg_split_opts): words separated by unescaped whitespace,
 * a backslash takes the next character literally.
 */
function splitOptionWords(text: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
      continue;
    }
    if (ch === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i];
      continue;
    }
    word = (word ?? '') + ch;
  }
  if (word !== null) words.push(word);
  return words;
}

function nameValue(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new StartupParamError(OPTIONS_ERROR);
  // PostgreSQL's --long-option spelling allows dashes for underscores.
  return [text.slice(0, eq).replace(/-/g, '_').toLowerCase(), text.slice(eq + 1)];
}

/** `-c name=value`, `-cname=value` and `--name=value` pairs of an `options` parameter. */
export function parseOptionsParam(text: string): Array<[string, string]> {
  const words = splitOptionWords(text);
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word === '-c') {
      if (i + 1 >= words.length) throw new StartupParamError(OPTIONS_ERROR);
      pairs.push(nameValue(words[++i]));
    } else if (word.startsWith('--')) {
      pairs.push(nameValue(word.slice(2)));
    } else if (word.startsWith('-c')) {
      pairs.push(nameValue(word.slice(2)));
    } else {
      throw new StartupParamError(OPTIONS_ERROR);
    }
  }
  return pairs;
}

/**
 * The settings a startup packet asks for, lower-cased name → value (a later mention wins).
 * `ignored` (ignore_startup_parameters) are dropped; with `options` itself ignored, its pairs are
 * still read leniently and only `tracked` names are kept (PgBouncer's behaviour).
 */
export function startupSettings(params: ReadonlyMap<string, string>, ignored: readonly string[], tracked: (name: string) => boolean): Map<string, string> {
  const ignoredLower = lowerCaseNames(ignored);
  const settings = new Map<string, string>();
  for (const [rawName, value] of params) {
    const name = rawName.toLowerCase();
    if (name.startsWith('_pq_.') || ignoredLower.has(name)) {
      if (name === 'options') addLenientOptions(settings, value, ignoredLower, tracked);
      continue;
    }
    if (name === 'options') {
      for (const [option, optionValue] of parseOptionsParam(value)) if (!ignoredLower.has(option)) settings.set(option, optionValue);
      continue;
    }
    if (!NOT_SETTINGS.has(name)) settings.set(name, value);
  }
  return settings;
}

/**
 * The lower-cased names of a configured list (ignore_startup_parameters, track_extra_parameters), made
 * once per list rather than per login: RELOAD and SET replace such a list whole, never edit it.
 */
const lowerCased = new WeakMap<readonly string[], ReadonlySet<string>>();
export function lowerCaseNames(names: readonly string[]): ReadonlySet<string> {
  let lower = lowerCased.get(names);
  if (!lower) {
    lower = new Set(names.map((name) => name.toLowerCase()));
    lowerCased.set(names, lower);
  }
  return lower;
}

function addLenientOptions(settings: Map<string, string>, value: string, ignored: ReadonlySet<string>, tracked: (name: string) => boolean): void {
  let pairs: Array<[string, string]>;
  try {
    pairs = parseOptionsParam(value);
  } catch {
    return;
  }
  for (const [name, optionValue] of pairs) if (tracked(name) && !ignored.has(name)) settings.set(name, optionValue);
}

/** A setting name safe to write into SQL unquoted (custom settings have one dot). */
const SETTING_NAME = /^[a-z_][a-z0-9_$]*(\.[a-z_][a-z0-9_$]*)?$/;

/** Throws when a name could not be a PostgreSQL setting (it would otherwise be written into SQL). */
export function checkSettingNames(settings: ReadonlyMap<string, string>): void {
  for (const name of settings.keys()) {
    if (!SETTING_NAME.test(name)) throw new StartupParamError(`unsupported startup parameter: ${name}`);
  }
}

interface ExtraSetting {
  /** Spelling the server reports it under (ParameterStatus), else the lower-cased name. */
  name: string;
  value: string;
  /** The server reports changes (GUC_REPORT): a client's own SET is then seen and followed. */
  reported: boolean;
}

/**
 * A client's settings beyond PgBouncer's fixed tracked set: `track_extra_parameters` (followed
 * through ParameterStatus) and whatever its startup packet asked for. Synced onto each server it is
 * given; settings a previous client applied there and this one lacks are reset.
 */
export class ExtraSettings {
  private readonly byName = new Map<string, ExtraSetting>();

  /**
   * A client's extra settings, or null when it has none: most clients have only tracked parameters
   * in their startup packet and no track_extra_parameters apply, so a login builds nothing here.
   */
  static of(startup: ReadonlyMap<string, string>, trackExtra: readonly string[], template: ReadonlyMap<string, string>, isFixed: (lowerName: string) => boolean): ExtraSettings | null {
    if (trackExtra.length === 0 && allFixed(startup, isFixed)) return null;
    const extra = new ExtraSettings(startup, trackExtra, template, isFixed);
    return extra.size > 0 ? extra : null;
  }

  private constructor(startup: ReadonlyMap<string, string>, trackExtra: readonly string[], template: ReadonlyMap<string, string>, isFixed: (lowerName: string) => boolean) {
    const reportedName = reportedNames(template);
    for (const extra of trackExtra) {
      const lower = extra.toLowerCase();
      const name = reportedName.get(lower);
      if (isFixed(lower) || name === undefined) continue; // PgBouncer tracks only what the server reports
      this.byName.set(lower, { name, value: startup.get(lower) ?? template.get(name)!, reported: true });
    }
    for (const [lower, value] of startup) {
      if (isFixed(lower) || this.byName.has(lower)) continue;
      const name = reportedName.get(lower);
      this.byName.set(lower, { name: name ?? lower, value, reported: name !== undefined });
    }
  }

  get size(): number {
    return this.byName.size;
  }

  /** The client's value for a parameter the server reports at login, if it has its own. */
  greetingValue(name: string): string | undefined {
    return this.byName.get(name.toLowerCase())?.value;
  }

  /** A ParameterStatus the server sent while this client held it; true when it changed a setting here. */
  onReported(name: string, value: string): boolean {
    const setting = this.byName.get(name.toLowerCase());
    if (!setting || !setting.reported || setting.value === value) return false;
    setting.value = value;
    return true;
  }

  key(): string {
    let key = '';
    for (const [name, setting] of this.byName) key += `\0${name}=${setting.value}`;
    return key;
  }

  /**
   * SQL that makes `server` carry these settings: set_config (takes the value as a startup packet
   * does, lists included) for each one that differs, RESET for those a previous client left.
   */
  syncSql(serverParams: Map<string, string>, applied: ReadonlySet<string>, quote: (text: string) => string): string {
    const sets: string[] = [];
    for (const [lower, setting] of this.byName) {
      if (setting.reported && serverParams.get(setting.name) === setting.value) continue;
      sets.push(`pg_catalog.set_config(${quote(lower)}, ${quote(setting.value)}, false)`);
    }
    let sql = sets.length > 0 ? `SELECT ${sets.join(', ')};` : '';
    for (const lower of applied) if (!this.byName.has(lower)) sql += `RESET ${lower};`;
    return sql;
  }

  /** After a successful sync: what the server now carries. */
  recordOn(serverParams: Map<string, string>, applied: Set<string>): void {
    applied.clear();
    for (const [lower, setting] of this.byName) {
      if (setting.reported) serverParams.set(setting.name, setting.value);
      applied.add(lower);
    }
  }
}

function allFixed(startup: ReadonlyMap<string, string>, isFixed: (lowerName: string) => boolean): boolean {
  for (const lower of startup.keys()) if (!isFixed(lower)) return false;
  return true;
}

/** Lower-cased name → the server's spelling, per pool template (a template never changes once made). */
const reportedByTemplate = new WeakMap<ReadonlyMap<string, string>, ReadonlyMap<string, string>>();
function reportedNames(template: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  let names = reportedByTemplate.get(template);
  if (!names) {
    names = new Map([...template.keys()].map((name) => [name.toLowerCase(), name]));
    reportedByTemplate.set(template, names);
  }
  return names;
}
