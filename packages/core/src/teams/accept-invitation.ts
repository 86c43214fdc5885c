import { AppError } from '../errors/app-error';
import type { Actor, Store, TeamRecord, TeamRole } from '../ports/store';
import { auditRefusal, requireUser } from '../environments/authorize';
import { invitationTokenSchema, parseTeamInput, sha256 } from './team-input';

/**
 * Joins the team an invitation names, with its role. Only the signed-in user
 * whose email the invitation was sent to may accept it; an unknown, expired,
 * revoked or used token answers NOT_FOUND, so tokens cannot be probed.
 */
export async function acceptInvitation(opts: { store: Store; actor: Actor; token: string; now?: Date }): Promise<TeamRecord & { role: TeamRole }> {
  const userId = requireUser(opts.actor);
  const token = parseTeamInput(invitationTokenSchema, opts.token, 'invitation token');
  const now = opts.now ?? new Date();
  const hash = sha256(token);
  const found = await opts.store.transaction((tx) => tx.teams.findInvitationByHash(hash));
  const audit = { store: opts.store, actor: opts.actor, action: 'team.invitation.accept', targetType: 'invitation', targetId: found?.id ?? null };
  return auditRefusal(audit, () =>
    opts.store.transaction(async (tx) => {
      await tx.lock(`genos:invitation:${hash}`);
      const inv = await tx.teams.findInvitationByHash(hash);
      if (!inv || inv.revokedAt || inv.acceptedAt || inv.expiresAt <= now) throw new AppError('NOT_FOUND', 'this invitation does not exist, has expired or was already used');
      const email = await tx.teams.userEmail(userId);
      if (email !== inv.email.toLowerCase()) throw new AppError('FORBIDDEN', 'this invitation was sent to another email address');
      const team = await tx.teams.findById(inv.teamId);
      if (!team) throw new AppError('NOT_FOUND', 'the team of this invitation no longer exists');
      await tx.lock(`genos:team:${team.id}`);
      const current = await tx.teams.role(team.id, userId);
      if (current) throw new AppError('CONFLICT', `you are already ${current === 'owner' || current === 'admin' ? 'an' : 'a'} ${current} of ${team.name}`);
      await tx.teams.addMember(team.id, userId, inv.role);
      const accepted = await tx.teams.updateInvitation(inv.id, { acceptedAt: now });
      await tx.audit.record({ actor: opts.actor, action: 'team.invitation.accept', targetType: 'invitation', targetId: inv.id, before: inv, after: { ...accepted, member: { userId, role: inv.role } } });
      return { ...team, role: inv.role };
    }),
  );
}
