import { z } from 'zod';
import {
  createEnvironment,
  getEnvironment,
  listEnvironments,
  mintConnectionToken,
  terminateEnvironment,
  toPublicEnvironment,
} from '@genos/core';
import { protectedProcedure, router } from '../trpc';

// Ids are cuids; anything else is refused before it reaches the database.
const id = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'not an environment id');
// The request text is stored for the record; the composer already refused anything over 2000 characters.
const request = z.string().max(100_000);

export const environmentsRouter = router({
  create: protectedProcedure
    .input(z.object({ spec: z.unknown(), request: request.nullish() }))
    .mutation(async ({ ctx, input }) =>
      toPublicEnvironment(await createEnvironment({ store: ctx.store, actor: ctx.actor, spec: input.spec, request: input.request?.slice(0, 2000) ?? null })),
    ),

  list: protectedProcedure
    .input(z.object({ includeTerminated: z.boolean().default(false) }).default({ includeTerminated: false }))
    .query(async ({ ctx, input }) =>
      (await listEnvironments({ store: ctx.store, actor: ctx.actor, includeTerminated: input.includeTerminated })).map(toPublicEnvironment),
    ),

  get: protectedProcedure
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => toPublicEnvironment(await getEnvironment({ store: ctx.store, actor: ctx.actor, id: input.id }))),

  terminate: protectedProcedure
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => toPublicEnvironment(await terminateEnvironment({ store: ctx.store, actor: ctx.actor, id: input.id }))),

  connectionToken: protectedProcedure
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => mintConnectionToken({ store: ctx.store, actor: ctx.actor, id: input.id, key: ctx.tunnelKey })),
});
