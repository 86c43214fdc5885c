import type { AdminUserRecord } from '../ports/admin-store';
import type { Actor, Store } from '../ports/store';
import { requireAdmin } from './require-admin';

/** Every account with its role, second factor, lock and last activity. */
export async function listUsers(opts: { store: Store; actor: Actor; now?: Date }): Promise<(AdminUserRecord & { locked: boolean })[]> {
  requireAdmin(opts.actor);
  const now = (opts.now ?? new Date()).getTime();
  return (await opts.store.admin.users.list()).map((u) => ({ ...u, locked: Boolean(u.lockedUntil && u.lockedUntil.getTime() > now) }));
}
