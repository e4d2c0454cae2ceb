// Live hazard detection. The client side tells us each Query/Parse/Sync it forwards, the server side
// each CommandComplete/ErrorResponse/ReadyForQuery it answers, the pool every hand-over. From that we
// keep, per server connection, the session state it carries and who left it (sessionState.ts), and
// report the hazards of docs/architecture.md: `origin` (a transaction ended leaving state behind), `landed` (another
// client was given a connection carrying it) and `error` (a client hit the error that state explains).
//
// Cost on the hot path: two byte scans of each Query/Parse text, no string built (mentionsSessionFeature
// here, runsHiddenCode in audit.ts: ~0.25 us for pgbench -S's Query), and a few map lookups per message;
// the shared analysis (a real parse) runs only for the rare texts that mention a session feature, and
// is cached by text. Texts are decoded only when state exists that an error could be explained by.
import { EventEmitter } from 'node:events';
import { analyzeSql, initAnalysis, splitStatements } from '../../server/analysis/index';
import { KEPT_BY_RESET_ALL, NAME_PARTS, isRoleNoneValue, POOLER_WORDS, STATEMENT_START_WORDS, TRACKED_PARAMETER_NAMES, settingsResetBy } from '../../server/analysis/vocabulary';
import type { HazardInfo } from './admin';
import type { PoolMode } from './config';
import { SessionState, type StateEntry, type StateKind } from './sessionState';
import { parseErrorFields } from './protocol';
import { redactSecrets } from './redact';
import { logLine } from './log';
import { ASKED_THE_SERVER, BUILTINS_SQL, auditSql, libraryName, readAudit, runsHiddenCode, type FoundState } from './audit';
import { FOLDED, WORD_BYTES, commentEnd, equalsFolded, isWordByte, mayStartComment } from './wireText';

export type HazardKind = HazardInfo['kind'];

/** What the monitor needs to know about a client connection. */
export interface HazardClient {
  readonly id: number;
  readonly applicationName: string;
  readonly mode: PoolMode;
  /**
   * The monitor's bookkeeping for this client, kept on the client (the monitor's only writer): a
   * WeakMap entry per connection cost a hash insert and ephemeron work in every GC.
   */
  hazardTrack?: ClientTrack;
}

/** What the monitor needs to know about a server connection. */
export interface HazardServer {
  readonly id: number;
  readonly processId: number;
}

const TYPE_QUERY = 0x51; // Q
const TYPE_PARSE = 0x50; // P
const TYPE_SYNC = 0x53; // S (frontend)
const TYPE_FUNCTION_CALL = 0x46; // F
const TYPE_CLOSE = 0x43; // C (frontend)
const CLOSE_STATEMENT = 0x53; // 'S': Close of a statement (not a portal)
const TYPE_COMMAND_COMPLETE = 0x43; // C
const TYPE_ERROR = 0x45; // E
const TYPE_READY = 0x5a; // Z
const STATUS_IDLE = 0x49; // 'I'
const STATUS_FAILED = 0x45; // 'E'

/** Hazards kept for SHOW HAZARDS; older ones fall off (the editor has seen them as events). */
export const HAZARD_RING_SIZE = 1000;
/** Statement text kept in a hazard row. */
const MAX_STATEMENT_CHARS = 300;
/** Texts whose effects are cached (drivers repeat the same statements). */
const MAX_CACHED_TEXTS = 500;

/**
 * The cheap gate in front of the analysis, generated from the shared vocabulary: a text can only
 * change session state if it mentions one of these words. `SET` counts only at a statement start.
 * Keywords by their first (lower-case) letter, as byte arrays.
 */
const KEYWORDS_BY_FIRST: (Buffer[] | undefined)[] = [];
for (const word of POOLER_WORDS) (KEYWORDS_BY_FIRST[word.charCodeAt(0)] ??= []).push(Buffer.from(word));
const STATEMENT_START_BYTES = STATEMENT_START_WORDS.map((word) => Buffer.from(word));
/** Parts of function names (pg_advisory_*, pg_try_advisory_*, dblink_*, pgv_*), found anywhere inside a word. */
const NAME_PART_BYTES = NAME_PARTS.map((part) => Buffer.from(part));
/**
 * Each name part's first four bytes as one integer: the word scan keeps its last four (folded) bytes
 * in an integer too, so a byte costs a shift and a table lookup (is it the fourth byte of some part?),
 * and a part is compared in full only where its head matched. Parts are words of at least four bytes
 * (then a match lies inside the word being scanned).
 */
const NAME_PART_HEADS = Int32Array.from(NAME_PART_BYTES, (part) => {
  if (part.length < 4 || !part.every(isWordByte)) throw new Error(`name part "${part}" must be a word of 4+ bytes`);
  return part.readInt32BE(0);
});
const ENDS_NAME_PART_HEAD = new Uint8Array(256);
for (const part of NAME_PART_BYTES) ENDS_NAME_PART_HEAD[part[3]] = 1;

/**
 * Whether the wire bytes [start, end) mention a session feature: a word scan with ASCII case folding,
 * no string built. Comments are skipped; quoted text is scanned (a false positive only costs a parse).
 */
export function mentionsSessionFeature(buf: Buffer, start: number, end: number): boolean {
  let i = start;
  let atStatementStart = true;
  let skip: number;
  while (i < end) {
    const b = buf[i];
    if (WORD_BYTES[b] === 1) {
      let last4 = FOLDED[b];
      let j = i + 1;
      for (; j < end; j++) {
        const c = buf[j];
        if (WORD_BYTES[c] === 0) break;
        last4 = (last4 << 8) | FOLDED[c];
        if (ENDS_NAME_PART_HEAD[FOLDED[c]] === 1 && j - i >= 3 && namePartAt(buf, j - 3, end, last4)) return true;
      }
      if (wordIsKeyword(buf, i, j, atStatementStart)) return true;
      atStatementStart = false;
      i = j;
    } else if (mayStartComment(b) && (skip = commentEnd(buf, i, end)) >= 0) {
      i = skip;
    } else {
      if (b === 0x3b) atStatementStart = true; // ;
      i++;
    }
  }
  return false;
}

/** A name part starts at `at`, whose four folded bytes are `head`. */
function namePartAt(buf: Buffer, at: number, end: number, head: number): boolean {
  for (let k = 0; k < NAME_PART_HEADS.length; k++) {
    if (NAME_PART_HEADS[k] !== head) continue;
    const part = NAME_PART_BYTES[k];
    if (at + part.length <= end && equalsFolded(buf, at, part)) return true;
  }
  return false;
}

function wordIsKeyword(buf: Buffer, start: number, end: number, atStatementStart: boolean): boolean {
  const length = end - start;
  if (atStatementStart) for (const word of STATEMENT_START_BYTES) if (word.length === length && equalsFolded(buf, start, word)) return true;
  const candidates = KEYWORDS_BY_FIRST[FOLDED[buf[start]]];
  if (candidates) for (const word of candidates) if (word.length === length && equalsFolded(buf, start, word)) return true;
  return false;
}

/** Parameters the pooler itself syncs onto every server a client lands on (client.ts): never leaked. */
const POOLER_SYNCED_SETTINGS = TRACKED_PARAMETER_NAMES;

/** Kinds rolled back with the transaction that created them. */
const TRANSACTIONAL: ReadonlySet<StateKind> = new Set(['setting', 'temp', 'listen', 'cursor']);

type Effect =
  | { op: 'add'; kind: StateKind; name: string; rule: string; statement: string; hidden?: boolean }
  | { op: 'clear'; kind: StateKind; name?: string; keep?: ReadonlySet<string> }
  | { op: 'discard-all' }
  | { op: 'unlock'; name: string; statement: string }
  | { op: 'read-sequence'; name?: string; statement: string };

/** The effects of one request (a Query, or the extended-protocol messages up to a Sync). */
interface Batch {
  effects: Effect[];
  statement: string;
  failed: boolean;
}

export interface ClientTrack {
  /** One batch per request still awaiting its ReadyForQuery, in order. */
  fifo: Batch[];
  /** Extended-protocol effects collected since the last Sync. */
  open: Batch | null;
  /** State added inside the open transaction block, undone if it rolls back; null until some is. */
  txAdded: { state: SessionState; entry: StateEntry }[] | null;
  txFailed: boolean;
  rolledBack: boolean;
  /** The first statement since the last release whose code the analysis cannot see (audit.ts). */
  hidden: string | undefined;
  /** Named statements whose text runs hidden code: their later Bind-only executions do too. */
  hiddenStatements: Map<string, string> | null;
}

const NO_EFFECTS: Effect[] = [];
/** CommandComplete tags of statements that create code (CREATE FUNCTION, CREATE PROCEDURE). */
const CREATES_CODE = /^CREATE (?:FUNCTION|PROCEDU)/;
/** Custom setting names are looked for in function bodies again after this long (functions created elsewhere). */
const CUSTOM_SETTINGS_MAX_AGE_MS = 30_000;
/** The statement quoted for hidden code that has no text of its own. */
const UNINSPECTED = '(a message too large to inspect)';
const FUNCTION_CALL_STATEMENT = '(a protocol-level FunctionCall)';
/** A request with nothing to apply and nothing to quote: shared, never marked failed. */
const EMPTY_BATCH: Batch = Object.freeze({ effects: NO_EFFECTS, statement: '', failed: false }) as Batch;

export interface HazardMonitorOptions {
  /** One line per hazard (default: stderr). */
  log?: (line: string) => void;
  /** With pooler-side prepared statements (max_prepared_statements > 0) named Parses are safe. */
  tracksPreparedStatements?: () => boolean;
}

export class HazardMonitor extends EventEmitter {
  private readonly ring: HazardInfo[] = [];
  private lastId = 0;
  private readonly states = new Map<HazardServer, SessionState>();
  private readonly cache = new Map<string, Effect[]>();
  private readonly log: (line: string) => void;
  private readonly tracksPrepared: () => boolean;
  /** Some server connection carries session state (set on every add; a cheap over-approximation). */
  private mayExplainErrors = false;
  /** Built-in function names (asked on a pool's first server connection, else by the next audit); null until known. */
  private builtins: Set<string> | null = null;
  private builtinsAsked = false;
  /** Custom setting names the database's function bodies mention (audit.ts); null: to look for. */
  private customSettings: string[] | null = null;
  private customSettingsAt = 0;

  constructor(options: HazardMonitorOptions = {}) {
    super();
    this.log = options.log ?? logLine;
    this.tracksPrepared = options.tracksPreparedStatements ?? (() => false);
  }

  /** Loads the parser and warms it up, so the first inspected statement does not stall traffic. */
  async init(): Promise<void> {
    await initAnalysis();
    for (const sql of ["SET work_mem = '4MB'", "select set_config('a.b', 'c', false)", 'PREPARE p AS select 1']) analyzeSql(sql);
  }

  /** SHOW HAZARDS rows, oldest first. */
  rows(): HazardInfo[] {
    return this.ring.slice();
  }

  /** The session state a server connection carries (tests and the editor's details). */
  stateOf(server: HazardServer): SessionState | undefined {
    return this.states.get(server);
  }

  // ------------------------------------------------------------------------------------------
  // Client → server

  /**
   * A message the client sent (called from the client's header scan). `start`/`end` locate it in
   * `chunk` (the client's scanner copies a message split across reads); one too large to copy
   * (start or end < 0) is counted but not inspected.
   */
  onClientMessage(client: HazardClient, type: number, chunk: Buffer, start: number, end: number): void {
    if (client.mode === 'session') return;
    const track = this.trackOf(client);
    const whole = start >= 0 && end >= 0;
    if (!whole && type === TYPE_PARSE) track.hidden ??= UNINSPECTED;
    switch (type) {
      case TYPE_QUERY: {
        // Bytes first: most texts are decoded only to be quoted later if a hazard needs them.
        const interesting = whole && mentionsSessionFeature(chunk, start + 5, end - 1);
        if (!whole || runsHiddenCode(chunk, start + 5, end - 1, this.builtins)) track.hidden ??= whole ? chunk.toString('latin1', start + 5, end - 1) : UNINSPECTED;
        // With no session state anywhere no error can be explained: pool-safe traffic costs no string.
        if (!interesting && !this.mayExplainErrors) {
          track.fifo.push(EMPTY_BATCH);
          return;
        }
        const text = whole ? chunk.toString('latin1', start + 5, end - 1) : '';
        const effects = interesting ? this.effectsOf(text, client.mode) : NO_EFFECTS;
        // The latin1 text is kept as is (no copy): re-decoded as UTF-8 only if a hazard quotes it.
        track.fifo.push({ effects, statement: text, failed: false });
        return;
      }
      case TYPE_PARSE: {
        if (!whole) return;
        const nameEnd = chunk.indexOf(0, start + 5);
        const textEnd = nameEnd >= 0 ? chunk.indexOf(0, nameEnd + 1) : -1;
        if (nameEnd < 0 || textEnd < 0 || textEnd >= end) return;
        const named = nameEnd > start + 5 && !this.tracksPrepared();
        const interesting = mentionsSessionFeature(chunk, nameEnd + 1, textEnd);
        if (runsHiddenCode(chunk, nameEnd + 1, textEnd, this.builtins)) this.noteHiddenParse(track, chunk, start + 5, nameEnd, textEnd);
        if (!named && !interesting && !this.mayExplainErrors) return;
        const open = (track.open ??= { effects: [], statement: '', failed: false });
        const text = chunk.toString('latin1', nameEnd + 1, textEnd);
        if (interesting) open.effects.push(...this.effectsOf(text, client.mode));
        if (named) {
          const name = chunk.toString('utf8', start + 5, nameEnd);
          open.effects.push({ op: 'add', kind: 'prepared', name, rule: 'protocol-prepared-statement', statement: text });
        }
        if (text && !open.statement) open.statement = text;
        return;
      }
      case TYPE_CLOSE: {
        // Without pooler-side statements a protocol Close really drops the server's statement.
        if (!whole || chunk[start + 5] !== CLOSE_STATEMENT || end - start <= 7 || this.tracksPrepared()) return;
        const name = chunk.toString('utf8', start + 6, end - 1);
        (track.open ??= { effects: [], statement: '', failed: false }).effects.push({ op: 'clear', kind: 'prepared', name });
        track.hiddenStatements?.delete(name);
        return;
      }
      case TYPE_SYNC:
        // Bind-only executions are not seen: a client holding a named statement that runs hidden code is asked about.
        if (track.hiddenStatements && track.hiddenStatements.size > 0) track.hidden ??= track.hiddenStatements.values().next().value;
        track.fifo.push(track.open ?? EMPTY_BATCH);
        track.open = null;
        return;
      case TYPE_FUNCTION_CALL:
        track.hidden ??= FUNCTION_CALL_STATEMENT;
        track.fifo.push(EMPTY_BATCH);
    }
  }

  private noteHiddenParse(track: ClientTrack, chunk: Buffer, nameStart: number, nameEnd: number, textEnd: number): void {
    const text = chunk.toString('latin1', nameEnd + 1, textEnd);
    track.hidden ??= text;
    if (nameEnd > nameStart) (track.hiddenStatements ??= new Map()).set(chunk.toString('utf8', nameStart, nameEnd), text);
  }

  // ------------------------------------------------------------------------------------------
  // Asking the server (audit.ts)

  /**
   * The statement that makes `client`'s finished transaction worth asking the server about (code the
   * analysis cannot see ran), or undefined; either way the question is taken.
   */
  takeAuditReason(client: HazardClient): string | undefined {
    if (client.mode === 'session') return undefined;
    const track = client.hazardTrack;
    if (!track || track.hidden === undefined) return undefined;
    const statement = track.hidden;
    track.hidden = undefined;
    return statement;
  }

  /** The audit query to send (it also asks for the built-in function names while they are not known). */
  auditQuery(): string {
    const ask = !this.builtinsAsked;
    this.builtinsAsked = true;
    if (this.customSettings !== null && Date.now() - this.customSettingsAt > CUSTOM_SETTINGS_MAX_AGE_MS) this.customSettings = null;
    return auditSql(this.customSettings, ask);
  }

  /**
   * The built-in function names query, for a transaction-mode pool's first server connection before
   * any client gets it; undefined once they are known or being asked for. Learnt later, by the first
   * audit, a client's first call of any function (pg_backend_pid(), now()…) would count as hidden
   * code: its server would be asked about after the client already had its answer, and held meanwhile.
   */
  builtinsQuery(mode: PoolMode): string | undefined {
    if (mode === 'session' || this.builtinsAsked) return undefined;
    this.builtinsAsked = true;
    return BUILTINS_SQL;
  }

  /** The answer to builtinsQuery(); on an error they are asked for again by the next audit. */
  onBuiltins(rows: readonly (readonly (string | null)[])[], error: string | undefined): void {
    const builtins = error ? undefined : readAudit(rows, { appliedSettings: new Set(), ownStatements: false }).builtins;
    if (builtins) this.builtins = builtins;
    else this.builtinsAsked = false;
  }

  /** The audit could not run (the connection closed): the built-ins are asked for again next time. */
  auditFailed(): void {
    if (!this.builtins) this.builtinsAsked = false;
  }

  /**
   * The server's answer to the audit of `server`, last used by `client` running `statement`. State
   * the pooler did not know about becomes an origin hazard now (the connection is going back to the
   * pool). Returns everything found, with whether it was already known.
   */
  onAudit(client: HazardClient, server: HazardServer, rows: readonly (readonly (string | null)[])[], statement: string,
    pooler: { appliedSettings: ReadonlySet<string> }): { state: FoundState; known: boolean }[] {
    const answer = readAudit(rows, { appliedSettings: pooler.appliedSettings, ownStatements: this.tracksPrepared() }, this.customSettings === null);
    if (answer.builtins) this.builtins = answer.builtins;
    if (answer.candidates) {
      this.customSettings = answer.candidates;
      this.customSettingsAt = Date.now();
    }
    const state = this.stateFor(server);
    const results: { state: FoundState; known: boolean }[] = [];
    for (const found of answer.found) {
      const known = state.get(found.kind, found.name) !== undefined || (found.kind === 'lock' && this.knowsLocks(state, answer.found));
      results.push({ state: found, known });
      if (known) continue;
      const entry = state.add({
        kind: found.kind, name: found.name, rule: found.rule, clientId: client.id, applicationName: client.applicationName,
        statement, createdAt: Date.now(), hidden: false, reported: true, landedFor: new Set(),
      });
      this.mayExplainErrors = true;
      this.record('origin', entry.rule, client, server, statement,
        `${describe(entry)} stays on server connection ${server.id} after the transaction (${ASKED_THE_SERVER}: created where the statement text does not show it, e.g. inside a function)`);
    }
    return results;
  }

  /** Lock names from texts with expressions (hashtext(…)) cannot match the server's keys: compare counts. */
  private knowsLocks(state: SessionState, found: FoundState[]): boolean {
    let known = 0;
    for (const entry of state.values()) if (entry.kind === 'lock') known++;
    return known >= found.filter((f) => f.kind === 'lock').length;
  }

  // ------------------------------------------------------------------------------------------
  // Server → client

  /** A message the server answered while `client` held it (CommandComplete, ErrorResponse, ReadyForQuery). */
  onServerMessage(client: HazardClient, server: HazardServer, type: number, body: Buffer): void {
    if (client.mode === 'session') return;
    const track = this.trackOf(client);
    if (type === TYPE_COMMAND_COMPLETE) {
      if (body[0] === 0x52 && body.length >= 8 && body.toString('latin1', 0, 8) === 'ROLLBACK') track.rolledBack = true; // 'R'
      // A new function may set custom settings: look for their names in the bodies again.
      else if (body[0] === 0x43 && body[1] === 0x52 && CREATES_CODE.test(body.toString('latin1', 0, Math.min(body.length, 16)))) this.customSettings = null; // 'C'
    } else if (type === TYPE_ERROR) {
      const batch = track.fifo[0] ?? track.open;
      if (batch && batch !== EMPTY_BATCH) batch.failed = true;
      this.explainError(client, server, body, batch?.statement ?? '');
    } else if (type === TYPE_READY) {
      const status = body[0];
      const batch = track.fifo.shift();
      if (batch && !batch.failed && batch.effects.length > 0) this.apply(batch, client, server, track, status !== STATUS_IDLE);
      if (status === STATUS_FAILED) track.txFailed = true;
      else if (status === STATUS_IDLE) this.endTransaction(track);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Hand-overs

  /** The pool gave `server` to `client`: state another client left there has landed on it. */
  onAssign(client: HazardClient, server: HazardServer): void {
    if (client.mode === 'session') return;
    const state = this.states.get(server);
    if (!state || state.size === 0) return;
    for (const entry of state.values()) {
      if (entry.hidden || entry.clientId === client.id || entry.landedFor.has(client.id)) continue;
      entry.landedFor.add(client.id);
      this.record('landed', entry.rule, client, server, entry.statement,
        `${describe(entry)} left by client ${entry.clientId}${entry.applicationName ? ` (${entry.applicationName})` : ''} is on this server connection`);
    }
  }

  /** `client` released `server` at the end of a transaction: state it left there is an origin hazard. */
  onRelease(client: HazardClient, server: HazardServer): void {
    if (client.mode === 'session') return;
    const state = this.states.get(server);
    if (!state || state.size === 0) return;
    for (const entry of state.values()) {
      if (entry.hidden || entry.reported || entry.clientId !== client.id) continue;
      entry.reported = true;
      this.record('origin', entry.rule, client, server, entry.statement, `${describe(entry)} stays on server connection ${server.id} after the transaction`);
    }
  }

  /** The pooler ran its reset query (DISCARD ALL) on `server`. */
  onReset(server: HazardServer): void {
    this.states.get(server)?.discardAll();
  }

  /** The server connection is gone, and its session state with it. */
  onServerClosed(server: HazardServer): void {
    this.states.delete(server);
  }

  // ------------------------------------------------------------------------------------------
  // Internals

  private trackOf(client: HazardClient): ClientTrack {
    return (client.hazardTrack ??= { fifo: [], open: null, txAdded: null, txFailed: false, rolledBack: false, hidden: undefined, hiddenStatements: null });
  }

  private stateFor(server: HazardServer): SessionState {
    let state = this.states.get(server);
    if (!state) {
      state = new SessionState();
      this.states.set(server, state);
    }
    return state;
  }

  /** Effects of a statement text: pre-filter, then the shared analysis, cached by text. */
  private effectsOf(text: string, mode: PoolMode): Effect[] {
    const key = mode + '\0' + text;
    let effects = this.cache.get(key);
    if (!effects) {
      effects = computeEffects(Buffer.from(text, 'latin1').toString('utf8'), mode);
      if (this.cache.size >= MAX_CACHED_TEXTS) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, effects);
    }
    return effects;
  }

  private apply(batch: Batch, client: HazardClient, server: HazardServer, track: ClientTrack, inTransaction: boolean): void {
    const state = this.stateFor(server);
    for (const effect of batch.effects) {
      switch (effect.op) {
        case 'add': {
          const entry = state.add({
            kind: effect.kind, name: effect.name, rule: effect.rule, clientId: client.id, applicationName: client.applicationName,
            statement: effect.statement, createdAt: Date.now(), hidden: effect.hidden ?? false, reported: false, landedFor: new Set(),
          });
          if (inTransaction && TRANSACTIONAL.has(effect.kind)) (track.txAdded ??= []).push({ state, entry });
          this.mayExplainErrors = true;
          break;
        }
        case 'clear':
          if (effect.name === undefined) state.clearKind(effect.kind, effect.keep);
          else state.remove(effect.kind, effect.name);
          break;
        case 'discard-all':
          state.discardAll();
          break;
        case 'unlock':
          this.checkUnlock(client, server, state, effect);
          break;
        case 'read-sequence': {
          const entry = state.find('sequence', effect.name);
          if (entry && entry.clientId !== client.id && !entry.landedFor.has(client.id)) {
            entry.landedFor.add(client.id);
            this.record('landed', 'currval', client, server, effect.statement,
              `currval/lastval here returns the value of client ${entry.clientId}'s nextval (${utf8(entry.statement).slice(0, 80)})`);
          }
        }
      }
    }
  }

  /** pg_advisory_unlock on a connection that does not hold the lock returns false (and warns). */
  private checkUnlock(client: HazardClient, server: HazardServer, state: SessionState, effect: { name: string; statement: string }): void {
    if (state.get('lock', effect.name)) {
      state.remove('lock', effect.name);
      return;
    }
    const holder = this.findElsewhere(server, 'lock', effect.name, client.id);
    if (!holder) return;
    this.record('error', 'advisory-lock', client, server, effect.statement,
      `unlock ran on server connection ${server.id}, but server connection ${holder.server.id} (pid ${holder.server.processId}) holds the lock (taken by client ${holder.entry.clientId}): it stays held`);
  }

  private endTransaction(track: ClientTrack): void {
    if (track.txAdded !== null && track.txAdded.length > 0) {
      if (track.txFailed || track.rolledBack) for (const { state, entry } of track.txAdded) state.removeEntry(entry);
      track.txAdded.length = 0; // setting an array's length is a runtime call even when it is 0 already
    }
    track.txFailed = false;
    track.rolledBack = false;
  }

  /** An ErrorResponse whose SQLSTATE a pool-mode bug causes: find the state that explains it. */
  private explainError(client: HazardClient, server: HazardServer, body: Buffer, statement: string): void {
    let fields: Map<string, string>;
    try {
      fields = parseErrorFields(body);
    } catch {
      return; // a malformed ErrorResponse (a field without its NUL) explains nothing
    }
    const code = fields.get('C') ?? '';
    const explanation = ERROR_EXPLANATIONS[code];
    if (!explanation) return;
    const message = fields.get('M') ?? '';
    for (const { pattern, kind, where } of explanation) {
      const match = pattern.exec(message);
      if (!match) continue;
      const raw = match[1];
      // Server messages print the stored name exactly (protocol statement names keep their case).
      const name = raw === undefined || raw === '' ? undefined : kind === 'setting' || kind === 'library' ? raw.toLowerCase() : raw;
      let found: { server: HazardServer; entry: StateEntry } | undefined;
      if (where === 'here') {
        const entry = this.states.get(server)?.find(kind, name);
        if (entry && (entry.clientId !== client.id || entry.reported)) found = { server, entry };
      } else {
        found = this.findElsewhere(server, kind, name, client.id);
      }
      if (!found) continue;
      const { entry } = found;
      const place = found.server === server ? 'this server connection' : `server connection ${found.server.id} (pid ${found.server.processId})`;
      this.record('error', entry.rule, client, server, statement || entry.statement,
        `${code} ${message}: ${describe(entry)} was left on ${place} by client ${entry.clientId}`);
      return;
    }
  }

  /** The entry on another server connection, preferring state this client left. */
  private findElsewhere(server: HazardServer, kind: StateKind, name: string | undefined, clientId: number) {
    let fallback: { server: HazardServer; entry: StateEntry } | undefined;
    for (const [other, state] of this.states) {
      if (other === server) continue;
      const entry = state.find(kind, name);
      if (!entry) continue;
      if (entry.clientId === clientId) return { server: other, entry };
      fallback ??= { server: other, entry };
    }
    return fallback;
  }

  /** Records a hazard found outside the session-state tracking (load balancing: balanceHazards.ts). */
  record(kind: HazardKind, rule: string, client: HazardClient, server: HazardServer, statement: string, detail: string): void {
    const hazard: HazardInfo = {
      id: ++this.lastId,
      time: Date.now(),
      kind,
      rule,
      clientId: client.id,
      applicationName: client.applicationName,
      serverId: server.id,
      remotePid: server.processId,
      // Redacted before truncation: a cut could otherwise hide the start of a secret from the patterns.
      statement: oneLine(redactSecrets(utf8(statement.slice(0, MAX_STATEMENT_CHARS * 4)))).slice(0, MAX_STATEMENT_CHARS),
      detail: redactSecrets(detail),
    };
    this.ring.push(hazard);
    if (this.ring.length > HAZARD_RING_SIZE) this.ring.shift();
    this.log(`hazard ${hazard.id} ${kind} ${rule} client=${client.id} server=${server.id} pid=${server.processId}: ${hazard.detail} [${hazard.statement}]`);
    this.emit('hazard', hazard);
  }
}

// ---------------------------------------------------------------------------------------------
// Errors a pool-mode bug causes, and the state that explains them

interface ErrorExplanation {
  pattern: RegExp;
  kind: StateKind;
  /** 'here': the state is on the erroring connection (already exists); 'elsewhere': it is on another. */
  where: 'here' | 'elsewhere';
}

const ERROR_EXPLANATIONS: Record<string, ErrorExplanation[]> = {
  '26000': [{ pattern: /prepared statement "(.*)" does not exist/, kind: 'prepared', where: 'elsewhere' }],
  '42P05': [{ pattern: /prepared statement "(.*)" already exists/, kind: 'prepared', where: 'here' }],
  '42P01': [{ pattern: /relation "(.*)" does not exist/, kind: 'temp', where: 'elsewhere' }],
  '42P07': [{ pattern: /relation "(.*)" already exists/, kind: 'temp', where: 'here' }],
  '55000': [
    { pattern: /currval of sequence "(.*)" is not yet defined/, kind: 'sequence', where: 'elsewhere' },
    { pattern: /lastval is not yet defined()/, kind: 'sequence', where: 'elsewhere' },
  ],
  '34000': [{ pattern: /cursor "(.*)" does not exist/, kind: 'cursor', where: 'elsewhere' }],
  '42704': [
    { pattern: /unrecognized configuration parameter "(.*)"/, kind: 'setting', where: 'elsewhere' },
    // A library's parameters exist only where LOAD ran (auto_explain.*).
    { pattern: /unrecognized configuration parameter "([^".]+)\./, kind: 'library', where: 'elsewhere' },
  ],
};

// ---------------------------------------------------------------------------------------------
// Statement text → effects on the session

const IDENT = String.raw`("(?:[^"]|"")+"|[\w$]+(?:\.(?:"(?:[^"]|"")+"|[\w$]+))*)`;
const SET_RE = new RegExp(String.raw`^set\s+(?:session\s+(?!authorization\b))?(time\s+zone|role|session\s+authorization|${IDENT})`, 'i');
/** `SET x TO DEFAULT`, `SET x = DEFAULT`, and the session user's own `SET SESSION AUTHORIZATION DEFAULT`. */
const SET_DEFAULT_RE = /(?:=|\bto|\bauthorization)\s*default\s*$/i;
/** The value of `SET [SESSION] ROLE value`: a quoted one as written, else a word PostgreSQL folds to lower case. */
const ROLE_VALUE_RE = /^set\s+(?:session\s+)?role\s+(?:'((?:[^']|'')*)'|"((?:[^"]|"")*)"|([\w$]+))\s*$/i;
const CHARACTERISTICS_RE = /^set\s+session\s+characteristics\s+as\s+transaction\s+([\s\S]*)$/i;
const RESET_RE = new RegExp(String.raw`^reset\s+(all|time\s+zone|role|session\s+authorization|${IDENT})`, 'i');
const SET_CONFIG_RE = /set_config\s*\(\s*'([^']+)'([^)]*)\)/gi;
const PREPARE_RE = new RegExp(String.raw`^prepare\s+${IDENT}`, 'i');
const DEALLOCATE_RE = new RegExp(String.raw`^deallocate\s+(?:prepare\s+)?(all\b|${IDENT})`, 'i');
const CREATE_TEMP_RE = new RegExp(String.raw`\bcreate\s+(?:or\s+replace\s+)?(?:(?:global|local)\s+)?temp(?:orary)?\s+(?:unlogged\s+)?(?:table|sequence|view)\s+(?:if\s+not\s+exists\s+)?${IDENT}`, 'i');
const INTO_TEMP_RE = new RegExp(String.raw`\binto\s+temp(?:orary)?\s+(?:table\s+)?${IDENT}`, 'i');
const DROP_RE = /^drop\s+(?:table|sequence|view)\s+(?:if\s+exists\s+)?([^;]+?)(?:\s+(?:cascade|restrict))?\s*$/i;
const NEXTVAL_RE = /\b(?:nextval|setval)\s*\(\s*'([^']+)'/gi;
const CURRVAL_RE = /\bcurrval\s*\(\s*'([^']+)'/i;
const LOCK_RE = /\bpg_(?:try_)?advisory_lock(_shared)?\s*\(([^)]*)\)/gi;
const UNLOCK_RE = /\bpg_advisory_unlock(_shared)?\s*\(([^)]*)\)/gi;
const UNLOCK_ALL_RE = /\bpg_advisory_unlock_all\s*\(/i;
const LISTEN_RE = new RegExp(String.raw`^listen\s+${IDENT}`, 'i');
const UNLISTEN_RE = new RegExp(String.raw`^unlisten\s+(\*|${IDENT})`, 'i');
const DECLARE_RE = new RegExp(String.raw`^declare\s+${IDENT}`, 'i');
const CLOSE_RE = new RegExp(String.raw`^close\s+(all\b|${IDENT})`, 'i');
const LOAD_RE = /^load\s+'([^']+)'/i;
const DISCARD_RE = /^discard\s+(all|temp|temporary|sequences|plans)\b/i;
const DEFINES_CODE_RE = /^create\s+(?:or\s+replace\s+)?(?:function|procedure|trigger|rule)\b/i;

/** `SET ROLE NONE` (or `'none'`): the role's own reset. */
function setsRoleNone(sql: string): boolean {
  const m = ROLE_VALUE_RE.exec(sql);
  if (!m) return false;
  const value = m[1] !== undefined ? m[1].replace(/''/g, "'") : m[2] !== undefined ? m[2].replace(/""/g, '"') : m[3].toLowerCase();
  return isRoleNoneValue(value);
}

function computeEffects(text: string, mode: PoolMode): Effect[] {
  const findings = analyzeSql(text, { poolMode: mode, preparedStatements: 'unsupported' });
  const effects: Effect[] = [];
  for (const span of splitStatements(text)) {
    const rules = new Set<string>();
    for (const f of findings) if (f.start >= span.start && f.start < span.end) rules.add(f.rule);
    statementEffects(stripLeadingComments(span.text).replace(/;\s*$/, '').trim(), rules, effects);
  }
  return effects;
}

function statementEffects(sql: string, rules: Set<string>, out: Effect[]): void {
  let m: RegExpExecArray | null;
  // Creating a function stores code; nothing it mentions runs now.
  if (DEFINES_CODE_RE.test(sql)) return;
  // Statements are kept in wire form (latin1 of the UTF-8 bytes), like the texts of batches.
  const wire = Buffer.from(sql, 'utf8').toString('latin1');
  const add = (kind: StateKind, name: string, rule: string, hidden = false) => out.push({ op: 'add', kind, name, rule, statement: wire, hidden });
  if ((m = DISCARD_RE.exec(sql))) {
    const what = m[1].toLowerCase();
    if (what === 'all') out.push({ op: 'discard-all' });
    else if (what.startsWith('temp')) out.push({ op: 'clear', kind: 'temp' });
    else if (what === 'sequences') out.push({ op: 'clear', kind: 'sequence' });
    return;
  }
  if ((m = RESET_RE.exec(sql))) {
    const name = settingName(m[1]);
    // RESET ALL leaves the role and the session user (GUC_NO_RESET_ALL); their own reset puts them back.
    if (name === 'all') out.push({ op: 'clear', kind: 'setting', keep: KEPT_BY_RESET_ALL });
    else resetSetting(name, out);
    return;
  }
  if ((m = CHARACTERISTICS_RE.exec(sql))) {
    if (rules.has('session-set')) for (const name of characteristicsSettings(m[1])) add('setting', name, 'session-set');
    return;
  }
  if ((m = SET_RE.exec(sql)) && !/^set\s+(?:local|transaction|constraints)\b/i.test(sql)) {
    const name = settingName(m[1]);
    if (SET_DEFAULT_RE.test(sql) || setsRoleNone(sql)) resetSetting(name, out);
    else if (rules.has('session-set') && !POOLER_SYNCED_SETTINGS.has(name)) add('setting', name, 'session-set');
    return;
  }
  if (rules.has('session-set')) {
    for (const call of sql.matchAll(SET_CONFIG_RE)) {
      const name = call[1].toLowerCase();
      if (/,\s*true\s*$/i.test(call[2]) || POOLER_SYNCED_SETTINGS.has(name)) continue;
      add('setting', name, 'session-set');
    }
  }
  if ((m = PREPARE_RE.exec(sql)) && rules.has('prepared-statement')) add('prepared', normalizeName(m[1], 'prepared'), 'prepared-statement');
  if ((m = DEALLOCATE_RE.exec(sql))) {
    const name = m[1].toLowerCase();
    out.push(name === 'all' ? { op: 'clear', kind: 'prepared' } : { op: 'clear', kind: 'prepared', name: normalizeName(m[1], 'prepared') });
  }
  if (rules.has('temp-table') && ((m = CREATE_TEMP_RE.exec(sql)) || (m = INTO_TEMP_RE.exec(sql)))) {
    add('temp', normalizeName(m[1], 'temp'), 'temp-table');
  }
  if ((m = DROP_RE.exec(sql))) {
    for (const name of m[1].split(',')) out.push({ op: 'clear', kind: 'temp', name: normalizeName(name.trim(), 'temp') });
  }
  for (const call of sql.matchAll(NEXTVAL_RE)) add('sequence', normalizeName(call[1], 'sequence'), 'currval', true);
  if (rules.has('currval')) {
    const named = CURRVAL_RE.exec(sql);
    out.push({ op: 'read-sequence', name: named ? normalizeName(named[1], 'sequence') : undefined, statement: wire });
  }
  if (rules.has('advisory-lock')) {
    for (const call of sql.matchAll(LOCK_RE)) add('lock', lockName(call[1], call[2]), 'advisory-lock');
    for (const call of sql.matchAll(UNLOCK_RE)) out.push({ op: 'unlock', name: lockName(call[1], call[2]), statement: wire });
    if (UNLOCK_ALL_RE.test(sql)) out.push({ op: 'clear', kind: 'lock' });
  }
  if ((m = LISTEN_RE.exec(sql)) && rules.has('listen')) add('listen', normalizeName(m[1], 'listen'), 'listen');
  if ((m = UNLISTEN_RE.exec(sql))) out.push(m[1] === '*' ? { op: 'clear', kind: 'listen' } : { op: 'clear', kind: 'listen', name: normalizeName(m[1], 'listen') });
  if ((m = DECLARE_RE.exec(sql)) && rules.has('cursor-with-hold')) add('cursor', normalizeName(m[1], 'cursor'), 'cursor-with-hold');
  if ((m = CLOSE_RE.exec(sql))) {
    const name = m[1].toLowerCase();
    out.push(name === 'all' ? { op: 'clear', kind: 'cursor' } : { op: 'clear', kind: 'cursor', name: normalizeName(m[1], 'cursor') });
  }
  if ((m = LOAD_RE.exec(sql)) && rules.has('load')) add('library', libraryName(m[1]), 'load');
  if (rules.has('session-extension')) {
    for (const call of sql.matchAll(/\b(dblink_connect(?:_u)?|pgv_\w+)\s*\(([^)]*)\)/gi)) add('extension', `${call[1].toLowerCase()}(${call[2].trim()})`, 'session-extension');
  }
}


/** The defaults `SET SESSION CHARACTERISTICS AS TRANSACTION <modes>` changes, by the names the server reports them under. */
function characteristicsSettings(modes: string): string[] {
  const names: string[] = [];
  if (/\bisolation\b/i.test(modes)) names.push('default_transaction_isolation');
  if (/\bread\s+(?:only|write)\b/i.test(modes)) names.push('default_transaction_read_only');
  if (/\bdeferrable\b/i.test(modes)) names.push('default_transaction_deferrable');
  return names;
}

/** A setting as PostgreSQL names its parameter (`TIME ZONE` is `timezone`, `SESSION AUTHORIZATION` `session_authorization`). */
function settingName(raw: string): string {
  const name = raw.replace(/\s+/g, ' ').replace(/"/g, '').toLowerCase();
  return name === 'time zone' ? 'timezone' : name === 'session authorization' ? 'session_authorization' : name;
}

/** Clears a setting a RESET (or SET … TO DEFAULT) puts back, and what goes back with it (the role, with the session user). */
function resetSetting(name: string, out: Effect[]): void {
  for (const reset of settingsResetBy(name)) out.push({ op: 'clear', kind: 'setting', name: reset });
}

function lockName(shared: string | undefined, args: string): string {
  return `${shared ? 'shared' : 'exclusive'}(${args.replace(/\s+/g, '')})`;
}

/** Unquoted identifiers fold to lower case; server messages print the last name part. */
function normalizeName(raw: string, _kind: StateKind): string {
  const parts = raw.match(/"(?:[^"]|"")+"|[^."]+/g) ?? [raw];
  const last = parts[parts.length - 1];
  return last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last.toLowerCase();
}

function stripLeadingComments(sql: string): string {
  let text = sql.trimStart();
  for (let i = 0; i < 20; i++) {
    if (text.startsWith('--')) {
      const nl = text.indexOf('\n');
      text = nl < 0 ? '' : text.slice(nl + 1).trimStart();
    } else if (text.startsWith('/*')) {
      const close = text.indexOf('*/');
      text = close < 0 ? '' : text.slice(close + 2).trimStart();
    } else {
      break;
    }
  }
  return text;
}

function describe(entry: StateEntry): string {
  switch (entry.kind) {
    case 'setting': return `setting ${entry.name}`;
    case 'prepared': return `prepared statement "${entry.name}"`;
    case 'temp': return `temporary table ${entry.name}`;
    case 'sequence': return `sequence value of ${entry.name}`;
    case 'lock': return `advisory lock ${entry.name}`;
    case 'listen': return `LISTEN on channel ${entry.name}`;
    case 'cursor': return `WITH HOLD cursor ${entry.name}`;
    case 'library': return `library ${entry.name}`;
    case 'extension': return `extension state ${entry.name}`;
  }
}

/** Statement texts are kept as latin1 strings of the wire bytes (cheap); hazards show them as UTF-8. */
function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
