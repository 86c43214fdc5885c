import { z } from 'zod';
import {
  acceptInvitation,
  changeMemberRole,
  createTeam,
  getTeam,
  invitationIdSchema,
  invitationTokenSchema,
  inviteEmailSchema,
  inviteMember,
  listMyTeams,
  removeMember,
  revokeInvitation,
  teamIdSchema,
  teamNameSchema,
  teamRoleSchema,
  userIdSchema,
} from '@genos/core';
import { protectedProcedure, router } from '../trpc';

// Thin: validate, call one use-case. The rules (who may invite, change roles, remove) live in
// packages/core/src/environments/authorize.ts and the use-cases, which audit every change and refusal.
const readProcedure = protectedProcedure.meta({ scope: 'teams:read' });
const writeProcedure = protectedProcedure.meta({ scope: 'teams:write' });

export const teamsRouter = router({
  create: writeProcedure.input(z.object({ name: teamNameSchema }).strict()).mutation(({ ctx, input }) => createTeam({ store: ctx.store, actor: ctx.actor, name: input.name })),

  /** The teams the caller belongs to, with their role. */
  list: readProcedure.query(({ ctx }) => listMyTeams({ store: ctx.store, actor: ctx.actor })),

  /** Members (and, for owners and admins, pending invitations) of one of the caller's teams. */
  get: readProcedure.input(z.object({ teamId: teamIdSchema }).strict()).query(({ ctx, input }) => getTeam({ store: ctx.store, actor: ctx.actor, teamId: input.teamId })),

  /** Returns the invitation link's secret once; only its sha256 is stored. */
  invite: writeProcedure
    .input(z.object({ teamId: teamIdSchema, email: inviteEmailSchema, role: teamRoleSchema.default('member') }).strict())
    .mutation(({ ctx, input }) => inviteMember({ store: ctx.store, actor: ctx.actor, ...input })),

  acceptInvitation: writeProcedure
    .input(z.object({ token: invitationTokenSchema }).strict())
    .mutation(({ ctx, input }) => acceptInvitation({ store: ctx.store, actor: ctx.actor, token: input.token })),

  revokeInvitation: writeProcedure
    .input(z.object({ invitationId: invitationIdSchema }).strict())
    .mutation(({ ctx, input }) => revokeInvitation({ store: ctx.store, actor: ctx.actor, invitationId: input.invitationId })),

  changeRole: writeProcedure
    .input(z.object({ teamId: teamIdSchema, userId: userIdSchema, role: teamRoleSchema }).strict())
    .mutation(({ ctx, input }) => changeMemberRole({ store: ctx.store, actor: ctx.actor, ...input })),

  removeMember: writeProcedure
    .input(z.object({ teamId: teamIdSchema, userId: userIdSchema }).strict())
    .mutation(({ ctx, input }) => removeMember({ store: ctx.store, actor: ctx.actor, ...input })),
});
