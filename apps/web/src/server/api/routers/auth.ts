import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { issueApiToken } from '../../auth/api-tokens';
import { cancelTotpEnrolment, confirmTotpEnrolment, disableTotp, startTotpEnrolment, totpStatus } from '../../auth/mfa';
import { listSessions, revokeSessions } from '../../auth/sessions';
import { attemptPasswordSignIn, signInMessage } from '../../auth/sign-in';
import { protectedProcedure, publicProcedure, router } from '../trpc';
import { tokensRouter } from './tokens';

const sessionIdSchema = z.string().min(1).max(64);
const codeSchema = z.string().trim().min(6).max(64);

export const authRouter = router({
  /** Lets scripts and the CLI trade credentials (and the TOTP code, when on) for a short-lived bearer token. */
  issueToken: publicProcedure
    .input(
      z.object({
        email: z.string().email().max(254),
        password: z.string().min(1).max(1024),
        code: z.string().max(64).optional(),
        name: z.string().min(1).max(64).default('cli'),
        ttlHours: z.number().min(0.1).max(720).default(12),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await attemptPasswordSignIn(ctx.prisma, { email: input.email, password: input.password, code: input.code, ip: ctx.ip });
      if (!result.ok) {
        const code = result.reason === 'locked' || result.reason === 'rate-limited' ? 'TOO_MANY_REQUESTS' : 'UNAUTHORIZED';
        throw new TRPCError({ code, message: result.reason === 'invalid' ? 'wrong email or password' : signInMessage(result) });
      }
      return issueApiToken(ctx.prisma, { userId: result.user.id, name: input.name, ttlHours: input.ttlHours, ip: ctx.ip });
    }),

  me: protectedProcedure.meta({ scope: 'any' }).query(({ ctx }) => ctx.user),

  /** API tokens for internal tools: issue (secret shown once), list, revoke. */
  tokens: tokensRouter,

  /** The caller's own browser sessions. */
  sessions: router({
    list: protectedProcedure.query(({ ctx }) => listSessions(ctx.prisma, ctx.user.id, ctx.sessionId ?? null)),

    revoke: protectedProcedure.input(z.object({ id: sessionIdSchema }).strict()).mutation(async ({ ctx, input }) => {
      const n = await revokeSessions(ctx.prisma, { actorId: ctx.user.id, userId: ctx.user.id, ip: ctx.ip, which: { id: input.id } });
      if (!n) throw new TRPCError({ code: 'NOT_FOUND', message: 'no such session' });
      return { revoked: n };
    }),

    /** Every session but the one making the request. */
    revokeOthers: protectedProcedure.mutation(async ({ ctx }) => ({
      revoked: await revokeSessions(ctx.prisma, { actorId: ctx.user.id, userId: ctx.user.id, ip: ctx.ip, which: { allExcept: ctx.sessionId ?? null } }),
    })),
  }),

  /** TOTP second factor: start → confirm (returns the recovery codes once) → disable. */
  totp: router({
    status: protectedProcedure.query(({ ctx }) => totpStatus(ctx.prisma, ctx.user.id)),
    start: protectedProcedure.mutation(({ ctx }) => startTotpEnrolment(ctx.prisma, { userId: ctx.user.id, ip: ctx.ip })),
    confirm: protectedProcedure
      .input(z.object({ code: codeSchema }).strict())
      .mutation(({ ctx, input }) => confirmTotpEnrolment(ctx.prisma, { userId: ctx.user.id, ip: ctx.ip, code: input.code })),
    cancel: protectedProcedure.mutation(({ ctx }) => cancelTotpEnrolment(ctx.prisma, { userId: ctx.user.id, ip: ctx.ip })),
    disable: protectedProcedure
      .input(z.object({ code: codeSchema }).strict())
      .mutation(({ ctx, input }) => disableTotp(ctx.prisma, { userId: ctx.user.id, ip: ctx.ip, code: input.code })),
  }),
});
