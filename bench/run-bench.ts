/**
 * `npm run bench`: starts GenOS on its own port and database, then measures
 * the composer's latency (deterministic path, per request), then
 * time to first frame (create call → first `img` instruction through the
 * display tunnel, 10 runs, image cached) and an idle desktop's memory.
 * Prints a table and writes bench/results.json.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import argon2 from 'argon2';
import Dockerode from 'dockerode';
import WebSocket from 'ws';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';
import { composeEnvironment } from '@genos/core';
import { createPrismaClient } from '@genos/db';
import type { AppRouter } from '../apps/web/src/server/api/root';
import { benchComposer } from './composer-bench';

const root = path.resolve(import.meta.dirname, '..');
const PORT = 3200;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const dbUrl = process.env.BENCH_DATABASE_URL!;
// The composer first: pure CPU, measured before the stack competes for the cores.
const results: Record<string, { value: number; unit: string }> = { ...benchComposer() };
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

const stack = spawn('bash', ['scripts/run-stack.sh'], {
  cwd: root,
  env: { ...process.env, PORT: String(PORT), GENOS_INSTANCE: 'bench', DATABASE_URL: dbUrl, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', 'inherit'],
  detached: true,
});
const stopStack = () => {
  try {
    process.kill(-stack.pid!, 'SIGTERM');
  } catch {
    /* already gone */
  }
};
process.on('exit', stopStack);

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
function firstFrame(token: string, t0: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${PORT}/tunnel?token=${encodeURIComponent(token)}`, 'guacamole');
    const timer = setTimeout(() => reject(new Error('no frame in 30 s')), 30_000);
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

await waitForServer();
const prisma = createPrismaClient(dbUrl);
const email = 'bench@genos.test';
await prisma.user.upsert({ where: { email }, update: {}, create: { email, passwordHash: await argon2.hash('bench-password') } });
const anon = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `http://127.0.0.1:${PORT}/api/trpc`, transformer: superjson })] });
const { token: apiToken } = await anon.auth.issueToken.mutate({ email, password: 'bench-password', name: 'bench' });
const api = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: `http://127.0.0.1:${PORT}/api/trpc`, transformer: superjson, headers: { authorization: `Bearer ${apiToken}` } })],
});
const spec = composeEnvironment({ request: 'a Linux desktop with xterm' }).spec!;

async function launch(): Promise<{ id: string; ttff: number }> {
  const t0 = performance.now();
  const env = await api.environments.create.mutate({ spec, request: 'bench' });
  for (;;) {
    const e = await api.environments.get.query({ id: env.id });
    if (e.state === 'running') break;
    if (e.state === 'failed' || e.state === 'terminated') throw new Error(`environment ${e.state}: ${e.error}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const { token } = await api.environments.connectionToken.mutate({ id: env.id });
  return { id: env.id, ttff: await firstFrame(token, t0) };
}

async function terminate(id: string) {
  await api.environments.terminate.mutate({ id });
  for (;;) {
    if ((await api.environments.get.query({ id })).state === 'terminated') return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

await terminate((await launch()).id); // warm-up: caches, JIT, first connections
const ttffs: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const { id, ttff } = await launch();
  ttffs.push(ttff);
  await terminate(id);
}
results.ttff_container_cached_p50_ms = { value: Math.round(pct(ttffs, 50)), unit: 'ms' };
results.ttff_container_cached_p95_ms = { value: Math.round(pct(ttffs, 95)), unit: 'ms' };

const idle = await launch();
await new Promise((r) => setTimeout(r, 10_000));
const stats = (await docker.getContainer(`genos-env-${idle.id}`).stats({ stream: false })) as unknown as {
  memory_stats: { usage: number; stats?: { cache?: number; total_inactive_file?: number; inactive_file?: number } };
};
const m = stats.memory_stats;
const used = m.usage - (m.stats?.total_inactive_file ?? m.stats?.inactive_file ?? m.stats?.cache ?? 0);
results.desktop_idle_memory_mib = { value: Math.round((used / 1024 / 1024) * 10) / 10, unit: 'MiB' };
await terminate(idle.id);
await prisma.$disconnect();

console.log('\nfigure                              value     unit');
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(34)} ${String(v.value).padStart(8)}  ${v.unit}`);
console.log(`\nttff runs (ms): ${ttffs.map((x) => Math.round(x)).join(', ')}`);
writeFileSync(path.join(root, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
stopStack();
process.exit(0);
