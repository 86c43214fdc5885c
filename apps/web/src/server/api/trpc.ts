import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { isAppError, type Actor, type Store } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import type { SessionUser } from '../auth/verify-credentials';
import type { ComposerSettings } from '../composer-settings';
import { toTRPCError } from './error-map';

/**
 * Inner context: everything a procedure needs, no request objects, so tests
 * build it directly and call procedures through createCaller on a real DB.
 */
export interface InnerContext {
  user: SessionUser | null;
  ip: string | null;
  prisma: PrismaClient;
  store: Store;
  tunnelKey: string;
  /** Bounds, capabilities and the optional language model; defaults to this host's (see composer-settings.ts). */
  composer?: ComposerSettings;
}

export const createInnerContext = (opts: InnerContext) => opts;

const t = initTRPC.context<InnerContext>().create({
  transformer: superjson,
  errorFormatter: ({ shape, error }) => {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        appCode: isAppError(cause) ? cause.code : null,
        details: isAppError(cause) ? (cause.details ?? null) : null,
        zodIssues: cause instanceof ZodError ? cause.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) : null,
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

/** Maps domain errors to transport errors in one place, for every procedure. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isAppError(result.error.cause)) {
    throw toTRPCError(result.error.cause);
  }
  return result;
});

export const publicProcedure = t.procedure.use(appErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
  const actor: Actor = { kind: 'user', id: ctx.user.id, isAdmin: ctx.user.role === 'admin', ip: ctx.ip };
  return next({ ctx: { ...ctx, user: ctx.user, actor } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'administrators only' });
  return next();
});
