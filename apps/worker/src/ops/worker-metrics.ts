import fs from 'node:fs/promises';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import { queueLabels } from './queue-label';

/** What the scrape-time gauges read: the shared database (every worker sees the whole deployment) and this host's state dir. */
export interface WorkerMetricsSources {
  prisma: PrismaClient;
  store: Store;
  stateDir: string;
}

/**
 * The worker's metrics in a Registry of its own. Counters and histograms count
 * what this worker did; the gauges are read from the database at each scrape,
 * so they are right after a restart and agree between workers (alert rules
 * take max() across them).
 */
export function createWorkerMetrics(sources: WorkerMetricsSources) {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'worker' });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const environments = new Gauge({ name: 'genos_environments', help: 'Environments by lifecycle state and runtime', labelNames: ['state', 'runtime'] as const, registers });
  const jobsWaiting = new Gauge({ name: 'genos_jobs_waiting', help: 'Jobs due and not yet taken, by queue (job name) and host', labelNames: ['queue', 'host'] as const, registers });
  const jobsOldestWait = new Gauge({ name: 'genos_jobs_oldest_wait_seconds', help: 'How long the oldest due job has waited, by queue and host (0: none waiting)', labelNames: ['queue', 'host'] as const, registers });
  const poolSize = new Gauge({ name: 'genos_warm_pool_size', help: 'Desktops a warm pool keeps ready (its configured size; 0 when disabled)', labelNames: ['pool'] as const, registers });
  const poolReady = new Gauge({ name: 'genos_warm_pool_ready', help: 'Warm pool members running and unclaimed', labelNames: ['pool'] as const, registers });
  const hostUp = new Gauge({ name: 'genos_host_up', help: 'Whether GenOS counts a host as up (1) or marked it down (0)', labelNames: ['host'] as const, registers });
  const hostHeartbeat = new Gauge({ name: 'genos_host_last_heartbeat_timestamp_seconds', help: "A host's last heartbeat (Unix time)", labelNames: ['host'] as const, registers });
  const hostCpu = new Gauge({ name: 'genos_host_cpu_capacity', help: 'Schedulable vCPUs of a host (cores x overcommit)', labelNames: ['host'] as const, registers });
  const hostMemory = new Gauge({ name: 'genos_host_memory_capacity_bytes', help: 'Schedulable memory of a host', labelNames: ['host'] as const, registers });
  const hostCpuUsed = new Gauge({ name: 'genos_host_cpu_allocated', help: 'vCPUs placed on a host by its environments', labelNames: ['host'] as const, registers });
  const hostMemoryUsed = new Gauge({ name: 'genos_host_memory_allocated_bytes', help: 'Memory placed on a host by its environments', labelNames: ['host'] as const, registers });
  const hostEnvironments = new Gauge({ name: 'genos_host_environments', help: 'Environments holding resources on a host', labelNames: ['host'] as const, registers });
  const stateDirFree = new Gauge({ name: 'genos_state_dir_free_bytes', help: "Free bytes on the state dir's filesystem (for unprivileged users)", registers });
  const stateDirSize = new Gauge({ name: 'genos_state_dir_size_bytes', help: "Size of the state dir's filesystem", registers });
  const backupLastSuccess = new Gauge({ name: 'genos_backup_last_success_timestamp_seconds', help: 'When the last backup that succeeded finished (Unix time; absent: none yet)', registers });

  const metrics = {
    registry,
    provisionsStarted: new Counter({ name: 'genos_provisions_started_total', help: 'Provisioning jobs this worker started', registers }),
    provisionsFailed: new Counter({ name: 'genos_provisions_failed_total', help: 'Provisioning jobs that left the environment failed (or threw), by runtime', labelNames: ['runtime'] as const, registers }),
    provisionDuration: new Histogram({
      name: 'genos_provision_duration_seconds',
      help: 'From a provisioning job starting to its environment running or failed, by runtime and outcome',
      labelNames: ['runtime', 'outcome'] as const,
      buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
      registers,
    }),
    jobFailures: new Counter({ name: 'genos_job_failures_total', help: 'Jobs whose handler threw (pg-boss retries or fails them), by queue', labelNames: ['queue'] as const, registers }),
    jobWait: new Histogram({
      name: 'genos_job_wait_seconds',
      help: 'From a job being due to this worker taking it, by queue',
      labelNames: ['queue'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    }),
    dependencyUp: new Gauge({ name: 'genos_dependency_up', help: 'Whether a dependency answered the last readiness check (1) or not (0)', labelNames: ['dependency'] as const, registers }),
    dependencyLatency: new Gauge({ name: 'genos_dependency_check_duration_seconds', help: 'How long the last readiness check of a dependency took', labelNames: ['dependency'] as const, registers }),

    /** Reads every scrape-time gauge; a source that fails keeps its last values and the error is thrown after the rest. */
    async collect(): Promise<void> {
      const { prisma, store, stateDir } = sources;
      const results = await Promise.allSettled([
        (async () => {
          const rows = await prisma.$queryRaw<{ state: string; runtime: string | null; n: number }[]>`
            SELECT state::text AS state, spec->>'runtime' AS runtime, count(*)::int AS n FROM "Environment" GROUP BY 1, 2`;
          environments.reset();
          for (const r of rows) environments.set({ state: r.state, runtime: r.runtime ?? 'unknown' }, r.n);
        })(),
        (async () => {
          // Due jobs only: a retry waiting out its delay is not stuck.
          const rows = await prisma.$queryRaw<{ name: string; n: number; oldest: number | null }[]>`
            SELECT name, count(*)::int AS n, extract(epoch FROM now() - min(start_after))::float8 AS oldest
            FROM pgboss.job WHERE state IN ('created', 'retry') AND start_after <= now() GROUP BY name`;
          const queues = await prisma.$queryRaw<{ name: string }[]>`SELECT name FROM pgboss.queue`;
          jobsWaiting.reset();
          jobsOldestWait.reset();
          const byName = new Map(rows.map((r) => [r.name, r]));
          for (const { name } of queues) {
            if (name.startsWith('__pgboss__')) continue; // pg-boss's own bookkeeping
            const labels = queueLabels(name);
            jobsWaiting.set(labels, byName.get(name)?.n ?? 0);
            jobsOldestWait.set(labels, Math.max(0, byName.get(name)?.oldest ?? 0));
          }
        })(),
        (async () => {
          const [pools, counts] = await Promise.all([store.pools.list(), store.pools.memberCounts()]);
          poolSize.reset();
          poolReady.reset();
          for (const p of pools) {
            poolSize.set({ pool: p.name }, p.enabled ? p.size : 0);
            poolReady.set({ pool: p.name }, counts.get(p.id)?.running ?? 0);
          }
        })(),
        (async () => {
          const [hosts, usage] = await Promise.all([store.hosts.list(), store.transaction((tx) => tx.hosts.usage())]);
          for (const g of [hostUp, hostHeartbeat, hostCpu, hostMemory, hostCpuUsed, hostMemoryUsed, hostEnvironments]) g.reset();
          for (const h of hosts) {
            const host = { host: h.id };
            const used = usage.get(h.id);
            hostUp.set(host, h.state === 'up' ? 1 : 0);
            hostHeartbeat.set(host, h.lastHeartbeatAt.getTime() / 1000);
            hostCpu.set(host, h.cpuCapacity);
            hostMemory.set(host, h.memoryMiB * 2 ** 20);
            hostCpuUsed.set(host, used?.cpu ?? 0);
            hostMemoryUsed.set(host, (used?.memoryMiB ?? 0) * 2 ** 20);
            hostEnvironments.set(host, used?.environments ?? 0);
          }
        })(),
        (async () => {
          const good = (await store.admin.backups.latest(50)).find((r) => r.status === 'succeeded' && r.finishedAt);
          backupLastSuccess.reset();
          if (good) backupLastSuccess.set(good.finishedAt!.getTime() / 1000);
        })(),
        (async () => {
          const s = await fs.statfs(stateDir);
          stateDirFree.set(s.bavail * s.bsize);
          stateDirSize.set(s.blocks * s.bsize);
        })(),
      ]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    },
  };
  return metrics;
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
