import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerOpsRequest, checkReadiness, reportReadiness, type ReadinessCheck, type Readiness } from '@genos/core';
import type { Logger } from '../logger';
import type { WorkerMetrics } from './worker-metrics';

export interface WorkerOpsOptions {
  metrics: WorkerMetrics;
  checks: ReadinessCheck[];
  /** 127.0.0.1 unless an admin opens it (GENOS_WORKER_OPS_HOST); port 0 picks a free one (tests). */
  host: string;
  port: number;
  log: Logger;
  timeoutMs?: number;
}

/**
 * The worker's /healthz, /readyz and /metrics on a small server of its own
 * (the worker has no other HTTP). It cannot check API tokens (they live in
 * the web app's auth), so a bearer token is refused here and /metrics answers
 * loopback callers only: scrape it on its host, or through the web app's.
 */
export async function startWorkerOps(opts: WorkerOpsOptions): Promise<{ port: number; readiness(): Promise<Readiness>; close(): Promise<void> }> {
  const { metrics } = opts;
  const readiness = async () => {
    const r = await checkReadiness({ checks: opts.checks, timeoutMs: opts.timeoutMs });
    reportReadiness(r, { up: metrics.dependencyUp, seconds: metrics.dependencyLatency });
    return r;
  };
  const collect = async () => {
    await readiness();
    // A database that is down leaves the database-fed gauges at their last values; genos_dependency_up says why.
    await metrics.collect().catch((err: unknown) => opts.log.warn({ err }, 'metrics: could not read every gauge'));
    return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    void answerOpsRequest({ request: { method: req.method ?? 'GET', path, remoteAddress: req.socket.remoteAddress ?? null, authorization: req.headers.authorization }, service: 'worker', readiness, metrics: collect })
      .then((a) => {
        if (!a) {
          res.writeHead(404, { 'content-type': 'application/json' });
          return res.end('{"error":"not found"}');
        }
        res.writeHead(a.status, { 'content-type': a.contentType, ...a.headers });
        res.end(req.method === 'HEAD' ? undefined : a.body);
      })
      .catch((err: unknown) => {
        opts.log.error({ err }, 'ops request failed');
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"internal error"}');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    readiness,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Prometheus keeps its connection open between scrapes.
        server.closeAllConnections();
      }),
  };
}
