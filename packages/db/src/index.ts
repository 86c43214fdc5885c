// @genos/db: the Prisma client and generated types for GenOS.
//
//   import { getPrisma, EnvironmentState, type Environment, Prisma } from '@genos/db';
//
// Kept free of Node-only tooling (migrations, embedded PostgreSQL, argon2) so
// that Next.js can bundle it; those live behind subpath exports:
//   @genos/db/migrate, @genos/db/embedded, @genos/db/testing, @genos/db/seed.
// Run `npm run generate -w @genos/db` first: ./generated is not committed.
export * from './generated/prisma/client.ts';
export { createPrismaClient, getPrisma } from './client.ts';
export { createPrismaStore } from './store/prisma-store.ts';
export type { Enqueue, SqlExecutor } from './store/sql-executor.ts';
export { bossEnqueue, createBoss, ensureHostQueues, ensureQueues, JOB_WAKEUP_CHANNEL, PgBoss } from './queue/job-queue.ts';
export { recordImage, type ImageRecordInput } from './store/record-image.ts';
export { ensurePoolOwner, POOL_OWNER_EMAIL } from './pool-owner.ts';
