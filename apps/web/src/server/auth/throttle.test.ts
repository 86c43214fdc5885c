import { describe, expect, it } from 'vitest';
import { afterFailure, LOCK_MINUTES, lockMinutesLeft, MAX_FAILURES, SlidingWindow } from './throttle';

const t0 = new Date('2025-01-01T12:00:00Z');
const plus = (ms: number) => new Date(t0.getTime() + ms);

describe('account lockout arithmetic', () => {
  it('locks for 15 minutes on the 5th consecutive failure, not before', () => {
    let s = { failedSignIns: 0, lockedUntil: null as Date | null };
    for (let i = 1; i < MAX_FAILURES; i++) {
      const n = afterFailure(s, t0);
      expect(n).toMatchObject({ failedSignIns: i, lockedUntil: null, lockedNow: false });
      s = n;
    }
    const locked = afterFailure(s, t0);
    expect(locked.lockedNow).toBe(true);
    expect(locked.failedSignIns).toBe(5);
    expect(locked.lockedUntil!.getTime() - t0.getTime()).toBe(LOCK_MINUTES * 60_000);
  });

  it('counts minutes left rounded up, 0 when expired or unset', () => {
    const until = plus(15 * 60_000);
    expect(lockMinutesLeft(until, t0)).toBe(15);
    expect(lockMinutesLeft(until, plus(60_001))).toBe(14);
    expect(lockMinutesLeft(until, plus(14 * 60_000 + 1))).toBe(1);
    expect(lockMinutesLeft(until, until)).toBe(0);
    expect(lockMinutesLeft(null, t0)).toBe(0);
  });

  it('starts counting again after a lock expires', () => {
    const expired = { failedSignIns: 5, lockedUntil: plus(-1) };
    expect(afterFailure(expired, t0)).toEqual({ failedSignIns: 1, lockedUntil: null, lockedNow: false });
  });
});

describe('per-IP sliding window', () => {
  it('blocks after max failures within the window and frees as old ones slide out', () => {
    const w = new SlidingWindow(3, 10 * 60_000);
    const base = t0.getTime();
    w.record('ip', base);
    w.record('ip', base + 60_000);
    expect(w.blockedMinutes('ip', base + 60_000)).toBe(0);
    w.record('ip', base + 120_000);
    expect(w.blockedMinutes('ip', base + 120_000)).toBe(8); // the first slides out at +10 min
    expect(w.blockedMinutes('other', base + 120_000)).toBe(0);
    expect(w.blockedMinutes('ip', base + 10 * 60_000 + 1)).toBe(0);
  });

  it('keeps memory bounded', () => {
    const w = new SlidingWindow(1, 60_000, 2);
    w.record('a', 0);
    w.record('b', 0);
    w.record('c', 0);
    expect(w.blockedMinutes('a', 1)).toBe(0);
    expect(w.blockedMinutes('c', 1)).toBe(1);
  });
});
