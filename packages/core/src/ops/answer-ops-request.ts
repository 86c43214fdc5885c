import type { Readiness } from './check-readiness';

/**
 * The operations endpoints every GenOS process answers, as pure routing the
 * web server and the worker's ops server both adapt to node:http:
 *
 *   GET /healthz  the process is alive (no dependency is asked)
 *   GET /readyz   each dependency named with status and latency; 503 naming the failing parts
 *   GET /metrics  Prometheus text, for loopback callers or a bearer token carrying `metrics:read`
 *
 * Metrics tell how many desktops, users' sign-in failures and hosts there are:
 * a caller from another address needs a token. Readiness is for load balancers
 * anywhere, so it answers everyone, but why a part is down (an error can name
 * an internal address) only to callers that could read the metrics.
 */
export interface OpsRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  /** The client's address (the socket's, or the trusted proxy's X-Forwarded-For). */
  remoteAddress: string | null;
  /** The Authorization header, if any. */
  authorization?: string | null;
}

export interface OpsAnswer {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

export type MetricsAccess = 'ok' | 'unauthorized' | 'forbidden';

export const OPS_PATHS = ['/healthz', '/readyz', '/metrics'] as const;

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (what a dual-stack socket reports). */
export function isLoopbackAddress(address: string | null | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase().replace(/^::ffff:/, '');
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

const json = (status: number, value: unknown): OpsAnswer => ({
  status,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(value),
  headers: { 'cache-control': 'no-store' },
});

const bearerOf = (authorization: string | null | undefined) => /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1] ?? null;

/** The answer for an ops path, or null for any other path (the caller's own routes take it). */
export async function answerOpsRequest(opts: {
  request: OpsRequest;
  /** Which process answers: `web` or `worker`. */
  service: string;
  readiness: () => Promise<Readiness>;
  metrics: () => Promise<{ contentType: string; body: string }>;
  /** Checks a bearer token for `metrics:read`; without it, only loopback callers see metrics. */
  authorizeToken?: (token: string) => Promise<MetricsAccess>;
}): Promise<OpsAnswer | null> {
  const { request } = opts;
  if (!(OPS_PATHS as readonly string[]).includes(request.path)) return null;
  if (request.method !== 'GET' && request.method !== 'HEAD') return { ...json(405, { error: 'only GET' }), headers: { allow: 'GET, HEAD' } };

  const access = async (): Promise<MetricsAccess> => {
    const token = bearerOf(request.authorization);
    if (token) return opts.authorizeToken ? opts.authorizeToken(token) : 'forbidden';
    return isLoopbackAddress(request.remoteAddress) ? 'ok' : 'unauthorized';
  };

  if (request.path === '/healthz') return json(200, { status: 'ok', service: opts.service });

  if (request.path === '/readyz') {
    const r = await opts.readiness();
    const detailed = (await access()) === 'ok';
    const checks = Object.fromEntries(Object.entries(r.checks).map(([name, s]) => [name, detailed ? s : { status: s.status, latencyMs: s.latencyMs }]));
    return json(r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'unready', service: opts.service, failing: r.failing, checks });
  }

  const allowed = await access();
  if (allowed === 'unauthorized') return { ...json(401, { error: 'metrics are for loopback callers or a bearer token with the metrics:read scope' }), headers: { 'www-authenticate': 'Bearer' } };
  if (allowed === 'forbidden') return json(403, { error: 'this token lacks the metrics:read scope' });
  const m = await opts.metrics();
  return { status: 200, contentType: m.contentType, body: m.body, headers: { 'cache-control': 'no-store' } };
}
