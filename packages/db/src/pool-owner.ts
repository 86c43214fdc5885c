import type { PrismaClient } from './generated/prisma/client.ts';

/** The system user that owns warm-pool members until someone claims one. It cannot sign in (no password). */
export const POOL_OWNER_EMAIL = 'warm-pool@genos.local';

export async function ensurePoolOwner(prisma: PrismaClient): Promise<string> {
  const user = await prisma.user.upsert({ where: { email: POOL_OWNER_EMAIL }, create: { email: POOL_OWNER_EMAIL, name: 'Warm pool' }, update: {} });
  return user.id;
}
