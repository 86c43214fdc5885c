import { auditThrough, type KeyEncryptionKeys, type KeyService } from '@genos/core';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { createPrismaStore } from '../store/prisma-store.ts';
import { createKeyService } from './envelope-key-service.ts';
import { fileKeyring } from './file-keyring.ts';
import { prismaDataKeys } from './prisma-data-keys.ts';

/**
 * The key service over one database and the file keyring at `kekFile`
 * (what each process builds once from GENOS_KEK_FILE). Audits go through the
 * Store's writer; key audits never enqueue jobs.
 */
export function keyServiceFor(opts: { prisma: PrismaClient; kekFile: string }): { keys: KeyService; keks: KeyEncryptionKeys } {
  const keks = fileKeyring(opts.kekFile);
  const store = createPrismaStore({ prisma: opts.prisma, enqueue: async () => null });
  return { keks, keys: createKeyService({ keks, dataKeys: prismaDataKeys(opts.prisma), audit: auditThrough(store) }) };
}
