import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { requireTeamRole, requireUser, visibleTeamIds } from './authorize';

/**
 * The caller's own environments and, in teams where they are owner, admin or
 * viewer, everyone's (authorize.ts). `teamId` narrows the list to one team
 * the caller belongs to (a member then sees only their own there).
 */
export async function listEnvironments(opts: {
  store: Store;
  actor: Actor;
  includeTerminated?: boolean;
  limit?: number;
  teamId?: string | null;
}): Promise<EnvironmentRecord[]> {
  const ownerId = requireUser(opts.actor);
  if (opts.teamId) await requireTeamRole({ teams: opts.store.teams, actor: opts.actor, teamId: opts.teamId, min: 'viewer' });
  return opts.store.environments.listVisible({
    ownerId,
    teamIds: await visibleTeamIds(opts.store, ownerId),
    onlyTeamId: opts.teamId ?? null,
    includeTerminated: opts.includeTerminated ?? false,
    limit: Math.min(opts.limit ?? 50, 200),
  });
}
