import { AppError } from '../errors/app-error';
import { auditRefusal } from '../environments/authorize';
import type { Actor, Store } from '../ports/store';
import { decideProgramCall } from './control-lease';
import { controlTaken, programName, PROGRAMS_FORBIDDEN } from './control-names';

/**
 * A program's call takes (or keeps) the desktop's control lease, or is
 * refused: FORBIDDEN when the owner forbade programs, CONTROL_TAKEN naming
 * the holder when a person took over or another program holds it. Grants
 * and refusals are audited (`control.granted`, `control.denied`). Returns
 * the program's name for the action log.
 */
export async function acquireControlLease(opts: { store: Store; actor: Actor; environmentId: string; tokenId: string; now: Date }): Promise<string> {
  const { store, environmentId, tokenId, now } = opts;
  // Most calls of a program that holds the lease only read it.
  const seen = decideProgramCall(await store.controls.find(environmentId), tokenId, now);
  if (seen.kind === 'keep') return programName(store.controls, tokenId);
  return auditRefusal({ store, actor: opts.actor, action: 'control', targetType: 'environment', targetId: environmentId, attempted: { tokenId } }, () =>
    store.transaction(async (tx) => {
      const lease = await tx.controls.lock(environmentId);
      const decision = decideProgramCall(lease, tokenId, now);
      if (decision.kind === 'forbidden') throw new AppError('FORBIDDEN', PROGRAMS_FORBIDDEN);
      if (decision.kind === 'taken') throw await controlTaken(tx.controls, decision.by);
      const name = await programName(tx.controls, tokenId);
      if (decision.kind === 'hold') {
        // A person's hold and a suspended program are gone by now (decideProgramCall); clear what is stale.
        await tx.controls.update(environmentId, { holderKind: 'program', tokenId, userId: null, expiresAt: decision.expiresAt, suspendedTokenId: lease.suspendedTokenId === tokenId ? null : lease.suspendedTokenId });
        if (decision.granted) {
          await tx.audit.record({
            actor: opts.actor,
            action: 'control.granted',
            targetType: 'environment',
            targetId: environmentId,
            before: { holder: lease.holderKind, tokenId: lease.tokenId },
            after: { holder: 'program', tokenId, program: name, expiresAt: decision.expiresAt.toISOString() },
          });
        }
      }
      return name;
    }),
  );
}
