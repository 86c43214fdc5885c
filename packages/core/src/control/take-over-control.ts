import { auditRefusal, requireUser } from '../environments/authorize';
import type { Actor, Store } from '../ports/store';
import { authorizeControl } from './authorize-control';
import { currentHolder } from './control-lease';
import { describeControl, type ControlStatus } from './get-control-status';

/**
 * The owner takes control in the browser: a program holding the lease is
 * suspended (its calls fail with CONTROL_TAKEN naming the owner) until
 * hand-back. Taking over twice changes nothing. Audited as `control.take_over`.
 */
export async function takeOverControl(opts: { store: Store; actor: Actor; id: string; now?: Date }): Promise<ControlStatus> {
  const userId = requireUser(opts.actor);
  const now = opts.now ?? new Date();
  return auditRefusal({ store: opts.store, actor: opts.actor, action: 'control.take_over', targetType: 'environment', targetId: opts.id }, async () => {
    await authorizeControl(opts);
    return opts.store.transaction(async (tx) => {
      const lease = await tx.controls.lock(opts.id);
      const holder = currentHolder(lease, now);
      if (holder?.kind === 'person' && holder.userId === userId) return describeControl(tx.controls, lease, now);
      // An expired program is suspended too: hand-back gives it a fresh lease.
      const suspended = lease.holderKind === 'program' ? lease.tokenId : lease.suspendedTokenId;
      const next = await tx.controls.update(opts.id, { holderKind: 'person', userId, suspendedTokenId: suspended, expiresAt: null });
      await tx.audit.record({
        actor: opts.actor,
        action: 'control.take_over',
        targetType: 'environment',
        targetId: opts.id,
        before: { holder: holder?.kind ?? null, tokenId: holder?.kind === 'program' ? holder.tokenId : null },
        after: { holder: 'person', userId, suspendedTokenId: suspended },
      });
      return describeControl(tx.controls, next, now);
    });
  });
}
