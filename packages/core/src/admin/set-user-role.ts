import { AppError } from '../errors/app-error';
import type { AdminUserRecord } from '../ports/admin-store';
import type { Actor, Store } from '../ports/store';
import { adminIdSchema, globalRoleSchema } from './admin-input';
import { parseAdminInput } from './quota-limits';
import { requireAdmin } from './require-admin';

/**
 * Makes a user an admin or takes it back. The last active admin cannot
 * demote themselves (nobody could undo it). Audited with before and after.
 */
export async function setUserRole(opts: { store: Store; actor: Actor; userId: string; role: 'admin' | 'user' }): Promise<AdminUserRecord> {
  const actor = requireAdmin(opts.actor);
  const userId = parseAdminInput(adminIdSchema, opts.userId, 'user id');
  const role = parseAdminInput(globalRoleSchema, opts.role, 'role');
  return opts.store.transaction(async (tx) => {
    await tx.lock('genos:admins');
    const before = await tx.admin.users.find(userId);
    if (!before) throw new AppError('NOT_FOUND', `no user with id ${userId}`);
    if (before.role === role) return before;
    if (role === 'user' && before.role === 'admin' && !before.disabledAt && (await tx.admin.users.countActiveAdmins()) <= 1) {
      throw new AppError('CONFLICT', userId === actor.id ? 'you are the last admin: make someone else an admin first' : 'this is the last admin');
    }
    const after = await tx.admin.users.update(userId, { role });
    await tx.audit.record({ actor, action: 'user.role', targetType: 'user', targetId: userId, before: { role: before.role }, after: { role: after.role } });
    return after;
  });
}
