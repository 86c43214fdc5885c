import { describe, expect, it } from 'vitest';
import { createInputRecorder } from './record-input';

describe('input tracking', () => {
  it('writes at most once per environment per interval, without waiting or throwing', async () => {
    let t = 1_000_000;
    const writes: [string, number][] = [];
    const errors: unknown[] = [];
    const recorder = createInputRecorder({
      store: {
        environments: {
          recordInput: async (id: string, at: Date) => {
            writes.push([id, at.getTime()]);
            if (id === 'bad') throw new Error('db down');
            return true;
          },
        } as never,
      },
      now: () => t,
      onError: (e) => errors.push(e),
    });
    recorder.seen('a');
    recorder.seen('a');
    recorder.seen('b');
    expect(recorder.due('a')).toBe(false);
    t += 14_999;
    recorder.seen('a');
    t += 1;
    expect(recorder.due('a')).toBe(true);
    recorder.seen('a');
    recorder.seen('bad');
    await new Promise((r) => setTimeout(r, 0));
    expect(writes).toEqual([['a', 1_000_000], ['b', 1_000_000], ['a', 1_015_000], ['bad', 1_015_000]]);
    expect(errors).toHaveLength(1);
  });
});
