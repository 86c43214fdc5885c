import pg from 'pg';
import { destroyEnvironment, provisionEnvironment, type EnvironmentJob, type JobName, type RuntimeDriver, type Store } from '@genos/core';
import { JOB_WAKEUP_CHANNEL, type PgBoss } from '@genos/db';
import type { Logger } from '../logger';

/**
 * Subscribes the worker to its queues. pg-boss claims each job with
 * FOR UPDATE SKIP LOCKED; a NOTIFY sent in the enqueuing transaction wakes
 * the pollers at once instead of waiting for the next poll.
 */
export async function registerHandlers(opts: {
  boss: PgBoss;
  store: Store;
  driver: RuntimeDriver;
  hostName: string;
  databaseUrl: string;
  concurrency: number;
  log: Logger;
}): Promise<{ stop(): Promise<void> }> {
  const { boss, store, driver, log } = opts;
  const workerIds = new Map<JobName, string[]>();

  const handlers: Record<JobName, (job: EnvironmentJob) => Promise<void>> = {
    'environment.provision': async ({ environmentId }) => {
      const env = await provisionEnvironment({ store, driver, id: environmentId, hostName: opts.hostName, onProgress: (l) => log.debug({ environmentId }, l) });
      log.info({ environmentId, state: env?.state, error: env?.error }, 'provision finished');
    },
    'environment.terminate': async ({ environmentId }) => {
      const env = await destroyEnvironment({ store, driver, id: environmentId });
      log.info({ environmentId, state: env?.state }, 'terminate finished');
    },
  };

  const counts: Record<JobName, number> = { 'environment.provision': opts.concurrency, 'environment.terminate': 2 };
  for (const name of Object.keys(handlers) as JobName[]) {
    const ids: string[] = [];
    for (let i = 0; i < counts[name]; i++) {
      ids.push(
        await boss.work<EnvironmentJob>(name, { batchSize: 1, pollingIntervalSeconds: 2 }, async ([job]) => {
          if (job) await handlers[name](job.data);
        }),
      );
    }
    workerIds.set(name, ids);
  }

  const listener = new pg.Client({ connectionString: opts.databaseUrl, application_name: 'genos-worker-listen' });
  await listener.connect();
  listener.on('notification', (msg) => {
    for (const id of workerIds.get(msg.payload as JobName) ?? []) boss.notifyWorker(id);
  });
  listener.on('error', (e) => log.error({ err: e }, 'job wake-up listener failed; falling back to polling'));
  await listener.query(`LISTEN ${JOB_WAKEUP_CHANNEL}`);

  return {
    async stop() {
      await listener.end().catch(() => undefined);
    },
  };
}
