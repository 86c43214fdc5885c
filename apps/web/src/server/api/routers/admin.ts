import { z } from 'zod';
import {
  backupScheduleInputSchema,
  createPool,
  deletePool,
  getBackupStatus,
  listHosts,
  listPools,
  listQuotas,
  poolIdSchema,
  poolNameSchema,
  poolSizeSchema,
  quotaLimitsSchema,
  quotaScopeSchema,
  resetQuota,
  setBackupSchedule,
  setQuota,
  subjectIdSchema,
  updatePool,
} from '@genos/core';
import { setStreamingPolicy, streamingPolicyInput } from '../../streaming-policy';
import {
  addCatalogApp,
  adminIdSchema,
  adminTerminateEnvironment,
  auditFilterSchema,
  buildImage,
  catalogAppIdSchema,
  catalogAppInputSchema,
  catalogAppPatchSchema,
  getImage,
  globalRoleSchema,
  imagePackagesSchema,
  listActiveEnvironments,
  listAuditLog,
  listCatalogApps,
  listImages,
  listTeams,
  listUsers,
  observeEnvironment,
  retireImage,
  setUserDisabled,
  setUserRole,
  toPublicEnvironment,
  updateCatalogApp,
} from '@genos/core';
import { invalidateComposerCatalog } from '../../composer-settings';
import { adminProcedure, router } from '../trpc';
import { adminSessionsRouter } from './admin-sessions';

// Thin: validate, call one use-case. The use-cases check the admin role and audit every change themselves.
const subject = z.object({ scope: quotaScopeSchema, subjectId: subjectIdSchema }).strict();

export const adminRouter = router({
  quotas: router({
    list: adminProcedure.query(({ ctx }) => listQuotas({ store: ctx.store, actor: ctx.actor })),

    set: adminProcedure
      .input(subject.extend(quotaLimitsSchema.shape).strict())
      .mutation(({ ctx, input: { scope, subjectId, ...limits } }) => setQuota({ store: ctx.store, actor: ctx.actor, scope, subjectId, limits })),

    reset: adminProcedure.input(subject).mutation(({ ctx, input }) => resetQuota({ store: ctx.store, actor: ctx.actor, ...input })),
  }),

  pools: router({
    list: adminProcedure.query(({ ctx }) => listPools({ store: ctx.store, actor: ctx.actor })),

    // The spec is checked by environmentSpecSchema and checkSpecSupported inside createPool, with the reasons.
    create: adminProcedure
      .input(z.object({ name: poolNameSchema, spec: z.unknown(), size: poolSizeSchema.default(1), enabled: z.boolean().default(true) }).strict())
      .mutation(({ ctx, input }) => createPool({ store: ctx.store, actor: ctx.actor, ...input })),

    update: adminProcedure
      .input(z.object({ id: poolIdSchema, size: poolSizeSchema.optional(), enabled: z.boolean().optional() }).strict())
      .mutation(({ ctx, input }) => updatePool({ store: ctx.store, actor: ctx.actor, ...input })),

    delete: adminProcedure.input(z.object({ id: poolIdSchema }).strict()).mutation(({ ctx, input }) => deletePool({ store: ctx.store, actor: ctx.actor, id: input.id })),
  }),

  hosts: router({
    list: adminProcedure.query(({ ctx }) => listHosts({ store: ctx.store, actor: ctx.actor })),
  }),

  /** The last backup (size, result) and the schedule the worker follows. */
  backups: router({
    status: adminProcedure.query(({ ctx }) => getBackupStatus({ store: ctx.store, actor: ctx.actor })),
    setSchedule: adminProcedure.input(backupScheduleInputSchema).mutation(({ ctx, input }) => setBackupSchedule({ store: ctx.store, actor: ctx.actor, schedule: input })),
  }),

  users: router({
    list: adminProcedure.query(({ ctx }) => listUsers({ store: ctx.store, actor: ctx.actor })),
    setRole: adminProcedure
      .input(z.object({ userId: adminIdSchema, role: globalRoleSchema }).strict())
      .mutation(({ ctx, input }) => setUserRole({ store: ctx.store, actor: ctx.actor, ...input })),
    setDisabled: adminProcedure
      .input(z.object({ userId: adminIdSchema, disabled: z.boolean() }).strict())
      .mutation(({ ctx, input }) => setUserDisabled({ store: ctx.store, actor: ctx.actor, ...input })),
    /** Teams with their members (the teams router of the admin API is the streaming policy's). */
    teams: adminProcedure.query(({ ctx }) => listTeams({ store: ctx.store, actor: ctx.actor })),
  }),

  catalog: router({
    list: adminProcedure
      .input(z.object({ source: z.enum(['builtin', 'admin']).optional() }).strict().default({}))
      .query(({ ctx, input }) => listCatalogApps({ store: ctx.store, actor: ctx.actor, source: input.source })),
    add: adminProcedure.input(catalogAppInputSchema).mutation(async ({ ctx, input }) => {
      const app = await addCatalogApp({ store: ctx.store, actor: ctx.actor, app: input });
      invalidateComposerCatalog();
      return app;
    }),
    update: adminProcedure
      .input(z.object({ id: catalogAppIdSchema, patch: catalogAppPatchSchema }).strict())
      .mutation(async ({ ctx, input }) => {
        const app = await updateCatalogApp({ store: ctx.store, actor: ctx.actor, ...input });
        invalidateComposerCatalog();
        return app;
      }),
  }),

  images: router({
    list: adminProcedure.query(({ ctx }) => listImages({ store: ctx.store, actor: ctx.actor })),
    get: adminProcedure.input(z.object({ id: adminIdSchema }).strict()).query(({ ctx, input }) => getImage({ store: ctx.store, actor: ctx.actor, id: input.id })),
    /** Build or rebuild the layer of a package set, or of catalog apps' packages. */
    build: adminProcedure
      .input(z.object({ packages: imagePackagesSchema.optional(), apps: imagePackagesSchema.optional() }).strict())
      .mutation(({ ctx, input }) => buildImage({ store: ctx.store, actor: ctx.actor, ...input })),
    retire: adminProcedure
      .input(z.object({ id: adminIdSchema, retired: z.boolean() }).strict())
      .mutation(({ ctx, input }) => retireImage({ store: ctx.store, actor: ctx.actor, ...input })),
  }),

  environments: router({
    active: adminProcedure.query(({ ctx }) => listActiveEnvironments({ store: ctx.store, actor: ctx.actor })),
    observe: adminProcedure
      .input(z.object({ id: adminIdSchema }).strict())
      .mutation(({ ctx, input }) => observeEnvironment({ store: ctx.store, actor: ctx.actor, id: input.id, key: ctx.tunnelKey })),
    terminate: adminProcedure
      .input(z.object({ id: adminIdSchema }).strict())
      .mutation(async ({ ctx, input }) => toPublicEnvironment(await adminTerminateEnvironment({ store: ctx.store, actor: ctx.actor, id: input.id }))),
  }),

  audit: router({
    list: adminProcedure
      .input(z.object({ filter: auditFilterSchema.optional(), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(200).default(50) }).strict())
      .query(({ ctx, input }) => listAuditLog({ store: ctx.store, actor: ctx.actor, ...input })),
  }),

  sessions: adminSessionsRouter,

  teams: router({
    /** Clipboard copy/paste (enforced by the display tunnel) and file upload/download per team; audited. */
    setStreamingPolicy: adminProcedure.input(streamingPolicyInput).mutation(({ ctx, input }) => setStreamingPolicy(ctx.prisma, ctx.actor, input)),
  }),
});
