import { AppError } from '../errors/app-error';
import type { Actor, EnvironmentRecord } from '../ports/store';

/**
 * Someone else's environment answers exactly like a missing one, so ids
 * cannot be probed.
 */
export function assertCanAccess(actor: Actor, env: EnvironmentRecord | null, id: string): EnvironmentRecord {
  if (!env || (actor.kind === 'user' && !actor.isAdmin && env.ownerId !== actor.id)) {
    throw new AppError('NOT_FOUND', `no environment with id ${id}`);
  }
  return env;
}

export function requireUser(actor: Actor): string {
  if (actor.kind !== 'user' || !actor.id) throw new AppError('UNAUTHENTICATED', 'sign in first');
  return actor.id;
}
