import { z } from 'zod';
import { composeRequest, refineEnvironment } from '@genos/core';
import { composerSettingsFor } from '../../composer-settings';
import { timeComposer } from '../../ops/web-metrics';
import { protectedProcedure, router } from '../trpc';

// API tokens need the `composer` scope.
const composerProcedure = protectedProcedure.meta({ scope: 'composer' });

// The composer refuses over-long text with a typed TOO_LARGE error; this bound only stops abuse.
const text = z.string().max(100_000);

export const composerRouter = router({
  compose: composerProcedure
    .input(z.object({ request: text }))
    .mutation(async ({ ctx, input }) => {
      const settings = ctx.composer ?? (await composerSettingsFor({ store: ctx.store, userId: ctx.user.id }));
      return timeComposer('compose', () => composeRequest({ request: input.request, ...settings }));
    }),

  refine: composerProcedure
    .input(z.object({ spec: z.unknown(), instruction: text }))
    .mutation(async ({ ctx, input }) => {
      const settings = ctx.composer ?? (await composerSettingsFor({ store: ctx.store, userId: ctx.user.id }));
      return timeComposer('refine', () => refineEnvironment({ spec: input.spec, instruction: input.instruction, ...settings }));
    }),
});
