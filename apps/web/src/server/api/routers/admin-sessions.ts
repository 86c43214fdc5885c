import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { listSessions, revokeSessions } from '../../auth/sessions';
import { adminProcedure, router } from '../trpc';

const id = z.string().min(1).max(64);

/** admin.sessions.*: any user's browser sessions, listed and revoked (each revocation audited with the admin as actor). */
export const adminSessionsRouter = router({
  list: adminProcedure.input(z.object({ userId: id }).strict()).query(({ ctx, input }) => listSessions(ctx.prisma, input.userId, ctx.sessionId ?? null)),

  revoke: adminProcedure.input(z.object({ sessionId: id }).strict()).mutation(async ({ ctx, input }) => {
    const row = await ctx.prisma.session.findUnique({ where: { id: input.sessionId }, select: { userId: true } });
    if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'no such session' });
    return { revoked: await revokeSessions(ctx.prisma, { actorId: ctx.user.id, userId: row.userId, ip: ctx.ip, which: { id: input.sessionId } }) };
  }),

  /** Signs a user out everywhere. */
  revokeAll: adminProcedure.input(z.object({ userId: id }).strict()).mutation(async ({ ctx, input }) => ({
    revoked: await revokeSessions(ctx.prisma, { actorId: ctx.user.id, userId: input.userId, ip: ctx.ip, which: { allExcept: input.userId === ctx.user.id ? (ctx.sessionId ?? null) : null } }),
  })),
});
