import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { issueApiToken } from '../../auth/api-tokens';
import { verifyCredentials } from '../../auth/verify-credentials';
import { protectedProcedure, publicProcedure, router } from '../trpc';

export const authRouter = router({
  /** Lets scripts and the CLI trade credentials for a short-lived bearer token. */
  issueToken: publicProcedure
    .input(z.object({ email: z.string().email().max(254), password: z.string().min(1).max(1024), name: z.string().min(1).max(64).default('cli'), ttlHours: z.number().min(0.1).max(720).default(12) }))
    .mutation(async ({ ctx, input }) => {
      const user = await verifyCredentials(ctx.prisma, input.email, input.password);
      if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'wrong email or password' });
      return issueApiToken(ctx.prisma, { userId: user.id, name: input.name, ttlHours: input.ttlHours });
    }),

  me: protectedProcedure.query(({ ctx }) => ctx.user),
});
