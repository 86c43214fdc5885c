import type { KeyService } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import { keyServiceFor } from '@genos/db/keys';
import { env } from '../../env';

// One key service per database client: data keys live in the same database as the rows they seal.
const g = globalThis as unknown as { __genosSecretKeys?: WeakMap<PrismaClient, KeyService> };
const byClient = (g.__genosSecretKeys ??= new WeakMap());

/** The key service sealing secret columns (TOTP secrets) of this database, with the KEK file from GENOS_KEK_FILE. */
export function secretKeys(prisma: PrismaClient): KeyService {
  let keys = byClient.get(prisma);
  if (!keys) byClient.set(prisma, (keys = keyServiceFor({ prisma, kekFile: env().GENOS_KEK_FILE }).keys));
  return keys;
}
