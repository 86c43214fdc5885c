import { TRPCClientError } from '@trpc/client';

/**
 * What a failed call means to a script (exit code) and to a person or an
 * agent (message). The server puts its AppError code in `data.appCode`
 * (CONTROL_TAKEN, THROTTLED, UNSUPPORTED, …) next to tRPC's own code.
 */
export const EXIT = {
  ok: 0,
  usage: 1,
  invalid: 2, // bad input: coordinates off the screen, an unknown key name, text too long
  notFound: 3, // no such desktop, or not yours
  denied: 4, // the token is expired, revoked, or lacks environments:control
  controlTaken: 5, // a person (or another program) holds control
  throttled: 6, // too many actions; retry later
  unsupported: 7, // the desktop cannot answer this (a window list on a VM without an agent)
  noChange: 8, // `desktop wait`: the screen did not change before the timeout; `windows --focus/--close`: the window did not take focus or close
  other: 9,
} as const;

export type ApiErrorInfo = { code: string; message: string; exitCode: number };

type ErrorData = { code?: string; appCode?: string | null; zodIssues?: { path: string; message: string }[] | null };

const BY_CODE: Record<string, number> = {
  CONTROL_TAKEN: EXIT.controlTaken,
  CONFLICT: EXIT.controlTaken,
  THROTTLED: EXIT.throttled,
  TOO_MANY_REQUESTS: EXIT.throttled,
  UNSUPPORTED: EXIT.unsupported,
  NOT_FOUND: EXIT.notFound,
  UNAUTHORIZED: EXIT.denied,
  FORBIDDEN: EXIT.denied,
  VALIDATION: EXIT.invalid,
  BAD_REQUEST: EXIT.invalid,
  TOO_LARGE: EXIT.invalid,
  PAYLOAD_TOO_LARGE: EXIT.invalid,
};

export function describeApiError(e: unknown): ApiErrorInfo {
  // No error body: the request never got an answer from GenOS (wrong URL, server down).
  if (e instanceof TRPCClientError && !e.data) return { code: 'UNREACHABLE', message: `GenOS did not answer (${e.message}); check GENOS_URL`, exitCode: EXIT.other };
  if (e instanceof TRPCClientError) {
    const data = (e.data ?? {}) as ErrorData;
    const code = data.appCode ?? data.code ?? 'ERROR';
    // zod's own message is a JSON dump; its issues read better.
    const message = data.zodIssues?.length ? data.zodIssues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ') : e.message;
    return { code, message, exitCode: BY_CODE[code] ?? BY_CODE[data.code ?? ''] ?? EXIT.other };
  }
  if (e instanceof UsageError) return { code: 'USAGE', message: e.message, exitCode: EXIT.usage };
  return { code: 'ERROR', message: e instanceof Error ? e.message : String(e), exitCode: EXIT.other };
}

/** A mistake on the command line, found before anything is sent. */
export class UsageError extends Error {}
