// createTestDatabase(): a fresh, fully migrated database for one test file
// (or one test), on the server of DATABASE_URL.
//
//   const db = await createTestDatabase();
//   await db.prisma.user.create(...);
//   await db.drop(); // in afterAll
import { randomBytes } from 'node:crypto';
import { createPrismaClient } from '../client.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { withDatabase } from '../migrate/migration-adapter.ts';
import { quoteIdent, withAdminClient } from './admin-connection.ts';
import { ensureTemplateDatabase } from './template-database.ts';

export const TEST_DB_PREFIX = 'genos_test_';

export interface TestDatabase {
  name: string;
  url: string;
  prisma: PrismaClient;
  /** Disconnects the client and drops the database. */
  drop(): Promise<void>;
}

export async function createTestDatabase(options: { url?: string } = {}): Promise<TestDatabase> {
  const serverUrl = options.url ?? process.env.DATABASE_URL;
  if (!serverUrl) {
    throw new Error('createTestDatabase needs DATABASE_URL (the vitest global setup in @genos/db/testing sets it).');
  }
  const template = await ensureTemplateDatabase(serverUrl);
  // The pid lets dropStaleTestDatabases() recognise leftovers of dead runs.
  const name = `${TEST_DB_PREFIX}${process.pid}_${randomBytes(5).toString('hex')}`;
  await withAdminClient(serverUrl, (c) =>
    c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`),
  );
  const url = withDatabase(serverUrl, name);
  const prisma = createPrismaClient(url);
  let dropped = false;
  return {
    name,
    url,
    prisma,
    async drop() {
      if (dropped) return;
      dropped = true;
      await prisma.$disconnect();
      await withAdminClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  };
}
