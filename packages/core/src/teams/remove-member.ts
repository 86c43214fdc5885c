import { AppError } from '../errors/app-error';
import type { Actor, Store } from '../ports/store';
import { auditRefusal, requireTeamRole, requireUser } from '../environments/authorize';
import { parseTeamInput, teamIdSchema, userIdSchema } from './team-input';

/**
 * Removes a member from a team (team owners and admins; anyone may remove
 * themselves). Only an owner removes an owner; the last owner stays. Their
 * environments stay theirs and keep the team (quota) they were created in.
 */
export async function removeMember(opts: { store: Store; actor: Actor; teamId: string; userId: string }): Promise<{ teamId: string; userId: string; removed: boolean }> {
  const actorId = requireUser(opts.actor);
  const teamId = parseTeamInput(teamIdSchema, opts.teamId, 'team id');
  const userId = parseTeamInput(userIdSchema, opts.userId, 'user id');
  const audit = { store: opts.store, actor: opts.actor, action: 'team.member.remove', targetType: 'team', targetId: teamId, attempted: { userId } };
  return auditRefusal(audit, () =>
    opts.store.transaction(async (tx) => {
      await tx.lock(`genos:team:${teamId}`);
      const self = userId === actorId;
      const mine = await requireTeamRole({ teams: tx.teams, actor: opts.actor, teamId, min: self ? 'viewer' : 'admin', doing: 'removing members' });
      const before = await tx.teams.role(teamId, userId);
      if (!before) throw new AppError('NOT_FOUND', `no member ${userId} in this team`);
      if (before === 'owner' && mine !== 'owner') throw new AppError('FORBIDDEN', 'only an owner can remove an owner');
      if (before === 'owner' && (await tx.teams.countOwners(teamId)) <= 1) throw new AppError('CONFLICT', 'the last owner cannot be removed; make someone else an owner first');
      await tx.teams.removeMember(teamId, userId);
      await tx.audit.record({ actor: opts.actor, action: 'team.member.remove', targetType: 'team', targetId: teamId, before: { userId, role: before }, after: null });
      return { teamId, userId, removed: true };
    }),
  );
}
