import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { assertCanAccess, requireUser } from './authorize';

export async function getEnvironment(opts: { store: Store; actor: Actor; id: string }): Promise<EnvironmentRecord> {
  requireUser(opts.actor);
  return assertCanAccess(opts.actor, await opts.store.environments.findById(opts.id), opts.id);
}
