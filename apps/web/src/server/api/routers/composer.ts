import { z } from 'zod';
import { composeRequest, refineEnvironment } from '@genos/core';
import { composerSettings } from '../../composer-settings';
import { protectedProcedure, router } from '../trpc';

// The composer refuses over-long text with a typed TOO_LARGE error; this bound only stops abuse.
const text = z.string().max(100_000);

export const composerRouter = router({
  compose: protectedProcedure
    .input(z.object({ request: text }))
    .mutation(({ ctx, input }) => composeRequest({ request: input.request, ...(ctx.composer ?? composerSettings()) })),

  refine: protectedProcedure
    .input(z.object({ spec: z.unknown(), instruction: text }))
    .mutation(({ ctx, input }) => refineEnvironment({ spec: input.spec, instruction: input.instruction, ...(ctx.composer ?? composerSettings()) })),
});
