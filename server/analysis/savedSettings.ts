// PL/pgSQL bodies that save a setting and put it back: `saved := current_setting('search_path')` (or `SELECT setting
// INTO saved FROM pg_settings WHERE name = 'search_path'`), then
// their own SET, then `SET search_path TO <saved>` (by EXECUTE or set_config). The last statement returns
// the session to the value it had before the call: it leaves nothing behind, so it is no finding itself.
// The SET between the save and the restore is no finding either when control surely passes from it to the
// restore (bodyFlow.ts: an error in between rolls the SET back; a RETURN, or a restore in another branch,
// would skip the restore and leave it).

/** Block words the statement splitter leaves in front of a body's statement (`BEGIN`, `THEN`…). */
const BLOCK_WORDS = String.raw`^(?:(?:begin|then|else|loop)\s+)*`;
/** `v := current_setting('name')` / `v = current_setting('name')`. */
const ASSIGNED_FROM_SETTING = new RegExp(BLOCK_WORDS + String.raw`([A-Za-z_][\w$]*)\s*:?=\s*current_setting\s*\(\s*'([\w.]+)'`, 'i');
/** A declaration initialised from a setting: `[DECLARE] v [CONSTANT] text := current_setting('name')` (also `=`, `DEFAULT`). */
const DECLARED_FROM_SETTING = /^(?:declare\s+)?([A-Za-z_][\w$]*)\s+(?:constant\s+)?[A-Za-z_][\w$. ()\[\]"]*?\s*(?::=|=|\bdefault\b)\s*current_setting\s*\(\s*'([\w.]+)'/i;
/** `SELECT current_setting('name') INTO v` (PERFORM cannot keep a value). */
const SELECTED_INTO_FROM_SETTING = new RegExp(BLOCK_WORDS + String.raw`select\s+current_setting\s*\(\s*'([\w.]+)'[^;]*?\binto\s+([A-Za-z_][\w$]*)`, 'i');
/** `SELECT setting INTO v FROM pg_settings WHERE name = 'name'` (also an expression of `setting`, as `replace(setting, …)`). */
const SELECT_HEAD = new RegExp(BLOCK_WORDS + String.raw`select\s`, 'i');
const INTO_FROM_PG_SETTINGS = /\binto\s+([A-Za-z_][\w$]*)\s+from\s+(?:pg_catalog\.)?pg_settings\s+where\s+name\s*=\s*'([\w.]+)'/i;
/** Any other assignment, which forgets what its target held. */
const ASSIGNED = new RegExp(BLOCK_WORDS + String.raw`([A-Za-z_][\w$]*)\s*:?=`, 'i');
/** A SET of one setting inside dynamic SQL's text: `EXECUTE format('SET search_path TO %s', v)` or `EXECUTE 'SET x = ' || v`. */
const DYNAMIC_SET = /\bexecute\b[^;]*?'\s*set\s+(?:session\s+)?([\w.]+)\s*(?:to\b|=)/i;
/** `set_config('name', v, …)` with a plain variable as the value. */
const SET_CONFIG_OF_VARIABLE = /\bset_config\s*\(\s*'([\w.]+)'\s*,\s*([A-Za-z_][\w$]*)\s*,/i;

/** `SELECT setting INTO v FROM pg_settings WHERE name = 'x'` (the selected expression reads the `setting` column). */
function selectedFromPgSettings(statement: string): { variable: string; setting: string } | undefined {
  const head = SELECT_HEAD.exec(statement);
  if (!head) return undefined;
  const rest = statement.slice(head[0].length);
  const into = INTO_FROM_PG_SETTINGS.exec(rest);
  if (!into) return undefined;
  const selected = rest.slice(0, into.index);
  return !selected.includes(';') && /\bsetting\b/i.test(selected) ? { variable: into[1].toLowerCase(), setting: into[2].toLowerCase() } : undefined;
}

/** Variables of one PL/pgSQL body holding a setting's value from before the body changed it, read in order. */
export class SavedSettings {
  /** Variable (lower case) → the setting whose earlier value it holds, and where it was saved. */
  private readonly saved = new Map<string, Save>();
  /** Every variable → setting save read so far, also those a later assignment overwrote (`v := 0` wrapping a counter). */
  private readonly filled = new Set<string>();

  /** Reads one statement (leading trivia removed) at `at`: a save records its variable; another assignment forgets it. */
  read(statement: string, at = 0): void {
    const assigned = ASSIGNED_FROM_SETTING.exec(statement);
    if (assigned) return this.save(assigned[1], assigned[2], at);
    const declared = DECLARED_FROM_SETTING.exec(statement);
    if (declared) return this.save(declared[1], declared[2], at);
    const selected = SELECTED_INTO_FROM_SETTING.exec(statement);
    if (selected) return this.save(selected[2], selected[1], at);
    const fromView = selectedFromPgSettings(statement);
    if (fromView) return this.save(fromView.variable, fromView.setting, at);
    const other = ASSIGNED.exec(statement);
    if (other) this.saved.delete(other[1].toLowerCase());
  }

  /** Whether the body fills the variable from the setting somewhere (a save read by `read`, kept or since overwritten). */
  filledFrom(variable: string, setting: string | undefined): boolean {
    return setting !== undefined && this.filled.has(`${variable.toLowerCase()}\u0000${setting.toLowerCase()}`);
  }

  private save(variable: string, setting: string, at: number): void {
    this.saved.set(variable.toLowerCase(), { setting: setting.toLowerCase(), at });
    this.filled.add(`${variable.toLowerCase()}\u0000${setting.toLowerCase()}`);
  }

  /** The save whose value the statement puts back, if it is such a restore. */
  restoredSave(statement: string): Save | undefined {
    const setConfig = SET_CONFIG_OF_VARIABLE.exec(statement);
    if (setConfig) {
      const save = this.saved.get(setConfig[2].toLowerCase());
      return save?.setting === setConfig[1].toLowerCase() ? save : undefined;
    }
    const dynamic = DYNAMIC_SET.exec(statement);
    if (!dynamic) return undefined;
    const setting = dynamic[1].toLowerCase();
    const rest = statement.slice(dynamic[0].length);
    return [...this.saved].find(([name, save]) => save.setting === setting && mentions(rest, name))?.[1];
  }
}

/** A setting's value kept in a variable, and where (an offset the caller chose) it was read. */
export interface Save {
  setting: string;
  at: number;
}

/** Whether the text uses the variable as a whole word (not part of a longer name). */
function mentions(text: string, name: string): boolean {
  return new RegExp(String.raw`(?<![\w$])${name.replace(/\$/g, '\\$&')}(?![\w$])`, 'i').test(text);
}
