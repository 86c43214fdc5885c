/**
 * `npm run bench`: starts GenOS on its own port and database, then measures
 * the composer's latency (deterministic path, per request), then
 * time to first frame (create call → first `img` instruction through the
 * display tunnel, 10 runs, image cached) and an idle desktop's memory,
 * then orchestration: 20 small desktops created at once (time until all run,
 * their time to first frame, none lost or duplicated, the host's CPU and
 * memory meanwhile) and time to first frame from a warm pool of 3.
 * Prints a table and writes bench/results.json.
 *
 * The stack runs as an instance of its own (bench-<random>) with a state dir of its own: at the
 * end, when the bench fails, and on Ctrl+C (exit 130) it is stopped and everything labelled with
 * that instance is removed, with the folder.
 */
import { spawn } from 'node:child_process';
import { msUntilOk, residentMiB } from './process-figures';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import argon2 from 'argon2';
import Dockerode from 'dockerode';
import WebSocket from 'ws';
import { createTRPCClient, httpBatchLink, httpLink } from '@trpc/client';
import superjson from 'superjson';
import { composeEnvironment, type EnvironmentSpec } from '@genos/core';
import { createPrismaClient } from '@genos/db';
import type { AppRouter } from '../apps/web/src/server/api/root';
import { benchBackup } from './backup-bench';
import { benchComposer } from './composer-bench';
import { benchControl } from './control-bench';
import { benchBrowserStream } from './browser-stream-bench';
import { benchStream } from './stream-bench';
import { benchRuntimes, freshBenchState, onInterrupt, removeBenchState } from './runtime-bench';

const root = path.resolve(import.meta.dirname, '..');
const PORT = 3200;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const dbUrl = process.env.BENCH_DATABASE_URL!;
// The composer first: pure CPU, measured before the stack competes for the cores.
const results: Record<string, { value: number; unit: string }> = { ...benchComposer() };
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const state = await freshBenchState();
console.log(`[bench] instance ${state.instance}, state dir ${state.stateDir}`);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/** The worker registers the machine's real capacity: cores x 4 vCPUs, memory less 2 GiB (no overrides). */
function stackEnv(): NodeJS.ProcessEnv {
  // GENOS_TUNNEL_MAX_CONNECTIONS_PER_USER: one bench user watches 20 concurrent desktops, over the default cap of 8.
  const e: NodeJS.ProcessEnv = { ...process.env, PORT: String(PORT), GENOS_INSTANCE: state.instance, GENOS_STATE_DIR: state.stateDir, DATABASE_URL: dbUrl, LOG_LEVEL: 'warn', GENOS_CPU_OVERCOMMIT: '4', GENOS_TUNNEL_MAX_CONNECTIONS_PER_USER: '64' };
  delete e.GENOS_HOST_CPUS;
  delete e.GENOS_HOST_MEMORY_MIB;
  return e;
}
const stackSpawnedAt = performance.now();
const stack = spawn('bash', ['scripts/run-stack.sh'], {
  cwd: root,
  env: stackEnv(),
  stdio: ['ignore', 'ignore', 'inherit'],
  detached: true,
});
const stackExited = new Promise<void>((resolve) => stack.once('exit', () => resolve()));
const signalStack = (signal: NodeJS.Signals) => {
  try {
    process.kill(-stack.pid!, signal);
  } catch {
    /* already gone */
  }
};
/** Stops the stack (its whole process group) and waits until it is gone, so it makes nothing more. */
async function stopStack(): Promise<void> {
  if (stack.exitCode !== null || stack.signalCode !== null) return;
  signalStack('SIGTERM');
  const stopped = await Promise.race([stackExited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 20_000))]);
  if (!stopped) {
    signalStack('SIGKILL');
    await stackExited;
  }
}
process.on('exit', () => signalStack('SIGTERM')); // last resort: an exit this file did not plan
/** The stack stopped, then everything of its instance and its state dir removed. Idempotent. */
async function cleanUp(): Promise<void> {
  await stopStack();
  await removeBenchState(state, (l) => console.log(`[bench] ${l}`));
}
const unregisterCleanUp = onInterrupt(cleanUp);

async function waitForServer() {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${PORT}/signin`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('GenOS did not start');
}

/** Opens the tunnel like the browser does and resolves at the first drawing instruction. */
function firstFrame(token: string, t0: number, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${PORT}/tunnel?token=${encodeURIComponent(token)}`, 'guacamole');
    const timer = setTimeout(() => reject(new Error(`no frame in ${timeoutMs / 1000} s`)), timeoutMs);
    ws.on('message', (data) => {
      if (/(^|;)3\.img,/.test(data.toString())) {
        clearTimeout(timer);
        resolve(performance.now() - t0);
        ws.close();
      }
    });
    ws.on('error', reject);
  });
}

async function main(): Promise<void> {
  // Start-up of the compiled processes (`node dist/…`): until each answers /healthz (the worker's ops server, PORT+1).
  const [webStart, workerStart] = await Promise.all([msUntilOk(`http://127.0.0.1:${PORT}/healthz`, stackSpawnedAt), msUntilOk(`http://127.0.0.1:${PORT + 1}/healthz`, stackSpawnedAt)]);
  await waitForServer();
  results.web_start_ms = { value: webStart, unit: 'ms (spawn until /healthz)' };
  results.worker_start_ms = { value: workerStart, unit: 'ms (spawn until its ops server answers)' };
  results.web_rss_mib = { value: residentMiB(/dist\/server\.js/, stack.pid!), unit: 'MiB (at rest after start)' };
  results.worker_rss_mib = { value: residentMiB(/dist\/main\.js/, stack.pid!), unit: 'MiB (at rest after start)' };
  const prisma = createPrismaClient(dbUrl);
  const email = 'bench@genos.test';
  await prisma.user.upsert({ where: { email }, update: {}, create: { email, passwordHash: await argon2.hash('bench-password') } });
  const anon = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `http://127.0.0.1:${PORT}/api/trpc`, transformer: superjson })] });
  const { token: apiToken } = await anon.auth.issueToken.mutate({ email, password: 'bench-password', name: 'bench' });
  const api = createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `http://127.0.0.1:${PORT}/api/trpc`, transformer: superjson, headers: { authorization: `Bearer ${apiToken}` } })],
  });
  const spec = composeEnvironment({ request: 'a Linux desktop with xterm' }).spec!;

  async function launch(
    opts: { spec?: EnvironmentSpec; client?: typeof api; pollMs?: number; frameTimeoutMs?: number; onCreated?: (id: string) => void; onRunning?: (id: string) => void } = {},
  ): Promise<{ id: string; ttff: number }> {
    const client = opts.client ?? api;
    const t0 = performance.now();
    const env = await client.environments.create.mutate({ spec: opts.spec ?? spec, request: 'bench' });
    opts.onCreated?.(env.id);
    for (;;) {
      const e = await client.environments.get.query({ id: env.id });
      if (e.state === 'running') break;
      if (e.state === 'failed' || e.state === 'terminated') throw new Error(`environment ${e.state}: ${e.error}`);
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 25));
    }
    opts.onRunning?.(env.id);
    const { token } = await client.environments.connectionToken.mutate({ id: env.id });
    return { id: env.id, ttff: await firstFrame(token, t0, opts.frameTimeoutMs) };
  }

  async function terminate(id: string) {
    await api.environments.terminate.mutate({ id });
    for (;;) {
      if ((await api.environments.get.query({ id })).state === 'terminated') return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // BENCH_ONLY=stream: only the streaming figures (for tuning the display path; results.json untouched).
  const STREAM_ONLY = process.env.BENCH_ONLY === 'stream';
  // BENCH_ONLY=control: only a program driving the desktop (bench/control-bench.ts; results.json untouched).
  const CONTROL_ONLY = process.env.BENCH_ONLY === 'control';
  const ttffs: number[] = [];
  if (!STREAM_ONLY && !CONTROL_ONLY) {
    await terminate((await launch()).id); // warm-up: caches, JIT, first connections
    for (let i = 0; i < RUNS; i++) {
      const { id, ttff } = await launch();
      ttffs.push(ttff);
      await terminate(id);
    }
    results.ttff_container_cached_p50_ms = { value: Math.round(pct(ttffs, 50)), unit: 'ms' };
    results.ttff_container_cached_p95_ms = { value: Math.round(pct(ttffs, 95)), unit: 'ms' };
  }

  const idle = await launch();
  await new Promise((r) => setTimeout(r, 10_000));
  const stats = (await docker.getContainer(`genos-env-${idle.id}`).stats({ stream: false })) as unknown as {
    memory_stats: { usage: number; stats?: { cache?: number; total_inactive_file?: number; inactive_file?: number } };
  };
  const m = stats.memory_stats;
  const used = m.usage - (m.stats?.total_inactive_file ?? m.stats?.inactive_file ?? m.stats?.cache ?? 0);
  results.desktop_idle_memory_mib = { value: Math.round((used / 1024 / 1024) * 10) / 10, unit: 'MiB' };
  // A program driving this desktop: screenshots, keypress to screen, MCP tool calls (bench/control-bench.ts); before the stream bench fills the screen.
  if (!STREAM_ONLY) Object.assign(results, await benchControl({ api, id: idle.id, url: `http://127.0.0.1:${PORT}`, token: apiToken, log: (l) => console.log(`[control] ${l}`) }));
  if (CONTROL_ONLY) {
    for (const k of ['screenshot_p50_ms', 'action_to_screen_p50_ms', 'mcp_tool_call_p50_ms']) console.log(`${k.padEnd(34)} ${String(results[k]!.value).padStart(8)}  ${results[k]!.unit}`);
    await terminate(idle.id);
    return;
  }
  // Streaming through the tunnel: a full-screen animation's frame rate and bandwidth, then input-to-screen latency (bench/stream-bench.ts).
  const stream = await benchStream({
    tunnelUrl: (token) => `ws://127.0.0.1:${PORT}/tunnel?token=${encodeURIComponent(token)}`,
    token: async () => (await api.environments.connectionToken.mutate({ id: idle.id })).token,
    container: `genos-env-${idle.id}`,
  });
  // The full-screen animation runs at 30 frames/s: stream_fps is what reaches the client of what the desktop drew.
  results.stream_fps_1280x800 = { value: Math.round(stream.paced.fps * 10) / 10, unit: 'fps (30 fps full-screen animation)' };
  results.stream_source_fps_1280x800 = { value: Math.round(stream.paced.sourceFps * 10) / 10, unit: 'fps (frames the desktop drew)' };
  results.stream_kbps_1280x800 = { value: Math.round(stream.paced.kbps), unit: 'kbit/s' };
  // Worst case: random full-screen text redrawn as fast as the desktop can (nothing compresses).
  results.stream_worst_case_fps_1280x800 = { value: Math.round(stream.fps * 10) / 10, unit: 'fps (random text, unpaced)' };
  results.stream_worst_case_source_fps_1280x800 = { value: Math.round(stream.sourceFps * 10) / 10, unit: 'fps (frames the desktop drew)' };
  results.stream_worst_case_kbps_1280x800 = { value: Math.round(stream.kbps), unit: 'kbit/s' };
  results.input_to_screen_p50_ms = { value: Math.round(stream.inputP50 * 10) / 10, unit: 'ms' };
  console.log(`[stream] ${stream.inputSamples} input samples (ms): ${stream.latencies.map((x) => Math.round(x)).join(', ')}`);
  // The same 30 fps animation in headless Chromium, read from the display overlay (bench/browser-stream-bench.ts).
  const browserStream = await benchBrowserStream({ baseUrl: `http://127.0.0.1:${PORT}`, email, password: 'bench-password', environmentId: idle.id, container: `genos-env-${idle.id}` });
  results.stream_browser_fps_1280x800 = { value: browserStream.fps, unit: `fps (Chromium's overlay, median; the desktop drew ${Math.round(browserStream.sourceFps * 10) / 10})` };
  console.log(`[stream] Chromium overlay fps samples: ${browserStream.samples.join(', ')}`);
  await terminate(idle.id);
  if (STREAM_ONLY) {
    for (const k of Object.keys(results).filter((k) => k.startsWith('stream_') || k.startsWith('input_'))) console.log(`${k.padEnd(34)} ${String(results[k]!.value).padStart(8)}  ${results[k]!.unit}`);
    return;
  }
  // Runtime-level figures on the drivers directly: VM cold/resume ttff and container resume ttff (bench/runtime-bench.ts).
  Object.assign(results, await benchRuntimes((l) => console.log(`[runtime] ${l}`)));
  // A 1 GiB home volume through genos backup create / restore (bench/backup-bench.ts).
  Object.assign(results, await benchBackup({ databaseUrl: dbUrl, log: (l) => console.log(`[backup] ${l}`) }));

  // ── Orchestration ────────────────────────────────────────────────────────────
  const adminEmail = 'bench-admin@genos.test';
  await prisma.user.upsert({ where: { email: adminEmail }, update: { role: 'admin' }, create: { email: adminEmail, role: 'admin', passwordHash: await argon2.hash('bench-password') } });
  const { token: adminToken } = await anon.auth.issueToken.mutate({ email: adminEmail, password: 'bench-password', name: 'bench-admin' });
  const admin = createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `http://127.0.0.1:${PORT}/api/trpc`, transformer: superjson, headers: { authorization: `Bearer ${adminToken}` } })],
  });
  // One HTTP request per call, so 20 creates really arrive at once instead of in one batch.
  const unbatched = createTRPCClient<AppRouter>({
    links: [httpLink({ url: `http://127.0.0.1:${PORT}/api/trpc`, transformer: superjson, headers: { authorization: `Bearer ${apiToken}` } })],
  });
  const benchUser = await prisma.user.findUniqueOrThrow({ where: { email } });
  await admin.admin.quotas.set.mutate({ scope: 'user', subjectId: benchUser.id, maxEnvironments: 25, maxCpu: 8, maxMemoryMiB: 16_384, maxDiskGiB: 500, maxHoursPerDay: 1000, priority: 0 });
  const [hostRow] = await admin.admin.hosts.list.query();
  console.log(`host ${hostRow?.id}: ${hostRow?.cpuCapacity} vCPUs, ${hostRow?.memoryMiB} MiB`);

  /** Samples the machine's CPU (/proc/stat) and memory in use (/proc/meminfo) every 500 ms. */
  function sampleHost() {
    const cpuTimes = () => {
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
      const idle = f[3]! + (f[4] ?? 0);
      return { idle, total: f.slice(0, 8).reduce((a, b) => a + b, 0) };
    };
    const memUsedMiB = () => {
      const kb = (k: string) => Number(readFileSync('/proc/meminfo', 'utf8').match(new RegExp(`^${k}:\\s+(\\d+)`, 'm'))![1]);
      return (kb('MemTotal') - kb('MemAvailable')) / 1024;
    };
    const cpu: number[] = [];
    const mem: number[] = [];
    let last = cpuTimes();
    const timer = setInterval(() => {
      const now = cpuTimes();
      const dt = now.total - last.total;
      if (dt > 0) cpu.push((100 * (dt - (now.idle - last.idle))) / dt);
      last = now;
      mem.push(memUsedMiB());
    }, 500);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    return {
      stop() {
        clearInterval(timer);
        return { cpuPeak: Math.max(...cpu), cpuMean: mean(cpu), memPeak: Math.max(...mem), memMean: mean(mem), samples: cpu.length };
      },
    };
  }

  const live = ['requested', 'provisioning', 'running', 'suspended'] as const;
  /** Ends every environment still alive in the bench database (any owner), and waits until they are gone. */
  async function terminateAll() {
    for (let round = 0; round < 600; round++) {
      const left = await prisma.environment.findMany({ where: { state: { in: [...live] } }, select: { id: true, ownerId: true, state: true } });
      if (!left.length) return;
      if (round % 50 === 0) await Promise.all(left.map((e) => admin.environments.terminate.mutate({ id: e.id }).catch(() => undefined)));
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('environments did not terminate');
  }

  const smallSpec: EnvironmentSpec = { ...spec, name: 'bench-small', apps: ['xterm'], resources: { ...spec.resources, cpu: 0.25, memoryMiB: 256 } };
  const N = 20;
  const sampler = sampleHost();
  const tFire = performance.now();
  let lastRunning = 0;
  const benchIds: string[] = [];
  const concurrent = await Promise.allSettled(
    Array.from({ length: N }, () =>
      launch({ spec: smallSpec, client: unbatched, pollMs: 100, frameTimeoutMs: 120_000, onCreated: (id) => benchIds.push(id), onRunning: () => (lastRunning = performance.now()) }),
    ),
  );
  const host = sampler.stop();
  const started = concurrent.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  const failures = concurrent.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason));
  if (failures.length) console.error(`${failures.length} of ${N} concurrent launches failed: ${[...new Set(failures)].join('; ')}`);
  // Every create reaches running exactly once, each has one container, and no container lacks a row.
  const runningCounts = await prisma.environmentEvent.groupBy({ by: ['environmentId'], where: { environmentId: { in: benchIds }, toState: 'running', NOT: { fromState: 'running' } }, _count: { _all: true } });
  const runningOnce = new Map(runningCounts.map((r) => [r.environmentId, r._count._all]));
  const containers = await docker.listContainers({ all: true, filters: { label: [`genos.instance=${state.instance}`] } });
  const perEnv = new Map<string, number>();
  for (const c of containers.filter((c) => c.Names.some((n) => n.startsWith('/genos-env-')))) perEnv.set(c.Labels['genos.env']!, (perEnv.get(c.Labels['genos.env']!) ?? 0) + 1);
  const rows = new Set((await prisma.environment.findMany({ where: { id: { in: [...perEnv.keys()] } }, select: { id: true } })).map((e) => e.id));
  const lostOrDuplicated =
    N - new Set(benchIds).size + // creates that returned no id (or one twice)
    benchIds.filter((id) => runningOnce.get(id) !== 1).length + // never running, or running twice
    benchIds.filter((id) => perEnv.get(id) !== 1).length + // no container, or two
    [...perEnv.keys()].filter((id) => !rows.has(id)).length; // a container without a row
  results.concurrent20_all_running_s = { value: started.length === N ? Math.round((lastRunning - tFire) / 100) / 10 : -1, unit: 's' };
  results.concurrent20_ttff_p95_ms = { value: started.length ? Math.round(pct(started.map((x) => x.ttff), 95)) : -1, unit: 'ms' };
  results.lost_or_duplicated = { value: lostOrDuplicated + failures.length, unit: 'count' };
  results.concurrent20_host_cpu_peak_pct = { value: Math.round(host.cpuPeak), unit: '%' };
  results.concurrent20_host_cpu_mean_pct = { value: Math.round(host.cpuMean), unit: '%' };
  results.concurrent20_host_mem_peak_mib = { value: Math.round(host.memPeak), unit: 'MiB' };
  results.concurrent20_host_mem_mean_mib = { value: Math.round(host.memMean), unit: 'MiB' };
  await terminateAll();

  // Warm pool of 3 for the cached-ttff spec: the same measurement, served from the pool.
  const poolMembers = async (id: string) => (await admin.admin.pools.list.query()).find((p) => p.id === id)?.members ?? {};
  async function waitPoolFull(id: string) {
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      if (((await poolMembers(id)).running ?? 0) >= 3) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`warm pool did not fill: ${JSON.stringify(await poolMembers(id))}`);
  }
  const pool = await admin.admin.pools.create.mutate({ name: 'bench-warm', spec: { ...spec, name: 'bench-warm' }, size: 3 });
  const warmTtffs: number[] = [];
  try {
    await waitPoolFull(pool.id);
    for (let i = 0; i < RUNS; i++) {
      const { id, ttff } = await launch({ spec: { ...spec, name: `warm-${i}` } });
      warmTtffs.push(ttff);
      await terminate(id);
      await waitPoolFull(pool.id);
    }
  } finally {
    await admin.admin.pools.delete.mutate({ id: pool.id });
    await terminateAll();
  }
  results.ttff_warm_pool_p50_ms = { value: Math.round(pct(warmTtffs, 50)), unit: 'ms' };
  results.ttff_warm_pool_p95_ms = { value: Math.round(pct(warmTtffs, 95)), unit: 'ms' };
  await prisma.$disconnect();

  console.log('\nfigure                              value     unit');
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(34)} ${String(v.value).padStart(8)}  ${v.unit}`);
  console.log(`\nttff runs (ms): ${ttffs.map((x) => Math.round(x)).join(', ')}`);
  console.log(`concurrent ttff (ms): ${started.map((x) => Math.round(x.ttff)).sort((a, b) => a - b).join(', ')}`);
  console.log(`warm-pool ttff runs (ms): ${warmTtffs.map((x) => Math.round(x)).join(', ')}`);
  console.log(`host samples: ${host.samples} every 500 ms`);
  writeFileSync(path.join(root, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
}

let failed = false;
try {
  await main();
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  // Still registered meanwhile: a Ctrl+C during this clean-up cleans up to the end too, then exits.
  await cleanUp();
  unregisterCleanUp();
}
process.exit(failed ? 1 : 0);
