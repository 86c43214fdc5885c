import { describe, expect, it } from 'vitest';
import { createWorkInProgress } from './work-in-progress';

describe('createWorkInProgress', () => {
  it('keeps an environment held until every holder released it, each release counting once', () => {
    const work = createWorkInProgress();
    const job = work.hold('a');
    const policy = work.hold('a');
    policy();
    policy();
    expect(work.has('a')).toBe(true);
    job();
    expect(work.has('a')).toBe(false);
    expect(work.has('b')).toBe(false);
  });
});
