import { z } from 'zod';
import { liveCapabilities } from '../../composer-settings';
import {
  AppError,
  ENVIRONMENT_STATES,
  createEnvironment,
  describeEnvironment,
  describeEnvironments,
  getEnvironment,
  listEnvironments,
  mintConnectionToken,
  SERVER_LAYOUTS,
  resumeEnvironment,
  suspendEnvironment,
  terminateEnvironment,
  toPublicEnvironment,
  waitForEnvironment,
  watchEnvironments,
  type ChangeFeed,
} from '@genos/core';
import { streamingPolicyForEnvironment } from '../../streaming-policy';
import { protectedProcedure, router } from '../trpc';
import { countEnvironmentCreate } from '../../ops/web-metrics';

// What an API token needs (authorize.ts says which environments a caller may read or change).
const readProcedure = protectedProcedure.meta({ scope: 'environments:read' });
const writeProcedure = protectedProcedure.meta({ scope: 'environments:write' });
const teamId = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'not a team id');
import { shareRouter } from './share';

// Ids are cuids; anything else is refused before it reaches the database.
const id = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'not an environment id');
// The request text is stored for the record; the composer already refused anything over 2000 characters.
const request = z.string().max(100_000);
const serverLayoutSchema = z.enum(SERVER_LAYOUTS);

const needFeed = (changes: ChangeFeed | undefined): ChangeFeed => {
  if (!changes) throw new AppError('UNAVAILABLE', 'live environment changes are not available on this server');
  return changes;
};

export const environmentsRouter = router({
  share: shareRouter,
  create: writeProcedure
    .input(z.object({ spec: z.unknown(), request: request.nullish(), teamId: teamId.nullish() }))
    .mutation(async ({ ctx, input }) =>
      describeEnvironment({
        store: ctx.store,
        env: countEnvironmentCreate(
          await createEnvironment({
            store: ctx.store,
            actor: ctx.actor,
            spec: input.spec,
            request: input.request?.slice(0, 2000) ?? null,
            teamId: input.teamId ?? null,
            // The same view of the deployment the composer had (VMs only while a host offers libvirt).
            capabilities: ctx.composer?.capabilities ?? (await liveCapabilities(ctx.store)),
          }),
        ),
      }),
    ),

  list: readProcedure
    .input(z.object({ includeTerminated: z.boolean().default(false), teamId: teamId.nullish() }).default({ includeTerminated: false }))
    .query(async ({ ctx, input }) =>
      describeEnvironments({
        store: ctx.store,
        envs: await listEnvironments({ store: ctx.store, actor: ctx.actor, includeTerminated: input.includeTerminated, teamId: input.teamId ?? null }),
      }),
    ),

  get: readProcedure
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => describeEnvironment({ store: ctx.store, env: await getEnvironment({ store: ctx.store, actor: ctx.actor, id: input.id }) })),

  /**
   * Server-sent events: the caller's environments (or one, `id`) as they
   * change, starting with their current state. `lastEventId` is what an
   * EventSource sends back on reconnect; the stream starts from a fresh read anyway.
   */
  onChange: readProcedure
    .input(z.object({ id: id.optional(), lastEventId: z.string().nullish() }).default({}))
    .subscription(({ ctx, input, signal }) =>
      watchEnvironments({ store: ctx.store, actor: ctx.actor, changes: needFeed(ctx.changes), id: input.id, signal }),
    ),

  /** Resolves once the environment is in one of `states`; TIMEOUT after `timeoutMs`. */
  waitFor: readProcedure
    .input(z.object({ id, states: z.array(z.enum(ENVIRONMENT_STATES)).min(1), timeoutMs: z.number().int().min(1).max(300_000).default(60_000) }))
    .query(({ ctx, input, signal }) =>
      waitForEnvironment({ store: ctx.store, actor: ctx.actor, id: input.id, states: input.states, timeoutMs: input.timeoutMs, changes: needFeed(ctx.changes), signal }),
    ),

  terminate: writeProcedure
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => toPublicEnvironment(await terminateEnvironment({ store: ctx.store, actor: ctx.actor, id: input.id }))),

  suspend: writeProcedure
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => toPublicEnvironment(await suspendEnvironment({ store: ctx.store, actor: ctx.actor, id: input.id }))),

  resume: writeProcedure
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => toPublicEnvironment(await resumeEnvironment({ store: ctx.store, actor: ctx.actor, id: input.id }))),

  connectionToken: writeProcedure
    .input(z.object({ id, serverLayout: serverLayoutSchema.optional() }))
    .mutation(async ({ ctx, input }) => {
      const minted = await mintConnectionToken({ store: ctx.store, actor: ctx.actor, id: input.id, key: ctx.tunnelKey, serverLayout: input.serverLayout });
      // The policy the tunnel enforces, so the display can say so instead of failing silently.
      const { allowCopy, allowPaste } = await streamingPolicyForEnvironment(ctx.prisma, input.id);
      return { ...minted, policy: { allowCopy, allowPaste } };
    }),
});
