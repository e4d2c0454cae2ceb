// A cache of values keyed by string that are read again after a while: the linter's facts from the disk
// (folders, config files, a project's files) change while an editor runs, so each is trusted only for a
// given number of milliseconds. Optionally bounded in entries: the oldest stored key makes room.

/**
 * How long a fact read from the disk near a file (a folder's scripts or outputs, a config, an env file, a module read
 * for its exports) is trusted: files change while an editor runs. The one lifetime of every such cache.
 */
export const CACHE_MS = 10_000;

/**
 * How long a fact read by a walk over a whole project (its workspaces, module paths, importers, vitest's provided
 * keys, drizzle's database modules) is trusted: a walk costs more to repeat than one folder's read.
 */
export const PROJECT_CACHE_MS = 30_000;

/** A bound on what a cache holds besides its count of keys: the values' total weight (`weigh`: a value's, fixed when stored). */
export interface WeightBound<T> {
  weigh: (value: T) => number;
  max: number;
}

/**
 * Whether the tree read is settled: a one-shot run (`poolsafe lint`) over files that do not change under it says so
 * (folderEntries.ts's keepFolderListings) before it analyses anything. From then on no cache's value goes stale: a
 * lifetime is there for the language server, whose files change while it runs; in a one-shot run it only made the
 * analysis read, parse and derive again what it already had (a repository of 12,800 files linted for ~100 s re-parsed
 * every module it needed every 10 s). The caches' bounds in keys and weight still hold.
 */
let treeSettled = false;

/** Marks the tree settled for the rest of the process (this copy of the module: each bundle has its own). */
export function settleTree(): void {
  treeSettled = true;
}

export class TimedCache<T> {
  private readonly entries = new Map<string, { at: number; value: T; weight: number }>();
  /** The stored values' total weight (0 without a weight bound). */
  private weight = 0;

  /**
   * `lifetimeMs`: how long a value stays fresh after it was stored; `maxEntries`: how many keys are kept at the most;
   * `now`: the clock, in milliseconds (tests pass their own, so that what is fresh never depends on the machine's speed);
   * `bound`: the most the values may weigh together (a value heavier than that alone is still stored).
   */
  constructor(private readonly lifetimeMs: number, private readonly maxEntries = Infinity, private readonly now: () => number = Date.now, private readonly bound?: WeightBound<T>) {}

  /** The value stored for `key` less than the lifetime ago, or else `compute`'s, stored. */
  get(key: string, compute: () => T): T {
    const cached = this.fresh(key);
    if (cached) return cached.value;
    const value = compute();
    this.set(key, value);
    return value;
  }

  /** The value stored for `key` less than the lifetime ago (boxed: a stored value may be undefined). */
  fresh(key: string): { value: T } | undefined {
    const cached = this.entries.get(key);
    // Kept for good (a one-shot lint's folder listings, asked for thousands of times; anything once the tree is settled): no clock to read.
    if (this.lifetimeMs === Infinity || treeSettled) return cached;
    return cached && this.now() - cached.at < this.lifetimeMs ? cached : undefined;
  }

  /**
   * Stores `value` for `key` from now on, first dropping the oldest stored keys while the cache is full (in keys or
   * weight). A key stored again keeps its place and takes no other key's: only a new key needs room among the keys.
   */
  set(key: string, value: T): void {
    const weight = this.bound ? this.bound.weigh(value) : 0;
    const replaced = this.entries.get(key);
    if (replaced) this.weight -= replaced.weight;
    const keysOnceStored = (): number => this.entries.size + (this.entries.has(key) ? 0 : 1);
    while (this.entries.size > 0 && (keysOnceStored() > this.maxEntries || this.weight + weight > (this.bound?.max ?? Infinity))) {
      const oldest = this.entries.keys().next().value!;
      this.weight -= oldest === key ? 0 : this.entries.get(oldest)!.weight;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { at: this.now(), value, weight });
    this.weight += weight;
  }
}
