import { sealTotpSecret, type KeyService } from '@genos/core';
import type { PrismaClient } from '../generated/prisma/client.ts';

/**
 * The one-off step after the key service arrived (run by setup, idempotent):
 * seals every TOTP secret still stored in the clear. A row changed meanwhile
 * is left for the next run (the update matches the old value).
 */
export async function encryptPlaintextSecrets(opts: { prisma: PrismaClient; keys: KeyService }): Promise<{ sealed: number }> {
  const rows = await opts.prisma.user.findMany({ where: { totpSecret: { not: null } }, select: { id: true, totpSecret: true } });
  let sealed = 0;
  for (const row of rows) {
    if (!row.totpSecret || opts.keys.isSealed(row.totpSecret)) continue;
    const value = await sealTotpSecret({ keys: opts.keys, userId: row.id, secret: row.totpSecret, actor: { kind: 'system' } });
    const done = await opts.prisma.user.updateMany({ where: { id: row.id, totpSecret: row.totpSecret }, data: { totpSecret: value } });
    sealed += done.count;
  }
  return { sealed };
}
