import { AppError } from '../errors/app-error';
import type { Actor, Store } from '../ports/store';
import { poolIdSchema } from './pool-input';
import { parseAdminInput } from './quota-limits';
import { requireAdmin } from './require-admin';
import { retirePoolMembers } from './retire-pool-members';

/**
 * Deletes a pool and ends its unclaimed members through the normal terminate
 * path. Desktops users already claimed are theirs and keep running.
 */
export async function deletePool(opts: { store: Store; actor: Actor; id: string }): Promise<{ id: string; name: string; retired: string[] }> {
  const actor = requireAdmin(opts.actor);
  const id = parseAdminInput(poolIdSchema, opts.id, 'pool id');
  return opts.store.transaction(async (tx) => {
    await tx.lock(`genos:pool:${id}`);
    const pool = await tx.pools.findById(id);
    if (!pool) throw new AppError('NOT_FOUND', `no pool with id ${id}`);
    const retired = await retirePoolMembers({ tx, actor, pool, keep: 0, reason: `warm pool ${pool.name} deleted` });
    await tx.pools.delete(id);
    await tx.audit.record({ actor, action: 'pool.delete', targetType: 'pool', targetId: id, before: pool, after: { deleted: true, retired } });
    return { id, name: pool.name, retired };
  });
}
