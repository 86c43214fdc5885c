import { describe, expect, it } from 'vitest';
import { strandedAction } from './reap-hosts';

describe('strandedAction (what the reaper does with work on a host that went down)', () => {
  it('fails provisioning: it cannot finish without its worker', () => {
    expect(strandedAction({ state: 'provisioning', host: 'host-a', hostLost: false })).toEqual({ kind: 'fail', reason: 'host host-a stopped answering during provisioning' });
  });

  it('reports running and suspended environments as host-lost, once', () => {
    expect(strandedAction({ state: 'running', host: 'host-a', hostLost: false })).toEqual({ kind: 'mark-lost', reason: 'host host-a stopped answering' });
    expect(strandedAction({ state: 'suspended', host: 'host-a', hostLost: false })).toMatchObject({ kind: 'mark-lost' });
    expect(strandedAction({ state: 'running', host: 'host-a', hostLost: true })).toEqual({ kind: 'none' });
  });

  it('puts requested environments placed there back in the queue', () => {
    expect(strandedAction({ state: 'requested', host: 'host-a', hostLost: false })).toMatchObject({ kind: 'requeue' });
    expect(strandedAction({ state: 'requested', host: null, hostLost: false })).toEqual({ kind: 'none' });
  });

  it('leaves ended environments alone', () => {
    expect(strandedAction({ state: 'terminated', host: 'host-a', hostLost: false })).toEqual({ kind: 'none' });
    expect(strandedAction({ state: 'failed', host: 'host-a', hostLost: false })).toEqual({ kind: 'none' });
  });
});
