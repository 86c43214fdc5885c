import type http from 'node:http';
import { answerOpsRequest, checkReadiness, hasScope, reportReadiness, OPS_PATHS, type Readiness } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import { guacdHandshake, type GuacdHop } from '@genos/db/remote-hops';
import { authenticateApiToken } from '../auth/api-tokens';
import { readCertificateExpiry } from './tls-certificate';
import { webMetrics } from './web-metrics';

export interface WebOpsOptions {
  prisma: PrismaClient;
  /** guacd as the tunnel reaches it (resolveGuacdHop). */
  guacd: GuacdHop;
  /** The PEM certificate GenOS is served with (GENOS_TLS_CERT_FILE), for genos_tls_certificate_expiry_timestamp_seconds. */
  tlsCertFile?: string;
  timeoutMs?: number;
}

/**
 * /healthz, /readyz and /metrics for the web process (answer-ops-request.ts
 * decides; this supplies the checks and the registry). Mounted in server.ts
 * before Next, so a broken page or a missing build never hides readiness.
 */
export function createWebOps(opts: WebOpsOptions) {
  const metrics = webMetrics();
  const readiness = async (): Promise<Readiness> => {
    const r = await checkReadiness({
      timeoutMs: opts.timeoutMs,
      checks: [
        { name: 'database', check: () => opts.prisma.$queryRaw`SELECT 1` },
        // The web app only inserts jobs; their table must be there for a create to commit.
        { name: 'queue', check: () => opts.prisma.$queryRaw`SELECT version FROM pgboss.version` },
        { name: 'guacd', check: () => guacdHandshake(opts.guacd, opts.timeoutMs) },
      ],
    });
    reportReadiness(r, { up: metrics.dependencyUp, seconds: metrics.dependencyLatency });
    return r;
  };
  const collect = async () => {
    // Fresh at every scrape: the dependency gauges and the certificate's expiry.
    await readiness();
    if (opts.tlsCertFile) {
      const cert = await readCertificateExpiry(opts.tlsCertFile);
      metrics.tlsCertificateExpiry.reset();
      if (cert) metrics.tlsCertificateExpiry.set({ subject: cert.subject }, cert.expiresAt.getTime() / 1000);
    }
    return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
  };
  const authorizeToken = async (token: string) => {
    const found = await authenticateApiToken(opts.prisma, token);
    if (!found) return 'unauthorized' as const;
    return hasScope(found.token.scopes, 'metrics:read') ? ('ok' as const) : ('forbidden' as const);
  };

  return {
    readiness,
    /** True when the request is an ops path (answered here); false leaves it to the app. */
    handle(req: http.IncomingMessage, res: http.ServerResponse): boolean {
      const path = (req.url ?? '/').split('?')[0]!;
      if (!(OPS_PATHS as readonly string[]).includes(path)) return false;
      // server.ts has set X-Forwarded-For to the socket's address unless a trusted proxy set it. The last entry is the
      // one our own proxy added: earlier ones come from the client and could claim to be 127.0.0.1.
      const remoteAddress = String(req.headers['x-forwarded-for'] ?? req.socket.remoteAddress ?? '').split(',').pop()!.trim() || null;
      answerOpsRequest({ request: { method: req.method ?? 'GET', path, remoteAddress, authorization: req.headers.authorization }, service: 'web', readiness, metrics: collect, authorizeToken })
        .then((a) => {
          res.writeHead(a!.status, { 'content-type': a!.contentType, ...a!.headers });
          res.end(req.method === 'HEAD' ? undefined : a!.body);
        })
        .catch(() => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"error":"internal error"}');
        });
      return true;
    },
  };
}
