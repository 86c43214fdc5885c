import { TRPCError } from '@trpc/server';
import { isAppError, type AppErrorCode } from '@genos/core';

/** The one table from domain error codes to transport codes. */
const TABLE: Record<AppErrorCode, TRPCError['code']> = {
  VALIDATION: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  ILLEGAL_TRANSITION: 'CONFLICT',
  UNSUPPORTED: 'UNPROCESSABLE_CONTENT',
  QUOTA_EXCEEDED: 'TOO_MANY_REQUESTS',
  TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  TIMEOUT: 'TIMEOUT',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  CONTROL_TAKEN: 'CONFLICT',
  THROTTLED: 'TOO_MANY_REQUESTS',
};

export function toTRPCError(e: unknown): unknown {
  if (e instanceof TRPCError || !isAppError(e)) return e;
  return new TRPCError({ code: TABLE[e.code], message: e.message, cause: e });
}
