import { AppError } from '../errors/app-error';
import { assertTransition, type EnvironmentState } from '../lifecycle/environment-state';
import type { Actor, EnvironmentPatch, EnvironmentRecord, Tx } from '../ports/store';

/**
 * The single write path for lifecycle changes: lock the row, check the move
 * against the state machine, persist it with its event and audit entry.
 */
export async function transitionEnvironment(opts: {
  tx: Tx;
  id: string;
  to: EnvironmentState;
  actor: Actor;
  reason?: string;
  patch?: Omit<EnvironmentPatch, 'state'>;
  /** Only move when the current state is one of these (lost races are not errors for the caller to parse). */
  expectFrom?: EnvironmentState[];
}): Promise<EnvironmentRecord> {
  const { tx, id, to, actor } = opts;
  const current = await tx.environments.lock(id);
  if (!current) throw new AppError('NOT_FOUND', `no environment with id ${id}`);
  if (opts.expectFrom && !opts.expectFrom.includes(current.state)) {
    throw new AppError('ILLEGAL_TRANSITION', `environment is ${current.state}, expected ${opts.expectFrom.join(' or ')}`, {
      from: current.state,
      to,
    });
  }
  assertTransition(current.state, to);
  const updated = await tx.environments.update(id, { ...opts.patch, state: to });
  await tx.events.append({ environmentId: id, fromState: current.state, toState: to, actor, reason: opts.reason ?? null });
  await tx.audit.record({
    actor,
    action: `environment.${to}`,
    targetType: 'environment',
    targetId: id,
    before: { state: current.state },
    after: { state: to, ...(opts.reason ? { reason: opts.reason } : {}) },
  });
  return updated;
}
