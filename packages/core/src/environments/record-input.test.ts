import { describe, expect, it } from 'vitest';
import { createInputRecorder, hasUserInput } from './record-input';

describe('input tracking', () => {
  it('recognises keyboard, mouse and touch instructions only', () => {
    expect(hasUserInput('5.mouse,3.100,3.200,1.1;')).toBe(true);
    expect(hasUserInput('3.key,5.65307,1.1;')).toBe(true);
    expect(hasUserInput('4.sync,8.12345678;5.touch,1.0,2.10,2.10,1.5,1.5,1.0,1.1;')).toBe(true);
    expect(hasUserInput('4.sync,8.12345678;')).toBe(false);
    expect(hasUserInput('0.,4.ping,13.1700000000000;')).toBe(false);
    expect(hasUserInput('4.size,4.1280,3.800;')).toBe(false);
    expect(hasUserInput('4.blob,1.0,12.bW91c2Usa2V5;')).toBe(false);
  });

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
