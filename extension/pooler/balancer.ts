// Routing decisions of `--load-balance pgpool`: which host (0 = the primary, 1… = replicas) runs a
// client's next request, with Pgpool-II's rules (its where_to_send_main_replica and the
// writing-transaction flag kept by pool_at_command_success): reads outside a transaction and reads in
// a transaction before its first write go to the session's load-balance node; writes, and reads after
// a write as disable_load_balance_on_write says, go to the primary. One router per client (a Pgpool-II
// session); it only decides, the client moves the bytes.
import type { StatementClass } from './statementClass';
import { escapeRegExp } from '../../server/analysis/regexText';

export const LOAD_BALANCE_MODES = ['off', 'pgpool', 'round-robin'] as const;
export type LoadBalanceMode = (typeof LOAD_BALANCE_MODES)[number];
export const DISABLE_ON_WRITE_VALUES = ['off', 'transaction', 'trans_transaction', 'always', 'dml_adaptive'] as const;
export type DisableOnWrite = (typeof DISABLE_ON_WRITE_VALUES)[number];

/** Pgpool-II's load-balancing settings (its pgpool.conf names). */
export interface BalanceSettings {
  disable_load_balance_on_write: DisableOnWrite;
  statement_level_load_balance: boolean;
  /** Regular expressions (anchored) of functions that write; when set, only these make a SELECT a write. */
  write_function_list: string[];
  /** Regular expressions of functions that only read; when set, every other function makes a SELECT a write. */
  read_only_function_list: string[];
  /** With off, a query starting with a comment is not balanced (Pgpool-II's allow_sql_comments). */
  allow_sql_comments: boolean;
}

/** What the router needs to know about the hosts: weights and whether a replica may take reads now. */
export interface HostView {
  /** backend_weight per host (index 0 = primary). */
  readonly weights: readonly number[];
  /** Up, and within delay_threshold (the primary is always usable). */
  usable(host: number): boolean;
}

/** Whether a named function writes, given the lists (regexes) or, when both are empty, pg_proc's volatility. */
export function functionWrites(name: string, settings: BalanceSettings, isVolatile: (name: string) => boolean): boolean {
  if (settings.write_function_list.length > 0) return matchesAny(name, settings.write_function_list);
  if (settings.read_only_function_list.length > 0) return !matchesAny(name, settings.read_only_function_list);
  return isVolatile(name);
}

const compiled = new Map<string, RegExp>();
function matchesAny(name: string, patterns: readonly string[]): boolean {
  for (const pattern of patterns) {
    let re = compiled.get(pattern);
    if (!re) {
      try {
        re = new RegExp(`^(?:${pattern})$`, 'i');
      } catch {
        re = new RegExp(`^${escapeRegExp(pattern)}$`, 'i');
      }
      compiled.set(pattern, re);
    }
    if (re.test(name)) return true;
  }
  return false;
}

/** Picks a host with probability proportional to its weight among the usable ones; the primary if none. */
export function pickWeighted(hosts: HostView, random: () => number = Math.random): number {
  let total = 0;
  for (let i = 0; i < hosts.weights.length; i++) if (hosts.usable(i)) total += Math.max(hosts.weights[i], 0);
  if (total <= 0) return 0;
  let point = random() * total;
  for (let i = 0; i < hosts.weights.length; i++) {
    if (!hosts.usable(i)) continue;
    point -= Math.max(hosts.weights[i], 0);
    if (point < 0) return i;
  }
  return 0;
}

/** A routed request: where it goes and what the router must remember once it is answered. */
export interface Route {
  host: number;
  statement: StatementClass;
  /** A function it calls writes (so a SELECT counts as a write). */
  writingFunction: boolean;
}

export class PgpoolRouter {
  /** Pgpool-II's writing_transaction flag. */
  private writing = false;
  private failed = false;
  private serializable = false;
  /** The open transaction began inside a multi-statement Query: it lives on the primary only. */
  private startedByMulti = false;
  /** dml_adaptive: tables written in the open transaction. */
  private readonly writtenInTransaction = new Set<string>();
  /** The session's load-balance node (Pgpool-II picks it at session start). */
  private sessionNode: number;

  constructor(
    private readonly settings: () => BalanceSettings,
    private readonly hosts: HostView,
    private readonly random: () => number = Math.random,
  ) {
    this.sessionNode = pickWeighted(hosts, random);
  }

  /** The load-balance node chosen for this session (SHOW-able, tests). */
  get loadBalanceNode(): number {
    return this.sessionNode;
  }

  /**
   * Where `statement` runs; `inTransaction` is the client's transaction status before it (the
   * primary's TSTATE in Pgpool-II terms), `writingFunction` whether a function it calls writes.
   */
  route(statement: StatementClass, writingFunction: boolean, inTransaction: boolean): Route {
    return { host: this.hostFor(statement, writingFunction, inTransaction), statement, writingFunction };
  }

  private hostFor(statement: StatementClass, writingFunction: boolean, inTransaction: boolean): number {
    const settings = this.settings();
    if (statement.multiStatement || (inTransaction && this.startedByMulti)) return 0;
    if (statement.kind !== 'read') return 0;
    if (this.writing && settings.disable_load_balance_on_write === 'always') return 0;
    if (statement.leadingComment && !settings.allow_sql_comments) return 0;
    if (inTransaction && (this.writing || this.failed || this.serializable)) return 0;
    if (statement.systemCatalog || writingFunction) return 0;
    if (inTransaction && settings.disable_load_balance_on_write === 'dml_adaptive' && statement.reads.some((t) => this.writtenInTransaction.has(t))) return 0;
    if (settings.statement_level_load_balance) this.sessionNode = pickWeighted(this.hosts, this.random);
    // delay_threshold exceeded or the node is down: the primary (prefer_lower_delay_standby = off).
    return this.hosts.usable(this.sessionNode) ? this.sessionNode : 0;
  }

  /**
   * The request was answered: `ok` without ErrorResponse, `status` the ReadyForQuery byte
   * ('I', 'T', 'E'), `wasInTransaction` the status before it. Updates the flags as Pgpool-II does
   * when a command succeeds.
   */
  answered(route: Route, ok: boolean, wasInTransaction: boolean, status: number): void {
    const settings = this.settings();
    const mode = settings.disable_load_balance_on_write;
    const { statement } = route;
    const nowInTransaction = status !== STATUS_IDLE;
    if (status === STATUS_FAILED) this.failed = true;
    if (statement.multiStatement && !wasInTransaction && nowInTransaction) this.startedByMulti = true;
    if (ok) this.afterSuccess(route, mode, nowInTransaction);
    if (!nowInTransaction) this.transactionOver(mode);
  }

  private afterSuccess(route: Route, mode: DisableOnWrite, nowInTransaction: boolean): void {
    const { statement } = route;
    if (statement.kind === 'begin') {
      this.clearTransaction(mode);
      this.serializable = statement.serializable;
      return;
    }
    if (statement.kind === 'end') return; // transactionOver() follows: status is 'I'
    if (statement.serializable) this.serializable = true;
    if (mode === 'dml_adaptive' && nowInTransaction) for (const table of statement.writes) this.writtenInTransaction.add(table);
    const isWrite = statement.kind !== 'read' || route.writingFunction;
    if (!isWrite || statement.readOnlySetting) return;
    if ((nowInTransaction || mode === 'always') && mode !== 'off' && mode !== 'dml_adaptive') this.writing = true;
  }

  private transactionOver(mode: DisableOnWrite): void {
    this.clearTransaction(mode);
  }

  /** BEGIN, COMMIT, ROLLBACK: trans_transaction and always keep the writing flag for the session. */
  private clearTransaction(mode: DisableOnWrite): void {
    if (mode !== 'trans_transaction' && mode !== 'always') this.writing = false;
    this.failed = false;
    this.serializable = false;
    this.startedByMulti = false;
    this.writtenInTransaction.clear();
  }
}

const STATUS_IDLE = 0x49; // 'I'
const STATUS_FAILED = 0x45; // 'E'
