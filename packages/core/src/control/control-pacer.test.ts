import { describe, expect, it } from 'vitest';
import { ControlPacer } from './control-pacer';

describe('ControlPacer', () => {
  it('admits the burst, then the rate, per key', () => {
    let now = 0;
    const pacer = new ControlPacer({ ratePerSecond: 20, burst: 40, now: () => now });
    for (let i = 0; i < 40; i++) pacer.admit('e1');
    expect(() => pacer.admit('e1')).toThrow(expect.objectContaining({ code: 'THROTTLED', message: expect.stringContaining('at most 20 a second') }));
    // Another desktop has its own bucket.
    expect(() => pacer.admit('e2')).not.toThrow();
    now = 100; // two tokens back
    pacer.admit('e1');
    pacer.admit('e1');
    expect(() => pacer.admit('e1')).toThrow();
  });

  it('runs what it accepted one after another in arrival order, a failure included', async () => {
    const pacer = new ControlPacer({ ratePerSecond: 20, burst: 40 });
    const done: number[] = [];
    const slow = (i: number, ms: number, fail = false) => () =>
      new Promise<number>((resolve, reject) =>
        setTimeout(() => {
          done.push(i);
          if (fail) reject(new Error(`fail ${i}`));
          else resolve(i);
        }, ms),
      );
    const results = await Promise.allSettled([pacer.run('e1', slow(1, 30)), pacer.run('e1', slow(2, 1, true)), pacer.run('e1', slow(3, 10))]);
    expect(done).toEqual([1, 2, 3]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
