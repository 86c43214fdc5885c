import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { authorizeEnvironment, requireUser } from './authorize';

export async function getEnvironment(opts: { store: Store; actor: Actor; id: string }): Promise<EnvironmentRecord> {
  requireUser(opts.actor);
  return authorizeEnvironment({ teams: opts.store.teams, actor: opts.actor, env: await opts.store.environments.findById(opts.id), id: opts.id, action: 'read' });
}
