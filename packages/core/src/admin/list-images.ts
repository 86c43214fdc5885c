import type { ImageRecord } from '../ports/admin-store';
import type { Actor, Store } from '../ports/store';
import { requireAdmin } from './require-admin';

/** Every image (base and app layers), newest first, without the build logs (see getImage). */
export async function listImages(opts: { store: Store; actor: Actor }): Promise<(Omit<ImageRecord, 'buildLog'> & { logChars: number })[]> {
  requireAdmin(opts.actor);
  return (await opts.store.admin.images.list()).map(({ buildLog, ...img }) => ({ ...img, logChars: buildLog?.length ?? 0 }));
}
