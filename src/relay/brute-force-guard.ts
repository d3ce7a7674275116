import { LRUCache } from 'lru-cache';

export interface BruteForceGuardOptions {
  /** Refused publishes from one address within the window that trigger a ban (CONTRACT §2: 5). */
  maxFailures: number;
  windowMs: number;
  banMs: number;
  /** Addresses remembered at once; the least recently seen are forgotten first. */
  maxTrackedAddresses: number;
}

export const DEFAULT_BRUTE_FORCE_OPTIONS: BruteForceGuardOptions = {
  maxFailures: 5,
  windowMs: 60_000,
  banMs: 60_000,
  maxTrackedAddresses: 10_000,
};

interface FailureWindow {
  count: number;
  startedAt: number;
}

/**
 * Throttles ingest-key guessing per address: after `maxFailures` refused publishes within
 * `windowMs`, the address is refused at TCP accept for `banMs`. Bounded memory (LRU), clock
 * passed in so the edges are tested without waiting.
 */
export class BruteForceGuard {
  readonly options: BruteForceGuardOptions;
  private readonly failures: LRUCache<string, FailureWindow>;
  private readonly bans: LRUCache<string, number>;

  constructor(options: Partial<BruteForceGuardOptions> = {}) {
    this.options = { ...DEFAULT_BRUTE_FORCE_OPTIONS, ...options };
    this.failures = new LRUCache({ max: this.options.maxTrackedAddresses });
    this.bans = new LRUCache({ max: this.options.maxTrackedAddresses });
  }

  isBanned(address: string, now: number): boolean {
    const until = this.bans.get(address);
    if (until === undefined) return false;
    if (now < until) return true;
    this.bans.delete(address);
    return false;
  }

  /** Records a refused publish; returns true when this failure starts a ban (log it once). */
  recordFailure(address: string, now: number): boolean {
    let window = this.failures.get(address);
    if (!window || now - window.startedAt >= this.options.windowMs) {
      window = { count: 0, startedAt: now };
      this.failures.set(address, window);
    }
    window.count += 1;
    if (window.count >= this.options.maxFailures && !this.isBanned(address, now)) {
      this.bans.set(address, now + this.options.banMs);
      this.failures.delete(address);
      return true;
    }
    return false;
  }
}
