import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { scheduleQueued } from './schedule-queued';

const SYSTEM: Actor = { kind: 'system' };
export const REFILL_PAUSE_MS = 3000;

/**
 * Tops every enabled warm pool up to its size with new members (owned by the
 * pool's system user until claimed), then schedules them like any request.
 * One advisory lock per pool keeps two refills from overfilling it.
 */
export async function refillPools(opts: { store: Store; poolOwnerId: string; poolId?: string }): Promise<EnvironmentRecord[]> {
  const pools = (await opts.store.pools.list()).filter((p) => p.enabled && (!opts.poolId || p.id === opts.poolId));
  const created: EnvironmentRecord[] = [];
  for (const listed of pools) {
    await opts.store.transaction(async (tx) => {
      await tx.lock(`genos:pool:${listed.id}`);
      // Read again under the lock: an admin may have resized, disabled or deleted it meanwhile.
      const pool = await tx.pools.findById(listed.id);
      if (!pool?.enabled) return;
      // Right after a hand-out the new owner is connecting: booting the replacement now would
      // slow their first frame on a small host. Every worker's timer refills it a moment later.
      if (pool.lastClaimedAt && Date.now() - pool.lastClaimedAt.getTime() < REFILL_PAUSE_MS) return;
      const missing = pool.size - (await opts.store.pools.countMembers(pool.id));
      for (let i = 0; i < missing; i++) {
        const env = await tx.environments.insert({ name: pool.spec.name, request: null, spec: pool.spec, ownerId: opts.poolOwnerId, teamId: null, priority: -1, poolId: pool.id });
        await tx.events.append({ environmentId: env.id, fromState: null, toState: 'requested', actor: SYSTEM, reason: `warm pool ${pool.name}` });
        created.push(env);
      }
      if (missing > 0) await scheduleQueued({ tx });
    });
  }
  return created;
}
