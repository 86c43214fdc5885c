import { AppError } from '../errors/app-error';
import type { ImageRecord } from '../ports/admin-store';
import type { Actor, Store } from '../ports/store';
import { adminIdSchema } from './admin-input';
import { parseAdminInput } from './quota-limits';
import { requireAdmin } from './require-admin';

/** One image with its build log (the page polls this while it builds). */
export async function getImage(opts: { store: Store; actor: Actor; id: string }): Promise<ImageRecord> {
  requireAdmin(opts.actor);
  const id = parseAdminInput(adminIdSchema, opts.id, 'image id');
  const img = await opts.store.admin.images.findById(id);
  if (!img) throw new AppError('NOT_FOUND', `no image with id ${id}`);
  return img;
}
