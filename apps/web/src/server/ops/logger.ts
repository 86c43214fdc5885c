import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { LOG_REDACT_PATHS, REQUEST_ID } from '@genos/core';

/**
 * The web process's log: one JSON line per event (pino), secrets redacted,
 * and the request id of the tRPC call in progress on every line and every
 * job it enqueues (services.ts), so the worker's lines carry it too.
 * Logger and request context live on globalThis: Next bundles the routes
 * apart from server.ts, and both must share them.
 */
interface LogState {
  logger: pino.Logger;
  requests: AsyncLocalStorage<{ requestId: string }>;
}
const g = globalThis as unknown as { __genosWebLog?: LogState };

const create = (opts: { level?: string; destination?: pino.DestinationStream } = {}): pino.Logger =>
  pino(
    {
      name: 'genos-web',
      level: opts.level ?? 'info',
      redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
      // Every line of a call carries its request id without each caller passing it.
      mixin: () => {
        const id = g.__genosWebLog?.requests.getStore()?.requestId;
        return id ? { requestId: id } : {};
      },
    },
    opts.destination,
  );

const state = (): LogState => (g.__genosWebLog ??= { logger: create(), requests: new AsyncLocalStorage() });

export const webLogger = (): pino.Logger => state().logger;

/** Sets the level (LOG_LEVEL from env.ts, in server.ts) and, for tests, where lines go. */
export function configureWebLogger(opts: { level?: string; destination?: pino.DestinationStream }): void {
  state().logger = create(opts);
}

/** The caller's request id when it is a sane one (X-Request-Id from a proxy), else a new one. */
export const requestIdFrom = (header: string | null | undefined): string => (header && REQUEST_ID.test(header) ? header : randomUUID());

export const currentRequestId = (): string | undefined => state().requests.getStore()?.requestId;

export const withRequestId = <T>(requestId: string, fn: () => T): T => state().requests.run({ requestId }, fn);
