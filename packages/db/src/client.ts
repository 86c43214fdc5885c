// PrismaClient construction. Prisma 7 has no Rust query engine: queries are
// planned by a WASM compiler inside @prisma/client and sent through the
// driver adapter (node-postgres here), so no binary is needed at runtime.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';

/** A new client for `url` (default: DATABASE_URL). Call $disconnect() when done. */
export function createPrismaClient(url?: string): PrismaClient {
  const connectionString = url ?? process.env.DATABASE_URL;
  if (!connectionString) {
    throw new Error(
      'DATABASE_URL is not set. Start the embedded server with `npm run postgres -w @genos/db` ' +
        'and export the DATABASE_URL it prints, or point DATABASE_URL at your PostgreSQL.',
    );
  }
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
}

// Kept on globalThis so Next.js dev reloads (which re-evaluate modules) reuse
// one pool instead of opening a new one per reload.
const holder = globalThis as typeof globalThis & { __genosPrisma?: PrismaClient };

/** The process-wide client for DATABASE_URL, created on first use. */
export function getPrisma(): PrismaClient {
  holder.__genosPrisma ??= createPrismaClient();
  return holder.__genosPrisma;
}
