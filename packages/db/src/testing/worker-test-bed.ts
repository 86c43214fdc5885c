// createWorkerTestBed(): what a worker-side test needs to run use-cases as a
// worker would: a fresh database, a started job queue, the Store over both, a
// registered host with its queues, and one user to act as.
//
//   const bed = await createWorkerTestBed({ hostId: 'my-host', email: 'me@genos.test' });
//   await provisionEnvironment({ store: bed.store, driver, id, hostName: 'my-host' });
//   await bed.drop(); // in afterAll
import type { Actor, Store } from '@genos/core';
import { bossEnqueue, createBoss, ensureQueues, type PgBoss } from '../queue/job-queue.ts';
import { createPrismaStore } from '../store/prisma-store.ts';
import { createTestDatabase, type TestDatabase } from './create-test-database.ts';
import { registerTestHost } from './register-test-host.ts';

export interface WorkerTestBed {
  db: TestDatabase;
  boss: PgBoss;
  store: Store;
  user: Actor;
  /** Stops the queue and drops the database. */
  drop(): Promise<void>;
}

export async function createWorkerTestBed(opts: { hostId: string; email: string }): Promise<WorkerTestBed> {
  const db = await createTestDatabase();
  const boss = createBoss(db.url);
  await boss.start();
  await ensureQueues(boss);
  const store = createPrismaStore({ prisma: db.prisma, enqueue: bossEnqueue(boss) });
  await registerTestHost({ store, boss, id: opts.hostId });
  const u = await db.prisma.user.create({ data: { email: opts.email } });
  return {
    db,
    boss,
    store,
    user: { kind: 'user', id: u.id },
    async drop() {
      await boss.stop({ graceful: false });
      await db.drop();
    },
  };
}
