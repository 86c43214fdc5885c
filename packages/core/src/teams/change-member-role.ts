import { AppError } from '../errors/app-error';
import type { Actor, Store, TeamRole } from '../ports/store';
import { auditRefusal, requireTeamRole, requireUser } from '../environments/authorize';
import { parseTeamInput, teamIdSchema, teamRoleSchema, userIdSchema } from './team-input';

/**
 * Changes a member's role (team owners and admins). Only an owner grants the
 * owner role or changes an owner's; the last owner cannot be demoted.
 * Refusals are audited as `team.member.role.denied`.
 */
export async function changeMemberRole(opts: { store: Store; actor: Actor; teamId: string; userId: string; role: TeamRole }): Promise<{ teamId: string; userId: string; role: TeamRole }> {
  requireUser(opts.actor);
  const teamId = parseTeamInput(teamIdSchema, opts.teamId, 'team id');
  const userId = parseTeamInput(userIdSchema, opts.userId, 'user id');
  const role = parseTeamInput(teamRoleSchema, opts.role, 'role');
  const audit = { store: opts.store, actor: opts.actor, action: 'team.member.role', targetType: 'team', targetId: teamId, attempted: { userId, role } };
  return auditRefusal(audit, () =>
    opts.store.transaction(async (tx) => {
      await tx.lock(`genos:team:${teamId}`);
      const mine = await requireTeamRole({ teams: tx.teams, actor: opts.actor, teamId, min: 'admin', doing: 'changing roles' });
      const before = await tx.teams.role(teamId, userId);
      if (!before) throw new AppError('NOT_FOUND', `no member ${userId} in this team`);
      if ((role === 'owner' || before === 'owner') && mine !== 'owner') throw new AppError('FORBIDDEN', 'only an owner can grant or take away the owner role');
      if (before === role) return { teamId, userId, role };
      if (before === 'owner' && (await tx.teams.countOwners(teamId)) <= 1) throw new AppError('CONFLICT', 'the last owner cannot be demoted; make someone else an owner first');
      await tx.teams.setRole(teamId, userId, role);
      await tx.audit.record({ actor: opts.actor, action: 'team.member.role', targetType: 'team', targetId: teamId, before: { userId, role: before }, after: { userId, role } });
      return { teamId, userId, role };
    }),
  );
}
