import { auditRefusal, requireUser } from '../environments/authorize';
import type { Actor, Store } from '../ports/store';
import { authorizeControl } from './authorize-control';
import { PROGRAM_LEASE_MS } from './control-lease';
import { describeControl, type ControlStatus } from './get-control-status';

/**
 * The person hands control back: the program they took it from holds the
 * lease again (a fresh one, as if it had just called), or nobody when there
 * was none or programs are now forbidden. Handing back what one does not
 * hold changes nothing. Audited as `control.hand_back`.
 */
export async function handBackControl(opts: { store: Store; actor: Actor; id: string; now?: Date }): Promise<ControlStatus> {
  requireUser(opts.actor);
  const now = opts.now ?? new Date();
  return auditRefusal({ store: opts.store, actor: opts.actor, action: 'control.hand_back', targetType: 'environment', targetId: opts.id }, async () => {
    await authorizeControl(opts);
    return opts.store.transaction(async (tx) => {
      const lease = await tx.controls.lock(opts.id);
      if (lease.holderKind !== 'person') return describeControl(tx.controls, lease, now);
      const to = lease.programsAllowed ? lease.suspendedTokenId : null;
      const next = await tx.controls.update(
        opts.id,
        to
          ? { holderKind: 'program', tokenId: to, userId: null, suspendedTokenId: null, expiresAt: new Date(now.getTime() + PROGRAM_LEASE_MS) }
          : { holderKind: null, userId: null, suspendedTokenId: null, expiresAt: null },
      );
      await tx.audit.record({
        actor: opts.actor,
        action: 'control.hand_back',
        targetType: 'environment',
        targetId: opts.id,
        before: { holder: 'person', userId: lease.userId },
        after: { holder: to ? 'program' : null, tokenId: to },
      });
      return describeControl(tx.controls, next, now);
    });
  });
}
