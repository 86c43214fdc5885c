import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA, DEFAULT_SPEC, DEPLOYMENT_CAPABILITIES } from '@genos/core';
import { resolveGuacdHop } from '@genos/db/remote-hops';
import { createWorkerTestBed, freshTestState, type FreshTestState, type WorkerTestBed, freePort } from '@genos/db/testing';
import { startWorkerOps } from './ops-server';
import { workerReadinessChecks } from './worker-checks';
import { createWorkerMetrics } from './worker-metrics';
import { createCaller } from '../../../web/src/server/api/root';
import { createInnerContext } from '../../../web/src/server/api/trpc';
import { createWebOps } from '../../../web/src/server/ops/ops-handler';

// Debian's real Prometheus scrapes a web ops handler and the worker's ops server (each on its own port, over a
// fresh database), loads GenOS's alert rules, and sees an environment created through tRPC in both processes' metrics.
const RULES = path.resolve(import.meta.dirname, '../../../../deploy/prometheus/genos.rules.yml');

let bed: WorkerTestBed;
let state: FreshTestState;
let dir: string;
let prometheus: ChildProcess | undefined;
let promUrl: string;
let web: http.Server;
let worker: Awaited<ReturnType<typeof startWorkerOps>>;
let user: { id: string; email: string };

const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
  const r = (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  expect(r.status).toBe('success');
  return r.data.result;
};

/** The query's single value once `ok` accepts it (Prometheus scrapes every second here). */
async function waitForValue(q: string, ok: (v: number | undefined) => boolean, timeoutMs = 30_000): Promise<number | undefined> {
  const end = Date.now() + timeoutMs;
  let last: number | undefined;
  while (Date.now() < end) {
    const rows = await query(q).catch(() => []);
    last = rows[0] ? Number(rows[0].value[1]) : undefined;
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${q} stayed at ${last} for ${timeoutMs} ms`);
}

beforeAll(async () => {
  bed = await createWorkerTestBed({ hostId: 'prom-host', email: 'prom@genos.test' });
  state = await freshTestState('prometheus');
  user = { id: bed.user.id!, email: 'prom@genos.test' };
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-prometheus-'));
  const guacd = resolveGuacdHop({ GUACD_HOST: '127.0.0.1', GUACD_PORT: Number(process.env.GUACD_PORT ?? 4822), GUACD_TLS: false, GENOS_ALLOW_PLAINTEXT_REMOTE: false });

  worker = await startWorkerOps({
    metrics: createWorkerMetrics({ prisma: bed.db.prisma, store: bed.store, stateDir: state.stateDir }),
    checks: workerReadinessChecks({ prisma: bed.db.prisma, boss: bed.boss, docker: new Dockerode(), guacd, libvirt: false }),
    host: '127.0.0.1',
    port: 0,
    log: pino({ level: 'silent' }),
  });
  const ops = createWebOps({ prisma: bed.db.prisma, guacd });
  web = http.createServer((req, res) => {
    if (!ops.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  const webPort = (web.address() as net.AddressInfo).port;

  const promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  await fs.copyFile(RULES, path.join(dir, 'genos.rules.yml'));
  await fs.writeFile(
    path.join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'rule_files: [genos.rules.yml]',
      'scrape_configs:',
      `  - { job_name: genos-web, static_configs: [{ targets: ['127.0.0.1:${webPort}'] }] }`,
      `  - { job_name: genos-worker, static_configs: [{ targets: ['127.0.0.1:${worker.port}'] }] }`,
      '',
    ].join('\n'),
  );
  prometheus = spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForValue('count(up == 1)', (v) => v === 2);
});

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await worker?.close();
  await new Promise((r) => (web ? web.close(r) : r(undefined)));
  await bed?.drop();
  await state?.remove();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('Prometheus scraping GenOS', () => {
  it('loads the shipped rules and scrapes both processes with their dependencies up', async () => {
    const rules = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string; health: string }[] }[] } };
    const loaded = rules.data.groups.flatMap((g) => g.rules);
    expect(loaded.map((r) => r.name)).toEqual(expect.arrayContaining(['GenosHostDown', 'GenosGuacdDown', 'GenosBackupMissing', 'GenosCertificateExpiring']));
    expect(loaded.every((r) => r.health !== 'err')).toBe(true);
    expect(await waitForValue('min(genos_dependency_up{service="web"})', (v) => v === 1)).toBe(1);
    expect(await waitForValue('min(genos_dependency_up{service="worker"})', (v) => v === 1)).toBe(1);
    // The test host the bed registered, with its capacity, read from the database at scrape.
    expect(await waitForValue('genos_host_up{host="prom-host"}', (v) => v === 1)).toBe(1);
    const scrape = await query('scrape_duration_seconds');
    for (const r of scrape) console.log(`scrape of ${r.metric.job}: ${(Number(r.value[1]) * 1000).toFixed(1)} ms`);
  });

  it('sees an environment created through tRPC in both processes', async () => {
    const before = (await waitForValue('sum(genos_environments) or vector(0)', (v) => v !== undefined)) ?? 0;
    const caller = createCaller(
      createInnerContext({
        user: { ...user, name: null, role: 'user' },
        ip: '127.0.0.1',
        prisma: bed.db.prisma,
        store: bed.store,
        tunnelKey: 'x'.repeat(32),
        composer: { bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, timeoutMs: 1000 },
      }),
    );
    const env = await caller.environments.create({ spec: { ...DEFAULT_SPEC, apps: ['xterm'] }, request: 'a desktop' });
    // The worker's gauge comes from the database, the web's counter from the create itself.
    expect(await waitForValue('sum(genos_environments{runtime="container"})', (v) => v === before + 1)).toBe(before + 1);
    expect(await waitForValue('sum(genos_environment_creates_total{source="new"})', (v) => (v ?? 0) >= 1)).toBeGreaterThanOrEqual(1);
    // Its provisioning job waits in the host's queue (no worker takes it here).
    expect(await waitForValue('genos_jobs_waiting{queue="environment.provision",host="prom-host"}', (v) => v === 1)).toBe(1);
    expect(env.state).toBeDefined();
  });
});
