import PgBoss from 'pg-boss';
import { HOST_JOB_NAMES, hostQueue, SHARED_JOB_NAMES, type JobName } from '@genos/core';
import type { Enqueue } from '../store/sql-executor.ts';

/** NOTIFY channel that wakes workers the moment a job's transaction commits. */
export const JOB_WAKEUP_CHANNEL = 'genos_jobs';

// Per-queue policy: a job that outlives expireInSeconds is treated as stuck
// (its worker died) and pg-boss's maintenance retries it — the reaper.
const QUEUE_OPTIONS: Record<JobName, { expireInSeconds: number; retryLimit: number; retryDelay: number }> = {
  'environment.provision': { expireInSeconds: 900, retryLimit: 1, retryDelay: 5 },
  'environment.terminate': { expireInSeconds: 300, retryLimit: 5, retryDelay: 5 },
  'environment.suspend': { expireInSeconds: 120, retryLimit: 3, retryDelay: 2 },
  'environment.resume': { expireInSeconds: 120, retryLimit: 3, retryDelay: 2 },
  // A resize is only worth doing now: a newer one follows if the window keeps changing.
  'environment.resize-display': { expireInSeconds: 30, retryLimit: 0, retryDelay: 1 },
  'pool.refill': { expireInSeconds: 300, retryLimit: 3, retryDelay: 5 },
  // A Docker build with apt can take a while; a failed build is reported, not retried.
  'image.build': { expireInSeconds: 1800, retryLimit: 0, retryDelay: 5 },
};

export function createBoss(connectionString: string): PgBoss {
  return new PgBoss({ connectionString, schema: 'pgboss', max: 4, application_name: 'genos-queue' });
}

/**
 * pg-boss creates each queue's partition with ALTER TABLE; two workers starting
 * at once can deadlock there (40P01). PostgreSQL aborts one of them: try again.
 */
async function createQueueOnce(boss: PgBoss, name: string, options: PgBoss.Queue): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (!(await boss.getQueue(name))) await boss.createQueue(name, options);
      return;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if ((code !== '40P01' && code !== '23505') || attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200 * attempt));
    }
  }
}

/** Creates the shared queues when missing; run once at setup and at worker start. */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  for (const name of SHARED_JOB_NAMES) {
    await createQueueOnce(boss, name, { name, policy: 'standard', ...QUEUE_OPTIONS[name] });
  }
}

/** Creates one host's own queues (environment jobs run where the environment lives); run when the host registers. */
export async function ensureHostQueues(boss: PgBoss, hostId: string): Promise<string[]> {
  const names: string[] = [];
  for (const job of HOST_JOB_NAMES) {
    const name = hostQueue(job, hostId);
    await createQueueOnce(boss, name, { name, policy: 'standard', ...QUEUE_OPTIONS[job] });
    names.push(name);
  }
  return names;
}

/** An Enqueue for the Prisma store: inserts the job and queues a wake-up, both in the caller's transaction. */
export function bossEnqueue(boss: PgBoss): Enqueue {
  return async (name, data, exec) => {
    const id = await boss.send(name, data, { db: exec } as PgBoss.SendOptions);
    // pg_notify returns void, which the driver adapter cannot decode: count it instead.
    await exec.executeSql('SELECT count(*)::int AS n FROM (SELECT pg_notify($1, $2)) AS wake', [JOB_WAKEUP_CHANNEL, name]);
    return id;
  };
}

export { PgBoss };
