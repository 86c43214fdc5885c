import { AppError } from '../errors/app-error';
import type { Actor } from '../ports/store';

/** Admin use-cases check the actor themselves too, whatever the transport did. */
export function requireAdmin(actor: Actor): Actor & { kind: 'user'; id: string } {
  if (actor.kind !== 'user' || !actor.id) throw new AppError('UNAUTHENTICATED', 'sign in first');
  if (!actor.isAdmin) throw new AppError('FORBIDDEN', 'administrators only');
  return actor as Actor & { kind: 'user'; id: string };
}
