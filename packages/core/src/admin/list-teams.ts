import type { AdminTeamRecord } from '../ports/admin-store';
import type { Actor, Store } from '../ports/store';
import { requireAdmin } from './require-admin';

/** Every team with its members and their team roles. */
export async function listTeams(opts: { store: Store; actor: Actor }): Promise<AdminTeamRecord[]> {
  requireAdmin(opts.actor);
  return opts.store.admin.teams.list();
}
