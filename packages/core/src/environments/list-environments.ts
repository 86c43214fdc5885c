import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { requireUser } from './authorize';

export async function listEnvironments(opts: {
  store: Store;
  actor: Actor;
  includeTerminated?: boolean;
  limit?: number;
}): Promise<EnvironmentRecord[]> {
  const ownerId = requireUser(opts.actor);
  return opts.store.environments.listByOwner(ownerId, {
    includeTerminated: opts.includeTerminated ?? false,
    limit: Math.min(opts.limit ?? 50, 200),
  });
}
