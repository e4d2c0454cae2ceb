// Session state one server connection carries beyond a transaction (what docs/architecture.md's table lists):
// changed settings, prepared statements, temp tables, sequence values, advisory locks, listened
// channels, held cursors, loaded libraries, extension state; each with the client that left it.

export type StateKind = 'setting' | 'prepared' | 'temp' | 'sequence' | 'lock' | 'listen' | 'cursor' | 'library' | 'extension';

export interface StateEntry {
  kind: StateKind;
  /** Lower-cased identifier within its kind (setting name, statement name, table, channel…). */
  name: string;
  /** Analysis rule id that explains why this state is a hazard. */
  rule: string;
  clientId: number;
  applicationName: string;
  statement: string;
  createdAt: number;
  /**
   * Hidden entries are facts, not hazards by themselves (a sequence's value after nextval): they
   * explain a later error or wrong currval but get no origin/landed row of their own.
   */
  hidden: boolean;
  /** An origin row was emitted for it (once, when its transaction ended with the state kept). */
  reported: boolean;
  /** Clients already told (landed) that this server carries it. */
  landedFor: Set<number>;
}

/** Kinds that DISCARD ALL removes (it cannot unload libraries or extension-internal state). */
const DISCARDED_BY_DISCARD_ALL: ReadonlySet<StateKind> = new Set(['setting', 'prepared', 'temp', 'sequence', 'lock', 'listen', 'cursor']);

export class SessionState {
  private readonly entries = new Map<string, StateEntry>();

  get size(): number {
    return this.entries.size;
  }

  add(entry: StateEntry): StateEntry {
    const key = keyOf(entry.kind, entry.name);
    const existing = this.entries.get(key);
    // A lock taken twice stays one lock for our purposes; keep the first origin.
    if (existing && existing.clientId === entry.clientId) return existing;
    this.entries.set(key, entry);
    return entry;
  }

  get(kind: StateKind, name: string): StateEntry | undefined {
    return this.entries.get(keyOf(kind, name));
  }

  remove(kind: StateKind, name: string): void {
    this.entries.delete(keyOf(kind, name));
  }

  removeEntry(entry: StateEntry): void {
    const key = keyOf(entry.kind, entry.name);
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }

  /** Removes every entry of `kind` (RESET ALL, DEALLOCATE ALL, CLOSE ALL, UNLISTEN *…) but those named in `keep`. */
  clearKind(kind: StateKind, keep?: ReadonlySet<string>): void {
    for (const [key, entry] of this.entries) if (entry.kind === kind && !keep?.has(entry.name)) this.entries.delete(key);
  }

  /** DISCARD ALL (also the pooler's own reset query). */
  discardAll(): void {
    for (const [key, entry] of this.entries) if (DISCARDED_BY_DISCARD_ALL.has(entry.kind)) this.entries.delete(key);
  }

  *values(): IterableIterator<StateEntry> {
    yield* this.entries.values();
  }

  /** Any entry of `kind`, preferring `name` when given (lastval has no name). */
  find(kind: StateKind, name?: string): StateEntry | undefined {
    if (name !== undefined) return this.get(kind, name);
    for (const entry of this.entries.values()) if (entry.kind === kind) return entry;
    return undefined;
  }
}

function keyOf(kind: StateKind, name: string): string {
  return `${kind}\0${name}`;
}
