import { auditRefusal, requireUser } from '../environments/authorize';
import type { Actor, Store } from '../ports/store';
import { authorizeControl } from './authorize-control';
import { describeControl, type ControlStatus } from './get-control-status';

/**
 * The owner allows or forbids programs on the desktop. Forbidding ends a
 * program's lease at once (its next call is FORBIDDEN) and forgets a
 * suspended one, so hand-back cannot give control to a program. Audited as
 * `control.programs_allowed` with before and after.
 */
export async function setProgramsAllowed(opts: { store: Store; actor: Actor; id: string; allowed: boolean; now?: Date }): Promise<ControlStatus> {
  requireUser(opts.actor);
  const now = opts.now ?? new Date();
  return auditRefusal({ store: opts.store, actor: opts.actor, action: 'control.programs_allowed', targetType: 'environment', targetId: opts.id, attempted: { allowed: opts.allowed } }, async () => {
    await authorizeControl(opts);
    return opts.store.transaction(async (tx) => {
      const lease = await tx.controls.lock(opts.id);
      if (lease.programsAllowed === opts.allowed) return describeControl(tx.controls, lease, now);
      const next = await tx.controls.update(
        opts.id,
        opts.allowed
          ? { programsAllowed: true }
          : { programsAllowed: false, suspendedTokenId: null, ...(lease.holderKind === 'program' ? { holderKind: null, expiresAt: null } : {}) },
      );
      await tx.audit.record({
        actor: opts.actor,
        action: 'control.programs_allowed',
        targetType: 'environment',
        targetId: opts.id,
        before: { programsAllowed: lease.programsAllowed, holder: lease.holderKind },
        after: { programsAllowed: next.programsAllowed, holder: next.holderKind },
      });
      return describeControl(tx.controls, next, now);
    });
  });
}
