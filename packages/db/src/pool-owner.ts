import type { PrismaClient } from './generated/prisma/client.ts';

/** The system user that owns warm-pool members until someone claims one. It cannot sign in (no password). */
export const POOL_OWNER_EMAIL = 'warm-pool@genos.local';

export async function ensurePoolOwner(prisma: PrismaClient): Promise<string> {
  try {
    const user = await prisma.user.upsert({ where: { email: POOL_OWNER_EMAIL }, create: { email: POOL_OWNER_EMAIL, name: 'Warm pool' }, update: {} });
    return user.id;
  } catch (e) {
    // Two workers starting at once: Prisma's upsert is a read then an insert, and the other one inserted first.
    if ((e as { code?: string }).code !== 'P2002') throw e;
    return (await prisma.user.findUniqueOrThrow({ where: { email: POOL_OWNER_EMAIL } })).id;
  }
}
