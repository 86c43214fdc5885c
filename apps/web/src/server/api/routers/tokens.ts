import { z } from 'zod';
import { API_SCOPES } from '@genos/core';
import { issueApiToken, listApiTokens, revokeApiToken } from '../../auth/api-tokens';
import { protectedProcedure, router } from '../trpc';

// Thin: validate, call one function in auth/api-tokens.ts (hashed at rest, scoped, expiring, revocable, audited).
// Token callers need the `tokens` scope, and a token can only issue tokens with scopes it has itself.
const tokenProcedure = protectedProcedure.meta({ scope: 'tokens' });

export const tokensRouter = router({
  /** A new token for internal tools; the secret is in the answer and nowhere else. */
  issue: tokenProcedure
    .input(
      z
        .object({
          name: z.string().trim().min(1).max(64),
          scopes: z.array(z.enum(API_SCOPES)).min(1).max(API_SCOPES.length).optional(),
          ttlHours: z.number().min(0.1).max(24 * 365).default(24 * 30),
        })
        .strict(),
    )
    .mutation(({ ctx, input }) =>
      issueApiToken(ctx.prisma, { userId: ctx.user.id, role: ctx.user.role, name: input.name, scopes: input.scopes, ttlHours: input.ttlHours, within: ctx.token?.scopes ?? null, ip: ctx.ip }),
    ),

  list: tokenProcedure.query(({ ctx }) => listApiTokens(ctx.prisma, { userId: ctx.user.id })),

  revoke: tokenProcedure
    .input(z.object({ id: z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'not a token id') }).strict())
    .mutation(({ ctx, input }) => revokeApiToken(ctx.prisma, { userId: ctx.user.id, id: input.id, ip: ctx.ip })),
});
