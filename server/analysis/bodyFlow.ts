// Whether control in a PL/pgSQL body surely passes from one statement to a later one. A plain SET is
// transactional: an error between a SET and the statement that puts the setting back aborts the
// transaction (or the subtransaction of an EXCEPTION block around both) and undoes the SET with it. What
// skips the later statement and keeps the SET is leaving early (RETURN, EXIT, CONTINUE), a COMMIT or
// ROLLBACK that ends the transaction in between, or the later statement sitting in a branch or block the
// earlier one does not surely enter (another IF branch, a handler, an inner IF). An EXIT or CONTINUE without a label
// inside a loop entered in between only ends that loop (or its iteration): control still comes out after it.
import { replaceLiteralsAndComments } from './templatePlaceholders';

type FlowEvent = {
  at: number;
  kind: 'open' | 'close' | 'branch' | 'leave';
  /** An `open` that starts a loop (`LOOP`, `FOR … LOOP`, `WHILE … LOOP`). */
  loop?: boolean;
  /** A `leave` that is an EXIT/CONTINUE without a label: it leaves the innermost loop only. */
  innermostLoop?: boolean;
  /** An `open` that starts a block (`BEGIN`), which may have an EXCEPTION section. */
  block?: boolean;
  /** A `branch` that starts a block's EXCEPTION section (its handlers). */
  handlers?: boolean;
  /**
   * A `branch` that starts another arm of an IF, a CASE or a handler list: ELSE, ELSIF, or a WHEN after the previous
   * arm's last statement (not `EXIT WHEN`, nor MERGE's `WHEN MATCHED`). One pass runs one arm of them.
   */
  arm?: boolean;
};

/** A RETURN that ends the routine's run (not `RETURN NEXT`/`RETURN QUERY`, which add a row and go on). */
const RETURN_WORD = String.raw`return\b(?!\s+(?:next|query)\b)`;
/** Block words, branch words and early exits, outside literals and comments (`END IF` and friends as one). */
const FLOW_WORD = new RegExp(String.raw`\b(?:end\s+(?:if|loop|case)\b|end\b|begin\b|loop\b|if\b|case\b|else\b|elsif\b|elseif\b|when\b|exception\b|${RETURN_WORD}|exit\b|continue\b|commit\b|rollback\b)`, 'gi');
/** What ends just before an IF that opens a statement (not `DROP TABLE IF EXISTS`). */
const STATEMENT_HEAD_BEFORE = /(?:^|;|>>|\b(?:then|else|loop|begin))\s*$/i;

/**
 * The body's control-flow events in order (offsets into the body). `raisesLeave`: a RAISE that throws is a `leave` too,
 * for a caller that asks where an error may end the run (most callers do not: an error rolls back what they weigh).
 */
export function flowEvents(body: string, { raisesLeave = false } = {}): FlowEvent[] {
  const code = replaceLiteralsAndComments(body);
  const events: FlowEvent[] = raisesLeave ? throwingRaises(code) : [];
  for (const match of code.matchAll(FLOW_WORD)) {
    const word = match[0].toLowerCase();
    const kind = eventKind(word, code.slice(Math.max(0, match.index! - 40), match.index!));
    if (!kind) continue;
    const event: FlowEvent = { at: match.index!, kind };
    if (kind === 'open' && word === 'loop') event.loop = true;
    if (kind === 'open' && word === 'begin') event.block = true;
    if (kind === 'branch' && word === 'exception') event.handlers = true;
    if (kind === 'branch' && startsArm(word, code.slice(Math.max(0, match.index! - 400), match.index!))) event.arm = true;
    if (kind === 'leave' && (word === 'exit' || word === 'continue')) {
      event.innermostLoop = UNLABELLED_LOOP_EXIT_AFTER.test(code.slice(match.index! + word.length));
    }
    events.push(event);
  }
  return raisesLeave ? events.sort((a, b) => a.at - b.at) : events;
}

/** The RAISE statements that throw, as `leave` events (`code` has literals and comments blanked). */
function throwingRaises(code: string): FlowEvent[] {
  return [...code.matchAll(ERROR_RAISE)]
    .filter((match) => STATEMENT_HEAD_BEFORE.test(code.slice(Math.max(0, match.index! - 40), match.index!)))
    .map((match) => ({ at: match.index!, kind: 'leave' }));
}

/** What follows an EXIT/CONTINUE that names no label: the statement's end or its WHEN condition. */
const UNLABELLED_LOOP_EXIT_AFTER = /^\s*(?:;|when\b)/i;

/** Whether a branch word starts another arm (see FlowEvent.arm); `before` is the code just before it. */
function startsArm(word: string, before: string): boolean {
  if (word === 'else' || word === 'elsif' || word === 'elseif') return true;
  return word === 'when' && /;\s*$/.test(before);
}

function eventKind(word: string, before: string): FlowEvent['kind'] | undefined {
  if (word.startsWith('end')) return 'close';
  if (word === 'if') return STATEMENT_HEAD_BEFORE.test(before) ? 'open' : undefined;
  if (word === 'begin' || word === 'loop' || word === 'case') return /\bend\s*$/i.test(before) ? undefined : 'open';
  if (word === 'exception') return /\braise\s*$/i.test(before) ? undefined : 'branch';
  if (word === 'else' || word === 'elsif' || word === 'elseif' || word === 'when') return 'branch';
  // EXIT, CONTINUE, COMMIT and ROLLBACK leave only as statements: `FROM bundle.commit c`, `references commit(id)` or a
  // column named `rollback` do not.
  if (!word.startsWith('return')) return STATEMENT_HEAD_BEFORE.test(before) ? 'leave' : undefined;
  return 'leave';
}

/**
 * Whether every path that runs the statement at `from` reaches the one at `to` (body offsets, from < to),
 * unless an error rolls both back: nothing leaves early in between, and every block entered in between
 * is closed again without crossing into another branch of a block that was open at `from`.
 * `beforeLeaving`: statements (body offsets) that do what `to` does; a way out that one of them after `from` surely
 * precedes (`EXCEPTION WHEN others THEN <restore>; RETURN …;`) has done it on its own path, so it does not count.
 */
export function surelyReaches(events: FlowEvent[], from: number, to: number, beforeLeaving: readonly number[] = []): boolean {
  let depth = 0;
  let lowest = 0;
  // Whether each block entered after `from` and still open is a loop (innermost last).
  const entered: boolean[] = [];
  for (const event of events) {
    if (event.at <= from) continue;
    if (event.at >= to) break;
    if (event.kind === 'leave') {
      if (event.innermostLoop && entered.includes(true)) continue;
      if (beforeLeaving.some((at) => at > from && at < event.at && surelyPrecedes(events, at, event.at))) continue;
      return false;
    }
    if (event.kind === 'open') {
      depth++;
      entered.push(event.loop === true);
    } else if (event.kind === 'close') {
      lowest = Math.min(lowest, --depth);
      entered.pop();
    } else lowest = Math.min(lowest, depth - 1);
  }
  return depth === lowest;
}

/**
 * Whether the statements at `earlier` and `later` (body offsets, earlier < later) sit in different arms of one IF, CASE
 * or handler list, so a pass that runs `earlier` does not run `later` before it reaches `until` (a body offset after
 * `later`). Not apart: `later` after the branch, in a branch nested in `earlier`'s arm, in a handler of the block that
 * holds `earlier` (an error after `earlier` leads there), or where a loop around the branch ends before `until`, so a
 * later pass can take the other arm.
 */
export function armsApart(events: FlowEvent[], earlier: number, later: number, until: number): boolean {
  // The constructs open around `earlier`, innermost last; per construct, what was crossed at its own level since.
  const around: CrossedConstruct[] = [];
  // Constructs entered after `earlier` and still open.
  let nested = 0;
  let reachedLater = false;
  for (const event of events) {
    if (event.at >= until) break;
    if (!reachedLater && event.at > later) {
      reachedLater = true;
      if (!inOtherArm(around)) return false;
    }
    if (event.kind === 'open') {
      if (event.at < earlier) around.push({ loop: event.loop === true, arm: false, handlers: false });
      else nested++;
    } else if (event.kind === 'close') {
      if (nested > 0) nested--;
      // A loop around the branch that ends before `until` can come round and take the other arm after `earlier`.
      else if (around.pop()?.loop && reachedLater) return false;
    } else if (event.kind === 'branch' && event.at > earlier && nested === 0 && around.length > 0) {
      const construct = around[around.length - 1];
      construct.arm ||= event.arm === true;
      construct.handlers ||= event.handlers === true;
    }
  }
  return reachedLater || inOtherArm(around);
}

/** A construct open around a statement, and what control crossed at its own level after the statement. */
type CrossedConstruct = { loop: boolean; arm: boolean; handlers: boolean };

/**
 * Whether the innermost construct still open (around both statements) was crossed into another arm: not into its
 * handler section, which an error after the earlier statement enters.
 */
function inOtherArm(around: readonly CrossedConstruct[]): boolean {
  const common = around[around.length - 1];
  return common !== undefined && common.arm && !common.handlers;
}

/**
 * Whether every path that reaches the statement at `to` ran the one at `from` first (body offsets, from < to): `to`
 * sits in the block (or branch) of `from`, or in one opened after it, and control never crosses into another branch of
 * `from`'s own block between them (`EXCEPTION WHEN a THEN <from> …; WHEN b THEN <to>` does).
 */
function surelyPrecedes(events: FlowEvent[], from: number, to: number): boolean {
  let depth = 0;
  for (const event of events) {
    if (event.at <= from) continue;
    if (event.at >= to) break;
    if (event.kind === 'open') depth++;
    else if (event.kind === 'close' && --depth < 0) return false;
    else if (event.kind === 'branch' && depth === 0) return false;
  }
  return true;
}

/**
 * Whether the statement at `at` (a body offset, outside any handler) sits in a `BEGIN … EXCEPTION … END` block: the
 * innermost block around it has an EXCEPTION section. An error the handler catches rolls back the block's
 * subtransaction, and what the statement set with it.
 */
export function inBlockWithHandlers(events: FlowEvent[], at: number): boolean {
  // Per open construct around `at`, innermost last: whether it is a block whose handlers could still catch an error there.
  const open: boolean[] = [];
  let index = 0;
  for (; index < events.length && events[index].at < at; index++) {
    const event = events[index];
    if (event.kind === 'open') open.push(event.block === true);
    else if (event.kind === 'close') open.pop();
    // Already in the block's handlers: an error there is not caught by them.
    else if (event.handlers && open.length > 0) open[open.length - 1] = false;
  }
  const block = open.lastIndexOf(true);
  if (block < 0) return false;
  let depth = open.length;
  for (; index < events.length; index++) {
    const event = events[index];
    if (event.kind === 'open') depth++;
    else if (event.kind === 'close' && --depth === block) return false;
    else if (event.handlers && depth === block + 1) return true;
  }
  return false;
}

/**
 * The EXCEPTION sections (offsets of their EXCEPTION words) the statement at `at` sits in, outermost first: a block's
 * handlers, entered only when an error is caught there.
 */
function handlerSectionsAround(events: FlowEvent[], at: number): number[] {
  // Per open construct around `at`: the EXCEPTION section of it that `at` is in, if it is a block and `at` is in its handlers.
  const open: (number | undefined)[] = [];
  for (const event of events) {
    if (event.at >= at) break;
    if (event.kind === 'open') open.push(undefined);
    else if (event.kind === 'close') open.pop();
    else if (event.handlers && open.length > 0) open[open.length - 1] = event.at;
  }
  return open.filter((section): section is number => section !== undefined);
}

/**
 * Whether the statement at `later` sits in the EXCEPTION section of a block whose main section holds the one at
 * `earlier` (body offsets, earlier < later): the block that holds `earlier` or one around it, so an error raised
 * after `earlier` inside that block is caught there. An initializer in a block's DECLARE section (`DECLARE got boolean
 * := pg_try_advisory_lock(7); BEGIN …`) counts as held by that block: what fails in its body after it is caught there.
 * A handler of a block opened after `earlier` (a nested `BEGIN … EXCEPTION WHEN duplicate_object THEN NULL; END;`)
 * catches only its own statements' errors, and one whose section already holds `earlier` does not catch what is
 * raised in it. `code`: the body with literals and comments blanked.
 */
export function inHandlerOfBlockAround(code: string, events: FlowEvent[], earlier: number, later: number): boolean {
  // The constructs open, innermost last: their event index, whether each is a block, and whether its handlers were entered.
  const open: { index: number; block: boolean; inHandlers: boolean }[] = [];
  // The blocks (event indexes) whose main section holds `earlier`.
  let holding: number[] | undefined;
  for (let index = 0; index < events.length && events[index].at < later; index++) {
    const event = events[index];
    if (holding === undefined && event.at > earlier) {
      const previous = index > 0 ? events[index - 1].at : 0;
      const declared = event.kind === 'open' && event.block === true && /\bdeclare\b/i.test(code.slice(previous, earlier));
      holding = mainSectionBlocks(open);
      if (declared) holding.push(index);
    }
    if (event.kind === 'open') open.push({ index, block: event.block === true, inHandlers: false });
    else if (event.kind === 'close') open.pop();
    else if (event.handlers && open.length > 0) open[open.length - 1].inHandlers = true;
  }
  holding ??= mainSectionBlocks(open);
  return open.some((construct) => construct.inHandlers && holding!.includes(construct.index));
}

function mainSectionBlocks(open: readonly { index: number; block: boolean; inHandlers: boolean }[]): number[] {
  return open.filter((construct) => construct.block && !construct.inHandlers).map((construct) => construct.index);
}

/** Whether the statement at `at` (a body offset) sits in an exception handler: only a run with a caught error gets there. */
export function inHandler(events: FlowEvent[], at: number): boolean {
  return handlerSectionsAround(events, at).length > 0;
}

/**
 * Whether the statement at `later` sits in an exception handler the one at `earlier` is not in (body offsets): the run
 * that passed `earlier` without an error never enters it.
 */
export function inHandlerApart(events: FlowEvent[], earlier: number, later: number): boolean {
  const own = handlerSectionsAround(events, earlier);
  return handlerSectionsAround(events, later).some((section) => !own.includes(section));
}

const ROUTINE_RETURN = new RegExp(String.raw`\b${RETURN_WORD}`, 'gi');

/**
 * The offsets of the body's RETURN statements that leave the routine, outside literals and comments. A temporary
 * table the body drops only after such a RETURN is still there on the path that returns early.
 */
export function routineReturns(body: string): number[] {
  return [...replaceLiteralsAndComments(body).matchAll(ROUTINE_RETURN)].map((match) => match.index!);
}

/**
 * Whether a RETURN between the statements at `from` and `to` (body offsets) may end the run before `to`: one that no
 * statement of `beforeLeaving` (doing what `to` does) surely precedes, as in `EXCEPTION WHEN others THEN RESET x;
 * RETURN;`. Only RETURNs count: a branch, loop or COMMIT in between is not weighed.
 */
export function returnsBetween(body: string, events: FlowEvent[], from: number, to: number, beforeLeaving: readonly number[] = []): boolean {
  const doneFirst = (exit: number) => beforeLeaving.some((at) => at > from && at < exit && surelyPrecedes(events, at, exit));
  return routineReturns(body).some((exit) => exit > from && exit < to && !doneFirst(exit));
}

/** A RAISE that throws (no level, or EXCEPTION; not DEBUG, LOG, INFO, NOTICE or WARNING, which only report). */
const ERROR_RAISE = /\braise\b(?!\s+(?:debug|log|info|notice|warning)\b)/gi;

/** Whether a RAISE that throws stands between two statements of the body (body offsets). */
export function raisesBetween(body: string, from: number, to: number): boolean {
  return [...replaceLiteralsAndComments(body).matchAll(ERROR_RAISE)].some((match) => match.index! > from && match.index! < to);
}

/**
 * Whether the statement at `from` (a body offset) surely reaches a RAISE that throws, in its own block or an
 * enclosing one: the error rolls back the subtransaction of the innermost EXCEPTION block around it, or else the
 * caller's transaction, and what the statement made goes with it (a test that creates a temporary table and then
 * raises to undo its work). A RAISE in a block opened after the statement, or past an early exit, a COMMIT or a
 * handler, may be caught or skipped: it does not count.
 */
export function surelyRaisesAfter(body: string, events: FlowEvent[], from: number): boolean {
  for (const match of replaceLiteralsAndComments(body).matchAll(ERROR_RAISE)) {
    if (match.index! > from && surelyReaches(events, from, match.index!)) return true;
  }
  return false;
}

/**
 * Whether the statement at `from` (a body offset) is surely undone by its own block's handler: after it, in the main
 * section of the innermost BEGIN block around it, a RAISE that every run passing `from` reaches throws a condition that
 * block's EXCEPTION section names. The handler catches it and the block's subtransaction rolls back, and PostgreSQL
 * puts back what a SET changed in it (an extension's self-test that ends `RAISE transaction_rollback; EXCEPTION WHEN
 * transaction_rollback THEN END;`). A RAISE that may be skipped, one whose condition is not read or not named there, a
 * handler only in an outer block, or a statement in a handler section does not count.
 */
export function undoneByOwnHandler(body: string, events: FlowEvent[], from: number): boolean {
  const block = innermostBlockAround(events, from);
  if (!block) return false;
  const code = replaceLiteralsAndComments(body);
  const caught = handledConditions(body, code, events, block);
  if (caught.length === 0) return false;
  return [...code.matchAll(ERROR_RAISE)].some((match) => {
    const at = match.index!;
    if (at <= from || at >= block.handlersAt || !STATEMENT_HEAD_BEFORE.test(code.slice(Math.max(0, at - 40), at))) return false;
    const condition = raisedCondition(body, code, at);
    return condition !== undefined && caught.some((handled) => catches(handled, condition)) && surelyReaches(events, from, at);
  });
}

/** A BEGIN block: the index of its EXCEPTION event, where that section starts, and the index of its END. */
type HandledBlock = { handlersIndex: number; handlersAt: number; endIndex: number };

/**
 * The innermost BEGIN block around `at` when `at` sits in its main section and the block has an EXCEPTION section;
 * undefined otherwise (no block, a block without handlers, or `at` already in the handlers).
 */
function innermostBlockAround(events: FlowEvent[], at: number): HandledBlock | undefined {
  // The constructs open around `at`, innermost last: whether each is a block, and whether its handlers were entered.
  const open: { block: boolean; inHandlers: boolean }[] = [];
  let index = 0;
  for (; index < events.length && events[index].at < at; index++) {
    const event = events[index];
    if (event.kind === 'open') open.push({ block: event.block === true, inHandlers: false });
    else if (event.kind === 'close') open.pop();
    else if (event.handlers && open.length > 0) open[open.length - 1].inHandlers = true;
  }
  const level = open.map((construct) => construct.block).lastIndexOf(true);
  if (level < 0 || open[level].inHandlers) return undefined;
  let handlersIndex = -1;
  for (let depth = open.length; index < events.length; index++) {
    const event = events[index];
    if (event.kind === 'open') depth++;
    else if (event.kind === 'close' && --depth === level) {
      return handlersIndex < 0 ? undefined : { handlersIndex, handlersAt: events[handlersIndex].at, endIndex: index };
    } else if (event.handlers && depth === level + 1) handlersIndex = index;
  }
  return undefined;
}

/** One condition a handler names or a RAISE throws: a condition name (lower case) or a five-character SQLSTATE. */
type Condition = { name: string } | { sqlstate: string };

/** A condition in a handler's WHEN list or a RAISE: `division_by_zero`, `SQLSTATE '40000'`. */
const CONDITION = String.raw`(?:sqlstate\s+'[0-9A-Za-z]{5}'|[A-Za-z_]\w*)`;
/** A handler's head: `WHEN <condition> [OR <condition>]… THEN`. */
const HANDLER_HEAD = new RegExp(String.raw`^when\s+(${CONDITION}(?:\s+or\s+${CONDITION})*)\s+then\b`, 'i');

/** The conditions the block's handlers name (its WHENs at its own level, between EXCEPTION and END). */
function handledConditions(body: string, code: string, events: FlowEvent[], block: HandledBlock): Condition[] {
  const conditions: Condition[] = [];
  let depth = 0;
  for (let index = block.handlersIndex; index < block.endIndex; index++) {
    const event = events[index];
    if (event.kind === 'open') depth++;
    else if (event.kind === 'close') depth--;
    else if (depth === 0 && wordAt(code, event.at) === 'when') {
      const head = HANDLER_HEAD.exec(body.slice(event.at, event.at + 400));
      if (head) conditions.push(...head[1].split(/\bor\b/i).map((written) => readCondition(written.trim())));
    }
  }
  return conditions;
}

function readCondition(written: string): Condition {
  const sqlstate = /^sqlstate\s+'(\w{5})'$/i.exec(written);
  return sqlstate ? { sqlstate: sqlstate[1].toUpperCase() } : { name: written.toLowerCase() };
}

/** RAISE with a format string or USING only: `raise_exception` unless USING names an ERRCODE. */
const RAISE_MESSAGE = /^raise\s+(?:exception\s+)?(?:'|using\b)/i;
const RAISE_SQLSTATE = /^raise\s+(?:exception\s+)?sqlstate\s+'(\w{5})'/i;
const RAISE_NAME = /^raise\s+(?:exception\s+)?([A-Za-z_]\w*)\s*(?:;|using\b)/i;
const USING_ERRCODE = /\busing\b[\s\S]*\berrcode\s*=\s*'(\w+)'/i;

/** The condition the RAISE at `at` throws, when it is written out; undefined for a bare re-raise or an expression. */
function raisedCondition(body: string, code: string, at: number): Condition | undefined {
  const end = code.indexOf(';', at);
  const statement = body.slice(at, end < 0 ? body.length : end + 1);
  const sqlstate = RAISE_SQLSTATE.exec(statement);
  if (sqlstate) return { sqlstate: sqlstate[1].toUpperCase() };
  if (RAISE_MESSAGE.test(statement)) {
    const errcode = USING_ERRCODE.exec(statement)?.[1];
    if (errcode === undefined) return { name: 'raise_exception' };
    return /^[0-9A-Z]{5}$/.test(errcode) ? { sqlstate: errcode } : { name: errcode.toLowerCase() };
  }
  const name = RAISE_NAME.exec(statement)?.[1];
  return name === undefined ? undefined : { name: name.toLowerCase() };
}

/** What WHEN OTHERS leaves uncaught (PL/pgSQL: QUERY_CANCELED and ASSERT_FAILURE must be named). */
const NOT_CAUGHT_BY_OTHERS = new Set(['query_canceled', 'assert_failure', '57014', 'P0004']);

/** Whether a handler naming `handled` catches `raised` (the same name or SQLSTATE, or OTHERS). */
function catches(handled: Condition, raised: Condition): boolean {
  if ('name' in handled && handled.name === 'others') return !NOT_CAUGHT_BY_OTHERS.has('name' in raised ? raised.name : raised.sqlstate);
  if ('name' in handled) return 'name' in raised && raised.name === handled.name;
  return 'sqlstate' in raised && raised.sqlstate === handled.sqlstate;
}

/** An EXIT or CONTINUE (and its label) just before a WHEN: the WHEN is its condition, no arm. */
const LOOP_LEAVE_BEFORE = /\b(?:exit|continue)(?:\s+[A-Za-z_]\w*)?\s*$/i;

/** A construct open while reading where control goes: its opening word, and for one entered after the start, how it is passed. */
interface OpenConstruct {
  word: string;
  /** Opened after the start: its arms are weighed; otherwise only its end is reached (from the start's own arm). */
  entered: boolean;
  /** Whether a run may reach the construct without passing a target. */
  entryOpen: boolean;
  /** Whether a run may leave one of its finished arms without passing a target. */
  armsOpen: boolean;
  /** An ELSE was read (an IF without one may run no arm). */
  hasElse: boolean;
  /** Still before the first arm: a CASE's selector, or the EXCEPTION word before a block's first handler. */
  beforeFirstArm: boolean;
  /** In the block's EXCEPTION section, where each WHEN starts a handler. */
  inHandlers: boolean;
  /**
   * A CASE expression (`PERFORM CASE WHEN … END`, `x := CASE …`), not a CASE statement: with no arm matching it
   * yields NULL and runs none, as an IF without ELSE does.
   */
  expression: boolean;
}

/** The flow word at an event's place in the code (`if`, `case`, `begin`, `loop`, `else`, `exception`, …). */
function wordAt(code: string, at: number): string {
  return /^[A-Za-z]+/.exec(code.slice(at, at + 16))?.[0].toLowerCase() ?? '';
}

/** Whether a branch word starts another arm of `construct` (ELSE/ELSIF of an IF or CASE, WHEN of a CASE or a handler list, EXCEPTION). */
function startsArmOf(construct: OpenConstruct, word: string, before: string): boolean {
  if (word === 'exception') return construct.word === 'begin';
  if (word === 'when') return (construct.word === 'case' || construct.inHandlers) && !LOOP_LEAVE_BEFORE.test(before);
  return (word === 'else' || word.startsWith('els')) && (construct.word === 'if' || construct.word === 'case');
}

/**
 * Whether every run that passes the statement at `from` (a body offset) passes one of the statements at `targets`
 * before the body ends: the targets are weighed together, so a close in each arm of an `IF … ELSE … END IF` (or of a
 * CASE, or in a block's body and each of its handlers) counts as one sure close, while one in an IF without ELSE, in a
 * loop (which may run no round) or in another arm of the construct `from` sits in does not. A way out (`leave`) that
 * a run may take before passing a target answers no; a caller that judges the ways out apart leaves them out of
 * `events`. `code` is the body with literals and comments blanked (flowEvents' offsets).
 */
export function surelyPassesOneOf(code: string, events: FlowEvent[], from: number, targets: readonly number[]): boolean {
  const stack: OpenConstruct[] = [];
  let index = 0;
  for (; index < events.length && events[index].at <= from; index++) {
    const event = events[index];
    const top = stack[stack.length - 1];
    if (event.kind === 'open') stack.push(openConstruct(wordAt(code, event.at), false, false));
    else if (event.kind === 'close') stack.pop();
    else if (event.kind === 'branch' && top && wordAt(code, event.at) === 'exception') top.inHandlers = true;
  }
  const pending = targets.filter((at) => at > from).sort((a, b) => a - b);
  let open = true;
  let skipTo = -1; // while skipping the other arms of a construct around `from`: the stack depth its close returns to
  for (; index < events.length; index++) {
    const event = events[index];
    // A target passed on the way (not in an arm being skipped) closes the run.
    for (; pending.length > 0 && pending[0] < event.at; pending.shift()) if (skipTo < 0) open = false;
    if (skipTo >= 0) {
      if (event.kind === 'open') stack.push(openConstruct(wordAt(code, event.at), false, false));
      else if (event.kind === 'close') {
        stack.pop();
        if (stack.length === skipTo) skipTo = -1;
      }
      continue;
    }
    const top = stack[stack.length - 1];
    if (event.kind === 'open') {
      const entered = openConstruct(wordAt(code, event.at), true, open);
      entered.expression = entered.word === 'case' && (top?.expression === true || !STATEMENT_HEAD_BEFORE.test(code.slice(Math.max(0, event.at - 40), event.at)));
      stack.push(entered);
    } else if (event.kind === 'leave') {
      const loopEntered = event.innermostLoop === true && stack.some((construct) => construct.entered && construct.word === 'loop');
      if (open && !loopEntered) return false;
    } else if (event.kind === 'branch') {
      if (!top || !startsArmOf(top, wordAt(code, event.at), code.slice(Math.max(0, event.at - 40), event.at))) continue;
      if (!top.entered) {
        // The arm `from` is in ends here: the run goes on after the construct's end (its other arms are skipped).
        skipTo = stack.length - 1;
        continue;
      }
      const word = wordAt(code, event.at);
      if (!top.beforeFirstArm) top.armsOpen ||= open;
      top.beforeFirstArm = word === 'exception' || (top.word === 'case' && top.beforeFirstArm && word !== 'when' && word !== 'else');
      if (word === 'else') top.hasElse = true;
      if (word === 'exception') top.inHandlers = true;
      open = top.entryOpen;
    } else if (event.kind === 'close') {
      stack.pop();
      if (top?.entered) open = constructLeftOpen(top, open);
    }
  }
  if (pending.length > 0 && skipTo < 0) open = false;
  return !open;
}

function openConstruct(word: string, entered: boolean, entryOpen: boolean): OpenConstruct {
  return { word, entered, entryOpen, armsOpen: false, hasElse: false, beforeFirstArm: word === 'case', inHandlers: false, expression: false };
}

/** Whether a run may leave an entered construct without passing a target; `lastArmOpen`: the state at its end. */
function constructLeftOpen(construct: OpenConstruct, lastArmOpen: boolean): boolean {
  // A loop may run no round (FOR, WHILE) or leave before a target: only what held on entry counts.
  if (construct.word === 'loop') return construct.entryOpen;
  // A CASE statement with no matching arm raises CASE_NOT_FOUND: no normal run passes it without taking an arm. A CASE
  // expression with none yields NULL and goes on, as an IF without ELSE does.
  const armsOpen = construct.armsOpen || (construct.beforeFirstArm ? construct.entryOpen : lastArmOpen);
  if (construct.word === 'if' || construct.expression) return armsOpen || (!construct.hasElse && construct.entryOpen);
  return armsOpen;
}
