import type { Actor, PoolMemberCounts, Store, WarmPoolRecord } from '../ports/store';
import { requireAdmin } from './require-admin';

/** Every warm pool with how many of its unclaimed members are in each state. */
export async function listPools(opts: { store: Store; actor: Actor }): Promise<(WarmPoolRecord & { members: PoolMemberCounts })[]> {
  requireAdmin(opts.actor);
  const [pools, counts] = await Promise.all([opts.store.pools.list(), opts.store.pools.memberCounts()]);
  return pools.map((p) => ({ ...p, members: counts.get(p.id) ?? {} }));
}
