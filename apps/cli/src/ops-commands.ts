// `genos keys …` and `genos backup …`: run on the GenOS host (as root), against
// the database and files directly; the web app does not need to be up.
import { rotateKeyEncryptionKey, type Actor } from '@genos/core';
import { createPrismaClient } from '@genos/db';
import { prismaDataKeys } from '@genos/db/keys';
import { backupContext } from '../../worker/src/backup/backup-context';
import { createBackup, listBackups, restoreBackup, verifyBackups } from '../../worker/src/backup/backup-service';
import { opsEnv } from './env';

const OPERATOR: Actor = { kind: 'system', id: null };

/** `genos keys …` / `genos backup …`; returns the exit code (1: unknown sub-command). */
export async function runOpsCommand(cmd: 'keys' | 'backup', sub: string | undefined, rest: string[], flags: { json: boolean; force: boolean }): Promise<number> {
  const env = opsEnv();
  const prisma = createPrismaClient(env.DATABASE_URL);
  const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? Number(x) : x), flags.json ? 0 : 2)}\n`);
  try {
    const ctx = backupContext(env, prisma);
    if (cmd === 'keys') {
      if (sub === 'list') {
        print(await ctx.keks.list());
        return 0;
      }
      if (sub === 'rotate') {
        const result = await rotateKeyEncryptionKey({ keks: ctx.keks, dataKeys: prismaDataKeys(prisma), holders: [ctx.repository.holder], audit: ctx.audit, actor: OPERATOR });
        print(result);
        return result.kept.length ? 4 : 0;
      }
      return 1;
    }
    switch (sub) {
      case 'create': {
        const r = await createBackup(ctx, { trigger: 'manual', actor: OPERATOR });
        print({ snapshot: r.snapshotId, bytes: r.bytes, added: r.added, seconds: Number(r.seconds.toFixed(2)), tables: r.manifest.database.tables.length, sources: r.manifest.sources.map((s) => ({ role: s.role, path: s.path, files: s.files, bytes: s.bytes })) });
        return 0;
      }
      case 'list':
        print(await listBackups(ctx));
        return 0;
      case 'verify': {
        const r = await verifyBackups(ctx, OPERATOR);
        print(r);
        if (!r.ok) for (const c of r.corrupt) console.error(`genos: corrupt: ${c.file}${c.holds.length ? ` (holds ${c.holds.join(', ')})` : ''}`);
        return r.ok ? 0 : 5;
      }
      case 'restore': {
        const r = await restoreBackup(ctx, { snapshot: rest[0], force: flags.force, actor: OPERATOR });
        print({ ...r, seconds: Number(r.seconds.toFixed(2)) });
        return 0;
      }
      default:
        return 1;
    }
  } finally {
    await prisma.$disconnect();
  }
}
