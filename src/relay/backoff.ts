export interface BackoffPolicy {
  /** The first retry happens within this many ms (CONTRACT §4: 1 s). */
  initialMs: number;
  /** Each failure doubles the delay up to this cap (CONTRACT §4: 30 s). */
  maxMs: number;
  /** Delays are drawn from [delay × (1 − jitter), delay] so reconnecting pushes do not stampede. */
  jitter: number;
  /** A connection live this long has proven itself: the next failure starts from the beginning. */
  resetAfterLiveMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 1000,
  maxMs: 30_000,
  jitter: 0.5,
  resetAfterLiveMs: 60_000,
};

/**
 * The retry schedule of one destination connection, as a pure object: the caller reports what
 * happened (with the time and, for tests, the random draw) and gets the delay before the next try.
 */
export class Backoff {
  private failures = 0;
  private liveSince: number | null = null;

  constructor(readonly policy: BackoffPolicy = DEFAULT_BACKOFF) {}

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** The connection went live at `now`. */
  live(now: number): void {
    this.liveSince = now;
  }

  /** The connection failed or dropped at `now`: how long to wait before the next attempt. */
  nextDelay(now: number, random: number = Math.random()): number {
    if (this.liveSince !== null && now - this.liveSince >= this.policy.resetAfterLiveMs) this.failures = 0;
    this.liveSince = null;
    const { initialMs, maxMs, jitter } = this.policy;
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    const delay = ceiling * (1 - jitter * Math.min(Math.max(random, 0), 1));
    return Math.max(0, Math.round(delay));
  }
}
