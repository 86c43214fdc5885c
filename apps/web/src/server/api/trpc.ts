import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { AppError, hasScope, isAppError, type Actor, type ApiScope, type ChangeFeed, type ControlPacer, type DesktopAgentPort, type DesktopControlPort, type Store } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import type { SessionUser } from '../auth/verify-credentials';
import type { ComposerSettings } from '../composer-settings';
import { isDatabaseUnreachable } from './database-errors';
import { toTRPCError } from './error-map';
import { requestIdFrom, webLogger, withRequestId } from '../ops/logger';
import { rememberTunnelRequest, TUNNEL_TOKEN_PATHS } from '../ops/tunnel-requests';

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
  /** Live environment changes (the web's LISTEN connection); subscriptions and waitFor need it. */
  changes?: ChangeFeed;
  /** Set when the caller authenticated with an API token (Authorization: Bearer): what it may do. */
  token?: { id: string; scopes: string[] } | null;
  /** The caller's Session row when signed in through the browser (marks "this session"). */
  sessionId?: string | null;
  /** Follows this call into its log lines and the jobs it enqueues (ops/logger.ts); a new one when unset. */
  requestId?: string;
  /** The desktop engine the control procedures drive (control/desktop-control.ts); unset: they answer UNAVAILABLE. */
  control?: DesktopControlPort;
  /** Talks to desktops' agents (windows); the socket client (control/agent) when unset. */
  desktopAgent?: DesktopAgentPort;
  /** Paces control actions per desktop; the process-wide one when unset. */
  controlPacer?: ControlPacer;
  /** Where desktops' Transfer folders live (files/transfer.ts); GENOS_STATE_DIR when unset. */
  stateDir?: string;
}

/**
 * Per-procedure metadata. `scope` is what an API token needs to call it
 * ('any': every token; unset: sessions only, no token may call it). Session
 * users have every scope their role allows (adminProcedure checks the role).
 */
export interface ProcedureMeta {
  scope?: ApiScope | 'any';
}

export const createInnerContext = (opts: InnerContext) => opts;

const t = initTRPC.context<InnerContext>().meta<ProcedureMeta>().create({
  transformer: superjson,
  // Subscriptions (environments.onChange) stream as server-sent events; pings let a
  // browser notice a dead connection and reconnect (it then gets a fresh read).
  sse: { ping: { enabled: true, intervalMs: 10_000 }, client: { reconnectAfterInactivityMs: 30_000 } },
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

export const DATABASE_UNREACHABLE = 'the database is unreachable; nothing was saved, try again';

/** A lost database connection is the caller's to retry, not an internal error. */
const asAppError = (cause: unknown): unknown =>
  !isAppError(cause) && isDatabaseUnreachable(cause) ? new AppError('UNAVAILABLE', DATABASE_UNREACHABLE) : cause;

/** Errors thrown while a subscription streams get the same mapping as the rest. */
async function* mapStreamErrors<T>(source: AsyncIterable<T>): AsyncGenerator<T, void, unknown> {
  try {
    yield* source;
  } catch (e) {
    const cause = asAppError(e instanceof TRPCError ? (e.cause ?? e) : e);
    throw isAppError(cause) ? toTRPCError(cause) : e;
  }
}

const isAsyncIterable = (v: unknown): v is AsyncIterable<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';

/** Maps domain errors (and database connection failures) to transport errors in one place, for every procedure. */
const appErrors = t.middleware(async ({ next, type }) => {
  const result = await next();
  if (!result.ok) {
    const cause = asAppError(result.error.cause);
    if (isAppError(cause)) throw toTRPCError(cause);
  } else if (type === 'subscription' && isAsyncIterable(result.data)) {
    return { ...result, data: mapStreamErrors(result.data) } as typeof result;
  }
  return result;
});

/** One log line per call, with its request id (on every line logged meanwhile, and on the jobs it enqueues). */
const logCalls = t.middleware(({ ctx, path, type, getRawInput, next }) => {
  const requestId = ctx.requestId ?? requestIdFrom(null);
  return withRequestId(requestId, async () => {
    const started = performance.now();
    const result = await next();
    const environmentId = environmentIdOf(path, await getRawInput().catch(() => undefined), result.ok ? result.data : undefined);
    // The display connection opened with a token minted here logs under this call's request id.
    const tunnelToken = result.ok && TUNNEL_TOKEN_PATHS.has(path) ? (result.data as { token?: unknown } | null)?.token : undefined;
    if (typeof tunnelToken === 'string') rememberTunnelRequest(tunnelToken, requestId);
    webLogger().info(
      { path, type, userId: ctx.user?.id ?? null, environmentId, durationMs: Math.round(performance.now() - started), ok: result.ok, code: result.ok ? undefined : result.error.code },
      'trpc call',
    );
    return result;
  });
});

/** The environment a call is about: an environment procedure's `id`, any `environmentId`, or what create returned. */
function environmentIdOf(path: string, input: unknown, data: unknown): string | undefined {
  const pick = (o: unknown, key: string) => (o && typeof o === 'object' && typeof (o as Record<string, unknown>)[key] === 'string' ? ((o as Record<string, string>)[key] as string) : undefined);
  const own = path.startsWith('environments.') && !path.startsWith('environments.share.');
  return pick(input, 'environmentId') ?? (own ? (pick(input, 'id') ?? (path === 'environments.create' ? pick(data, 'id') : undefined)) : undefined);
}

export const publicProcedure = t.procedure.use(logCalls).use(appErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, meta, path, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
  // Token callers need the procedure's scope; procedures without one are for signed-in sessions only.
  if (ctx.token) {
    const need = meta?.scope;
    if (!need) throw new TRPCError({ code: 'FORBIDDEN', message: `${path} cannot be called with an API token; sign in` });
    if (need !== 'any' && !hasScope(ctx.token.scopes, need)) throw new TRPCError({ code: 'FORBIDDEN', message: `this API token lacks the ${need} scope` });
  }
  const actor: Actor = { kind: 'user', id: ctx.user.id, isAdmin: ctx.user.role === 'admin', ip: ctx.ip };
  return next({ ctx: { ...ctx, user: ctx.user, actor } });
});

export const adminProcedure = protectedProcedure.meta({ scope: 'admin' }).use(({ ctx, next }) => {
  if (ctx.user.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'administrators only' });
  return next();
});
