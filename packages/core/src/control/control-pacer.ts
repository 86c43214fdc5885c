import { AppError } from '../errors/app-error';

/**
 * Paces control actions per key (an environment and its caller): a token
 * bucket refuses what comes too fast with THROTTLED, and what it accepts
 * runs one after another in the order it arrived, so a program firing
 * keystrokes without awaiting each one gets them typed in order, and a
 * flood loses nothing it was told was accepted. In memory: one web process
 * holds a desktop's engine connection, so one process paces it.
 */
export interface ControlPacerOptions {
  ratePerSecond: number;
  burst: number;
  /** Milliseconds; tests pass a clock. */
  now?: () => number;
}

export const DEFAULT_CONTROL_RATE = { ratePerSecond: 20, burst: 40 } as const;

interface Bucket {
  tokens: number;
  at: number;
}

export class ControlPacer {
  private readonly buckets = new Map<string, Bucket>();
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly now: () => number;

  constructor(private readonly opts: ControlPacerOptions = DEFAULT_CONTROL_RATE) {
    this.now = opts.now ?? Date.now;
  }

  /** Takes one token for `key`, or throws THROTTLED. Synchronous, so calls are admitted in the order they were made. */
  admit(key: string): void {
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.opts.burst, at: now };
    b.tokens = Math.min(this.opts.burst, b.tokens + ((now - b.at) / 1000) * this.opts.ratePerSecond);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      throw new AppError(
        'THROTTLED',
        `too many control actions on this desktop: at most ${this.opts.ratePerSecond} a second (bursts of ${this.opts.burst}); this one was refused and not performed, retry it after a short pause`,
        { ratePerSecond: this.opts.ratePerSecond, burst: this.opts.burst },
      );
    }
    b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > 10_000) this.forgetFull(now);
  }

  /** Runs `fn` after everything queued before it for `key` has settled (failures included). */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(fn, fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    // The last one out removes the key, so idle desktops cost nothing.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Buckets that have refilled are the same as absent ones. */
  private forgetFull(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.opts.ratePerSecond >= this.opts.burst) this.buckets.delete(key);
    }
  }
}
