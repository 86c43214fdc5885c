import { AppError } from '../errors/app-error';
import type { AdminUserRecord } from '../ports/admin-store';
import type { Actor, Store } from '../ports/store';
import { adminIdSchema } from './admin-input';
import { parseAdminInput } from './quota-limits';
import { requireAdmin } from './require-admin';

/**
 * Disables an account (it can no longer sign in; its browser sessions end)
 * or enables it again. Admins cannot disable themselves, nor the last admin.
 */
export async function setUserDisabled(opts: { store: Store; actor: Actor; userId: string; disabled: boolean; now?: Date }): Promise<AdminUserRecord> {
  const actor = requireAdmin(opts.actor);
  const userId = parseAdminInput(adminIdSchema, opts.userId, 'user id');
  if (typeof opts.disabled !== 'boolean') throw new AppError('VALIDATION', 'disabled must be true or false');
  return opts.store.transaction(async (tx) => {
    await tx.lock('genos:admins');
    const before = await tx.admin.users.find(userId);
    if (!before) throw new AppError('NOT_FOUND', `no user with id ${userId}`);
    if (Boolean(before.disabledAt) === opts.disabled) return before;
    if (opts.disabled && userId === actor.id) throw new AppError('CONFLICT', 'you cannot disable your own account');
    if (opts.disabled && before.role === 'admin' && (await tx.admin.users.countActiveAdmins()) <= 1) throw new AppError('CONFLICT', 'this is the last admin');
    const after = await tx.admin.users.update(userId, { disabledAt: opts.disabled ? (opts.now ?? new Date()) : null });
    const revoked = opts.disabled ? await tx.admin.users.revokeSessions(userId) : 0;
    await tx.audit.record({
      actor,
      action: opts.disabled ? 'user.disable' : 'user.enable',
      targetType: 'user',
      targetId: userId,
      before: { disabledAt: before.disabledAt },
      after: { disabledAt: after.disabledAt, sessionsRevoked: revoked },
    });
    return after;
  });
}
