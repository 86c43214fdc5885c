import { describe, expect, it } from 'vitest';
import { RepeatedErrors } from './repeated-errors';

const err = (environmentId: string | null, error: string) => ({ environmentId, step: 'remove-sandbox', error });

describe('RepeatedErrors', () => {
  it('tells an error once while it repeats, and again after it went away and came back', () => {
    const r = new RepeatedErrors();
    expect(r.fresh([err('a', 'network has active endpoints')])).toHaveLength(1);
    expect(r.fresh([err('a', 'network has active endpoints')])).toEqual([]);
    expect(r.fresh([err('a', 'network has active endpoints'), err('b', 'boom')])).toEqual([err('b', 'boom')]);
    expect(r.failing).toBe(2);
    expect(r.fresh([])).toEqual([]);
    expect(r.failing).toBe(0);
    expect(r.fresh([err('a', 'network has active endpoints')])).toHaveLength(1);
  });

  it('tells a resource again when its error changes', () => {
    const r = new RepeatedErrors();
    r.fresh([err(null, 'iptables: busy')]);
    expect(r.fresh([err(null, 'iptables: gone')])).toEqual([err(null, 'iptables: gone')]);
  });
});
