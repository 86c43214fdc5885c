import { z } from 'zod';
import { composeRequest, refineEnvironment } from '@genos/core';
import { composerSettingsFor } from '../../composer-settings';
import { protectedProcedure, router } from '../trpc';

// API tokens need the `composer` scope.
const composerProcedure = protectedProcedure.meta({ scope: 'composer' });

// The composer refuses over-long text with a typed TOO_LARGE error; this bound only stops abuse.
const text = z.string().max(100_000);

export const composerRouter = router({
  compose: composerProcedure
    .input(z.object({ request: text }))
    .mutation(async ({ ctx, input }) => composeRequest({ request: input.request, ...(ctx.composer ?? (await composerSettingsFor({ store: ctx.store, userId: ctx.user.id }))) })),

  refine: composerProcedure
    .input(z.object({ spec: z.unknown(), instruction: text }))
    .mutation(async ({ ctx, input }) =>
      refineEnvironment({ spec: input.spec, instruction: input.instruction, ...(ctx.composer ?? (await composerSettingsFor({ store: ctx.store, userId: ctx.user.id }))) }),
    ),
});
