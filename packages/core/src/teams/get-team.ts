import { AppError } from '../errors/app-error';
import type { Actor, InvitationRecord, Store, TeamMemberRecord, TeamRecord, TeamRole } from '../ports/store';
import { requireTeamRole, teamRoleAtLeast } from '../environments/authorize';
import { parseTeamInput, teamIdSchema } from './team-input';

/**
 * A team, its members and (for its owners and admins) the pending
 * invitations. Any member may read it; others get NOT_FOUND.
 */
export async function getTeam(opts: { store: Store; actor: Actor; teamId: string; now?: Date }): Promise<
  TeamRecord & { role: TeamRole; members: TeamMemberRecord[]; invitations: InvitationRecord[] }
> {
  const teamId = parseTeamInput(teamIdSchema, opts.teamId, 'team id');
  return opts.store.transaction(async (tx) => {
    const role = await requireTeamRole({ teams: tx.teams, actor: opts.actor, teamId, min: 'viewer' });
    const team = await tx.teams.findById(teamId);
    if (!team) throw new AppError('NOT_FOUND', `no team with id ${teamId}`);
    const invitations = teamRoleAtLeast(role, 'admin') ? await tx.teams.listInvitations(teamId, opts.now ?? new Date()) : [];
    return { ...team, role, members: await tx.teams.members(teamId), invitations };
  });
}
