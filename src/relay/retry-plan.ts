import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';

/**
 * Which URL a push tries next and when, as a pure state machine (the caller passes the clock):
 * with one URL, retries follow the backoff; with two (failover mode), a failure of the current URL
 * moves to the other one, so the push stays on whichever works and goes back to the primary only
 * when the secondary fails (CONTRACT §4).
 */
export class RetryPlan {
  private index = 0;
  private readonly backoff: Backoff;

  constructor(
    readonly targetCount: number,
    policy: BackoffPolicy = DEFAULT_BACKOFF,
  ) {
    if (targetCount < 1) throw new RangeError('a push needs at least one URL');
    this.backoff = new Backoff(policy);
  }

  /** The URL to use now: 0 = primary, 1 = secondary. */
  get current(): number {
    return this.index;
  }

  /** The current URL went live at `now`. */
  live(now: number): void {
    this.backoff.live(now);
  }

  /** The current URL failed to connect or dropped at `now`: where and when to try next. */
  failed(now: number, random?: number): { target: number; delayMs: number } {
    const delayMs = this.backoff.nextDelay(now, random);
    this.index = (this.index + 1) % this.targetCount;
    return { target: this.index, delayMs };
  }
}
