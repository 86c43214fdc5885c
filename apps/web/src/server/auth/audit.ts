import type { PrismaClient } from '@genos/db';

type Db = Pick<PrismaClient, 'auditLog'>;
type Json = Record<string, unknown> | null;

/** One AuditLog row for an authentication event; `actorId` null when nobody is known (an unknown email). */
export async function auditAuth(
  db: Db,
  entry: { action: string; actorId: string | null; targetId: string | null; ip: string | null; before?: Json; after?: Json; targetType?: string },
): Promise<void> {
  await db.auditLog.create({
    data: {
      actorKind: entry.actorId ? 'user' : 'system',
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType ?? 'user',
      targetId: entry.targetId,
      ip: entry.ip,
      before: (entry.before ?? undefined) as never,
      after: (entry.after ?? undefined) as never,
    },
  });
}
