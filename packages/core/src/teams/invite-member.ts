import { randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error';
import type { Actor, InvitationRecord, Store, TeamRole } from '../ports/store';
import { auditRefusal, requireTeamRole, requireUser } from '../environments/authorize';
import { INVITATION_TTL_MS, inviteEmailSchema, parseTeamInput, sha256, teamIdSchema, teamRoleSchema } from './team-input';

/**
 * Invites an email address into a team with a role (team owners and admins;
 * only an owner invites an owner). Returns the link's secret token once:
 * only its sha256 is stored. It expires in 7 days.
 */
export async function inviteMember(opts: { store: Store; actor: Actor; teamId: string; email: string; role: TeamRole; now?: Date }): Promise<{ invitation: InvitationRecord; token: string }> {
  const userId = requireUser(opts.actor);
  const teamId = parseTeamInput(teamIdSchema, opts.teamId, 'team id');
  const email = parseTeamInput(inviteEmailSchema, opts.email, 'email');
  const role = parseTeamInput(teamRoleSchema, opts.role, 'role');
  const now = opts.now ?? new Date();
  const audit = { store: opts.store, actor: opts.actor, action: 'team.invite', targetType: 'team', targetId: teamId, attempted: { email, role } };
  return auditRefusal(audit, () =>
    opts.store.transaction(async (tx) => {
      const mine = await requireTeamRole({ teams: tx.teams, actor: opts.actor, teamId, min: 'admin', doing: 'inviting' });
      if (role === 'owner' && mine !== 'owner') throw new AppError('FORBIDDEN', 'only an owner can invite another owner');
      const token = `inv_${randomBytes(24).toString('base64url')}`;
      const invitation = await tx.teams.insertInvitation({ teamId, email, role, hash: sha256(token), invitedBy: userId, expiresAt: new Date(now.getTime() + INVITATION_TTL_MS) });
      await tx.audit.record({ actor: opts.actor, action: 'team.invite', targetType: 'team', targetId: teamId, before: null, after: invitation });
      return { invitation, token };
    }),
  );
}
