import { isFinalState } from '../lifecycle/environment-state';
import type { Actor, Tx, WarmPoolRecord } from '../ports/store';
import { transitionEnvironment } from '../environments/transition-environment';

/**
 * Ends a pool's unclaimed members beyond `keep` (the least ready and newest
 * go first) through the normal terminate path: one not yet on a host ends at
 * once, the others get an `environment.terminate` job on their host. Each is
 * row-locked and detached from the pool first, so a user's concurrent claim
 * either got it before (and it is skipped) or can no longer get it.
 */
export async function retirePoolMembers(opts: { tx: Tx; actor: Actor; pool: WarmPoolRecord; keep: number; reason: string }): Promise<string[]> {
  const { tx, actor, pool } = opts;
  const members = await tx.pools.listMembers(pool.id);
  const retired: string[] = [];
  for (const member of members.slice(0, Math.max(0, members.length - opts.keep))) {
    const env = await tx.environments.lock(member.id);
    if (!env || env.poolId !== pool.id || isFinalState(env.state)) continue; // claimed or ended meanwhile
    await tx.environments.update(env.id, { poolId: null });
    if (env.state === 'requested' || !env.host) {
      await transitionEnvironment({ tx, id: env.id, to: 'terminated', actor, reason: opts.reason, patch: { terminatedAt: new Date() } });
    } else {
      await tx.audit.record({ actor, action: 'environment.terminate.requested', targetType: 'environment', targetId: env.id, before: { state: env.state, pool: pool.name }, after: { reason: opts.reason } });
      await tx.jobs.enqueue('environment.terminate', { environmentId: env.id }, { host: env.host });
    }
    retired.push(env.id);
  }
  return retired;
}
