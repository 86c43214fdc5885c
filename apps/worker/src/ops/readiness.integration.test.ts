import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoss, createPrismaClient, createPrismaStore, bossEnqueue, ensureQueues, type PgBoss, type PrismaClient } from '@genos/db';
import { createTestDatabase, freshTestState, type FreshTestState, type TestDatabase } from '@genos/db/testing';
import { startWorkerOps } from './ops-server';
import { startRelay, type Relay } from './testing/relay';
import { workerReadinessChecks } from './worker-checks';
import { createWorkerMetrics } from './worker-metrics';

// The worker's /readyz over the real PostgreSQL, guacd and Docker, each reached through a relay this test stops
// and starts again (the shared services themselves are never touched): unready naming the part, then ready again.
let db: TestDatabase;
let state: FreshTestState;
let dir: string;
let prisma: PrismaClient;
let boss: PgBoss;
let pg: Relay;
let guacd: Relay;
let docker: Relay;
let ops: Awaited<ReturnType<typeof startWorkerOps>>;
let silent: net.Server;

const get = async (p: string, headers: Record<string, string> = {}) => {
  const r = await fetch(`http://127.0.0.1:${ops.port}${p}`, { headers });
  return { status: r.status, body: await r.text() };
};
const readyz = async () => {
  const r = await get('/readyz');
  const body = JSON.parse(r.body) as { failing: string[]; checks: Record<string, { status: string; latencyMs: number; error?: string }> };
  return { status: r.status, failing: body.failing, checks: body.checks };
};
/** Polls /readyz until `ok` (a pool reconnecting after the database came back takes a moment). */
async function until(ok: (r: Awaited<ReturnType<typeof readyz>>) => boolean, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  let last = await readyz();
  while (!ok(last) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 250));
    last = await readyz();
  }
  return last;
}

beforeAll(async () => {
  db = await createTestDatabase();
  state = await freshTestState('readiness');
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-readyz-'));
  const url = new URL(db.url);
  pg = await startRelay({ host: url.hostname, port: Number(url.port || 5432) });
  url.hostname = '127.0.0.1';
  url.port = String(pg.port);
  prisma = createPrismaClient(url.toString());
  boss = createBoss(url.toString());
  boss.on('error', () => undefined); // its pool loses connections while the relay is down, by design
  await boss.start();
  await ensureQueues(boss);
  guacd = await startRelay({ port: Number(process.env.GUACD_PORT ?? 4822) });
  docker = await startRelay({ path: '/var/run/docker.sock' }, { path: path.join(dir, 'docker.sock') });
  // Accepts and never answers: a hung dependency (reading, so a client's close ends the connection here too).
  silent = net.createServer((s) => s.resume()).listen(0, '127.0.0.1');
  const store = createPrismaStore({ prisma, enqueue: bossEnqueue(boss) });
  ops = await startWorkerOps({
    metrics: createWorkerMetrics({ prisma, store, stateDir: state.stateDir }),
    checks: workerReadinessChecks({ prisma, boss, docker: new Dockerode({ socketPath: docker.path! }), guacd: { kind: 'tcp', host: '127.0.0.1', port: guacd.port }, libvirt: false, timeoutMs: 1500 }),
    host: '127.0.0.1',
    port: 0,
    log: pino({ level: 'silent' }),
    timeoutMs: 1500,
  });
});

afterAll(async () => {
  await ops?.close();
  await boss?.stop({ graceful: false }).catch(() => undefined);
  await prisma?.$disconnect();
  for (const r of [pg, guacd, docker]) await r?.stop();
  await new Promise((r) => (silent ? silent.close(r) : r(undefined)));
  await db?.drop();
  await state?.remove();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('worker readiness', () => {
  it('is ready with every dependency named, its status and latency', async () => {
    const r = await until((x) => x.status === 200);
    expect(r.status).toBe(200);
    expect(r.failing).toEqual([]);
    expect(Object.keys(r.checks).sort()).toEqual(['database', 'docker', 'guacd', 'queue']);
    for (const c of Object.values(r.checks)) expect(c).toMatchObject({ status: 'up', latencyMs: expect.any(Number) });
    expect((await get('/healthz')).status).toBe(200);
  });

  it('names guacd when it stops answering, and is ready again when it is back', async () => {
    await guacd.stop();
    const down = await readyz();
    expect(down.status).toBe(503);
    expect(down.failing).toEqual(['guacd']);
    expect(down.checks.guacd!.error).toMatch(/ECONNREFUSED|closed|did not answer/);
    // The process itself is fine: alive, just not ready.
    expect((await get('/healthz')).status).toBe(200);
    const metrics = await get('/metrics');
    expect(metrics.body).toMatch(/genos_dependency_up\{dependency="guacd",service="worker"\} 0/);
    await guacd.start();
    expect((await until((x) => x.status === 200)).failing).toEqual([]);
  });

  it('names Docker when its socket is gone, and is ready again when it is back', async () => {
    await docker.stop();
    const down = await readyz();
    expect(down.failing).toEqual(['docker']);
    await docker.start();
    expect((await until((x) => x.status === 200)).status).toBe(200);
  });

  it('names the database and the queue when PostgreSQL is unreachable, and recovers', async () => {
    await pg.stop();
    const down = await until((x) => x.failing.includes('database') && x.failing.includes('queue'));
    expect(down.status).toBe(503);
    expect(down.failing).toEqual(['database', 'queue']);
    // Metrics still answer (from what is known), and say why.
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/genos_dependency_up\{dependency="database",service="worker"\} 0/);
    await pg.start();
    expect((await until((x) => x.status === 200)).failing).toEqual([]);
  });

  it('turns a hung dependency into "not ready" within the timeout', async () => {
    const hung = await startWorkerOps({
      metrics: createWorkerMetrics({ prisma, store: createPrismaStore({ prisma, enqueue: bossEnqueue(boss) }), stateDir: state.stateDir }),
      checks: workerReadinessChecks({ prisma, boss, docker: new Dockerode({ socketPath: docker.path! }), guacd: { kind: 'tcp', host: '127.0.0.1', port: (silent.address() as net.AddressInfo).port }, libvirt: false, timeoutMs: 1500 }),
      host: '127.0.0.1',
      port: 0,
      log: pino({ level: 'silent' }),
      timeoutMs: 1500,
    });
    try {
      const started = Date.now();
      const r = await fetch(`http://127.0.0.1:${hung.port}/readyz`);
      const took = Date.now() - started;
      expect(r.status).toBe(503);
      expect(((await r.json()) as { failing: string[] }).failing).toEqual(['guacd']);
      expect(took).toBeLessThan(2500);
    } finally {
      await hung.close();
    }
  });

  it('serves metrics to loopback callers only: a bearer token is refused (the worker cannot check tokens)', async () => {
    const local = await get('/metrics');
    expect(local.status).toBe(200);
    expect(local.body).toContain('genos_environments');
    expect(local.body).toContain('process_resident_memory_bytes');
    expect((await get('/metrics', { authorization: 'Bearer genos_whatever' })).status).toBe(403);
    expect((await get('/nothing')).status).toBe(404);
  });
});
