import { describe, expect, it } from 'vitest';
import { hostQueue } from '@genos/core';
import { queueLabels } from './queue-label';

describe('queueLabels', () => {
  it('splits a host queue into its job and host', () => {
    expect(queueLabels(hostQueue('environment.provision', 'node-1'))).toEqual({ queue: 'environment.provision', host: 'node-1' });
    expect(queueLabels(hostQueue('environment.resize-display', 'a.b'))).toEqual({ queue: 'environment.resize-display', host: 'a.b' });
  });
  it('keeps shared queues whole, with no host', () => {
    expect(queueLabels('pool.refill')).toEqual({ queue: 'pool.refill', host: '' });
    expect(queueLabels('image.build')).toEqual({ queue: 'image.build', host: '' });
  });
});
