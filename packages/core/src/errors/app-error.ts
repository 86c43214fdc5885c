/**
 * The one error type the domain throws. Each code maps to exactly one transport
 * error (tRPC, CLI exit code) in a single table at the edge, so a failure never
 * leaks as an untyped 500.
 */
export const APP_ERROR_CODES = [
  'VALIDATION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'ILLEGAL_TRANSITION',
  'UNSUPPORTED',
  'QUOTA_EXCEEDED',
  'TOO_LARGE',
  'UNAVAILABLE',
  'TIMEOUT',
  'INTERNAL',
  /** Someone else (a person who took over, or another program) holds the desktop's control lease; the message names them. */
  'CONTROL_TAKEN',
  /** Too many calls in too little time; the message says the rate. */
  'THROTTLED',
] as const;

export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const isAppError = (e: unknown): e is AppError =>
  e instanceof AppError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AppError');
