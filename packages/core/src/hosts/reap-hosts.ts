import { transitionEnvironment } from '../environments/transition-environment';
import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { HOST_HEARTBEAT_TIMEOUT_MS, scheduleQueued } from '../scheduling/schedule-queued';

const SYSTEM: Actor = { kind: 'system' };

/** What happens to an environment whose host stopped answering. */
export type StrandedAction =
  | { kind: 'fail'; reason: string }
  | { kind: 'mark-lost'; reason: string }
  | { kind: 'requeue'; reason: string }
  | { kind: 'none' };

/** Pure: the reaper's decision for one environment on a host that went down. */
export function strandedAction(env: Pick<EnvironmentRecord, 'state' | 'host' | 'hostLost'>): StrandedAction {
  const host = env.host ?? 'unknown';
  switch (env.state) {
    case 'provisioning':
      return { kind: 'fail', reason: `host ${host} stopped answering during provisioning` };
    case 'running':
    case 'suspended':
      return env.hostLost ? { kind: 'none' } : { kind: 'mark-lost', reason: `host ${host} stopped answering` };
    case 'requested':
      return env.host ? { kind: 'requeue', reason: `host ${host} stopped answering before provisioning; back in the queue` } : { kind: 'none' };
    default:
      return { kind: 'none' };
  }
}

export interface ReapResult {
  /** Hosts marked down by this run. */
  down: string[];
  failed: string[];
  lost: string[];
  requeued: string[];
  /** Environments the follow-up scheduling placed. */
  placed: string[];
}

/**
 * Marks hosts that stopped sending heartbeats as `down` and reports what ran
 * there instead of forgetting it: provisioning fails (it cannot finish),
 * running and suspended environments are flagged `hostLost` (they may well
 * come back with their host), and environments still waiting for that host
 * go back to the queue. Everything happens in one transaction behind one
 * advisory lock, so every worker can run it on its ticker; a second run finds
 * nothing left to do.
 */
export async function reapHosts(opts: { store: Store; now?: Date; timeoutMs?: number }): Promise<ReapResult> {
  const now = opts.now ?? new Date();
  const staleBefore = new Date(now.getTime() - (opts.timeoutMs ?? HOST_HEARTBEAT_TIMEOUT_MS));
  return opts.store.transaction(async (tx) => {
    await tx.lock('genos:reaper');
    const down = (await tx.hosts.markStaleDown(staleBefore)).map((h) => h.id);
    const result: ReapResult = { down, failed: [], lost: [], requeued: [], placed: [] };
    // Every down host, not only the ones just marked: catches work that landed there late.
    for (const env of await tx.environments.listStranded()) {
      const action = strandedAction(env);
      if (action.kind === 'fail') {
        await transitionEnvironment({
          tx,
          id: env.id,
          to: 'failed',
          actor: SYSTEM,
          expectFrom: ['provisioning'],
          reason: action.reason,
          patch: { error: `${action.reason}; please launch again`, displayEndpoint: null },
        });
        result.failed.push(env.id);
      } else if (action.kind === 'mark-lost') {
        await tx.environments.update(env.id, { hostLost: true });
        await tx.events.append({ environmentId: env.id, fromState: env.state, toState: env.state, actor: SYSTEM, reason: action.reason });
        await tx.audit.record({ actor: SYSTEM, action: 'environment.host-lost', targetType: 'environment', targetId: env.id, before: { hostLost: false }, after: { hostLost: true, host: env.host, reason: action.reason } });
        result.lost.push(env.id);
      } else if (action.kind === 'requeue') {
        await tx.environments.update(env.id, { host: null });
        await tx.events.append({ environmentId: env.id, fromState: env.state, toState: env.state, actor: SYSTEM, reason: action.reason });
        result.requeued.push(env.id);
      }
    }
    if (result.requeued.length || result.failed.length) result.placed = (await scheduleQueued({ tx, now })).map((e) => e.id);
    return result;
  });
}
