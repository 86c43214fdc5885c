import { z } from 'zod';
import {
  AppError,
  ENVIRONMENT_STATES,
  createEnvironment,
  describeEnvironment,
  describeEnvironments,
  getEnvironment,
  listEnvironments,
  mintConnectionToken,
  resumeEnvironment,
  suspendEnvironment,
  terminateEnvironment,
  toPublicEnvironment,
  waitForEnvironment,
  watchEnvironments,
  type ChangeFeed,
} from '@genos/core';
import { protectedProcedure, router } from '../trpc';

// Ids are cuids; anything else is refused before it reaches the database.
const id = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'not an environment id');
// The request text is stored for the record; the composer already refused anything over 2000 characters.
const request = z.string().max(100_000);

const needFeed = (changes: ChangeFeed | undefined): ChangeFeed => {
  if (!changes) throw new AppError('UNAVAILABLE', 'live environment changes are not available on this server');
  return changes;
};

export const environmentsRouter = router({
  create: protectedProcedure
    .input(z.object({ spec: z.unknown(), request: request.nullish() }))
    .mutation(async ({ ctx, input }) =>
      describeEnvironment({
        store: ctx.store,
        env: await createEnvironment({ store: ctx.store, actor: ctx.actor, spec: input.spec, request: input.request?.slice(0, 2000) ?? null }),
      }),
    ),

  list: protectedProcedure
    .input(z.object({ includeTerminated: z.boolean().default(false) }).default({ includeTerminated: false }))
    .query(async ({ ctx, input }) =>
      describeEnvironments({ store: ctx.store, envs: await listEnvironments({ store: ctx.store, actor: ctx.actor, includeTerminated: input.includeTerminated }) }),
    ),

  get: protectedProcedure
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => describeEnvironment({ store: ctx.store, env: await getEnvironment({ store: ctx.store, actor: ctx.actor, id: input.id }) })),

  /**
   * Server-sent events: the caller's environments (or one, `id`) as they
   * change, starting with their current state. `lastEventId` is what an
   * EventSource sends back on reconnect; the stream starts from a fresh read anyway.
   */
  onChange: protectedProcedure
    .input(z.object({ id: id.optional(), lastEventId: z.string().nullish() }).default({}))
    .subscription(({ ctx, input, signal }) =>
      watchEnvironments({ store: ctx.store, actor: ctx.actor, changes: needFeed(ctx.changes), id: input.id, signal }),
    ),

  /** Resolves once the environment is in one of `states`; TIMEOUT after `timeoutMs`. */
  waitFor: protectedProcedure
    .input(z.object({ id, states: z.array(z.enum(ENVIRONMENT_STATES)).min(1), timeoutMs: z.number().int().min(1).max(300_000).default(60_000) }))
    .query(({ ctx, input, signal }) =>
      waitForEnvironment({ store: ctx.store, actor: ctx.actor, id: input.id, states: input.states, timeoutMs: input.timeoutMs, changes: needFeed(ctx.changes), signal }),
    ),

  terminate: protectedProcedure
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => toPublicEnvironment(await terminateEnvironment({ store: ctx.store, actor: ctx.actor, id: input.id }))),

  suspend: protectedProcedure
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => toPublicEnvironment(await suspendEnvironment({ store: ctx.store, actor: ctx.actor, id: input.id }))),

  resume: protectedProcedure
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => toPublicEnvironment(await resumeEnvironment({ store: ctx.store, actor: ctx.actor, id: input.id }))),

  connectionToken: protectedProcedure
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => mintConnectionToken({ store: ctx.store, actor: ctx.actor, id: input.id, key: ctx.tunnelKey })),
});
