import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AppError,
  createEnvironment,
  DEFAULT_SPEC,
  getEnvironment,
  registerHost,
  terminateEnvironment,
  toPublicEnvironment,
  type Actor,
  type EnvironmentRecord,
  type Store,
} from '@genos/core';
import { bossEnqueue, createBoss, createPrismaStore, ensureQueues, type PgBoss } from '@genos/db';
import { createTestDatabase, freshTestState, type TestDatabase } from '@genos/db/testing';
import { ENV_LABEL, HOST_LABEL, INSTANCE_LABEL } from './docker/container-config';
import { probeGuacd } from './display/guacd-probe';

// Real worker processes against the real PostgreSQL, Docker and guacd:
// crashes, several hosts on one machine, and refused configuration.
const ROOT = path.resolve(import.meta.dirname, '../../..');
const MAIN = path.join(ROOT, 'apps/worker/src/main.ts');
// A state dir and an instance of this run's own (the workers get both), removed at the end.
const state = await freshTestState('hosts');
const STATE_DIR = state.stateDir;
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });

interface Worker {
  host: string;
  proc: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

interface Ctx {
  db: TestDatabase;
  boss: PgBoss;
  store: Store;
  user: Actor;
}

const workers: Worker[] = [];
const contexts: Ctx[] = [];
const hostsUsed = new Set<string>();
const envIds = new Set<string>();

async function setup(): Promise<Ctx> {
  const db = await createTestDatabase();
  const boss = createBoss(db.url);
  await boss.start();
  await ensureQueues(boss);
  const store = createPrismaStore({ prisma: db.prisma, enqueue: bossEnqueue(boss) });
  const u = await db.prisma.user.create({ data: { email: `hosts-${contexts.length}@genos.test` } });
  // Room for the multi-host test's five desktops.
  await db.prisma.quota.create({ data: { scope: 'user', subjectId: u.id, maxEnvironments: 20, maxCpu: 20, maxMemoryMiB: 65_536, maxDiskGiB: 1000, maxHoursPerDay: 1000 } });
  const ctx = { db, boss, store, user: { kind: 'user', id: u.id } as Actor };
  contexts.push(ctx);
  return ctx;
}

/** One worker process, in its own process group so a kill -9 takes tsx and node together. */
function startWorker(ctx: Ctx, host: string, extra: Record<string, string> = {}): Worker {
  hostsUsed.add(host);
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: ctx.db.url,
      GENOS_HOST_NAME: host,
      GENOS_INSTANCE: state.instance,
      GENOS_STATE_DIR: STATE_DIR,
      GENOS_HEARTBEAT_MS: '500',
      // info, not warn: "worker ready" is how the test knows the handlers are subscribed.
      LOG_LEVEL: 'info',
      GENOS_CPU_OVERCOMMIT: '1',
      GENOS_HOST_CPUS: '3',
      GENOS_HOST_MEMORY_MIB: '8192',
      // Two workers on one machine: each its own ops port (the default, PORT+1, would be taken by the first).
      GENOS_WORKER_OPS_PORT: '0',
      ...extra,
    },
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const w: Worker = { host, proc, output: () => out, exit };
  workers.push(w);
  return w;
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 90_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const ready = (w: Worker) =>
  until(`worker ${w.host} ready`, async () => {
    if (w.proc.exitCode !== null) throw new Error(`worker ${w.host} exited with ${w.proc.exitCode}:\n${w.output()}`);
    return w.output().includes('"msg":"worker ready"');
  }, 120_000);

const kill9 = async (w: Worker) => {
  process.kill(-w.proc.pid!, 'SIGKILL');
  await w.exit;
};

async function stop(w: Worker) {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return;
  process.kill(-w.proc.pid!, 'SIGTERM');
  const code = await Promise.race([w.exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
  if (code === 'timeout') await kill9(w);
}

const row = (ctx: Ctx, id: string) => ctx.db.prisma.environment.findUniqueOrThrow({ where: { id } });
const containerExists = (id: string) =>
  docker.getContainer(`genos-env-${id}`).inspect().then(
    () => true,
    () => false,
  );
const displayDirExists = (id: string) =>
  fs.stat(path.join(STATE_DIR, 'displays', id)).then(
    () => true,
    () => false,
  );
const create = async (ctx: Ctx) => {
  const env = await createEnvironment({ store: ctx.store, actor: ctx.user, spec: DEFAULT_SPEC, request: 'hosts test' });
  envIds.add(env.id);
  return env;
};

afterAll(async () => {
  try {
    for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) await kill9(w).catch(() => undefined);
    // Leave nothing behind even when a test failed half-way.
    for (const host of hostsUsed) {
      for (const c of await docker.listContainers({ all: true, filters: { label: [`${INSTANCE_LABEL}=${state.instance}`, `${HOST_LABEL}=${host}`] } })) {
        await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
        envIds.add(c.Labels[ENV_LABEL] ?? '');
      }
    }
    for (const id of envIds) if (id) await fs.rm(path.join(STATE_DIR, 'displays', id), { recursive: true, force: true });
    for (const ctx of contexts) {
      await ctx.boss.stop({ graceful: false }).catch(() => undefined);
      await ctx.db.drop();
    }
  } finally {
    await state.remove();
  }
});

describe('worker processes on the real engine', () => {
  it('a worker killed mid-provisioning repairs it at restart: failed, no container, no display folder, logged', async () => {
    const ctx = await setup();
    const host = 'host-crash';
    const first = startWorker(ctx, host);
    await ready(first);

    // Kill -9 the moment the sandbox exists, before its desktop is up.
    const events = (await docker.getEvents({
      filters: { type: ['container'], event: ['create'], label: [`${INSTANCE_LABEL}=${state.instance}`, `${HOST_LABEL}=${host}`] },
    })) as unknown as NodeJS.ReadableStream & { destroy(): void };
    let created = '';
    events.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const id = (JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } }).Actor?.Attributes?.[ENV_LABEL];
        if (id && !created) {
          created = id;
          process.kill(-first.proc.pid!, 'SIGKILL');
        }
      }
    });
    const env = await create(ctx);
    expect(env.host).toBe(host);
    await until('the sandbox to be created', async () => created === env.id, 60_000, 20);
    events.destroy();
    await first.exit;
    expect((await row(ctx, env.id)).state).toBe('provisioning');
    expect(await containerExists(env.id)).toBe(true);

    const second = startWorker(ctx, host);
    await ready(second);
    // Reconciliation runs before the worker takes jobs: nothing stays stuck in provisioning.
    const after = await row(ctx, env.id);
    expect(after.state).toBe('failed');
    expect(after.error).toMatch(/interrupted/);
    expect(await containerExists(env.id)).toBe(false);
    expect(await displayDirExists(env.id)).toBe(false);
    const repaired = second.output().split('\n').find((l) => l.includes(env.id) && l.includes('reconcile'));
    expect(repaired).toMatch(/marked environment failed and removed its sandbox/);
    await stop(second);
  });

  it('two hosts on one machine: spread, host lost when its worker dies, new work elsewhere, back when it returns', async () => {
    const ctx = await setup();
    const [a, b] = [startWorker(ctx, 'host-a'), startWorker(ctx, 'host-b')];
    await Promise.all([ready(a), ready(b)]);

    const envs: EnvironmentRecord[] = [];
    for (let i = 0; i < 4; i++) envs.push(await create(ctx));
    const running = await until('four desktops running', async () => {
      const rows = await Promise.all(envs.map((e) => row(ctx, e.id)));
      const bad = rows.find((r) => r.state === 'failed');
      if (bad) throw new Error(`${bad.id} failed: ${bad.error}`);
      return rows.every((r) => r.state === 'running') && rows;
    }, 150_000, 500);
    const onA = running.filter((r) => r.host === 'host-a').map((r) => r.id);
    const onB = running.filter((r) => r.host === 'host-b').map((r) => r.id);
    expect(onA.length).toBeGreaterThan(0);
    expect(onB.length).toBeGreaterThan(0);
    expect(onA.length + onB.length).toBe(4);

    await kill9(a);
    // host-b's reaper notices within a few missed heartbeats (5 s at 500 ms beats).
    await until('host-a marked down', async () => (await ctx.db.prisma.host.findUnique({ where: { id: 'host-a' } }))?.state === 'down', 30_000);
    for (const id of onA) {
      const pub = toPublicEnvironment(await getEnvironment({ store: ctx.store, actor: ctx.user, id }));
      expect(pub).toMatchObject({ state: 'running', hostLost: true, host: 'host-a' });
      const events = await ctx.db.prisma.environmentEvent.findMany({ where: { environmentId: id }, orderBy: { at: 'asc' } });
      expect(events.at(-1)?.reason).toBe('host host-a stopped answering');
    }
    for (const id of onB) expect((await row(ctx, id)).hostLost).toBe(false);

    // New work goes to the host that answers.
    const fifth = await create(ctx);
    expect(fifth.host).toBe('host-b');

    const again = startWorker(ctx, 'host-a');
    await ready(again);
    for (const id of onA) {
      const r = await row(ctx, id);
      expect(r).toMatchObject({ state: 'running', hostLost: false });
      const events = await ctx.db.prisma.environmentEvent.findMany({ where: { environmentId: id }, orderBy: { at: 'asc' } });
      expect(events.at(-1)?.reason).toBe('host host-a is back');
      // The bridge is back in the new process: guacd reaches the desktop and draws.
      const probe = await probeGuacd({ guacd: { host: '127.0.0.1', port: 4822 }, display: r.displayEndpoint as never });
      expect(probe.firstImgMs).toBeGreaterThan(0);
    }
    expect((await ctx.db.prisma.host.findUniqueOrThrow({ where: { id: 'host-a' } })).state).toBe('up');
    expect(again.output()).toMatch(/reconcile: host is back/);

    await until('the fifth desktop running', async () => (await row(ctx, fifth.id)).state === 'running', 120_000, 500);
    const all = [...envs.map((e) => e.id), fifth.id];
    for (const id of all) await terminateEnvironment({ store: ctx.store, actor: ctx.user, id });
    await until('everything terminated', async () => (await Promise.all(all.map((id) => row(ctx, id)))).every((r) => r.state === 'terminated'), 60_000, 300);
    await Promise.all([stop(again), stop(b)]);
    for (const id of all) {
      expect(await containerExists(id)).toBe(false);
      expect(await displayDirExists(id)).toBe(false);
    }
  });

  it('refuses nonsense host capacity with the reason, writing nothing; a worker with -1 CPUs exits non-zero', async () => {
    const ctx = await setup();
    const good = { id: 'host-ok', cpuCapacity: 4, memoryMiB: 4096, runtimes: ['docker'], guacdHost: '127.0.0.1', guacdPort: 4822, version: null };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ cpuCapacity: -2 }, /cpuCapacity: CPU capacity must be more than zero/],
      [{ memoryMiB: 0 }, /memoryMiB: a host needs at least 512 MiB/],
      [{ runtimes: [] }, /runtimes: a host must offer at least one runtime/],
      [{ id: 'Bad Host!' }, /id: host names are lowercase letters/],
      [{ guacdPort: 70_000 }, /guacdPort/],
    ];
    for (const [bad, reason] of cases) {
      const err = await registerHost({ store: ctx.store, host: { ...good, ...bad } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(reason) });
    }
    expect(await ctx.db.prisma.host.count()).toBe(0);

    const w = startWorker(ctx, 'host-bad', { GENOS_HOST_CPUS: '-1' });
    expect(await w.exit).not.toBe(0);
    expect(w.output()).toMatch(/GENOS_HOST_CPUS: the host needs more than zero CPUs/);
    expect(w.output()).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(await ctx.db.prisma.host.count()).toBe(0);
  });
});
