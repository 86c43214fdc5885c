import type { HostRecord, Store } from '@genos/core';
import { ensureHostQueues, type PgBoss } from '../queue/job-queue.ts';

/** A host row and its queues, as a worker's start would make them, so creates get placed in tests. */
export async function registerTestHost(opts: { store: Store; boss: PgBoss; id: string; cpuCapacity?: number; memoryMiB?: number }): Promise<HostRecord> {
  const host = await opts.store.hosts.register({
    id: opts.id,
    cpuCapacity: opts.cpuCapacity ?? 64,
    memoryMiB: opts.memoryMiB ?? 65_536,
    runtimes: ['docker'],
    guacdHost: '127.0.0.1',
    guacdPort: 4822,
    version: null,
  });
  await ensureHostQueues(opts.boss, opts.id);
  return host;
}
