// Admin commands that wait for the pools to reach a state (PAUSE, WAIT_CLOSE, SUSPEND, SHUTDOWN
// WAIT_FOR_SERVERS) resolve from the events that change that state — a server released or closed,
// a socket drained, RESUME — rather than from a timer that polls.

interface Waiter {
  holds: () => boolean;
  resolve: () => void;
}

export class StateWaiters {
  private readonly waiting = new Set<Waiter>();

  /** Resolves as soon as `holds()` is true: now, or at the first change() after which it is. */
  until(holds: () => boolean): Promise<void> {
    if (holds()) return Promise.resolve();
    return new Promise((resolve) => this.waiting.add({ holds, resolve }));
  }

  /** Something the conditions read has changed: resolve the waiters whose condition now holds. */
  changed(): void {
    // Called on every server release: nothing to copy or test when no admin command waits.
    if (this.waiting.size === 0) return;
    for (const waiter of [...this.waiting]) {
      if (!waiter.holds()) continue;
      this.waiting.delete(waiter);
      waiter.resolve();
    }
  }

  /** The pooler is stopping: nobody waits any longer. */
  releaseAll(): void {
    for (const waiter of this.waiting) waiter.resolve();
    this.waiting.clear();
  }
}
