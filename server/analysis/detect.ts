// Per-statement detection: parses one statement with libpg-query and walks its AST once, producing
// context-free "candidates". Context (transaction blocks, nextval before currval, pool mode) is applied
// later in context.ts, so a statement's candidates can be cached by its text.
import { parseSync } from 'libpg-query';
import type { LocalFlag, RuleId, TextEdit } from './types';
import { codePointToUtf16, utf8ByteToUtf16 } from './positions';
import { skipNonCode, splitStatements } from './splitter';
import { ADVISORY_SESSION, INTERESTING_STATEMENT, SESSION_EXTENSION_FUNCTIONS, isRoleNoneValue, isTrackedParameter } from './vocabulary';
import { parsesAlone } from './syntaxCheck';
import { opensLikeStatement, opensWithOtherToolsObjectKind, statementLinesAfterFirst, statementsAfterBlankLine } from './statementStart';
import { BuiltStatements, ConstantStrings, dropsAtCommitByDefault, dynamicDrops, dynamicResets, dynamicStatement, statementStart } from './dynamicSql';
import { isPlPython, plpythonSqlPieces, pythonSurelyReaches } from './plpythonSql';
import { isPlV8, plv8SqlPieces } from './plv8Sql';
import { draftRoutineStandIn } from './draftRoutines';
import { leadingTrivia } from './sqlTrivia';
import { booleanInput } from './sqlBoolean';
import { SavedSettings, type Save } from './savedSettings';
import { flowEvents, inBlockWithHandlers, inHandler, inHandlerApart, returnsBetween, routineReturns, surelyRaisesAfter, surelyReaches, undoneByOwnHandler } from './bodyFlow';
import { plpgsqlPieces } from './plpgsqlPieces';
import { withoutGuardedDeallocates } from './preparedGuard';
import { falseDefaultParameters, inputParameters, referredFlag, type SessionFlags } from './sessionFlags';
import { dialectOfSetStatement, dialectOfStatement, withoutYugabyteClauses, type OtherDialect } from './dialect';
import { replaceLiteralsAndComments, hasTemplateMarkers, isFilledPlaceholder, templateRepair, withFillInNames, afterLeadingTemplateLines, withGluedPercentNamesFilled } from './templatePlaceholders';
import { isPostgresParameter, isSessionFixedParameter } from './postgresParameters';
import { pairBodyLocks, type AdvisoryUse } from './bodyLocks';
import { closedObject, hypopgUndoCall, openedObject, pairBodyConnections, pairStatementConnections, type Disconnect } from './bodyConnections';
import { DISCARD_ALL_RESETS, undoKeys, undoes } from './undo';
import { dropKeptDefaultRestores, dropResetSets, isSettingUndo, type SettingReset } from './bodyDefaultRestores';
import { failsOnNewerSyntax, withOlderNames } from './newerSyntax';
import { withLookaheadCommentsBlanked } from './lookaheadComments';
import { versionVariant } from './versionComments';
import { spreadVariant, withSpreadsFilled } from './spreadParameters';
import { stopsOnQueryBuildingLine } from './foreignCodeLines';
import { readsDrawnSequence } from './sequenceReads';

export type TransactionEffect = 'begin' | 'end' | 'none';
export type PreparedAction = 'prepare' | 'execute' | 'deallocate';

export interface Candidate {
  rule: RuleId;
  message: string;
  /** UTF-16 offsets relative to the statement start. */
  start: number;
  end: number;
  /** Edit applied only when the statement sits inside a transaction block (e.g. SET -> SET LOCAL). */
  fixInTransaction?: { title: string; edits: TextEdit[] };
  fix?: { title: string; edits: TextEdit[] };
  /** For currval: the sequence read; safe after a nextval of it earlier in the block. */
  sequence?: string;
  /** SET LOCAL / set_config(..., true): only meaningful inside a transaction block. */
  transactionScoped?: boolean;
  /** Found in a CREATE FUNCTION/PROCEDURE body: runs later, in the sessions of whoever calls it. */
  storedCode?: boolean;
  /** For stored code: the routine's name as written (lower case, `schema.name` or `name`). */
  routine?: string;
  /** For prepared-statement: what the statement does with which name ('*': DEALLOCATE ALL). */
  prepared?: { action: PreparedAction; name: string };
  /** For a session SET: the setting (lower case; `role`, `session_authorization`), which a later RESET may undo. */
  setting?: string;
  /** For a session SET of one constant: the value as written (lower case; `0` for a zero integer). */
  settingValue?: string;
  /**
   * For a set_config(…, false): its value reads the setting's own current value (`current_setting(name)::int + 1`,
   * directly or through a variable the body fills from it) — a counter advancing, not a switch turned on.
   */
  valueFromOwnSetting?: boolean;
  /** For a set_config(…, false) in a body, until the body is read: the variables its value expression names (lower case). */
  valueVariables?: string[];
  /** For a session SET: the setting is one the pooler re-applies for each client (vocabulary.ts, TRACKED_PARAMETERS). */
  trackedParameter?: boolean;
  /** For a session SET: PostgreSQL has no parameter of that name (postgresParameters.ts). */
  unknownParameter?: boolean;
  /** For a session SET: a parameter no session may change (postgresParameters.ts): PostgreSQL refuses the SET with an error. */
  refusedParameter?: boolean;
  /** For temp-table: the object's name (as the parser reads it), which a later DROP may remove. */
  temporary?: string;
  /** For temp-table: a function or procedure created in pg_temp (its name), a finding only when a later call calls it (context.ts). */
  temporaryRoutine?: string;
  /** For advisory-lock: the lock taken or released, which the same function body may pair (bodyLocks.ts). */
  advisory?: AdvisoryUse;
  /**
   * For a session-extension call whose state a later call of the same statement or body may undo: what it opens (a
   * dblink_connect's connection name as written, which a dblink_disconnect may close; HypoPG's index sets, which
   * hypopg_reset/hypopg_unhide_all_indexes clear) (bodyConnections.ts).
   */
  sessionObject?: { name: string };
  /** The state is left only when a function body fails midway: a call that returns leaves none (not carried to callers). */
  errorPathOnly?: boolean;
  /** For a routine's set_config(…, is_local) whose parameter defaults to false: that parameter (a call passing true sets nothing for the session). */
  localFlag?: LocalFlag;
  /** For a routine's session set_config whose value is one of its parameters, as written: that parameter (a call passing NULL clears the setting). */
  valueParameter?: LocalFlag;
}

export interface StatementFacts {
  transaction: TransactionEffect;
  /** The transaction ends in ROLLBACK (or ABORT), not COMMIT: what it made in the session is undone (context.ts). */
  rollsBack?: boolean;
  candidates: Candidate[];
  /** Sequences passed to nextval, with their offsets (for currval's related information). */
  nextvals: { sequence: string; start: number; end: number }[];
  syntaxError?: { message: string; offset: number; end: number };
  /** INSERT/MERGE/COPY FROM can call nextval through a column default, so a later currval in the same block is safe. */
  mayAdvanceSequences?: boolean;
  /** The statement is written in another SQL dialect (then it has no candidates, and its syntax error is not reported). */
  dialect?: OtherDialect;
  /** The session-extension state the statement undoes: dblink connections it closes, HypoPG index sets it clears (bodyConnections.ts). */
  disconnects?: Disconnect[];
  /** Settings the statement restores to their defaults (`RESET x`, `SET x TO DEFAULT`; '*' for RESET ALL). */
  resets?: string[];
  /** Functions the statement calls in pg_temp (`pg_temp.f(…)`, name in lower case): a temporary routine's later use. */
  temporaryCalls?: string[];
  /** Tables, views and sequences the statement drops (last name part; '*' for DISCARD TEMP/ALL, which drop every temporary one). */
  drops?: string[];
  /** The statement failed to parse but holds template or driver placeholders, or version-tagged comment lines its loader uncomments (versionComments.ts): its syntax error is not reported. */
  templated?: boolean;
  /** The text that failed to parse does not open like a statement (statementStart.ts): its syntax error is not reported. */
  notStatement?: boolean;
  /** The statement fails to parse where it uses syntax of a newer PostgreSQL (newerSyntax.ts): its syntax error is not reported. */
  newerSyntax?: boolean;
  /**
   * The statement is DDL of an object kind PostgreSQL does not have (`CREATE KEY RANGE …`, a sharding router's console
   * command: statementStart.ts's opensWithOtherToolsObjectKind): its syntax error is not reported.
   */
  otherToolCommand?: boolean;
  /**
   * A templated statement that parses once its placeholders are filled in (`LISTEN {channel}`): its
   * candidates are those of the filled-in text, and they count although `syntaxError` stays set (the
   * embedded-SQL slot filling still reads where the text as written stops parsing). Also set for the other stand-ins
   * read for a text that fails: a version variant, the text with newer keywords renamed, the statement under leading
   * plain text (statementAfterProse).
   */
  repairedTemplate?: boolean;
  /**
   * The statement fails to parse at fill-in placeholders (`CREATE ROLE <user_name> …`) and parses once they are filled in
   * (withFillInNames): a SQL file's template a person edits before running it gets no syntax error; its candidates are those
   * of the filled-in text. Text a program sends (embedded SQL, the pooler's queries) keeps the error: it is sent as written.
   */
  fillInNames?: boolean;
}

/** Whether the function only releases a session advisory lock (it creates no session state). */
export function releasesAdvisoryLock(name: string): boolean {
  return ADVISORY_SESSION[name.toLowerCase()] === null;
}
const SESSION_EXTENSION_CALLS: ReadonlySet<string> = new Set(SESSION_EXTENSION_FUNCTIONS);
const CURSOR_OPT_HOLD = 0x20;
/**
 * pg_trgm's `set_limit(real)`: sets the session's `pg_trgm.similarity_threshold` (the `%` operator's cut-off), as a
 * plain `SET pg_trgm.similarity_threshold` does, and returns it. One argument; another count is some other routine.
 */
const TRGM_SET_LIMIT = 'set_limit';
const TRGM_THRESHOLD = 'pg_trgm.similarity_threshold';

/**
 * Words a statement must contain to possibly yield a candidate or change the transaction state;
 * others only need a syntax check (the shared vocabulary, also the pooler's byte filter).
 */
const INTERESTING = INTERESTING_STATEMENT;

type Json = Record<string, unknown>;

interface WalkContext {
  text: string;
  /** UTF-16 offset of `text` within the statement (non-zero for function bodies). */
  base: number;
  ascii: boolean;
  facts: StatementFacts;
  /** In a routine's body: its parameters that default to false (sessionFlags.ts). */
  sessionFlags?: SessionFlags;
  /** In a routine's body: all its input parameters, by each reference to them (a set_config value taken from one). */
  inputs?: SessionFlags;
}

function toOffset(ctx: WalkContext, byteLocation: number): number {
  return ctx.base + (ctx.ascii ? byteLocation : utf8ByteToUtf16(ctx.text, byteLocation));
}

function markStoredCode(candidates: Candidate[], node: Json): void {
  const routine = ((node.funcname as { String?: { sval?: string } }[] | undefined) ?? []).map((part) => part.String?.sval ?? '').join('.').toLowerCase();
  for (const candidate of candidates) {
    candidate.storedCode = true;
    candidate.routine = routine;
  }
}

/** A schema that holds a project's tests (`tests.`, `unit_tests.`, `testing.`). */
const TEST_SCHEMA = /^(?:unit_?)?(?:tests?|testing)$/;

/** Whether a CREATE FUNCTION/PROCEDURE makes a routine of a schema named for tests. */
function isTestRoutine(node: Json): boolean {
  const parts = ((node.funcname as { String?: { sval?: string } }[] | undefined) ?? []).map((part) => part.String?.sval ?? '');
  return parts.length === 2 && TEST_SCHEMA.test(parts[0].toLowerCase());
}

/** Whether a CREATE FUNCTION/PROCEDURE says `SECURITY DEFINER`. */
function isSecurityDefiner(node: Json): boolean {
  return ((node.options ?? []) as Json[]).some((option) => {
    const def = option.DefElem as Json | undefined;
    return def?.defname === 'security' && ((def.arg as Json | undefined)?.Boolean as Json | undefined)?.boolval === true;
  });
}

/** Settings PostgreSQL refuses to change inside a security-definer function, however they are set (SET, SET LOCAL, set_config). */
const REFUSED_IN_SECURITY_DEFINER = new Set(['role', 'session_authorization']);

/**
 * Drops the body's changes of the session's identity (`SET ROLE`, `SET SESSION AUTHORIZATION`, `set_config('role', …)`)
 * found from `from` on: inside a SECURITY DEFINER function PostgreSQL refuses them ("cannot set parameter "role" within
 * security-definer function"), so the call fails and nothing stays on the session.
 */
function dropRefusedIdentityChanges(candidates: Candidate[], from: number): void {
  for (let i = candidates.length - 1; i >= from; i--) {
    const { rule, setting } = candidates[i];
    if (rule === 'session-set' && setting !== undefined && REFUSED_IN_SECURITY_DEFINER.has(setting)) candidates.splice(i, 1);
  }
}

/** The name of `pg_temp.name` (lower case), or undefined for a name not qualified with pg_temp. */
function temporarySchemaName(names: unknown): string | undefined {
  const list = names as { String?: { sval?: string } }[] | undefined;
  if (list?.length !== 2 || list[0].String?.sval?.toLowerCase() !== 'pg_temp') return undefined;
  return list[1].String?.sval?.toLowerCase();
}

/**
 * The name a dropped table, view or sequence (`a`, `pg_temp.a`) may have as a temporary one; undefined for another
 * schema's (`archive.a`): the session's temporary schema is the only one a temporary relation lives in.
 */
function temporaryRelationName(names: unknown): string | undefined {
  const list = names as { String?: { sval?: string } }[] | undefined;
  const schema = list && list.length > 1 ? list[list.length - 2].String?.sval : undefined;
  return schema === undefined || schema === 'pg_temp' ? lastName(list) || undefined : undefined;
}

/**
 * `CREATE FUNCTION pg_temp.f …` lives in the server connection's temporary schema, as a temporary table does.
 * Sent by a client, only a later call of it is the hazard (context.ts): made and used in one message or transaction, it
 * is safe. Made by a routine's body, it outlives the call's transaction in the caller's session unless the body drops it
 * (`DROP FUNCTION pg_temp.f`), as a temporary table the body makes does.
 */
function visitTemporaryRoutine(ctx: WalkContext, node: Json): void {
  const name = temporarySchemaName(node.funcname);
  if (name === undefined) return;
  ctx.facts.candidates.push({ ...statementCandidate(ctx, 'temp-table',
    `function created in pg_temp belongs to the server connection's session; a later call may run on another server connection, where pg_temp.${name} does not exist.`),
  temporaryRoutine: name, temporary: name });
}

function lastName(names: unknown): string {
  const list = names as { String?: { sval?: string } }[] | undefined;
  return list?.[list.length - 1]?.String?.sval ?? '';
}

/** The A_Const an argument is written as, directly or under a cast (`'f'::boolean`); nothing for any other expression. */
function writtenConstant(node: Json | undefined): Json | undefined {
  const cast = node?.TypeCast as Json | undefined;
  return ((cast ? cast.arg as Json | undefined : node)?.A_Const) as Json | undefined;
}

/** A boolean written as a constant — `false`, `'f'`, `'off'`, `'false'::boolean` — with its value and where it is written. */
function booleanConstant(node: Json | undefined): { value: boolean; location: number } | undefined {
  const constant = writtenConstant(node);
  if (!constant) return undefined;
  const location = (constant.location as number | undefined) ?? 0;
  const boolval = constant.boolval as { boolval?: boolean } | undefined;
  if (boolval !== undefined) return { value: boolval.boolval === true, location };
  const text = (constant.sval as { sval?: string } | undefined)?.sval;
  const value = typeof text === 'string' ? booleanInput(text) : undefined;
  return value === undefined ? undefined : { value, location };
}

/** The end of the constant written at `at`: a quoted literal up to its closing quote, a keyword up to its last letter. */
function literalEnd(ctx: WalkContext, at: number): number {
  const local = at - ctx.base;
  if (ctx.text[local] !== "'") return ctx.base + wordEnd(ctx.text, local);
  let i = local + 1;
  while (i < ctx.text.length && !(ctx.text[i] === "'" && ctx.text[i + 1] !== "'")) i += ctx.text[i] === "'" ? 2 : 1;
  return ctx.base + Math.min(i + 1, ctx.text.length);
}

function firstStringConstant(node: unknown): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const sval = (node as Json).sval;
  if (typeof sval === 'string') return sval;
  for (const value of Object.values(node as Json)) {
    const found = firstStringConstant(value);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * set_config's value when it is a literal (lower case; NULL sets the empty string, as PostgreSQL does), for the
 * routine pairs (routinePairs.ts) that turn a setting on and back off; nothing for an expression or a parameter.
 */
function literalValue(node: Json | undefined): { settingValue?: string } {
  const constant = writtenConstant(node);
  if (!constant) return {};
  if (constant.isnull === true) return { settingValue: '' };
  if ('sval' in constant) {
    const text = (constant.sval as Json | undefined)?.sval;
    return { settingValue: typeof text === 'string' ? text.toLowerCase() : '' };
  }
  if ('ival' in constant) return { settingValue: String((constant.ival as Json | undefined)?.ival ?? 0) };
  return {};
}

/**
 * What a set_config value expression reads: whether it calls current_setting() of the setting it sets (`set_config('n',
 * (current_setting('n')::int + 1)::text, false)`), else the plain names it uses (PL/pgSQL variables, read in the body).
 */
function valueSources(node: Json | undefined, setting: string): { valueFromOwnSetting?: boolean; valueVariables?: string[] } {
  const variables = new Set<string>();
  let own = false;
  const visit = (value: unknown): void => {
    if (own || !value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    const call = (value as Json).FuncCall as Json | undefined;
    if (call && lastName(call.funcname).toLowerCase() === 'current_setting' && firstStringConstant((call.args as Json[] | undefined)?.[0])?.toLowerCase() === setting) {
      own = true;
      return;
    }
    const fields = ((value as Json).ColumnRef as Json | undefined)?.fields as Json[] | undefined;
    const name = fields?.length === 1 ? ((fields[0].String as Json | undefined)?.sval as string | undefined) : undefined;
    if (name !== undefined) variables.add(name.toLowerCase());
    for (const key in value as Json) visit((value as Json)[key]);
  };
  visit(node);
  if (own) return { valueFromOwnSetting: true };
  return variables.size > 0 ? { valueVariables: [...variables] } : {};
}

function wordEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length && /[A-Za-z0-9_."]/.test(text[i])) i++;
  return i;
}

function addFunctionCall(ctx: WalkContext, call: Json): void {
  const name = lastName(call.funcname).toLowerCase();
  if (temporarySchemaName(call.funcname) !== undefined) (ctx.facts.temporaryCalls ??= []).push(name);
  const args = (call.args as Json[] | undefined) ?? [];
  const start = toOffset(ctx, (call.location as number) ?? 0);
  const end = ctx.base + wordEnd(ctx.text, start - ctx.base);
  const candidates = ctx.facts.candidates;
  if (name === 'set_config' && args.length === 3) {
    const flag = booleanConstant(args[2]);
    const isLocal = flag?.value === true;
    const localFlag = flag ? undefined : referredFlag(args[2], ctx.sessionFlags);
    if (localFlag) {
      const setting = firstStringConstant(args[0]);
      candidates.push({ rule: 'session-set', start, end, localFlag,
        message: 'set_config(…, is_local) with an is_local parameter that defaults to false changes the whole session when the routine is called without it; behind a transaction pooler the setting leaks to other clients.',
        ...(setting !== undefined ? { setting: setting.toLowerCase() } : {}) });
    } else if (flag && !isLocal) {
      const at = toOffset(ctx, flag.location);
      const setting = firstStringConstant(args[0]);
      const tracked = setting !== undefined && isTrackedParameter(setting);
      const valueParameter = referredFlag(args[1], ctx.inputs);
      candidates.push({
        rule: 'session-set', start, end,
        message: tracked ? trackedMessage('set_config(..., false)', setting)
          : 'set_config(..., false) changes the whole session; behind a transaction pooler the setting leaks to other clients.',
        fix: { title: 'Use set_config(..., true) (transaction-scoped)', edits: [{ start: at, end: literalEnd(ctx, at), newText: 'true' }] },
        ...(tracked ? { trackedParameter: true } : {}),
        ...(setting !== undefined ? { setting: setting.toLowerCase() } : {}),
        ...(valueParameter ? { valueParameter } : {}),
        ...literalValue(args[1]),
        ...(setting !== undefined ? valueSources(args[1], setting.toLowerCase()) : {}),
      });
    } else if (isLocal) {
      candidates.push({ rule: 'set-local-outside-transaction', start, end, transactionScoped: true,
        message: 'set_config(..., true) outside a transaction block is lost as soon as this statement ends.' });
    }
  } else if (name === TRGM_SET_LIMIT && args.length === 1) {
    candidates.push({ rule: 'session-set', start, end, setting: TRGM_THRESHOLD,
      message: `set_limit(…) (pg_trgm) sets ${TRGM_THRESHOLD} for the whole session, as a plain SET does; behind a transaction pooler the threshold stays on one server connection for other clients, and this client's next query may run without it. Use SET LOCAL ${TRGM_THRESHOLD} inside the transaction that needs it.` });
  } else if (name === 'currval' || name === 'lastval') {
    candidates.push({ rule: 'currval', start, end, sequence: name === 'currval' ? (firstStringConstant(args[0]) ?? '?') : '*',
      message: `${name} reads session state set by an earlier nextval, which may have run on another server connection.` });
  } else if (name === 'nextval') {
    ctx.facts.nextvals.push({ sequence: firstStringConstant(args[0]) ?? '?', start, end });
  } else if (name in ADVISORY_SESSION) {
    const replacement = ADVISORY_SESSION[name];
    const shared = name.endsWith('_shared') ? 'shared:' : '';
    const key = name === 'pg_advisory_unlock_all' ? '*' : shared + argumentsText(ctx.text, end - ctx.base);
    candidates.push({
      rule: 'advisory-lock', start, end, advisory: { action: replacement ? 'lock' : 'unlock', key, name },
      message: replacement
        ? `${name} takes a session-level lock that stays on a server connection after the transaction ends; use ${replacement}.`
        : `${name} releases a session-level lock, which was probably taken on another server connection; there is no transaction-level unlock: use pg_advisory_xact_lock, released at commit.`,
      fix: replacement ? { title: `Use ${replacement}`, edits: [{ start: end - name.length, end, newText: replacement }] } : undefined,
    });
  } else if (SESSION_EXTENSION_CALLS.has(name) && !(name.startsWith('dblink') && args.length < 2)) {
    const connection = name.startsWith('dblink') ? firstArgument(argumentsText(ctx.text, end - ctx.base)) : '';
    const opened = openedObject(name, connection);
    candidates.push({ rule: 'session-extension', start, end, message: sessionExtensionMessage(name), ...(opened ? { sessionObject: { name: opened } } : {}) });
  } else {
    const closed = closedObject(name, args.length, () => firstArgument(argumentsText(ctx.text, end - ctx.base)));
    if (closed) (ctx.facts.disconnects ??= []).push({ name: closed, start });
  }
}

function sessionExtensionMessage(name: string): string {
  const undo = hypopgUndoCall(name);
  if (!undo) return `${name} keeps state in one backend's session.`;
  return `${name} (HypoPG) changes the indexes plain EXPLAIN sees, in this backend's session only: behind a transaction pooler an EXPLAIN in a later transaction may run on another server connection without the change, and this one shows it in other clients' EXPLAIN. Make the change, run the EXPLAIN and call ${undo} in one statement or function body, or use a session connection.`;
}

/** A call's argument list as written from its `(` at or after `from`, without whitespace, lower case ('' when not found). */
export function argumentsText(text: string, from: number): string {
  const open = text.indexOf('(', from);
  if (open < 0 || text.slice(from, open).trim() !== '') return '';
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) break;
      i = close;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return text.slice(open, i + 1).replace(/\s+/g, '').toLowerCase();
  }
  return '';
}

/** The first argument of an argument list as argumentsText gives it (`(conn,info)` -> `conn`; '' when none). */
function firstArgument(list: string): string {
  let depth = 0;
  for (let i = 1; i < list.length; i++) {
    const c = list[i];
    if (c === "'") i = list.indexOf("'", i + 1) < 0 ? list.length : list.indexOf("'", i + 1);
    else if (c === '(') depth++;
    else if (c === ')' && depth-- === 0) return list.slice(1, i);
    else if (c === ',' && depth === 0) return list.slice(1, i);
  }
  return '';
}

function statementCandidate(ctx: WalkContext, rule: RuleId, message: string): Candidate {
  return { rule, message, start: ctx.base, end: ctx.base + ctx.text.trimEnd().length };
}

/** The setting a `SET SESSION CHARACTERISTICS AS TRANSACTION …` changes first (`default_transaction_read_only`), which `RESET` undoes. */
function characteristicsSetting(node: Json): string | undefined {
  const first = ((node.args as Json[] | undefined) ?? [])[0]?.DefElem as Json | undefined;
  return typeof first?.defname === 'string' ? `default_${first.defname}` : undefined;
}

/** The SET -> SET LOCAL edit: insert LOCAL after SET, or turn an explicit SESSION (not SESSION AUTHORIZATION/CHARACTERISTICS) into LOCAL. */
function setLocalEdit(ctx: WalkContext): TextEdit | undefined {
  const match = /\bset(\s+session\b(?!\s+(?:authorization|characteristics)\b))?/i.exec(ctx.text);
  if (!match) return undefined;
  const setEnd = ctx.base + match.index + 3;
  if (match[1]) return { start: setEnd, end: ctx.base + match.index + match[0].length, newText: ' LOCAL' };
  return { start: setEnd, end: setEnd, newText: ' LOCAL' };
}

/**
 * A tracked parameter (TimeZone, application_name, …) is reported by the server to the pooler, which
 * re-applies each client's value on whichever server connection it lands on: PgBouncer and PoolSafe's
 * pooler do, some poolers do not. The finding says so (and is only info: context.ts).
 */
function trackedMessage(what: string, setting: string): string {
  return `${what} changes the session's ${setting}, a parameter PgBouncer and PoolSafe's pooler re-apply for each client; `
    + 'behind a pooler that does not track it, it leaks to other clients or is missing in the next transaction.';
}

/** The value of `SET name TO <one constant>` (lower case; the parser leaves a zero integer's ival empty). */
function constantValue(node: Json): string | undefined {
  const args = (node.args as Json[] | undefined) ?? [];
  const constant = args.length === 1 ? args[0].A_Const as Json | undefined : undefined;
  if (!constant) return undefined;
  const text = (constant.sval as Json | undefined)?.sval;
  if (typeof text === 'string') return text.toLowerCase();
  const integer = constant.ival as Json | undefined;
  return integer ? String(integer.ival ?? 0) : undefined;
}

/**
 * `SET ROLE NONE` (or `'none'`: no role may have that name) goes back to the session user, as RESET ROLE does. The value
 * is read as written: a quoted `'NONE'` names a role.
 */
function isRoleNone(name: string, node: Json): boolean {
  const args = (node.args as Json[] | undefined) ?? [];
  const text = args.length === 1 ? ((args[0].A_Const as Json | undefined)?.sval as Json | undefined)?.sval : undefined;
  return name === 'role' && typeof text === 'string' && isRoleNoneValue(text);
}

function visitVariableSet(ctx: WalkContext, node: Json): void {
  const kind = node.kind as string;
  const name = ((node.name as string | undefined) ?? '').toLowerCase();
  // SET TRANSACTION [SNAPSHOT] lasts one transaction; SET SESSION CHARACTERISTICS AS TRANSACTION sets the
  // defaults of every later transaction of the session (default_transaction_read_only, …): a session SET.
  const characteristics = kind === 'VAR_SET_MULTI' && name === 'session characteristics';
  if (kind === 'VAR_SET_MULTI' && !characteristics) return;
  // RESET (or SET … TO DEFAULT) restores the default: it leaves nothing behind for the next client (the SET
  // it undoes is the finding, unless both ran in one transaction: context.ts).
  if (kind.startsWith('VAR_RESET')) {
    (ctx.facts.resets ??= []).push(kind === 'VAR_RESET_ALL' ? '*' : name);
    return;
  }
  if (node.is_local) {
    ctx.facts.candidates.push({ ...statementCandidate(ctx, 'set-local-outside-transaction',
      'SET LOCAL outside a transaction block has no effect: the setting ends with this statement.'), transactionScoped: true });
    return;
  }
  if (kind === 'VAR_SET_DEFAULT' || isRoleNone(name, node)) {
    (ctx.facts.resets ??= []).push(name);
    return;
  }
  const what = name === 'role' ? 'SET ROLE' : name === 'session_authorization' ? 'SET SESSION AUTHORIZATION' : characteristics ? 'SET SESSION CHARACTERISTICS' : 'SET';
  const tracked = !characteristics && isTrackedParameter(name);
  const candidate = statementCandidate(ctx, 'session-set', tracked ? trackedMessage(what, name)
    : `${what} changes the server connection's session; behind a transaction pooler it leaks to other clients or is missing in the next transaction.`);
  const setting = characteristics ? characteristicsSetting(node) : name;
  if (setting) candidate.setting = setting;
  const value = characteristics ? undefined : constantValue(node);
  if (value !== undefined) candidate.settingValue = value;
  if (tracked) candidate.trackedParameter = true;
  // PostgreSQL refuses SET of a name it has no parameter for (a pooler console's setting, another database's
  // variable): unless the file is for a compatible engine with variables of its own (context.ts). A template
  // hole standing for the name may be anything: kept.
  if (!characteristics && !isPostgresParameter(name) && !isFilledPlaceholder(name)) candidate.unknownParameter = true;
  // Nor a SET of a parameter only the server's start, configuration file or build sets (`SET shared_buffers`): refused.
  if (!characteristics && isSessionFixedParameter(name)) candidate.refusedParameter = true;
  const edit = setLocalEdit(ctx);
  if (edit) {
    candidate.fixInTransaction = { title: 'Use SET LOCAL (lasts until the end of this transaction)', edits: [edit] };
  }
  ctx.facts.candidates.push(candidate);
}

/**
 * Whether a created relation is temporary: `CREATE TEMP TABLE t`, or one named in the session's temporary schema
 * (`CREATE TABLE pg_temp.t`, `CREATE VIEW pg_temp.v`, `SELECT … INTO pg_temp.t`), which PostgreSQL makes temporary
 * though the parse tree records no TEMP.
 */
function isTemporaryRelation(relation: unknown): boolean {
  const rel = relation as Json | undefined;
  if (!rel) return false;
  return rel.relpersistence === 't' || rel.schemaname === 'pg_temp';
}

function visitTemp(ctx: WalkContext, kindOfObject: string, relation: Json, onCommit?: string, fixable = false): void {
  if (onCommit === 'ONCOMMIT_DROP') return;
  const candidate = statementCandidate(ctx, 'temp-table',
    `temporary ${kindOfObject} belongs to the server connection's session, not the transaction; use ON COMMIT DROP inside a transaction block.`);
  if (typeof relation.relname === 'string') candidate.temporary = relation.relname;
  if (fixable) {
    const end = candidate.end;
    candidate.fixInTransaction = { title: 'Add ON COMMIT DROP (drops the table at the end of this transaction)', edits: [{ start: end, end, newText: ' ON COMMIT DROP' }] };
  }
  ctx.facts.candidates.push(candidate);
}

const DROPPED_TEMPORARY_KINDS = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_SEQUENCE']);
/** Routines a DROP may name: a function made in pg_temp is a temporary object too. */
const DROPPED_ROUTINE_KINDS = new Set(['OBJECT_FUNCTION', 'OBJECT_PROCEDURE', 'OBJECT_ROUTINE']);

/** `DROP TABLE/VIEW/SEQUENCE a, b`, `DROP FUNCTION pg_temp.f()`: names a temporary object created earlier may go by (it leaves nothing behind). */
function visitDrop(ctx: WalkContext, node: Json): void {
  const routines = DROPPED_ROUTINE_KINDS.has(node.removeType as string);
  if (!routines && !DROPPED_TEMPORARY_KINDS.has(node.removeType as string)) return;
  for (const object of (node.objects as Json[] | undefined) ?? []) {
    const name = routines ? temporarySchemaName(((object.ObjectWithArgs as Json | undefined)?.objname)) : temporaryRelationName((object.List as Json | undefined)?.items);
    if (name) (ctx.facts.drops ??= []).push(name);
  }
}

function visitTransaction(ctx: WalkContext, node: Json): void {
  const kind = node.kind as string;
  if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') ctx.facts.transaction = 'begin';
  else if ((kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK') && node.chain) ctx.facts.transaction = 'none';
  else if (['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_PREPARE', 'TRANS_STMT_COMMIT_PREPARED', 'TRANS_STMT_ROLLBACK_PREPARED'].includes(kind)) {
    if (kind !== 'TRANS_STMT_COMMIT_PREPARED' && kind !== 'TRANS_STMT_ROLLBACK_PREPARED') ctx.facts.transaction = 'end';
    if (kind === 'TRANS_STMT_ROLLBACK') ctx.facts.rollsBack = true;
  }
}

function functionBody(node: Json, defaultLanguage: string): { language: string; body?: string } {
  let language = defaultLanguage;
  let body: string | undefined;
  for (const option of (node.options ?? node.args ?? []) as Json[]) {
    const def = option.DefElem as Json | undefined;
    if (!def) continue;
    if (def.defname === 'language') language = String((def.arg as Json | undefined)?.String ? ((def.arg as Json).String as Json).sval : '').toLowerCase();
    if (def.defname === 'as' || def.defname === 'body') body = firstStringConstant(def.arg);
  }
  return { language, body };
}

/** Drops the SETs of the restored setting made after its save from which control surely reaches the restore at `restoreAt` (body offsets). */
function dropRestoredSets(found: Candidate[], save: Save, restoreAt: number, body: { body: string; start: number }): void {
  const events = flowEvents(body.body);
  for (let i = found.length - 1; i >= 0; i--) {
    const candidate = found[i];
    const at = candidate.start - body.start;
    if (candidate.rule !== 'session-set' || candidate.setting !== save.setting || at <= save.at) continue;
    if (surelyReaches(events, at, restoreAt)) found.splice(i, 1);
  }
}

/**
 * A body that sets a custom setting (`request.jwt.claim.role`) and also clears it — a session SET (or set_config(…,
 * false)) to `''` or NULL, what an unset custom setting reads as — uses it as its own on/off state: the clear is no
 * finding (it leaves nothing another client would not read anyway, as a routine pair's closing half: routinePairs.ts),
 * and a SET from which every run surely reaches a later clear leaves nothing behind either (an error in between rolls
 * the SET back). `reaches` tells whether control surely passes from one candidate's place to another's.
 */
function dropClearedCustomSettings(found: Candidate[], reaches: (from: number, to: number) => boolean): void {
  const customSets = found.filter((candidate) => candidate.rule === 'session-set' && candidate.setting?.includes('.') === true);
  const clears = customSets.filter((candidate) => candidate.settingValue === '');
  if (clears.length === 0) return;
  const dropped = new Set<Candidate>();
  for (const clear of clears) {
    const sets = customSets.filter((candidate) => candidate.setting === clear.setting && candidate.settingValue !== '');
    if (sets.length === 0) continue;
    dropped.add(clear);
    for (const set of sets) if (set.start < clear.start && reaches(set.start, clear.start)) dropped.add(set);
  }
  for (let i = found.length - 1; i >= 0; i--) if (dropped.has(found[i])) found.splice(i, 1);
}

/** Whether a session-set candidate sets `setting` (dynamic SQL's candidates name no setting: the restore's own text does). */
function restoresSetting(candidate: Candidate, setting: string): boolean {
  return candidate.rule === 'session-set' && (candidate.setting === undefined || candidate.setting === setting);
}

/**
 * What the statements read so far in one body did to sequences. One call of a function runs on one server
 * connection, so a currval after a nextval of its sequence (or after an INSERT/MERGE/COPY, whose serial or
 * identity default calls nextval) earlier in the same body reads the value this call drew: no finding,
 * as after a nextval earlier in one transaction block (context.ts).
 */
class BodySequences {
  private readonly sequences = new Set<string>();
  private mayAdvance = false;

  /** Whether the currval candidate reads a value the body drew before it (earlier statement, or an earlier nextval in its own). */
  precede(candidate: Candidate, facts: StatementFacts): boolean {
    if (candidate.rule !== 'currval') return false;
    if (this.mayAdvance || this.drew(candidate.sequence)) return true;
    return facts.nextvals.some((n) => n.start < candidate.start && readsDrawnSequence(candidate.sequence, n.sequence));
  }

  read(facts: StatementFacts): void {
    for (const n of facts.nextvals) this.sequences.add(n.sequence);
    this.mayAdvance ||= facts.mayAdvanceSequences === true;
  }

  private drew(sequence: string | undefined): boolean {
    return [...this.sequences].some((drawn) => readsDrawnSequence(sequence, drawn));
  }
}

/** An undo key (undo.ts) that drops temporary objects (`temp:<name>`, `temp:*`). */
function isTemporaryUndo(undo: string): boolean {
  return undo.startsWith('temp:');
}

/**
 * A DO block runs where it stands, in the script's session: what its PL/pgSQL drops (`DROP TABLE IF EXISTS staged`, also
 * in an IF, as a routine body's own drops are read) is dropped there, undoing a temporary table an earlier statement of
 * the script made — one made by an earlier DO block too. Not a drop a RETURN may skip, which the run may never reach,
 * nor one in an EXCEPTION handler, which only a failing run enters: the run that succeeds keeps the table.
 */
function noteBlockDrops(ctx: WalkContext, body: string, drops: readonly { undo: string; at: number }[]): void {
  if (drops.length === 0) return;
  const returns = routineReturns(body);
  const events = flowEvents(body);
  for (const { undo, at } of drops) {
    if (!returns.some((offset) => offset < at) && !inHandler(events, at)) (ctx.facts.drops ??= []).push(undo.slice('temp:'.length));
  }
}

/** Analyses a function/DO body as code that runs in the caller's session, with positions inside the body. */
function visitBody(ctx: WalkContext, node: Json, defaultLanguage: string, storedRoutine: boolean): void {
  const { language, body } = functionBody(node, defaultLanguage);
  const python = isPlPython(language);
  const javascript = isPlV8(language);
  if (!body || (language !== 'sql' && language !== 'plpgsql' && !python && !javascript)) return;
  const at = ctx.text.indexOf(body);
  if (at < 0) return;
  const found: Candidate[] = [];
  const constants = new ConstantStrings();
  const builtStatements = new BuiltStatements();
  const saved = new SavedSettings();
  const advances = new BodySequences();
  const disconnects: Disconnect[] = [];
  const sessionFlags = storedRoutine ? falseDefaultParameters(node) : undefined;
  const inputs = storedRoutine ? inputParameters(node) : undefined;
  // The RESETs (and `SET … TO DEFAULT`s) of a PL/pgSQL body, by undo key and place (dropResetSets).
  const resets: SettingReset[] = [];
  // The body's control flow, read once for the questions below and only when one is asked.
  let events: ReturnType<typeof flowEvents> | undefined;
  const reaches = (from: number, to: number, beforeLeaving: readonly number[] = []): boolean => {
    if (python) return pythonSurelyReaches(body, from - (ctx.base + at), to - (ctx.base + at));
    if (javascript) return false;
    if (language !== 'plpgsql') return true;
    events ??= flowEvents(body);
    return surelyReaches(events, from - (ctx.base + at), to - (ctx.base + at), beforeLeaving.map((place) => place - (ctx.base + at)));
  };
  // A temporary table dropped only after a RETURN that may end the run first (`IF none THEN RETURN; END IF;`), or only
  // in an exception handler the creation is not in (entered when an error is caught, as a RESET there is read), stays
  // in the session on the run that passes by: the drop does not undo it.
  let returns: number[] | undefined;
  const dropMayBeSkipped = (candidate: Candidate, undoAt: number): boolean => {
    if (candidate.rule !== 'temp-table') return false;
    const createdAt = candidate.start - (ctx.base + at);
    if (python) return !pythonSurelyReaches(body, createdAt, undoAt);
    if (javascript) return true; // its control flow is not read: the drop may be skipped
    if (language !== 'plpgsql') return false;
    returns ??= routineReturns(body);
    events ??= flowEvents(body);
    // A RETURN inside the creating statement (`CREATE FUNCTION pg_temp.f() … RETURN 1`) belongs to the routine it makes.
    const createdEnd = candidate.end - (ctx.base + at);
    return returns.some((offset) => offset >= createdEnd && offset < undoAt) || inHandlerApart(events, createdAt, undoAt);
  };
  // A PL/Python body's statements are the SQL texts it hands to plpy.execute/plpy.prepare (plpythonSql.ts), a PL/v8
  // body's those it hands to plv8.execute/plv8.prepare (plv8Sql.ts).
  const pieces = python ? plpythonSqlPieces(body) : javascript ? plv8SqlPieces(body) : undefined;
  const spans = pieces
    ? pieces.flatMap((piece) => splitStatements(piece.text).map((span) => ({ ...span, start: piece.start + span.start })))
    : splitStatements(body);
  // The temporary objects a DO block's PL/pgSQL drops, with where (body offsets): noted as the DO statement's own drops below.
  const blockDrops: { undo: string; at: number }[] = [];
  for (const span of spans) {
    const bodyFacts = analyzeFragment(span.text, ctx.base + at + span.start, language === 'plpgsql', false, sessionFlags, inputs);
    if (bodyFacts.disconnects) disconnects.push(...bodyFacts.disconnects);
    bodyFacts.candidates = bodyFacts.candidates.filter((candidate) => !advances.precede(candidate, bodyFacts));
    advances.read(bodyFacts);
    if (language === 'plpgsql') {
      // `EXECUTE sql` of a statement built earlier in the body (`sql := format('CREATE TEMP TABLE …')`).
      for (const built of builtStatements.executed(span.text)) bodyFacts.candidates.push({ rule: built.rule, message: built.message, start: built.start, end: built.end });
      builtStatements.read(span.text, ctx.base + at + span.start);
    }
    // A body runs inside its caller's transaction: a SET it undoes, or a temporary table it drops, before
    // returning never outlives it — also when dynamic SQL of a known text does it (`EXECUTE drop_sql`).
    const executed = language === 'plpgsql' ? constants.executed(span.text) : undefined;
    if (language === 'plpgsql') constants.read(span.text);
    const undos = executed === undefined ? undoKeys(bodyFacts) : [...undoKeys(bodyFacts), ...undoKeys(analyzeFragment(executed, 0))];
    const statementAt = span.start + statementStart(span.text);
    if (!storedRoutine && language === 'plpgsql') blockDrops.push(...undos.filter(isTemporaryUndo).map((undo) => ({ undo, at: statementAt })));
    // A PL/pgSQL RESET undoes the SETs before it unless a RETURN may end the run between them: weighed below.
    const pathAwareResets = language === 'plpgsql';
    if (pathAwareResets) resets.push(...undos.filter(isSettingUndo).map((key) => ({ key, at: ctx.base + at + span.start + statementStart(span.text) })));
    for (const undo of pathAwareResets ? undos.filter((key) => !isSettingUndo(key)) : undos) {
      for (let i = found.length - 1; i >= 0; i--) if (undoes(undo, found[i]) && !dropMayBeSkipped(found[i], statementAt)) found.splice(i, 1);
    }
    // Inside a function the candidates' context is the caller's transaction; SET LOCAL in a body is fine.
    // Putting back a setting's saved earlier value leaves nothing behind (savedSettings.ts), and neither
    // does a SET after the save that surely reaches that restore.
    const restored = language === 'plpgsql' ? saved.restoredSave(span.text.slice(statementAt - span.start)) : undefined;
    if (restored) dropRestoredSets(found, restored, statementAt, { body, start: ctx.base + at });
    for (const candidate of bodyFacts.candidates) {
      if (candidate.rule === 'set-local-outside-transaction' || (restored && restoresSetting(candidate, restored.setting))) continue;
      found.push(candidate);
    }
    if (language === 'plpgsql') saved.read(span.text.slice(statementAt - span.start), statementAt);
  }
  // A unit-test routine (of a schema named for tests) that sets something inside a block with an EXCEPTION section, as
  // a test of an expected failure does (`SET ROLE reader; UPDATE other_tenant.t …; EXCEPTION WHEN others THEN
  // record the pass`): the error it waits for rolls the block back, the SET with it; it runs in the test suite's own
  // session against its test database (rulings 4 and 12), never on the application's pool.
  if (language === 'plpgsql' && storedRoutine && isTestRoutine(node) && found.some((candidate) => candidate.rule === 'session-set')) {
    events ??= flowEvents(body);
    for (let i = found.length - 1; i >= 0; i--) {
      if (found[i].rule === 'session-set' && inBlockWithHandlers(events, found[i].start - (ctx.base + at))) found.splice(i, 1);
    }
  }
  // A SET followed, in its own block, by a RAISE every run reaches and that block's handler catches is rolled back with
  // the block's subtransaction (a self-test that ends `RAISE transaction_rollback; EXCEPTION WHEN transaction_rollback`).
  if (language === 'plpgsql' && found.some((candidate) => candidate.rule === 'session-set')) {
    events ??= flowEvents(body);
    for (let i = found.length - 1; i >= 0; i--) {
      if (found[i].rule === 'session-set' && undoneByOwnHandler(body, events, found[i].start - (ctx.base + at))) found.splice(i, 1);
    }
  }
  // A temporary table whose creation surely reaches a RAISE that throws is rolled back with the (sub)transaction
  // the error aborts: it never outlives the run (bodyFlow.ts).
  if (language === 'plpgsql' && found.some((candidate) => candidate.rule === 'temp-table')) {
    events ??= flowEvents(body);
    for (let i = found.length - 1; i >= 0; i--) {
      if (found[i].rule === 'temp-table' && surelyRaisesAfter(body, events, found[i].start - (ctx.base + at))) found.splice(i, 1);
    }
  }
  noteBlockDrops(ctx, body, blockDrops);
  dropResetSets(found, resets, (from, to, beforeLeaving) => {
    events ??= flowEvents(body);
    const place = (offset: number) => offset - (ctx.base + at);
    return returnsBetween(body, events, place(from), place(to), beforeLeaving.map(place)) || inHandlerApart(events, place(from), place(to));
  });
  dropClearedCustomSettings(found, reaches);
  dropKeptDefaultRestores(found, reaches);
  // A set_config whose value reads a variable the body filled from that same setting advances it as a counter does.
  for (const candidate of found) {
    if (candidate.valueVariables === undefined) continue;
    if (language === 'plpgsql' && candidate.valueVariables.some((variable) => saved.filledFrom(variable, candidate.setting))) candidate.valueFromOwnSetting = true;
    delete candidate.valueVariables;
  }
  const kept = withoutGuardedDeallocates(found, body);
  ctx.facts.candidates.push(...pairBodyConnections(pairBodyLocks(kept, body, ctx.base + at), disconnects, body, ctx.base + at));
}

function walk(ctx: WalkContext, value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(ctx, item);
    return;
  }
  if (!value || typeof value !== 'object') return;
  // for…in, not Object.entries: no [key, value] array per property of every node (JSON.parse objects have no inherited keys).
  for (const key in value as Json) {
    const child = (value as Json)[key];
    const node = child as Json;
    switch (key) {
      case 'FuncCall': addFunctionCall(ctx, node); break;
      case 'VariableSetStmt': visitVariableSet(ctx, node); break;
      case 'PrepareStmt': case 'ExecuteStmt': case 'DeallocateStmt': {
        const action = key.replace('Stmt', '').toLowerCase() as PreparedAction;
        ctx.facts.candidates.push({ ...statementCandidate(ctx, 'prepared-statement',
          `${action.toUpperCase()} uses a prepared statement that exists on one server connection only.`),
        prepared: { action, name: node.isall ? '*' : String(node.name ?? '') } });
        break;
      }
      case 'CreateStmt':
        if (isTemporaryRelation(node.relation)) visitTemp(ctx, 'table', node.relation as Json, node.oncommit as string, true);
        break;
      case 'intoClause': case 'into': // SELECT ... INTO TEMP, CREATE TEMP TABLE ... AS
        if (isTemporaryRelation(node.rel)) visitTemp(ctx, 'table', node.rel as Json, node.onCommit as string);
        break;
      case 'ViewStmt':
        if (isTemporaryRelation(node.view)) visitTemp(ctx, 'view', node.view as Json);
        break;
      case 'CreateSeqStmt':
        if (isTemporaryRelation(node.sequence)) visitTemp(ctx, 'sequence', node.sequence as Json);
        break;
      case 'DropStmt': visitDrop(ctx, node); break;
      case 'DiscardStmt':
        if (node.target === 'DISCARD_TEMP' || node.target === 'DISCARD_ALL') (ctx.facts.drops ??= []).push('*');
        if (node.target === 'DISCARD_ALL') (ctx.facts.resets ??= []).push(...DISCARD_ALL_RESETS);
        break;
      case 'ListenStmt':
        ctx.facts.candidates.push(statementCandidate(ctx, 'listen', 'LISTEN registers the server connection, not this client: notifications go to whichever client holds it.'));
        break;
      // UNLISTEN only stops listening: it leaves no state behind (the LISTEN it undoes is the finding).
      case 'DeclareCursorStmt':
        if (((node.options as number) ?? 0) & CURSOR_OPT_HOLD) ctx.facts.candidates.push(statementCandidate(ctx, 'cursor-with-hold', 'a WITH HOLD cursor outlives the transaction on a server connection this client loses.'));
        break;
      case 'LoadStmt':
        ctx.facts.candidates.push(statementCandidate(ctx, 'load', 'LOAD loads the library into one server process only.'));
        break;
      case 'TransactionStmt': visitTransaction(ctx, node); break;
      case 'CreateFunctionStmt': case 'DoStmt': {
        if (key === 'CreateFunctionStmt') visitTemporaryRoutine(ctx, node);
        // Function-level SET clauses are function-scoped: only the body (and BEGIN ATOMIC statements) count.
        const before = ctx.facts.candidates.length;
        visitBody(ctx, node, key === 'DoStmt' ? 'plpgsql' : 'sql', key === 'CreateFunctionStmt');
        walk(ctx, node.sql_body);
        if (key === 'CreateFunctionStmt' && isSecurityDefiner(node)) dropRefusedIdentityChanges(ctx.facts.candidates, before);
        if (key === 'CreateFunctionStmt') markStoredCode(ctx.facts.candidates.slice(before), node);
        continue;
      }
      case 'AlterRoleSetStmt': case 'AlterDatabaseSetStmt': case 'AlterSystemStmt': case 'AlterFunctionStmt':
        continue; // stored settings, applied to future sessions: safe
    }
    walk(ctx, child);
  }
}

/** A PL/pgSQL assignment's target and operator (`v_lock := `, `rec.n = `, `arr[1] := `): its right side is an expression. */
const ASSIGNMENT = /^[A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)*(?:\[[^\]\n]*\])?\s*:?=\s*/;
const AS_QUERY = 'SELECT ';

/** A text and its syntax tree. */
type ParsedText = { tree: unknown; text: string };
type ParsedPiece = ParsedText & { at: number };

/** The parsed SQL of a PL/pgSQL statement: its conditions and expressions (plpgsqlPieces.ts) and its statement. */
function parsePlpgsqlPieces(text: string): ParsedPiece[] {
  const pieces = plpgsqlPieces(text);
  if (!pieces) return optional(parsePlpgsqlStatement(text));
  return pieces.flatMap((piece) => {
    const parsed = piece.expression ? parseExpression(piece.text) : parsePlpgsqlStatement(piece.text);
    return parsed ? [{ ...parsed, at: parsed.at + piece.at }] : [];
  });
}

function optional<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}

/** An expression parsed as `SELECT <expression>` (`at`: where that text starts relative to the expression). */
function parseExpression(expression: string): ParsedPiece | undefined {
  const parsed = parsedOrRepaired(AS_QUERY + withoutStrictInto(expression));
  return parsed && { ...parsed, at: -AS_QUERY.length };
}

/**
 * A body's SQL parsed as written or, when it holds a template's placeholders (`FROM {schema}.roads`, `${table}`:
 * templatePlaceholders.ts) and does not parse, with them filled in (same length, so offsets stay): the statement the
 * template sends once filled, as a top-level statement's placeholders are read. PL/pgSQL has no `{`, `${` or
 * `{{` of its own either, and a string's (`'{1,2}'`) is never filled. Undefined when neither parses.
 */
function parsedOrRepaired(text: string): ParsedText | undefined {
  return parsedAsWritten(text) ?? (hasTemplateMarkers(text) ? repairedTemplate(text) : undefined);
}

/** The text's tree, when it parses as written. */
function parsedAsWritten(text: string): ParsedText | undefined {
  try {
    return { tree: parseSync(text), text };
  } catch {
    return undefined;
  }
}

/**
 * The text with its placeholders filled in (templateRepair: same offsets) and its tree, when it then parses; the tree
 * is templateRepair's last parse, so the repaired text is not parsed again.
 */
function repairedTemplate(text: string): ParsedText | undefined {
  const parser = new TreeKeepingParser();
  const repaired = templateRepair(text, parser.errorAt);
  return repaired === undefined ? undefined : { tree: parser.tree, text: repaired };
}

/** `INTO STRICT v` is PL/pgSQL; SQL's `INTO v` parses (same length: STRICT becomes spaces). */
function withoutStrictInto(text: string): string {
  return text.replace(/\binto(\s+)strict\b/gi, (_, space: string) => `into${space}${' '.repeat(6)}`);
}

/**
 * PL/pgSQL statements are not SQL; strip leading control words until the rest parses (bounded). An
 * assignment's expression is parsed as `SELECT <expression>`. Returns the parsed text and where it
 * starts relative to the statement (before it, for an assignment: the `SELECT ` added in front).
 */
function parsePlpgsqlStatement(text: string): ParsedPiece | undefined {
  let skipped = leadingTrivia(text);
  let rest = text.slice(skipped);
  for (let attempt = 0; attempt < 8 && rest.trim() !== ''; attempt++) {
    // PL/pgSQL EXECUTE is always dynamic SQL, never a prepared statement (also after a comment).
    if (/^execute\b/i.test(rest)) return undefined;
    // PERFORM and "SELECT " have the same length, so AST offsets stay valid.
    const candidate = withoutStrictInto(rest.replace(/^perform\b/i, AS_QUERY));
    const parsed = parsedOrRepaired(candidate);
    if (parsed) return { ...parsed, at: skipped };
    const assignment = ASSIGNMENT.exec(rest);
    if (assignment) {
      const expression = parsedOrRepaired(AS_QUERY + rest.slice(assignment[0].length));
      if (expression) return { ...expression, at: skipped + assignment[0].length - AS_QUERY.length };
      /* not an assignment after all: strip a word */
    }
    // A quoted string goes whole (a RAISE message's `f (…)` is text, not a call of f), a loop's header up
    // to its LOOP (the statement after it may follow a long query), else a word.
    const literal = skipNonCode(rest, /^e'/i.test(rest) ? 1 : 0);
    const header = literal > 0 ? undefined : controlHeader(rest);
    const match = literal > 0 ? [rest.slice(0, literal)] : header !== undefined ? [rest.slice(0, header)] : /^\S+/.exec(rest);
    if (!match) return undefined;
    const stripped = match[0].length + leadingTrivia(rest.slice(match[0].length));
    skipped += stripped;
    rest = rest.slice(stripped);
  }
  return undefined;
}

const LOOP_HEADER = /^(?:for|foreach|while)\b/i;

/**
 * The length of a FOR/FOREACH/WHILE header up to and with its LOOP (undefined: none). An IF's THEN is not
 * skipped: what an IF guards (`if exists (… pg_prepared_statements …) then deallocate s`) depends on it.
 */
function controlHeader(text: string): number | undefined {
  if (!LOOP_HEADER.test(text)) return undefined;
  const found = /\bloop\b/i.exec(replaceLiteralsAndComments(text));
  return found ? found.index + found[0].length : undefined;
}

/** Whether a statement holds no trigger word, so that only its syntax is checked (no AST is built). */
export function needsOnlySyntaxCheck(text: string): boolean {
  return !INTERESTING.test(text);
}

/**
 * Analyses one piece of SQL (a statement, or a statement of a function body at `base`). `knownToParse`:
 * the caller already checked that it parses (syntaxCheck.ts, several statements in one parser call).
 */
export function analyzeFragment(text: string, base: number, plpgsql = false, knownToParse = false, sessionFlags?: SessionFlags, inputs?: SessionFlags): StatementFacts {
  const facts: StatementFacts = { transaction: 'none', candidates: [], nextvals: [] };
  facts.mayAdvanceSequences = /\b(insert|merge|copy)\b/i.test(text);
  if (plpgsql) {
    const dynamic = dynamicStatement(text);
    // A temporary table the routine's default call drops at commit (a CASE on a false-defaulting parameter) is no finding.
    if (dynamic && !(dynamic.rule === 'temp-table' && dropsAtCommitByDefault(text, sessionFlags))) facts.candidates.push({ rule: dynamic.rule, message: dynamic.message, start: base + dynamic.start, end: base + dynamic.end, setting: dynamic.setting, temporary: dynamic.temporary });
    // `EXECUTE format('DROP TABLE %I', l_name)`: undoes a temporary table a dynamic statement made under that name.
    const drops = dynamic ? undefined : dynamicDrops(text);
    if (drops) facts.drops = drops;
    // `EXECUTE format('RESET default_tablespace')`: puts a setting back to its default, as a static RESET does.
    const resets = dynamic ? undefined : dynamicResets(text);
    if (resets) facts.resets = resets;
    for (const parsed of dynamic ? [] : parsePlpgsqlPieces(text)) {
      walk({ text: parsed.text, base: base + parsed.at, ascii: !/[^\x00-\x7f]/.test(parsed.text), facts, sessionFlags, inputs }, parsed.tree);
    }
    facts.transaction = 'none';
    return facts;
  }
  // Only a syntax check: the parser without building and decoding the JSON AST (≈ 2× faster).
  // On an error, fall through to parseSync, which reports where.
  if (!INTERESTING.test(text) && (knownToParse || parsesAlone(text))) return facts;
  let tree: unknown;
  try {
    tree = parseSync(text);
  } catch (error) {
    // A comment between the two words of a look-ahead pair (`WITHOUT -- local ⏎ TIME ZONE`) is whitespace to the
    // server but not to the bundled parser (lookaheadComments.ts): the statement is read as the server reads it.
    const asServerReads = withLookaheadCommentsBlanked(text);
    if (asServerReads !== text) return analyzeFragment(asServerReads, base, plpgsql, false, sessionFlags, inputs);
    // Only text that is surely PostgreSQL gets a syntax error reported (context.ts): not another dialect,
    // not a template. The error's place is kept either way (embedded SQL repairs holes by it).
    facts.dialect = dialectOfStatement(text);
    // A YugabyteDB statement is PostgreSQL besides its own clauses (dialect.ts): read with them blanked, it keeps a real
    // mistake elsewhere as a syntax error, and what it does (a temporary table) as a pooling candidate.
    const asYsqlReads = facts.dialect === 'compatible' ? withoutYugabyteClauses(text) : undefined;
    if (asYsqlReads !== undefined) return analyzeFragment(asYsqlReads, base, plpgsql, false, sessionFlags, inputs);
    if (!facts.dialect && hasTemplateMarkers(text)) facts.templated = true;
    const offset = errorOffset(text, error);
    facts.syntaxError = { message: (error as Error).message, offset: base + offset, end: base + Math.max(offset + 1, wordEnd(text, offset)) };
    // Not a statement as written: text that does not open like one, or another program's code the parser stops on
    // (a Visual Basic line building a query string: foreignCodeLines.ts).
    if (!opensLikeStatement(text) || stopsOnQueryBuildingLine(text, offset)) facts.notStatement = true;
    if (failsOnNewerSyntax(text, offset)) facts.newerSyntax = true;
    // DDL of an object kind PostgreSQL has not (a sharding router's `CREATE DISTRIBUTION ds1 …`): another tool's command,
    // with no syntax error and nothing else to read in it (no stand-in text is tried).
    if (!facts.dialect && !facts.templated && opensWithOtherToolsObjectKind(text, offset)) {
      facts.otherToolCommand = true;
      return facts;
    }
    // A query written for several server versions (versionComments.ts): its text as written is a template, and
    // its facts are those of the variant its loader sends for the first version tag that parses.
    const variant = facts.dialect || facts.templated ? undefined : versionVariant(text, (t) => parseErrorAt(t) === undefined);
    if (variant !== undefined) {
      facts.templated = true;
      return withStandInFacts(variant, base, facts);
    }
    // potygen's or pgtyped's spread parameter (`IN $$ids`, `VALUES $$rows(a, b)`), which PostgreSQL's lexer reads as
    // a dollar quote (spreadParameters.ts): a template of the tool's, whose facts are those of the text filled in.
    const spread = facts.dialect || facts.templated ? undefined : spreadVariant(text, (t) => parseErrorAt(t) === undefined);
    if (spread !== undefined) {
      facts.templated = true;
      return withStandInFacts(spread, base, facts);
    }
    // An upper-case `%NAME%` glued to a name (`CREATE DATABASE app_%ENV%`), which a build script fills in before sending
    // (templatePlaceholders.ts): a template when the text parses with it filled in; a mistake beside it keeps the error.
    const gluedFilled = facts.dialect || facts.templated ? undefined : withGluedPercentNamesFilled(text);
    if (gluedFilled !== undefined && parseErrorAt(gluedFilled) === undefined) {
      facts.templated = true;
      return withStandInFacts(gluedFilled, base, facts);
    }
    // A statement valid on PostgreSQL 15 or older that names something with a word newer releases made a keyword
    // (newerSyntax.ts): no syntax error, and its facts are those of the text with the names renamed.
    const older = facts.dialect || facts.templated ? undefined : withOlderNames(text, parseErrorAt, offset);
    if (older !== undefined) {
      facts.newerSyntax = true;
      return withStandInFacts(older, base, facts);
    }
    const filledIn = facts.dialect || facts.templated ? undefined : withFillInNames(text, parseErrorAt, offset);
    if (filledIn !== undefined) {
      facts.fillInNames = true;
      return withStandInFacts(filledIn, base, facts);
    }
    // A routine still being written (draftRoutines.ts): its syntax error stays, and its body is read for what it means to do.
    const draft = facts.dialect || facts.templated ? undefined : draftRoutineStandIn(text, offset, (t) => parseErrorAt(t) === undefined);
    if (draft !== undefined) return withStandInFacts(draft, base, facts);
    if (facts.templated && INTERESTING.test(text)) return withRepairedTemplate(text, base, facts);
    const underProse = facts.dialect || facts.templated || opensLikeStatement(text) ? undefined : statementAfterProse(text, offset);
    if (underProse !== undefined) return withStatementUnderProse(underProse, base, facts);
    return statementsWithoutSemicolons(text, base, offset) ?? facts;
  }
  addTreeFacts(text, base, tree, facts, sessionFlags, inputs);
  return facts;
}

/** Where a parse error is, as a UTF-16 offset into the text. */
function errorOffset(text: string, error: unknown): number {
  const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
  // Verified against libpg-query 18.1.5: cursorPosition is a 0-based code-point index.
  return codePointToUtf16(text, Math.max(0, details?.cursorPosition ?? 0));
}

/** Where the text fails to parse; undefined when it parses. */
function parseErrorAt(text: string): number | undefined {
  return new TreeKeepingParser().errorAt(text);
}

/**
 * parseErrorAt that keeps the tree of the last text that parsed: templateRepair's last try is the text it returns, so
 * its tree is at hand and that text need not be parsed again.
 */
class TreeKeepingParser {
  tree: unknown;

  readonly errorAt = (text: string): number | undefined => {
    try {
      this.tree = parseSync(text);
      return undefined;
    } catch (error) {
      return errorOffset(text, error);
    }
  };
}

/** The candidates of a template's text once its placeholders are filled in (same offsets), when it then parses. */
function withRepairedTemplate(text: string, base: number, facts: StatementFacts): StatementFacts {
  // Spread parameters beside the tool's other placeholders (`VALUES $$rows(a, b) … WHERE id = $id`) are filled in first.
  // With every placeholder a spread's or a named one's, the filled text may parse already: templateRepair has nothing left to fill.
  const filled = withSpreadsFilled(text);
  const parsed = atStart(filled !== undefined ? parsedAsWritten(filled) : undefined) ?? afterTemplateLines(filled ?? text) ?? atStart(repairedTemplate(filled ?? text));
  if (parsed === undefined) return facts;
  addTreeFacts(parsed.text, base + parsed.at, parsed.tree, facts);
  facts.repairedTemplate = true;
  return facts;
}

/**
 * The statement after the template's own lines that open it (`{% set … %}` with no semicolon after: templatePlaceholders.ts),
 * parsed as written or with its placeholders filled in, and where it starts in the text; undefined when it opens with none.
 */
function afterTemplateLines(text: string): ParsedPiece | undefined {
  const at = afterLeadingTemplateLines(text);
  if (at === 0 || at === text.length) return undefined;
  const rest = text.slice(at);
  const parsed = parsedAsWritten(rest) ?? repairedTemplate(rest);
  return parsed && { ...parsed, at };
}

/** How many later lines are tried as the start of the statement under leading plain text (each try parses the rest). */
const MAX_PROSE_TRIES = 8;

/**
 * The statement under leading lines of plain text, and where it starts: course notes write a task line without `--`
 * (`5. Explore about Lock Modes.`), and the splitter, which ends statements at `;` only, glues that line to the statement
 * after it. The caller asks only for text that does not open like a statement (statementStart.ts: SQL with a typo or a
 * broken clause keeps its syntax error and is not read around); the parser must have stopped before the line tried,
 * and the rest must parse as written, as one statement, from the first line that opens with a statement keyword and does.
 */
function statementAfterProse(text: string, errorOffset: number): ParsedPiece | undefined {
  const starts = statementLinesAfterFirst(text).filter((at) => at > errorOffset).slice(0, MAX_PROSE_TRIES);
  for (const at of starts) {
    const parsed = parsedAsWritten(text.slice(at));
    if (parsed === undefined) continue;
    // Several statements: the text ran past `;`s the splitter did not see (a quote a line of prose opened, `Let's …`),
    // so where the transactions of the rest begin and end is not this one statement's to tell.
    return statementCount(parsed.tree) === 1 ? { ...parsed, at } : undefined;
  }
  return undefined;
}

function statementCount(tree: unknown): number {
  return (tree as { stmts?: unknown[] }).stmts?.length ?? 0;
}

/**
 * The facts of the statement under leading plain text. The text's error stays (it is no statement as written, so it
 * is not reported: notStatement), and the statement's facts count as a stand-in's do (repairedTemplate): its BEGIN
 * opens a block, its candidates are reported.
 */
function withStatementUnderProse(statement: ParsedPiece, base: number, facts: StatementFacts): StatementFacts {
  addTreeFacts(statement.text, base + statement.at, statement.tree, facts);
  facts.repairedTemplate = true;
  return facts;
}

/** A parsed text that starts where the statement does. */
function atStart(parsed: ParsedText | undefined): ParsedPiece | undefined {
  return parsed && { ...parsed, at: 0 };
}

/** The facts of a text that parses and stands for the statement at the same offsets (a version variant, the names renamed). */
function withStandInFacts(standIn: string, base: number, facts: StatementFacts): StatementFacts {
  if (!INTERESTING.test(standIn)) return facts;
  addTreeFacts(standIn, base, parseSync(standIn), facts);
  facts.repairedTemplate = true;
  return facts;
}

/** Walks a parsed statement into its facts. */
function addTreeFacts(text: string, base: number, tree: unknown, facts: StatementFacts, sessionFlags?: SessionFlags, inputs?: SessionFlags): void {
  walk({ text, base, ascii: !/[^\x00-\x7f]/.test(text), facts, sessionFlags, inputs }, tree);
  // The other dialects' statements that parse as PostgreSQL and look unsafe are SETs (MySQL's SET sql_mode = …).
  if (facts.candidates.some((c) => c.rule === 'session-set')) facts.dialect = dialectOfSetStatement(text);
  if (facts.dialect) facts.candidates = [];
  else keepIntendedSetConfig(tree, facts);
  facts.candidates = pairStatementConnections(facts.candidates, facts.disconnects);
}

/**
 * `SELECT set_config('x', 'y', true), current_setting('x')`, or set_config in a CTE of the query that
 * needs it: the setting is meant for the rest of this statement, which it does reach. Only a statement
 * that does nothing but call set_config(…, true) loses the setting unused.
 */
function keepIntendedSetConfig(tree: unknown, facts: StatementFacts): void {
  if (!facts.candidates.some((c) => c.rule === 'set-local-outside-transaction')) return;
  const statements = (tree as { stmts?: { stmt?: Json }[] }).stmts ?? [];
  const stmt = statements.length === 1 ? statements[0].stmt : undefined;
  if (!stmt || stmt.VariableSetStmt) return; // SET LOCAL stays a finding
  if (stmt.SelectStmt && callsOnlySetConfig(stmt.SelectStmt as Json)) return;
  facts.candidates = facts.candidates.filter((c) => c.rule !== 'set-local-outside-transaction');
}

/** `SELECT set_config(…)[, set_config(…)]` and nothing else: no FROM, WHERE, CTE or set operation. */
function callsOnlySetConfig(select: Json): boolean {
  if (select.fromClause || select.whereClause || select.withClause || select.larg) return false;
  const targets = (select.targetList as Json[] | undefined) ?? [];
  return targets.length > 0 && targets.every((target) => {
    const call = ((target.ResTarget as Json | undefined)?.val as Json | undefined)?.FuncCall as Json | undefined;
    return call !== undefined && lastName(call.funcname).toLowerCase() === 'set_config';
  });
}

/** The parenthesis depth at an offset of a text whose strings and comments are blanked (offsets asked in increasing order). */
function parenthesisDepths(code: string): (offset: number) => number {
  let at = 0;
  let depth = 0;
  return (offset) => {
    for (; at < offset; at++) {
      if (code[at] === '(') depth++;
      else if (code[at] === ')' && depth > 0) depth--;
    }
    return depth;
  };
}

/**
 * Query logs and snapshots list statements separated by blank lines, without semicolons. When the parser
 * fails past a statement keyword that opens a line after a blank line, the text is not surely one whole
 * statement: its blank-line parts are analysed one by one instead (a part's own error is still reported).
 */
function statementsWithoutSemicolons(text: string, base: number, errorOffset: number): StatementFacts | undefined {
  const starts = [0];
  // Only in code (not a line of a function's dollar-quoted body, a string or a block comment) and at the top level
  // (a blank line before the SELECT of a subquery or of a CTE's body is inside one statement).
  const code = replaceLiteralsAndComments(text);
  const depth = parenthesisDepths(code);
  for (const start of statementsAfterBlankLine(text)) if (code.charCodeAt(start) === text.charCodeAt(start) && depth(start) === 0) starts.push(start);
  // A part the parser finds unfinished (`WITH a AS (…)` before the blank line, its query after it) goes on in the next.
  for (let k = 0; k + 1 < starts.length;) {
    const part = text.slice(starts[k], starts[k + 1]).trimEnd();
    if ((parseErrorAt(part) ?? -1) >= part.length) starts.splice(k + 1, 1);
    else k++;
  }
  // The parser read past a blank-line boundary before failing (a keyword there may first pass as an alias).
  if (starts.length < 2 || errorOffset < starts[1]) return undefined;
  const merged: StatementFacts = { transaction: 'none', candidates: [], nextvals: [] };
  let inBlock = false; // a BEGIN among the parts makes the following parts' SET LOCAL meaningful
  for (let k = 0; k < starts.length; k++) {
    const part = analyzeFragment(text.slice(starts[k], starts[k + 1] ?? text.length).trimEnd(), base + starts[k]);
    if (part.transaction === 'begin') inBlock = true;
    merged.candidates.push(...part.candidates.filter((candidate) => !(inBlock && candidate.transactionScoped)));
    if (part.transaction === 'end') inBlock = false;
    merged.nextvals.push(...part.nextvals);
    if (part.transaction !== 'none') merged.transaction = part.transaction;
    merged.mayAdvanceSequences ||= part.mayAdvanceSequences;
    if (!merged.syntaxError && part.syntaxError) {
      merged.syntaxError = part.syntaxError;
      merged.notStatement = part.notStatement;
      merged.newerSyntax = part.newerSyntax;
      merged.otherToolCommand = part.otherToolCommand;
    }
    merged.dialect ??= part.dialect;
    merged.templated ||= part.templated;
    if (part.temporaryCalls) (merged.temporaryCalls ??= []).push(...part.temporaryCalls);
  }
  return merged;
}
