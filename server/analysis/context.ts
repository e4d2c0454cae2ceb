// The cheap, cache-friendly second pass: turns per-statement candidates into findings using the
// file's context (transaction blocks, nextval before currval, pool mode, options, suppressions).
import type { AnalysisOptions, DocumentText, Finding, MigrationBlock, MigrationSection, RuleId, Severity } from './types';
import { isScheduledJob } from './scheduledJobs';
import { isTestOnlyRoutine } from './testOnlyRoutines';
import { isSnapshotCopy } from './schemaSnapshots';
import type { Candidate, StatementFacts } from './detect';
import { undoKeys, undoableKey, undoes } from './undo';
import { isKeptDefault } from './postgresParameters';
import { isTrackedParameter } from './vocabulary';
import { closingHalvesOfPairs } from './routinePairs';
import { coveredByArms } from './branchArms';
import { holdsNamedQueries } from './namedQueries';
import { latestDrawRead, readsDrawnSequence } from './sequenceReads';
import { getRule } from './rules/index';
import { Suppressions } from './suppression';
import { echoedInOutputs } from './expectedErrors';

export interface PlacedFacts {
  /** UTF-16 offset of the statement in the document. */
  start: number;
  end: number;
  facts: StatementFacts;
  /** A psql meta-command precedes or interrupts the statement: the file is a psql script. */
  psqlScript?: boolean;
  /**
   * Which query message the statement is sent in, when the statements of one multi-statement string
   * travel together (an embedded query: one simple-protocol Query, one server connection, one implicit
   * transaction). Undefined when each statement is sent on its own (a SQL file run by psql).
   */
  message?: number;
  /**
   * The statement's message is one simple-protocol Query sent with no values (`db.raw(text)`, `client.query(text)`):
   * its statements run as one implicit transaction, so an error in one rolls back every other (refusedMessages).
   */
  simpleQuery?: boolean;
  /** The statement's text (the load-balancing rules read it; only they need it). */
  text?: string;
  /** A transaction boundary no statement writes: the BEGIN/COMMIT a migration tool sends around a section. */
  implicit?: boolean;
  /** Code the analysis cannot see ran here and may have begun a transaction (a test helper's per-test hook). */
  mayOpenTransaction?: boolean;
  /**
   * The code may leave here, on the statement's paths (`branches`), without running what follows: a `return` of the
   * function that sends the statements (TS/JS). Zero-width, no facts: what was set before it in the transaction is not
   * undone by a RESET after it, unless an undo ran on every path to it first (undoneWithinTransaction).
   */
  leaves?: boolean;
  /**
   * The conditional paths of the code that sends the statement (an `if`'s then or else, a `case`, a `catch`,
   * a loop's body, the right of `&&`/`||`), as ids: a statement on no path of its own runs whenever the
   * code around it does. Undefined for a SQL file's statements (they run in order, one after another).
   */
  branches?: readonly number[];
}

/**
 * Whether `later` runs whenever `earlier` does (as far as the code's branches tell): every conditional path
 * `later` sits on, `earlier` sits on too. A RESET in the `else` of the `if` whose `then` holds the SET, or
 * a ROLLBACK in one branch after a SET before the `if`, runs on another path than the state it would undo.
 */
function runsAfterwardsOnSamePath(earlier: readonly number[] | undefined, later: readonly number[] | undefined): boolean {
  return later === undefined || later.every((branch) => earlier?.includes(branch) === true);
}

/**
 * The statements (by index) that run inside a transaction block which ends in ROLLBACK on every path they take
 * (`BEGIN; SELECT stage_orders(); …; ROLLBACK;`): a session SET or a temporary table they make, also in the body of a
 * routine they call, is undone by that rollback. A ROLLBACK TO SAVEPOINT ends no block.
 */
export function rolledBackStatements(statements: readonly PlacedFacts[]): Set<number> {
  const rolledBack = new Set<number>();
  let block: number[] | undefined;
  statements.forEach(({ facts, branches }, index) => {
    if (facts.transaction === 'begin') block = [];
    else if (facts.transaction === 'end') {
      if (block && facts.rollsBack) for (const inside of block) if (runsAfterwardsOnSamePath(statements[inside].branches, branches)) rolledBack.add(inside);
      block = undefined;
    } else block?.push(index);
  });
  return rolledBack;
}

const IMPLICIT_BEGIN: StatementFacts = { transaction: 'begin', candidates: [], nextvals: [] };
const IMPLICIT_COMMIT: StatementFacts = { transaction: 'end', candidates: [], nextvals: [] };

/**
 * The statements with the transaction boundaries a migration tool adds (options.migrationSections): an
 * implicit BEGIN where a section it wraps in a transaction starts, an implicit COMMIT where that section
 * ends (at the next section, or after the file's last statement). Zero-width, so they carry no finding.
 * The statements of an annotated block (options.migrationBlocks) are one query message.
 */
export function withMigrationTransactions(statements: readonly PlacedFacts[], sections: readonly MigrationSection[] | undefined, blocks?: readonly MigrationBlock[]): readonly PlacedFacts[] {
  if (!sections || sections.length === 0) return statements;
  if (blocks?.length) statements = inBlockMessages(statements, blocks);
  const placed: PlacedFacts[] = [];
  let open = false;
  let next = 0;
  const enter = (section: MigrationSection): void => {
    if (open) placed.push({ start: section.start, end: section.start, facts: IMPLICIT_COMMIT, implicit: true });
    open = section.transaction;
    if (open) placed.push({ start: section.start, end: section.start, facts: IMPLICIT_BEGIN, implicit: true });
  };
  for (const statement of statements) {
    while (next < sections.length && sections[next].start <= statement.start) enter(sections[next++]);
    placed.push(statement);
  }
  while (next < sections.length) enter(sections[next++]);
  const last = placed[placed.length - 1];
  if (open) placed.push({ start: last.end, end: last.end, facts: IMPLICIT_COMMIT, implicit: true });
  return placed;
}

/** Statements inside a migration block get the block's index as their query message (a file's statements have none). */
function inBlockMessages(statements: readonly PlacedFacts[], blocks: readonly MigrationBlock[]): PlacedFacts[] {
  return statements.map((statement) => {
    const block = blocks.findIndex((b) => b.start <= statement.start && statement.end <= b.end);
    return block < 0 ? statement : { ...statement, message: block };
  });
}

/**
 * PREPAREs whose DEALLOCATE (of the name, or ALL) follows in the same query message: the prepared
 * statement never outlives the message, so its PREPARE, EXECUTEs and DEALLOCATE there are safe.
 * Returned as `message:name` keys.
 */
function preparedWithinMessage(statements: readonly PlacedFacts[]): Set<string> {
  const prepared = new Set<string>();
  const closed = new Set<string>();
  for (const { facts, message } of statements) {
    if (message === undefined) continue;
    for (const { prepared: use } of facts.candidates) {
      if (use?.action === 'prepare') prepared.add(`${message}:${use.name}`);
      if (use?.action !== 'deallocate') continue;
      const ofMessage = [...prepared].filter((key) => key.startsWith(`${message}:`));
      const matching = use.name === '*' ? ofMessage : ofMessage.filter((key) => key === `${message}:${use.name}`);
      for (const key of matching) closed.add(key);
      if (use.name === '*' && matching.length > 0) closed.add(`${message}:*`);
    }
  }
  return closed;
}

/**
 * Session SETs undone (`RESET x`, `RESET ALL`, `SET x TO DEFAULT`), and temporary tables, views and
 * sequences dropped (`DROP TABLE t`, `DISCARD TEMP`), later in the same transaction block, or in the same
 * query message: the state never outlives the transaction (a rollback undoes it too), so nothing leaks to
 * the next client. A block that ends in ROLLBACK undoes every session SET and temporary object made in it
 * (a plain SET inside a transaction is transactional: the rollback restores the old value). In a SQL file
 * (statements not sent as query messages), state made outside any block
 * and undone later in the file is undone too: a script that cleans up after itself is written for one
 * session (psql, or a tool that sends it whole), not for a pool that may run each statement elsewhere —
 * unless a migration tool's annotations say how it runs the file (`oneSession` false): goose without a
 * transaction sends each statement through its connection pool. Nor is a file of named queries (sqlc,
 * yesql, PgTyped: `separateQueries`) a script: the application sends each query on its own, so a RESET
 * query does not undo what a SET query leaves on whichever connection ran it (read only when it matters).
 * The undo must run on every path the state was made on (runsAfterwardsOnSamePath): a RESET or ROLLBACK
 * in one branch of the code does not undo what the other branch, or the code before the branch, left.
 * Returned as `statement:candidate` index keys (candidates are cached per statement text, so the same
 * object may stand for two statements).
 */
function undoneWithinTransaction(statements: readonly PlacedFacts[], oneSession: boolean, separateQueries: () => boolean): Set<string> {
  const undone = new Set<string>();
  // `undoPaths`: the paths of the undos met since it was made; `left`: a `return` may have left the code with it still set.
  type Made = { key: string; candidate: Candidate; branches?: readonly number[]; inBlock: boolean; armsUndone?: number[][]; undoPaths?: (readonly number[] | undefined)[]; left?: boolean };
  let pending: Made[] = [];
  const script: Made[] = [];
  let inBlock = false;
  let message: number | undefined;
  // The block's BEGIN paths, and a block that an end on some arm of a choice closed (its other arms may end it too).
  let blockBranches: readonly number[] | undefined;
  let endedOnArm: { made: Made[]; branches?: readonly number[] } | undefined;
  // A ROLLBACK undoes what a `return` before it left only when it is the one the code runs on every way out (the
  // invisible end of a helper's rolled-back transaction, or written after the return: not weighed).
  const undoOn = (made: Made, branches: readonly number[] | undefined, rollback = false): void => {
    if (made.left && !rollback) return;
    (made.undoPaths ??= []).push(branches);
    if (runsAfterwardsOnSamePath(made.branches, branches)) {
      undone.add(made.key);
      return;
    }
    // On paths of its own: undone once every arm of a choice below the state's paths holds an undo.
    (made.armsUndone ??= []).push(beyond(made.branches, branches));
    if (coveredByArms(made.armsUndone)) undone.add(made.key);
  };
  statements.forEach(({ facts, message: current, branches, leaves }, index) => {
    // Outside a block, separate messages may run on separate server connections (a BEGIN in a later
    // message too: what the earlier one left is not what this transaction undoes).
    if (!inBlock && (current === undefined || current !== message)) pending = [];
    // `return` between a SET and its RESET (TS/JS): on that way out the transaction ends with the setting in place,
    // unless an undo ran on every path that reaches the return (`if (x) { RESET …; return; }`).
    if (leaves) {
      for (const made of pending) if (made.inBlock && !made.undoPaths?.some((path) => runsAfterwardsOnSamePath(branches, path))) made.left = true;
      return;
    }
    if (facts.transaction === 'begin') {
      inBlock = true;
      blockBranches = branches;
      endedOnArm = undefined;
    }
    message = current;
    for (const undo of undoKeys(facts)) {
      // A routine body's state is made later, in its callers' sessions: no statement of this script undoes it.
      for (const made of pending) if (!made.candidate.storedCode && undoes(undo, made.candidate)) undoOn(made, branches);
      for (const made of script) if (!made.candidate.storedCode && undoes(undo, made.candidate) && !separateQueries()) undone.add(made.key);
    }
    // `SET session_replication_role = 'origin'` after `SET session_replication_role = 'replica'` on the same connection
    // (same transaction, query message or script) puts back the built-in default servers keep (isKeptDefault): it undoes
    // the earlier SET as `SET … TO DEFAULT` would. Wherever it lands it leaves the connection as a new one is, so it is
    // no finding itself, as `SET … TO DEFAULT` is none, also alone or on another connection of a pool than the SET it
    // puts back (that SET keeps its own finding). A parameter the pooler re-applies per client (`standard_conforming_strings
    // = on` in a dump's preamble) keeps its info finding alone: every SET of one is reported so (the session-27 ruling).
    facts.candidates.forEach((candidate, k) => {
      if (candidate.rule !== 'session-set' || candidate.storedCode || !isKeptDefault(candidate.setting, candidate.settingValue)) return;
      const undo = `set:${candidate.setting}`;
      const sets = (made: Made) => !made.candidate.storedCode && undoes(undo, made.candidate) && !isKeptDefault(made.candidate.setting, made.candidate.settingValue);
      const earlier = pending.filter(sets);
      for (const made of earlier) undoOn(made, branches);
      const inScript = separateQueries() ? [] : script.filter(sets);
      for (const made of inScript) undone.add(made.key);
      if (!isTrackedParameter(candidate.setting!) || inScript.length > 0 || earlier.some((made) => runsAfterwardsOnSamePath(made.branches, branches))) undone.add(`${index}:${k}`);
    });
    facts.candidates.forEach((candidate, k) => {
      if (undoableKey(candidate) === undefined) return;
      const made = { key: `${index}:${k}`, candidate, branches, inBlock };
      if (!inBlock && current === undefined && oneSession) script.push(made);
      else pending.push(made);
    });
    if (facts.transaction === 'end') {
      // `if (…) ROLLBACK; else ROLLBACK;`: the first end closes the block as far as the reading goes; a later end
      // with no BEGIN between, on paths of its own, closes it on another arm.
      const closing = inBlock ? pending.filter((made) => made.inBlock) : endedOnArm && branches !== undefined ? endedOnArm.made : [];
      if (facts.rollsBack) for (const made of closing) undoOn(made, branches, true);
      if (inBlock && !runsAfterwardsOnSamePath(blockBranches, branches)) endedOnArm = { made: closing };
      inBlock = false;
      pending = [];
    }
  });
  return undone;
}

/** The paths `later` takes that `earlier` does not, outermost first. */
function beyond(earlier: readonly number[] | undefined, later: readonly number[] | undefined): number[] {
  return (later ?? []).filter((branch) => earlier?.includes(branch) !== true).reverse();
}

/**
 * Functions created in pg_temp (`temporaryRoutine` candidates) that a later statement calls on what may be
 * another server connection: in another query message, with no transaction block held open between the
 * two (a block, or a hook that may have begun one, keeps one connection). Made and called in one message
 * or one transaction, the function is there when called. Statements sent on their own (a SQL file, no
 * query messages) are a script's: not counted. Returned as `statement:candidate` index keys.
 */
function temporaryRoutinesCalledLater(statements: readonly PlacedFacts[]): Set<string> {
  const calledLater = new Set<string>();
  const made: { key: string; name: string; stretch: number }[] = [];
  // A stretch: consecutive statements that surely run on one server connection.
  let stretch = 0;
  let inBlock = false;
  let message: number | undefined;
  statements.forEach(({ facts, message: current, mayOpenTransaction }, index) => {
    if (mayOpenTransaction) inBlock = true;
    if (!inBlock && current !== message) stretch++;
    message = current;
    if (facts.transaction === 'begin') inBlock = true;
    for (const name of facts.temporaryCalls ?? []) {
      for (const routine of made) if (routine.name === name && routine.stretch !== stretch) calledLater.add(routine.key);
    }
    facts.candidates.forEach((candidate, k) => {
      if (candidate.temporaryRoutine !== undefined && current !== undefined) made.push({ key: `${index}:${k}`, name: candidate.temporaryRoutine, stretch });
    });
    if (facts.transaction === 'end') inBlock = false;
  });
  return calledLater;
}

/**
 * Session advisory locks released where they were taken: an unlock of the same key (as written) or
 * pg_advisory_unlock_all later in the same transaction block, or in the same query message, runs on the
 * server connection that holds the lock, so the unlock is no finding. The lock still is one, reworded: an
 * error before the unlock rolls the transaction back, but a session lock survives ROLLBACK and stays with a
 * server connection the pooler hands to other clients. Returned as `statement:candidate` index keys.
 */
function advisoryPairsWithinTransaction(statements: readonly PlacedFacts[]): { unlocks: Set<string>; locks: Set<string> } {
  const unlocks = new Set<string>();
  const locks = new Set<string>();
  let pending: { key: string; lock: string }[] = [];
  let inBlock = false;
  let message: number | undefined;
  statements.forEach(({ facts, message: current }, index) => {
    if (!inBlock && (current === undefined || current !== message)) pending = [];
    message = current;
    if (facts.transaction === 'begin') inBlock = true;
    facts.candidates.forEach((candidate, k) => {
      const use = candidate.advisory;
      if (candidate.rule !== 'advisory-lock' || !use || candidate.storedCode) return;
      if (use.action === 'lock') {
        pending.push({ key: `${index}:${k}`, lock: use.key });
        return;
      }
      const released = pending.filter((taken) => use.key === '*' || taken.lock === use.key);
      if (released.length === 0) return;
      unlocks.add(`${index}:${k}`);
      for (const taken of released) locks.add(taken.key);
    });
    if (facts.transaction === 'end') {
      inBlock = false;
      pending = [];
    }
  });
  return { unlocks, locks };
}

/**
 * Prepared statements used where they were made: an EXECUTE or DEALLOCATE (of the name, or ALL) later in the explicit
 * transaction block whose PREPARE made the statement, on every path the use takes, runs on the server connection the
 * pooler keeps for that block, so the use is no finding. The PREPARE still is one, reworded where the block deallocates
 * it: a prepared statement survives ROLLBACK, so an error before the DEALLOCATE leaves it on a pooled server connection.
 * END is a COMMIT to the parser; a block ends at any COMMIT or ROLLBACK, also one on a path of its own (the uses after
 * it keep their findings). Routine bodies are left out, as for advisory pairs. Returned as `statement:candidate` keys.
 * `startsMaybeInBlock`: the statements run on a client whose caller may have begun a transaction (a function's parameter,
 * as SET LOCAL is read there): until the sequence ends or begins a transaction, a use of a statement PREPAREd earlier
 * in it on every path is read as in a block too. Its PREPARE keeps its own message: whether a block holds the two
 * together is the caller's to say.
 */
function preparedUsesWithinTransaction(statements: readonly PlacedFacts[], startsMaybeInBlock: boolean): { uses: Set<string>; deallocated: Set<string> } {
  const uses = new Set<string>();
  const deallocated = new Set<string>();
  let beginBranches: readonly number[] | undefined = startsMaybeInBlock ? [] : undefined;
  let blockSeen = false;
  let made = new Map<string, { key: string; branches: readonly number[] | undefined; inSeenBlock: boolean }>();
  statements.forEach(({ facts, branches }, index) => {
    if (facts.transaction === 'begin') {
      beginBranches = branches ?? [];
      blockSeen = true;
      made = new Map();
    }
    facts.candidates.forEach((candidate, k) => {
      const use = candidate.prepared;
      if (!use || !beginBranches || candidate.storedCode) return;
      if (use.action === 'prepare') {
        if (runsWhereverItRuns(beginBranches, branches)) made.set(use.name, { key: `${index}:${k}`, branches, inSeenBlock: blockSeen });
        return;
      }
      const names = use.name === '*' ? [...made.keys()] : made.has(use.name) ? [use.name] : [];
      const reached = names.filter((name) => runsWhereverItRuns(made.get(name)!.branches, branches));
      if (reached.length === 0 || reached.length < names.length) return;
      uses.add(`${index}:${k}`);
      if (use.action !== 'deallocate') return;
      for (const name of reached) {
        const prepare = made.get(name)!;
        if (prepare.inSeenBlock) deallocated.add(prepare.key);
        made.delete(name);
      }
    });
    if (facts.transaction === 'end') {
      beginBranches = undefined;
      made = new Map();
    }
  });
  return { uses, deallocated };
}

/** Whether `earlier` (a BEGIN's or a PREPARE's paths) ran on every run of `later`: runsAfterwardsOnSamePath read from the later side. */
function runsWhereverItRuns(earlier: readonly number[] | undefined, later: readonly number[] | undefined): boolean {
  return runsAfterwardsOnSamePath(later, earlier);
}

/** A PREPARE its own transaction deallocates on the normal path only. */
function deallocatedInTransactionMessage(): string {
  return 'PREPARE creates the statement on this server connection, and this transaction deallocates it only when it reaches its DEALLOCATE: after an error (a prepared statement survives ROLLBACK) it stays on a server connection the pooler hands to other clients, where the same PREPARE then fails with "already exists".';
}

/**
 * Statements that a later statement of the same query message follows before any transaction boundary.
 * A multi-statement string goes out as one simple-protocol Query, which the server runs as one implicit
 * transaction block: a SET LOCAL (or set_config(…, true)) there lasts until the message's last statement,
 * so it reaches the statements after it. Alone, or last in its message, or followed only by more such settings, it
 * still reaches nothing.
 * Statements sent on their own (a SQL file) have no message: not counted. Returned as statement indices.
 */
function followedWithinMessage(statements: readonly PlacedFacts[]): Set<number> {
  const followed = new Set<number>();
  let open: number[] = [];
  let message: number | undefined;
  statements.forEach(({ facts, message: current, implicit }, index) => {
    if (current === undefined || current !== message || implicit || facts.transaction !== 'none') open = [];
    message = current;
    if (current === undefined || implicit || facts.transaction !== 'none') return;
    // Another transaction-local setting reads none of the settings before it: they still wait for a statement that
    // does (`SET LOCAL a = 1; SET LOCAL b = 2` alone in a string reaches nothing).
    if (onlySetsTransactionSettings(facts)) {
      open.push(index);
      return;
    }
    for (const earlier of open) followed.add(earlier);
    open = [index];
  });
  return followed;
}

/**
 * The query messages sent as one simple query (no values) that hold a SET PostgreSQL refuses (`SET shared_buffers =
 * '256MB'`: a parameter no session may change) and no transaction boundary: the server runs such a message as one
 * implicit transaction, and the error rolls back every SET of it, those before the refused one included (those after it
 * never run). A message with its own BEGIN, COMMIT or ROLLBACK, or one a migration tool wraps, is not read so: what its
 * blocks commit is not weighed here. Returned as message indices.
 */
function refusedMessages(statements: readonly PlacedFacts[]): Set<number> {
  const refused = new Set<number>();
  const bounded = new Set<number>();
  for (const { facts, message, simpleQuery, implicit } of statements) {
    if (message === undefined || !simpleQuery) continue;
    if (implicit || facts.transaction !== 'none') bounded.add(message);
    if (facts.candidates.some((candidate) => candidate.refusedParameter)) refused.add(message);
  }
  for (const message of bounded) refused.delete(message);
  return refused;
}

/** A statement whose only findings are transaction-local settings (SET LOCAL, set_config(…, true)): it sets, it reads nothing. */
function onlySetsTransactionSettings(facts: StatementFacts): boolean {
  return facts.candidates.length > 0 && facts.candidates.every((candidate) => candidate.transactionScoped);
}

/** Whether the SQL runs in its own session: as configured, or because it is a psql script (not one psql runs through a transaction pooler). */
export function runsInOwnSession(statements: readonly PlacedFacts[], options: AnalysisOptions): boolean {
  return options.ownSession === true || (!options.throughTransactionPooler && statements.some((statement) => statement.psqlScript));
}

/** A rule's severity under these options, or undefined when it does not apply (pool mode, prepared-statement support, `off`). */
export function severityFor(rule: RuleId, options: AnalysisOptions): Severity | undefined {
  const info = getRule(rule)!;
  if (!info.poolModes.includes(options.poolMode)) return undefined;
  if (info.concern === 'load-balancing' && !options.loadBalancing) return undefined;
  // A pooler that tracks protocol-level prepared statements (PgBouncer >= 1.21) makes them safe.
  if (rule === 'protocol-prepared-statement' && options.preparedStatements === 'supported') return undefined;
  const override = options.rules[rule];
  if (override === 'off') return undefined;
  return override ?? info.defaultSeverity;
}

/** A SET of a parameter the pooler re-applies per client is a heads-up, not a hazard, behind PgBouncer: info at most. */
function atMostInfo(severity: Severity): Severity {
  return severity === 'error' || severity === 'warning' ? 'info' : severity;
}

const NO_NEXTVALS: readonly { sequence: string; start: number; end: number }[] = [];

/** `maybeInTransaction`: the statements may start inside a transaction their caller opened (unknown); `text`: what their offsets point into. */
export function applyContext(statements: readonly PlacedFacts[], options: AnalysisOptions, suppressions: Suppressions, maybeInTransaction = false, text?: DocumentText): Finding[] {
  const findings: Finding[] = [];
  // A script in its own session leaves session state to itself: only the functions it creates, which run
  // later in the application's sessions, can still hold findings (and syntax errors are still reported).
  // A test script's functions live in its test database: they have none either.
  const ownSession = runsInOwnSession(statements, options);
  const emit = (finding: Finding): void => {
    if (!suppressions.isSuppressed(finding.rule, finding.start)) findings.push(finding);
  };
  let inBlock = false;
  // Until the sequence is seen to end a transaction, SET LOCAL on a client passed in may be inside the caller's.
  let maybeInBlock = maybeInTransaction || options.opensInsideTransaction === true;
  // Where the block began (its BEGIN's conditional paths; undefined: wherever the code runs), and the paths of a
  // COMMIT/ROLLBACK that ended it on some runs only (`if (denied) { ROLLBACK; return … }`): code after that branch
  // may still be inside the block, since early exits are not followed (codeBranches.ts).
  let blockBranches: readonly number[] | undefined;
  let endedOnSomePaths: readonly number[] | undefined;
  // The paths (beyond the BEGIN's) of each end of the current block so far: ends on every arm of a choice (`ok ?
  // 'COMMIT' : 'ROLLBACK'`, `if (ok) COMMIT; else ROLLBACK;`) together end it on every run.
  let endedOnArms: number[][] = [];
  let blockNextvals: readonly { sequence: string; start: number; end: number }[] = NO_NEXTVALS;
  // An INSERT earlier in the block may have called nextval through a serial/identity default.
  let blockMayAdvance = false;
  // Every nextval seen so far: a currval after one in another transaction is the classic pooling bug.
  const earlierNextvals = new Map<string, { start: number; end: number }>();
  let fileMayAdvance = false;
  const selfContained = preparedWithinMessage(statements);
  let namedQueries: boolean | undefined;
  const separateQueries = (): boolean => (namedQueries ??= text !== undefined && holdsNamedQueries(text));
  const undone = undoneWithinTransaction(statements, !options.migrationSections?.length, separateQueries);
  const routinesCalledLater = temporaryRoutinesCalledLater(statements);
  const advisoryPairs = advisoryPairsWithinTransaction(statements);
  const preparedPairs = preparedUsesWithinTransaction(statements, maybeInTransaction);
  const followed = followedWithinMessage(statements);
  const refused = options.compatibleEngine ? new Set<number>() : refusedMessages(statements);
  const closing = closingHalvesOfPairs(statements, text);
  for (const [index, { start: base, end, facts, message, implicit, mayOpenTransaction, branches, text: statementText }] of statements.entries()) {
    if (mayOpenTransaction) maybeInBlock = true;
    if (facts.dialect) continue; // another dialect's statement is not ours
    if (facts.syntaxError) {
      emitSyntaxError(facts, base, end, options, emit, statementText ?? text?.slice(base, end));
      if (!facts.repairedTemplate) continue;
    }
    if (facts.transaction === 'begin') {
      const severity = ownSession || implicit ? undefined : severityFor('statement-mode-transaction', options);
      if (severity) emit({ rule: 'statement-mode-transaction', severity, start: base, end, message: 'multi-statement transactions are refused in statement pooling mode.' });
      inBlock = true;
      blockBranches = branches;
      endedOnSomePaths = undefined;
      blockNextvals = NO_NEXTVALS;
      blockMayAdvance = false;
    }
    // Most statements call no nextval: no new array for them (this loop runs over every statement on every keystroke).
    const inherited = inBlock ? blockNextvals : NO_NEXTVALS;
    const nextvals = facts.nextvals.length === 0 ? inherited : [...inherited, ...facts.nextvals.map((n) => ({ ...n, start: n.start + base, end: n.end + base }))];
    const mayStillBeInBlock = endedOnSomePaths !== undefined && !runsAfterwardsOnSamePath(branches, endedOnSomePaths);
    for (const [k, candidate] of facts.candidates.entries()) {
      if (candidate.transactionScoped && (inBlock || maybeInBlock || mayStillBeInBlock)) continue;
      if (candidate.transactionScoped && followed.has(index)) continue; // one implicit transaction with what follows
      if (undone.has(`${index}:${k}`)) continue;
      // A body's pg_temp function stays in its caller's session (detect.ts); a client's is a hazard only where called later.
      if (candidate.temporaryRoutine !== undefined && !candidate.storedCode && !routinesCalledLater.has(`${index}:${k}`)) continue;
      if (advisoryPairs.unlocks.has(`${index}:${k}`)) continue;
      if (closing.has(candidate)) continue; // puts back what a companion routine set: the companion holds the finding
      // A script sent statement by statement keeps what is wrong in any session: a SET LOCAL outside a block.
      const wrongInAnySession = candidate.rule === 'set-local-outside-transaction' && options.runsStatementByStatement === true && !candidate.storedCode;
      if (ownSession && (!candidate.storedCode || options.testScript) && !wrongInAnySession) continue;
      if (candidate.routine && options.scheduledJobs && isScheduledJob(candidate.routine, options.scheduledJobs)) continue;
      if (candidate.routine && options.testOnlyRoutines && isTestOnlyRoutine(candidate.routine, options.testOnlyRoutines)) continue; // the test suite's session
      if (candidate.routine && isSnapshotCopy(candidate.routine, options)) continue; // the project's own definition carries it
      if ((candidate.unknownParameter || candidate.refusedParameter) && !options.compatibleEngine) continue;
      // A session SET in a simple query a refused SET fails: the implicit transaction's rollback undoes it.
      if (candidate.rule === 'session-set' && message !== undefined && refused.has(message)) continue;
      if (candidate.prepared && selfContained.has(`${message}:${candidate.prepared.name}`)) continue;
      if (preparedPairs.uses.has(`${index}:${k}`)) continue; // runs on the connection its transaction's PREPARE made it on
      const ruleSeverity = severityFor(candidate.rule, options);
      if (!ruleSeverity) continue;
      const severity = candidate.trackedParameter && options.trackedParameters !== 'unsynced' ? atMostInfo(ruleSeverity) : ruleSeverity;
      const explanation = advisoryPairs.locks.has(`${index}:${k}`) ? releasedInTransactionMessage(candidate)
        : preparedPairs.deallocated.has(`${index}:${k}`) ? deallocatedInTransactionMessage() : candidate.message;
      const finding: Finding = { rule: candidate.rule, severity, message: explanation, start: candidate.start + base, end: candidate.end + base };
      if (candidate.rule === 'set-local-outside-transaction') finding.unnecessary = true;
      if (candidate.errorPathOnly) finding.errorPathOnly = true;
      if (candidate.localFlag) finding.localFlag = candidate.localFlag;
      if (candidate.valueParameter && candidate.setting?.includes('.')) finding.settingParameter = { setting: candidate.setting, ...candidate.valueParameter };
      if (candidate.rule === 'currval') {
        const earlier = nextvals.filter((n) => n.start < finding.start && readsDrawnSequence(candidate.sequence, n.sequence));
        if (earlier.length || (inBlock && blockMayAdvance)) continue;
        const previous = latestDrawRead(earlierNextvals, candidate.sequence);
        // A whole file runs on one connection: what its earlier statements drew is this run's (not a function body's: that runs later).
        if (options.wholeFile && !candidate.storedCode && (fileMayAdvance || previous)) continue;
        if (previous) finding.related = [{ message: 'nextval ran here, in another transaction (possibly on another server connection)', ...previous }];
      }
      const fix = candidate.fix ?? (inBlock ? candidate.fixInTransaction : undefined);
      if (fix) finding.fix = { title: fix.title, edits: fix.edits.map((e) => ({ ...e, start: e.start + base, end: e.end + base })) };
      emit(finding);
    }
    if (inBlock) {
      blockNextvals = nextvals;
      blockMayAdvance ||= facts.mayAdvanceSequences === true;
    }
    for (const n of facts.nextvals) earlierNextvals.set(n.sequence, { start: n.start + base, end: n.end + base });
    fileMayAdvance ||= facts.mayAdvanceSequences === true;
    if (facts.transaction === 'end') {
      // An end that runs on every run of the block closes it; one on a path of its own closes it on that path only,
      // until ends on the other arms of its choice close it on theirs.
      const wasOpen = inBlock || maybeInBlock || mayStillBeInBlock;
      const laterEnd = !inBlock && mayStillBeInBlock;
      if (!laterEnd) endedOnArms = [];
      endedOnArms.push(beyond(inBlock || laterEnd ? blockBranches : undefined, branches));
      const closesOnEveryRun = coveredByArms(endedOnArms);
      endedOnSomePaths = wasOpen && !closesOnEveryRun ? branches : undefined;
      inBlock = false;
      maybeInBlock = false;
    }
  }
  return findings;
}

/** A session lock its transaction (or query message) releases on the normal path only. */
function releasedInTransactionMessage(lock: Candidate): string {
  return `${lock.advisory?.name ?? 'pg_advisory_lock'} takes a session-level lock that is released only when this transaction reaches its unlock: after an error (session locks survive ROLLBACK) it stays held by a server connection the pooler hands to other clients; use the transaction-level pg_advisory_xact_lock family.`;
}

function emitSyntaxError(facts: StatementFacts, base: number, end: number, options: AnalysisOptions, emit: (finding: Finding) => void, statement: string | undefined): void {
  const error = facts.syntaxError;
  if (facts.templated || facts.dialect || facts.notStatement || facts.otherToolCommand) return; // not surely a PostgreSQL statement as written
  if (facts.newerSyntax) return; // valid on a newer PostgreSQL than the bundled parser
  if (facts.fillInNames && options.sqlFile) return; // a SQL file's template, filled in by hand before it runs
  if (error && options.expectedErrors?.has(error.message)) return; // a test feeds it to PostgreSQL to record this error
  // A regression test ran it and recorded the server's answer: the server took it, or the test expects it to fail.
  if (error && options.expectedOutputs && statement !== undefined && echoedInOutputs(statement, options.expectedOutputs)) return;
  const severity = severityFor('syntax-error', options);
  if (error && severity) emit({ rule: 'syntax-error', severity, message: error.message, start: error.offset + base, end: Math.min(error.end, end - base) + base });
}
