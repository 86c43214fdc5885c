import { AppError } from '../errors/app-error';
import type { Actor, Store, WarmPoolRecord } from '../ports/store';
import { poolIdSchema, poolSizeSchema } from './pool-input';
import { parseAdminInput } from './quota-limits';
import { retirePoolMembers } from './retire-pool-members';
import { requireAdmin } from './require-admin';

/**
 * Resizes, enables or disables a pool. Growing (or enabling) queues a refill;
 * shrinking ends the surplus unclaimed members, disabling ends them all, so
 * a pool never holds more than it is meant to.
 */
export async function updatePool(opts: { store: Store; actor: Actor; id: string; size?: number; enabled?: boolean }): Promise<WarmPoolRecord & { retired: string[] }> {
  const actor = requireAdmin(opts.actor);
  const id = parseAdminInput(poolIdSchema, opts.id, 'pool id');
  const size = opts.size === undefined ? undefined : parseAdminInput(poolSizeSchema, opts.size, 'pool size');
  if (opts.enabled !== undefined && typeof opts.enabled !== 'boolean') throw new AppError('VALIDATION', 'enabled must be true or false');
  return opts.store.transaction(async (tx) => {
    await tx.lock(`genos:pool:${id}`);
    const before = await tx.pools.findById(id);
    if (!before) throw new AppError('NOT_FOUND', `no pool with id ${id}`);
    const after = await tx.pools.update(id, { size, enabled: opts.enabled });
    const keep = after.enabled ? after.size : 0;
    const retired = await retirePoolMembers({ tx, actor, pool: after, keep, reason: after.enabled ? `warm pool ${after.name} shrank to ${after.size}` : `warm pool ${after.name} disabled` });
    await tx.audit.record({ actor, action: 'pool.update', targetType: 'pool', targetId: id, before: { size: before.size, enabled: before.enabled }, after: { size: after.size, enabled: after.enabled, retired } });
    if (after.enabled && after.size > 0) await tx.jobs.enqueue('pool.refill', { poolId: id });
    return { ...after, retired };
  });
}
