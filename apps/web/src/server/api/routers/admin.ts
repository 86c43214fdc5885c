import { z } from 'zod';
import {
  createPool,
  deletePool,
  listHosts,
  listPools,
  listQuotas,
  poolIdSchema,
  poolNameSchema,
  poolSizeSchema,
  quotaLimitsSchema,
  quotaScopeSchema,
  resetQuota,
  setQuota,
  subjectIdSchema,
  updatePool,
} from '@genos/core';
import { adminProcedure, router } from '../trpc';

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
});
