import { AppError } from '../errors/app-error';
import type { ImageRecord } from '../ports/admin-store';
import type { Actor, Store } from '../ports/store';
import { adminIdSchema } from './admin-input';
import { parseAdminInput } from './quota-limits';
import { requireAdmin } from './require-admin';

/** Marks an app layer retired (or back in use); the base image cannot be retired. */
export async function retireImage(opts: { store: Store; actor: Actor; id: string; retired: boolean; now?: Date }): Promise<ImageRecord> {
  const actor = requireAdmin(opts.actor);
  const id = parseAdminInput(adminIdSchema, opts.id, 'image id');
  if (typeof opts.retired !== 'boolean') throw new AppError('VALIDATION', 'retired must be true or false');
  return opts.store.transaction(async (tx) => {
    const before = await tx.admin.images.lock(id);
    if (!before) throw new AppError('NOT_FOUND', `no image with id ${id}`);
    if (before.kind === 'base') throw new AppError('CONFLICT', 'the base desktop image cannot be retired');
    if (Boolean(before.retiredAt) === opts.retired) return before;
    const after = await tx.admin.images.update(id, { retiredAt: opts.retired ? (opts.now ?? new Date()) : null });
    await tx.audit.record({ actor, action: opts.retired ? 'image.retire' : 'image.unretire', targetType: 'image', targetId: id, before: { retiredAt: before.retiredAt }, after: { retiredAt: after.retiredAt } });
    return after;
  });
}
