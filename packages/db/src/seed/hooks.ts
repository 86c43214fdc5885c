// Extra seeding steps run after the team and admin exist, in order.
// THIS IS THE PLACE FOR CATALOG SEEDING: add e.g. `seedCatalog` here (or pass
// `hooks` to seed()). Each hook must be idempotent, like seed() itself.
import type { PrismaClient, Team, User } from '../generated/prisma/client.ts';

export interface SeedContext {
  team: Team;
  admin: User;
  log: (message: string) => void;
}

export type SeedHook = (prisma: PrismaClient, context: SeedContext) => Promise<void>;

export const defaultSeedHooks: SeedHook[] = [
  // seedCatalog,
];
