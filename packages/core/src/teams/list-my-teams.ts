import type { Actor, Store, TeamRecord, TeamRole } from '../ports/store';
import { requireUser } from '../environments/authorize';

/** The teams the caller belongs to, with their role in each. */
export async function listMyTeams(opts: { store: Store; actor: Actor }): Promise<(TeamRecord & { role: TeamRole })[]> {
  return opts.store.teams.listForUser(requireUser(opts.actor));
}
