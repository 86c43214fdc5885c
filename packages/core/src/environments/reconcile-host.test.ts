import { describe, expect, it } from 'vitest';
import type { RuntimeSandbox } from '../ports/runtime-driver';
import { planReconcile, type ReconcileRow } from './reconcile-host';

const HOST = 'host-a';
const row = (id: string, state: ReconcileRow['state'], extra: Partial<ReconcileRow> = {}): ReconcileRow => ({
  id,
  state,
  host: HOST,
  hostLost: false,
  runtimeRef: `genos-env-${id}`,
  ...extra,
});
const sandbox = (environmentId: string, state: RuntimeSandbox['state'] = 'running'): RuntimeSandbox => ({ environmentId, runtimeRef: `genos-env-${environmentId}`, state });
const plan = (rows: ReconcileRow[], sandboxes: RuntimeSandbox[], o: { atStart?: boolean; hostUp?: boolean; busy?: Set<string> } = {}) =>
  planReconcile({ hostName: HOST, rows, sandboxes, atStart: o.atStart ?? false, hostUp: o.hostUp ?? true, busy: o.busy });

describe('planReconcile', () => {
  it('changes nothing when the database and the runtime agree', () => {
    expect(plan([row('a', 'running'), row('b', 'suspended'), row('c', 'requested')], [sandbox('a'), sandbox('b', 'paused')])).toEqual([]);
  });

  it('removes sandboxes nothing accounts for: no row, ended, another host, not provisioned yet', () => {
    const actions = plan(
      [row('ended', 'terminated'), row('broken', 'failed'), row('moved', 'running', { host: 'host-b' }), row('unplaced', 'requested', { host: null }), row('queued', 'requested')],
      [sandbox('ghost'), sandbox('ended', 'exited'), sandbox('broken'), sandbox('moved'), sandbox('unplaced', 'created'), sandbox('queued', 'created')],
    );
    expect(actions.map((a) => [a.kind, a.environmentId, 'reason' in a ? a.reason : ''])).toEqual([
      ['remove-sandbox', 'ghost', 'no environment row'],
      ['remove-sandbox', 'ended', 'environment is terminated'],
      ['remove-sandbox', 'broken', 'environment is failed'],
      ['remove-sandbox', 'moved', 'environment belongs to host host-b'],
      ['remove-sandbox', 'unplaced', 'environment belongs to no host'],
      ['remove-sandbox', 'queued', 'environment is not provisioned yet'],
    ]);
  });

  it('fails running and suspended environments whose sandbox disappeared or stopped', () => {
    const actions = plan([row('gone', 'running'), row('stopped', 'suspended')], [sandbox('stopped', 'exited')]);
    expect(actions).toEqual([
      { kind: 'fail', environmentId: 'gone', runtimeRef: 'genos-env-gone', from: 'running', reason: 'its container disappeared', error: 'its container disappeared; please launch again' },
      { kind: 'fail', environmentId: 'stopped', runtimeRef: 'genos-env-stopped', from: 'suspended', reason: 'its container stopped', error: 'its container stopped; please launch again' },
    ]);
  });

  it('fails provisioning cut off by a restart only at start; leaves provisioning in flight alone', () => {
    const rows = [row('p1', 'provisioning', { runtimeRef: null }), row('p2', 'provisioning')];
    const sandboxes = [sandbox('p1', 'created')];
    expect(plan(rows, sandboxes)).toEqual([]);
    const atStart = plan(rows, sandboxes, { atStart: true });
    expect(atStart.map((a) => a.kind)).toEqual(['fail', 'fail']);
    // The sandbox is found by the runtime even when the crash came before its name was recorded.
    expect(atStart[0]).toMatchObject({ environmentId: 'p1', runtimeRef: 'genos-env-p1', from: 'provisioning', reason: expect.stringMatching(/interrupted/) });
  });

  it('clears hostLost when the sandbox survived, but only while the host is up', () => {
    const rows = [row('a', 'running', { hostLost: true }), row('b', 'suspended', { hostLost: true }), row('c', 'running', { hostLost: true })];
    const sandboxes = [sandbox('a'), sandbox('b', 'paused')];
    const up = plan(rows, sandboxes);
    expect(up.filter((a) => a.kind === 'host-back').map((a) => a.environmentId)).toEqual(['a', 'b']);
    expect(up.find((a) => a.environmentId === 'c')).toMatchObject({ kind: 'fail', reason: 'its container disappeared' });
    expect(plan(rows, sandboxes, { hostUp: false }).filter((a) => a.kind === 'host-back')).toEqual([]);
  });

  it("ignores other hosts' rows without a sandbox here", () => {
    expect(plan([row('x', 'running', { host: 'host-b' }), row('y', 'provisioning', { host: 'host-b' })], [], { atStart: true })).toEqual([]);
  });

  it('leaves environments a lifecycle job is working on to that job (a terminate removing its desktop is not a death)', () => {
    const rows = [row('ending', 'running'), row('gone', 'running')];
    expect(plan(rows, [], { busy: new Set(['ending']) }).map((a) => [a.kind, a.environmentId])).toEqual([['fail', 'gone']]);
    expect(plan([], [sandbox('ghost')], { busy: new Set(['ghost']) })).toEqual([]);
  });
});
