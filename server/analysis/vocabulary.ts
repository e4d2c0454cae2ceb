// The session-feature vocabulary, in one place: the words a statement must contain to possibly
// trip a rule. Two cheap gates are generated from it — the analysis's keyword regex (detect.ts:
// statements without any of these words get only a syntax check) and the pooler's byte scan
// (extension/pooler/hazards.ts: wire bytes without any of them skip the parse) — so a rule's word
// can never be known to one gate and missing from the other. Plus the parameters the pooler syncs.
import type { RuleId } from './types';

/**
 * Extension functions whose call leaves state in the backend's session (the session-extension rule): dblink's named
 * connections, pg_variables' variables, and HypoPG's hypothetical and hidden indexes (backend-local: the client's next
 * transaction on another server connection has none, and the backend that has them shows them in the plain EXPLAIN
 * of whichever client it serves next).
 */
export const SESSION_EXTENSION_FUNCTIONS: readonly string[] = [
  'dblink_connect', 'dblink_connect_u', 'pgv_set', 'pgv_set_int', 'pgv_set_text', 'pgv_set_numeric',
  'pgv_set_timestamp', 'pgv_set_timestamptz', 'pgv_set_date', 'pgv_set_jsonb', 'pgv_insert',
  'hypopg_create_index', 'hypopg_hide_index',
];

/** Per rule, the words (lower case) whose presence can make a statement trip it. */
export const RULE_TRIGGERS: Readonly<Record<RuleId, readonly string[]>> = {
  'session-set': ['set', 'reset', 'set_config', 'set_limit'],
  'set-local-outside-transaction': ['set', 'set_config'],
  'prepared-statement': ['prepare', 'execute', 'deallocate'],
  'protocol-prepared-statement': [], // a protocol Parse, not words in a text
  'temp-table': ['temp', 'temporary', 'pg_temp'],
  currval: ['currval', 'lastval'],
  'advisory-lock': ['pg_advisory_lock', 'pg_try_advisory_lock', 'pg_advisory_unlock', 'pg_advisory_lock_shared', 'pg_advisory_unlock_all'],
  listen: ['listen', 'unlisten'],
  'cursor-with-hold': ['hold'],
  load: ['load'],
  'session-extension': SESSION_EXTENSION_FUNCTIONS,
  'statement-mode-transaction': ['begin', 'start', 'commit', 'rollback', 'end', 'abort'],
  'syntax-error': [], // every statement is syntax-checked
  // Load-balancing rules read every statement's tables (balancing.ts parses them itself, only when on).
  'read-after-write': [],
  'write-in-read': [],
};

/** The session advisory-lock functions, each with its transaction-level replacement (null: an unlock, which has none). */
export const ADVISORY_SESSION: Readonly<Record<string, string | null>> = {
  pg_advisory_lock: 'pg_advisory_xact_lock',
  pg_advisory_lock_shared: 'pg_advisory_xact_lock_shared',
  pg_try_advisory_lock: 'pg_try_advisory_xact_lock',
  pg_try_advisory_lock_shared: 'pg_try_advisory_xact_lock_shared',
  pg_advisory_unlock: null,
  pg_advisory_unlock_shared: null,
  pg_advisory_unlock_all: null,
};

/** Matches a name of the session advisory-lock family (takes or releases a lock that outlives the transaction). */
export const SESSION_ADVISORY_NAME = new RegExp(String.raw`\b(?:${Object.keys(ADVISORY_SESSION).join('|')})\b`, 'i');

/** Rules about transaction boundaries: the analysis needs their words; the pooler sees ReadyForQuery instead. */
export const TRANSACTION_RULES: ReadonlySet<RuleId> = new Set(['statement-mode-transaction']);

/** Words that undo or feed session state the pooler tracks (hazards.ts), though no rule fires on them. */
const STATE_CHANGING_WORDS = ['discard', 'drop', 'close', 'declare', 'nextval', 'setval'];

/** Words that introduce code whose body the analysis reads (functions, DO blocks). */
const CODE_WORDS = ['function', 'procedure', 'do'];

/**
 * Name parts matched inside longer identifiers: pg_advisory_*, pg_try_advisory_*, dblink_*, pgv_*, hypopg_*.
 * A trigger word containing one of them needs no whole-word entry, and the calls that undo such state
 * (dblink_disconnect, hypopg_reset) pass the gates too, so a body that closes what it opens is read whole.
 */
export const NAME_PARTS: readonly string[] = ['advisory', 'dblink', 'pgv_', 'hypopg_'];

/** `set` counts for the pooler only at a statement start, so `UPDATE … SET` (pgbench) stays cheap. */
export const STATEMENT_START_WORDS: readonly string[] = ['set'];

function wholeWords(rules: (rule: RuleId) => boolean, extra: readonly string[]): string[] {
  const words = new Set<string>(extra);
  for (const [rule, triggers] of Object.entries(RULE_TRIGGERS) as [RuleId, readonly string[]][]) {
    if (!rules(rule)) continue;
    for (const word of triggers) if (!NAME_PARTS.some((part) => word.includes(part))) words.add(word);
  }
  return [...words];
}

/** Whole words the pooler's byte scan looks for (besides STATEMENT_START_WORDS and NAME_PARTS). */
export const POOLER_WORDS: readonly string[] = wholeWords((rule) => !TRANSACTION_RULES.has(rule), STATE_CHANGING_WORDS)
  .filter((word) => !STATEMENT_START_WORDS.includes(word));

/** The analysis's gate: a statement without a match gets only a syntax check (detect.ts). */
export const INTERESTING_STATEMENT = new RegExp(
  String.raw`\b(${wholeWords(() => true, [...STATE_CHANGING_WORDS, ...CODE_WORDS, ...STATEMENT_START_WORDS]).join('|')})\b|${NAME_PARTS.join('|')}`,
  'i',
);

/**
 * Words some rule's finding needs in the SQL text (its triggers): the TS/JS token gate's test of a file's
 * literals (embeddedGate.ts). Narrower than the analysis's gate, which also parses statements that only
 * feed or undo state (DROP, DISCARD, nextval) or hold code (CREATE FUNCTION, DO) for the triggers in them.
 * A trigger joined to a word by a hyphen is prose, not SQL (`Set-Cookie`, `end-to-end`, `load-balancer`,
 * `start-up`): SQL puts no hyphen against a keyword, except a `--` comment after it (`END-- done`). Files
 * of recorded HTTP traffic hold thousands of `Set-Cookie` headers and would otherwise all be parsed.
 * The leading `\b` changes no match (every trigger starts with a letter, so the lookbehind implies it) but lets the
 * engine skip to word starts instead of trying the lookbehind at every character: the gate runs this over the whole
 * text of nearly every TS/JS file (bench/lint.mjs's tree: 1.6× faster).
 */
export const FINDING_WORDS = new RegExp(String.raw`\b(?<![\w-])(${wholeWords(() => true, []).join('|')})(?!\w|-(?!-))|${NAME_PARTS.join('|')}`, 'i');

/** Parameters the pooler syncs onto whichever server a client lands on (PgBouncer's tracked set). */
export const TRACKED_PARAMETERS = ['client_encoding', 'DateStyle', 'TimeZone', 'standard_conforming_strings', 'application_name'] as const;

/** The same parameters in lower case, as setting names are compared (the linter's and the pooler's one set). */
export const TRACKED_PARAMETER_NAMES: ReadonlySet<string> = new Set(TRACKED_PARAMETERS.map((name) => name.toLowerCase()));

/**
 * Settings RESET ALL leaves as they are (PostgreSQL marks them GUC_NO_RESET_ALL): the role SET ROLE takes, the user SET
 * SESSION AUTHORIZATION takes and the random seed (`SET seed`; the transaction_* parameters are marked too, but last one
 * transaction anyway). Only a reset of their own (RESET ROLE, SET ROLE NONE, SET SESSION AUTHORIZATION DEFAULT) or
 * DISCARD ALL, which runs SET SESSION AUTHORIZATION DEFAULT before its RESET ALL, puts the role and the user back.
 * The linter's undo reading (undo.ts) and the pooler's session state (hazards.ts) both use this one list.
 */
export const KEPT_BY_RESET_ALL: ReadonlySet<string> = new Set(['role', 'session_authorization', 'seed']);

/**
 * The settings a reset of `setting` (lower case) puts back: itself, and for the session user also the current role —
 * RESET SESSION AUTHORIZATION and SET SESSION AUTHORIZATION DEFAULT reset both identifiers, as PostgreSQL documents.
 */
export function settingsResetBy(setting: string): readonly string[] {
  return setting === 'session_authorization' ? ['session_authorization', 'role'] : [setting];
}

/**
 * Whether a value set on `role` (as PostgreSQL reads it: an unquoted word folded to lower case, a quoted one as written)
 * is NONE, which goes back to the session user as RESET ROLE does. No role may be named `none`, so `'none'` is NONE
 * too, but a quoted `'NONE'` names a role. The linter (detect.ts) and the pooler's session state (hazards.ts) both ask.
 */
export function isRoleNoneValue(value: string): boolean {
  return value === 'none';
}

/** Whether a setting (any case) is one the pooler re-applies per client: PgBouncer and PoolSafe's pooler track it. */
export function isTrackedParameter(name: string): boolean {
  return TRACKED_PARAMETER_NAMES.has(name.toLowerCase());
}
