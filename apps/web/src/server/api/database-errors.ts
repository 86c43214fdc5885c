/**
 * Whether an error (or anything in its cause chain) means the database could
 * not be reached or the connection dropped: Prisma's P1001/P1002/P1008/P1017
 * and pool timeout (P2024), the driver adapter's connection kinds, node-postgres
 * socket errors and messages, and PostgreSQL's connection-exception and
 * shutdown SQLSTATEs. Such a failure wrote nothing (transactions roll back)
 * and is worth retrying.
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// Class 08 (connection exception), admin/crash shutdown, cannot connect now.
const SQLSTATES = /^(08[0-9A-Z]{3}|57P0[1-3])$/;
// Case-sensitive on purpose: node-postgres's and Prisma's own wording.
const MESSAGES = [
  /Connection terminated/,
  /Client has encountered a connection error/,
  /timeout exceeded when trying to connect/,
  /Can't reach database server/,
  /Server has closed the connection/,
  /Timed out fetching a new connection from the connection pool/,
  /terminating connection due to administrator command/,
];

interface ErrorLike {
  code?: unknown;
  errorCode?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
  kind?: unknown;
  originalCode?: unknown;
}

function matches(e: ErrorLike): boolean {
  for (const code of [e.code, e.errorCode, e.originalCode]) {
    if (typeof code !== 'string') continue;
    if (PRISMA_CODES.has(code) || NODE_CODES.has(code) || SQLSTATES.test(code)) return true;
  }
  if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true;
  const adapter = e.meta?.driverAdapterError?.cause;
  if (adapter && (ADAPTER_KINDS.has(adapter.kind as string) || (typeof adapter.originalCode === 'string' && SQLSTATES.test(adapter.originalCode)))) return true;
  return typeof e.message === 'string' && MESSAGES.some((m) => m.test(e.message as string));
}

export function isDatabaseUnreachable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 6 && typeof e === 'object' && e !== null; depth++) {
    if (matches(e as ErrorLike)) return true;
    e = (e as ErrorLike).cause;
  }
  return false;
}
