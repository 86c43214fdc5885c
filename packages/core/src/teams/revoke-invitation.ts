import { AppError } from '../errors/app-error';
import type { Actor, InvitationRecord, Store } from '../ports/store';
import { auditRefusal, requireTeamRole, requireUser } from '../environments/authorize';
import { invitationIdSchema, parseTeamInput } from './team-input';

/** Revokes a pending invitation (team owners and admins). Revoking twice changes nothing. */
export async function revokeInvitation(opts: { store: Store; actor: Actor; invitationId: string; now?: Date }): Promise<InvitationRecord> {
  requireUser(opts.actor);
  const id = parseTeamInput(invitationIdSchema, opts.invitationId, 'invitation id');
  const audit = { store: opts.store, actor: opts.actor, action: 'team.invitation.revoke', targetType: 'invitation', targetId: id };
  return auditRefusal(audit, () =>
    opts.store.transaction(async (tx) => {
      const inv = await tx.teams.findInvitationById(id);
      if (!inv) throw new AppError('NOT_FOUND', `no invitation with id ${id}`);
      // A non-member of its team gets NOT_FOUND, like a missing invitation.
      await requireTeamRole({ teams: tx.teams, actor: opts.actor, teamId: inv.teamId, min: 'admin', doing: 'revoking an invitation' });
      if (inv.revokedAt) return inv;
      if (inv.acceptedAt) throw new AppError('CONFLICT', 'this invitation was already accepted; remove the member instead');
      const revoked = await tx.teams.updateInvitation(id, { revokedAt: opts.now ?? new Date() });
      await tx.audit.record({ actor: opts.actor, action: 'team.invitation.revoke', targetType: 'invitation', targetId: id, before: inv, after: revoked });
      return revoked;
    }),
  );
}
