// The TS/JS counterpart of routinePairs.ts's setting pairs, narrower: a module whose one function sets a custom setting
// for the session (`set_config('app.tenant', $1, false)`, `SET app.tenant = '…'`) and whose other function puts it back
// to the empty string (`set_config('app.tenant', '', false)`, NULL, `SET app.tenant TO ''`). A custom setting, once
// defined in a session, reads as '' when unset: RESET leaves exactly that on the connection, so the clearing query,
// wherever the pool runs it, leaves what a RESET would — no other client's value (the module sets and clears the
// setting itself, so no role- or database-level default is in play). The leak is the setter's, which keeps its
// finding; the clearer is not reported. Unlike a routine pair in one SQL file, an "off" written as a value of its own
// (`'false'`, `'off'`, `0`) is not taken for a clear here: sent apart through a pool, it puts that value on a
// connection the setter may never have used, where the next client reads it instead of an unset setting.
// Read from the finding's text as written in the file (the parser is not in this bundle: embedded.ts), so that the
// CLI's whole-file analysis and the editor's, which analyses top-level chunks apart and then joins them
// (incrementalTs.ts), pair the same findings. A value that is not a constant (a template hole, `$1`, an expression)
// is a set value; text not read as one of these two forms pairs nothing.
// A call of a project routine whose body sets one custom setting from its parameter (`SELECT set_user_id(${id})`, the
// body `set_config('app.user_id', user_id, false)`) is read the same way, by the value the call passes (the finding's
// `writtenSetting`, stateFunctionCalls.ts): a NULL or '' call is a clear — but only one that embedded.ts found in a
// `finally` (cleanupClears.ts), since a NULL call made before other work may be what that work relies on.
import type { Finding, WrittenSetting } from './types';
import { readsAsOff } from './routinePairs';

export type { WrittenSetting };

/** `set_config('name', value,`: the value only when it is one constant up to its comma (not `'' || x`). */
const SET_CONFIG_CALL = /^set_config\s*\(\s*'((?:[^']|'')*)'\s*,\s*(?:('(?:[^']|'')*'|null|[+-]?\d+)\s*,)?/i;
// The value is everything after `TO`/`=`, trimmed of blanks and a closing `;` in code (a lazy `[\s\S]*?` before `\s*$`
// backtracks super-linearly: regex-safety.test.ts).
const SET_STATEMENT = /^set\s+(?:session\s+)?((?:"[^"]+"|[a-z_][\w$]*)(?:\s*\.\s*(?:"[^"]+"|[a-z_][\w$]*))+)\s*(?:to\b|=)([\s\S]*)$/i;

/**
 * The custom (dotted) setting written by a session-set finding over `sql.slice(start, end)` (a `set_config` call's
 * name, read on past `end`, or a whole `SET` statement), or undefined when it is not one such (a built-in
 * parameter, a name not written out).
 */
export function writtenSetting(sql: string, start: number, end: number): WrittenSetting | undefined {
  const call = SET_CONFIG_CALL.exec(sql.slice(start, start + 4096));
  if (call) {
    const name = call[1].replace(/''/g, "'").toLowerCase();
    return name.includes('.') ? { name, value: constantOf(call[2]) } : undefined;
  }
  const set = SET_STATEMENT.exec(sql.slice(start, end));
  if (!set) return undefined;
  const name = set[1].split('.').map((part) => part.trim().replace(/^"|"$/g, '')).join('.').toLowerCase();
  let written = set[2].trim();
  if (written.endsWith(';')) written = written.slice(0, -1).trim();
  return { name, value: constantOf(/^(?:'(?:[^']|'')*'|[a-z_]\w*|[+-]?\d+)$/i.test(written) ? written : undefined) };
}

/** A set_config whose setting name is a numbered parameter (`set_config($1, NULL, false)`), at its `set_config`. */
export interface BoundNameSetting {
  /** Offset of the `set_config` word in the text. */
  at: number;
  setting: WrittenSetting;
}

/** `set_config($n, value,`: the value only when one constant or one numbered parameter up to its comma. */
const SET_CONFIG_BOUND_NAME = /\bset_config\s*\(\s*\$(\d+)\s*(?:::\s*\w+\s*)?,\s*(?:('(?:[^']|'')*'|null|[+-]?\d+|\$(\d+))\s*(?:::\s*\w+\s*)?,)?/gi;

/**
 * The custom settings of a text's `set_config($n, …)` calls whose name the query call binds as a constant
 * (`query('SELECT set_config($1, NULL, false)', ['app.user_id'])`), read as writtenSetting reads a written name so that
 * the module's clears pair with its setters however the name reaches the server. `boundConstant` gives the constant bound
 * to a `$number` written at an offset of the text, as SQL would write it (`'app.user_id'`, `null`, `0`), or undefined.
 */
export function boundNameSettings(sql: string, boundConstant: (sqlAt: number, number: number) => string | undefined): BoundNameSetting[] | undefined {
  let found: BoundNameSetting[] | undefined;
  for (const call of sql.matchAll(SET_CONFIG_BOUND_NAME)) {
    const at = call.index ?? 0;
    const written = boundConstant(at + call[0].indexOf('$'), Number(call[1]));
    if (!written?.startsWith("'")) continue;
    const name = constantOf(written)!;
    if (!name.includes('.')) continue;
    const value = call[3] !== undefined ? constantOf(boundConstant(at + call[0].lastIndexOf('$'), Number(call[3]))) : constantOf(call[2]);
    (found ??= []).push({ at, setting: { name, value } });
  }
  return found;
}

/** The constant a call passes as an argument (`NULL`, `''`, `NULL::text`, `'x'`, `0`): as writtenSetting reads a value. */
export function passedConstant(argument: string): string | undefined {
  const written = argument.replace(/::\s*[a-z_]\w*\s*$/i, '').trim();
  return constantOf(/^(?:'(?:[^']|'')*'|null|[+-]?\d+)$/i.test(written) ? written : undefined);
}

function constantOf(written: string | undefined): string | undefined {
  if (written === undefined) return undefined;
  if (/^null$/i.test(written)) return '';
  if (written.startsWith("'")) return written.slice(1, -1).replace(/''/g, "'").toLowerCase();
  return /^[+-]?0+$/.test(written) ? '0' : written.toLowerCase();
}

/**
 * The findings of one file (`text`) without the session-set findings that put a custom setting back to '' (or NULL)
 * when another session-set finding of the file sets the same setting to a value not known to be off.
 */
export function withoutClosingSettings(text: string, findings: Finding[]): Finding[] {
  const settings = new Map<Finding, WrittenSetting>();
  for (const finding of findings) {
    const setting = finding.rule !== 'session-set' ? undefined : finding.writtenSetting ?? writtenSetting(text, finding.start, finding.end);
    if (setting) settings.set(finding, setting);
  }
  if (settings.size < 2) return findings;
  const on = new Set<string>();
  for (const setting of settings.values()) if (!readsAsOff(setting.value)) on.add(setting.name);
  return findings.filter((finding) => {
    const setting = settings.get(finding);
    return !(setting?.value === '' && on.has(setting.name));
  });
}
