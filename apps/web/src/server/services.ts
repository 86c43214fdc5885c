import { bossEnqueue, createBoss, createPrismaClient, createPrismaStore, type PrismaClient } from '@genos/db';
import type { Store } from '@genos/core';
import { env } from '../env';
import { withCurrentRequestId } from './ops/job-request-id';

/**
 * Process-wide singletons. Kept on globalThis so Next's module reloading in
 * dev does not open a new pool per edit.
 */
interface Services {
  prisma: PrismaClient;
  store: Store;
}
const g = globalThis as unknown as { __genosServices?: Services };

export function services(): Services {
  if (g.__genosServices) return g.__genosServices;
  const prisma = createPrismaClient(env().DATABASE_URL);
  // Only used to insert jobs inside our own transactions: never started here.
  const boss = createBoss(env().DATABASE_URL);
  const store = createPrismaStore({ prisma, enqueue: withCurrentRequestId(bossEnqueue(boss)) });
  return (g.__genosServices = { prisma, store });
}
