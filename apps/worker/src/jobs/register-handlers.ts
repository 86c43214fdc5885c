import pg from 'pg';
import {
  destroyEnvironment,
  hostQueue,
  HOST_JOB_NAMES,
  provisionEnvironment,
  refillPools,
  scheduleQueued,
  type EnvironmentJob,
  type EnvironmentRecord,
  type WorkInProgress,
  type HostJobName,
  type PoolJob,
  type RuntimeDriver,
  type Store,
} from '@genos/core';
import { JOB_WAKEUP_CHANNEL, type PgBoss } from '@genos/db';
import type { Logger } from '../logger';
import type { WorkerMetrics } from '../ops/worker-metrics';
import { queueLabels } from '../ops/queue-label';

/** Capacity just freed: place whatever waits in the queue. */
const scheduleNow = (store: Store) => store.transaction((tx) => scheduleQueued({ tx }));

/**
 * Subscribes the worker to its own host's queues and the shared ones.
 * pg-boss claims each job with FOR UPDATE SKIP LOCKED; a NOTIFY sent in the
 * enqueuing transaction wakes the pollers at once instead of waiting.
 */
export async function registerHandlers(opts: {
  boss: PgBoss;
  store: Store;
  driver: RuntimeDriver;
  hostName: string;
  databaseUrl: string;
  concurrency: number;
  poolOwnerId: string;
  log: Logger;
  /** Extra host jobs (suspend, resume) provided by other modules. */
  extra?: Partial<Record<HostJobName, (job: EnvironmentJob) => Promise<void>>>;
  /** Told of each environment this worker brought to running (e.g. to watch its Tor gateway). */
  onRunning?: (env: EnvironmentRecord) => void;
  /** Held for each environment while a host job works on it, for the reconciler to leave alone. */
  busy?: WorkInProgress;
  /** Counts provisions, job failures and waits (ops/worker-metrics.ts). */
  metrics?: WorkerMetrics;
}): Promise<{ stop(): Promise<void> }> {
  const { boss, store, driver, log } = opts;
  const workerIds = new Map<string, string[]>();

  const hostHandlers: Partial<Record<HostJobName, (job: EnvironmentJob) => Promise<void>>> = {
    'environment.provision': async ({ environmentId }) => {
      opts.metrics?.provisionsStarted.inc();
      const started = performance.now();
      const env = await provisionEnvironment({ store, driver, id: environmentId, hostName: opts.hostName, onProgress: (l) => log.debug({ environmentId }, l) }).catch((e: unknown) => {
        opts.metrics?.provisionsFailed.inc({ runtime: 'unknown' });
        throw e;
      });
      if (env && opts.metrics) {
        const runtime = env.spec.runtime;
        if (env.state === 'failed') opts.metrics.provisionsFailed.inc({ runtime });
        opts.metrics.provisionDuration.observe({ runtime, outcome: env.state === 'running' ? 'running' : env.state }, (performance.now() - started) / 1000);
      }
      log.info({ environmentId, state: env?.state, error: env?.error }, 'provision finished');
      if (env?.state === 'running') opts.onRunning?.(env);
      if (env?.state === 'failed') await scheduleNow(store);
    },
    'environment.terminate': async ({ environmentId }) => {
      const env = await destroyEnvironment({ store, driver, id: environmentId });
      log.info({ environmentId, state: env?.state }, 'terminate finished');
      await scheduleNow(store);
    },
    ...opts.extra,
  };
  const counts: Record<HostJobName, number> = { 'environment.provision': opts.concurrency, 'environment.terminate': 2, 'environment.suspend': 2, 'environment.resume': 2, 'environment.resize-display': 1 };

  const subscribe = async <T extends object>(queue: string, count: number, handler: (data: T) => Promise<void>) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(
        await boss.work<T>(queue, { batchSize: 1, pollingIntervalSeconds: 2, includeMetadata: true }, async ([job]) => {
          if (!job) return;
          const { queue: label } = queueLabels(queue);
          // Both times are the database's (no clock skew between hosts); from startAfter, as a retry's delay is not waiting.
          opts.metrics?.jobWait.observe({ queue: label }, Math.max(0, job.startedOn.getTime() - job.startAfter.getTime()) / 1000);
          try {
            await handler(job.data);
          } catch (e) {
            opts.metrics?.jobFailures.inc({ queue: label });
            throw e;
          }
        }),
      );
    }
    workerIds.set(queue, ids);
  };
  for (const name of HOST_JOB_NAMES) {
    const handler = hostHandlers[name];
    if (handler) {
      await subscribe<EnvironmentJob>(hostQueue(name, opts.hostName), counts[name], async (job) => {
        const release = opts.busy?.hold(job.environmentId);
        // The web app adds the request id of the call that enqueued the job (apps/web/src/server/ops/job-request-id.ts).
        const requestId = (job as EnvironmentJob & { requestId?: string }).requestId;
        const jobLog = log.child({ job: name, environmentId: job.environmentId, ...(requestId ? { requestId } : {}) });
        const started = performance.now();
        jobLog.info('job started');
        try {
          await handler(job);
          jobLog.info({ durationMs: Math.round(performance.now() - started) }, 'job done');
        } catch (err) {
          jobLog.error({ err, durationMs: Math.round(performance.now() - started) }, 'job failed');
          throw err;
        } finally {
          release?.();
        }
      });
    }
  }
  await subscribe<PoolJob>('pool.refill', 1, async ({ poolId }) => {
    const created = await refillPools({ store, poolOwnerId: opts.poolOwnerId, poolId });
    if (created.length) log.info({ poolId, created: created.length }, 'warm pool refilled');
  });

  const listener = new pg.Client({ connectionString: opts.databaseUrl, application_name: 'genos-worker-listen' });
  await listener.connect();
  listener.on('notification', (msg) => {
    for (const id of workerIds.get(msg.payload ?? '') ?? []) boss.notifyWorker(id);
  });
  listener.on('error', (e) => log.error({ err: e }, 'job wake-up listener failed; falling back to polling'));
  await listener.query(`LISTEN ${JOB_WAKEUP_CHANNEL}`);

  return {
    async stop() {
      await listener.end().catch(() => undefined);
    },
  };
}
