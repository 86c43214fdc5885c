/**
 * Sign-in throttling, pure arithmetic plus the in-memory per-IP window.
 *
 * Per account: MAX_FAILURES consecutive failures lock it for LOCK_MINUTES
 * (User.failedSignIns, User.lockedUntil). Per IP: at most IP_MAX_FAILURES
 * failed attempts in a sliding IP_WINDOW_MS. The IP window lives in this
 * process's memory, which is right for the single web process GenOS runs; a
 * second web process would keep its own window.
 */
export const MAX_FAILURES = 5;
export const LOCK_MINUTES = 15;
export const IP_MAX_FAILURES = 20;
export const IP_WINDOW_MS = 10 * 60_000;

export interface LockState {
  failedSignIns: number;
  lockedUntil: Date | null;
}

/** Whole minutes left on a lock (rounded up), 0 when not locked. */
export function lockMinutesLeft(lockedUntil: Date | null, now: Date): number {
  if (!lockedUntil || lockedUntil <= now) return 0;
  return Math.ceil((lockedUntil.getTime() - now.getTime()) / 60_000);
}

/** The state after one more failure: an expired lock starts the count again; the MAX_FAILURES-th failure locks. */
export function afterFailure(state: LockState, now: Date): LockState & { lockedNow: boolean } {
  const expired = state.lockedUntil !== null && state.lockedUntil <= now;
  const failedSignIns = (expired ? 0 : state.failedSignIns) + 1;
  if (failedSignIns >= MAX_FAILURES) {
    return { failedSignIns, lockedUntil: new Date(now.getTime() + LOCK_MINUTES * 60_000), lockedNow: true };
  }
  return { failedSignIns, lockedUntil: expired ? null : state.lockedUntil, lockedNow: false };
}

/** A sliding-window counter of failures per key (an IP address, or an unknown email). */
export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();
  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly maxKeys = 50_000,
  ) {}

  private live(key: string, now: number): number[] {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length) this.hits.set(key, list);
    else this.hits.delete(key);
    return list;
  }

  /** Minutes until the key may try again (rounded up), 0 when it may now. */
  blockedMinutes(key: string, now = Date.now()): number {
    const list = this.live(key, now);
    if (list.length < this.max) return 0;
    const freeAt = list[list.length - this.max]! + this.windowMs;
    return Math.max(1, Math.ceil((freeAt - now) / 60_000));
  }

  record(key: string, now = Date.now()): void {
    if (!this.hits.has(key) && this.hits.size >= this.maxKeys) {
      // Bounded memory: drop the oldest key.
      const first = this.hits.keys().next().value;
      if (first !== undefined) this.hits.delete(first);
    }
    this.hits.set(key, [...this.live(key, now), now]);
  }

  clear(key?: string): void {
    if (key === undefined) this.hits.clear();
    else this.hits.delete(key);
  }
}

const g = globalThis as unknown as { __genosSignInWindows?: { ip: SlidingWindow; unknownEmail: SlidingWindow } };
/**
 * Process-wide windows. `unknownEmail` gives addresses without an account the
 * same lockout a real account gets, so the lock message does not tell them apart.
 */
export const signInWindows = (g.__genosSignInWindows ??= {
  ip: new SlidingWindow(IP_MAX_FAILURES, IP_WINDOW_MS),
  unknownEmail: new SlidingWindow(MAX_FAILURES, LOCK_MINUTES * 60_000),
});
