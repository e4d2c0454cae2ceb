// Cancel requests a server connection's clients forward to PostgreSQL, with PgBouncer's guard
// against a late cancel hitting the next client's query: a CancelRequest travels on a connection of
// its own and may reach PostgreSQL after the query it aimed at has finished and the server has gone
// to another client. So a cancel still connecting when its server is released is dropped, and a
// server with a cancel already sent is given to nobody until PostgreSQL has closed that cancel's
// connection (it closes it after signalling the backend). PgBouncer calls that state being_canceled.

/** One forwarded CancelRequest, from the connection attempt until PostgreSQL closes it. */
interface CancelAttempt {
  /** Written to PostgreSQL: its signal may still land on whatever the backend runs next. */
  sent: boolean;
  /** Dropped before it was sent (the server was released first). */
  dropped: boolean;
}

/** Sends one CancelRequest; `stillWanted` is asked once the connection is open, before writing. */
export type CancelSender = (stillWanted: () => boolean) => Promise<boolean>;

export class ServerCancels {
  private readonly attempts = new Set<CancelAttempt>();
  /** Set while the server waits for its sent cancels (being canceled): the deferred release. */
  private onSettled: (() => void) | null = null;

  /** Forwards a cancel through `send`, tracking it until its connection is gone. */
  forward(send: CancelSender): void {
    const attempt: CancelAttempt = { sent: false, dropped: false };
    this.attempts.add(attempt);
    const stillWanted = () => {
      if (attempt.dropped) return false;
      attempt.sent = true;
      return true;
    };
    send(stillWanted)
      .catch(() => false)
      .finally(() => this.finished(attempt));
  }

  /**
   * The server is being released. Cancels not sent yet are dropped; when some were sent, true is
   * returned and `release` runs once the last of them is done (the server is being canceled).
   */
  holdRelease(release: () => void): boolean {
    let sent = false;
    for (const attempt of this.attempts) {
      if (attempt.sent) sent = true;
      else attempt.dropped = true;
    }
    if (!sent) return false;
    this.onSettled = release;
    return true;
  }

  /** No cancel of this server is in flight (every release asks; nothing to drop or wait for). */
  get none(): boolean {
    return this.attempts.size === 0;
  }

  /** Waiting for sent cancels before the server can serve anyone again (SHOW POOLS sv_being_canceled). */
  get beingCanceled(): boolean {
    return this.onSettled !== null;
  }

  private finished(attempt: CancelAttempt): void {
    this.attempts.delete(attempt);
    if (!this.onSettled || [...this.attempts].some((other) => other.sent)) return;
    const release = this.onSettled;
    this.onSettled = null;
    release();
  }
}
