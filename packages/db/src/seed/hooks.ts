// Extra seeding steps run after the team and admin exist, in order.
// THIS IS THE PLACE FOR CATALOG SEEDING: add e.g. `seedCatalog` here (or pass
// `hooks` to seed()). Each hook must be idempotent, like seed() itself.
import type { PrismaClient, Team, User } from '../generated/prisma/client.ts';
import { seedKnowledgeBase } from './seed-knowledge-base.ts';

export interface SeedContext {
  team: Team;
  admin: User;
  log: (message: string) => void;
}

export type SeedHook = (prisma: PrismaClient, context: SeedContext) => Promise<void>;

/** The base desktop image is the catalog's first entry; the worker marks it ready once built. */
export const BASE_IMAGE_TAG = 'genos/desktop-base:1';

const seedImageCatalog: SeedHook = async (prisma, { log }) => {
  const existing = await prisma.image.findUnique({ where: { tag: BASE_IMAGE_TAG } });
  if (existing) return;
  await prisma.image.create({ data: { kind: 'base', tag: BASE_IMAGE_TAG, packages: [], status: 'pending' } });
  log(`catalog: added ${BASE_IMAGE_TAG}`);
};

export const defaultSeedHooks: SeedHook[] = [seedImageCatalog, seedKnowledgeBase];
