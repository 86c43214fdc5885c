import type { BackupRunRecord, BackupRuns, BackupScheduleRecord } from '@genos/core';
import type { BackupRun, Prisma, PrismaClient } from '../generated/prisma/client.ts';

const toRun = (r: BackupRun): BackupRunRecord => ({
  ...r,
  trigger: r.trigger === 'scheduled' ? 'scheduled' : 'manual',
  status: r.status === 'succeeded' ? 'succeeded' : r.status === 'failed' ? 'failed' : 'running',
  bytes: Number(r.bytes),
});
const DEFAULT_SCHEDULE: BackupScheduleRecord = { enabled: false, hourUtc: 3, keepDaily: 7, keepWeekly: 4, updatedAt: null };

/** On the client or inside a transaction (the admin schedule is set with its audit row). */
export function prismaBackupRuns(prisma: PrismaClient | Prisma.TransactionClient): BackupRuns {
  return {
    start: async (run) => toRun(await prisma.backupRun.create({ data: { trigger: run.trigger, host: run.host } })),
    finish: async (id, o) =>
      toRun(
        await prisma.backupRun.update({
          where: { id },
          data: { status: o.status, snapshotId: o.snapshotId ?? null, bytes: BigInt(Math.round(o.bytes ?? 0)), error: o.error ?? null, finishedAt: new Date() },
        }),
      ),
    failInterrupted: async (reason) => (await prisma.backupRun.updateMany({ where: { status: 'running' }, data: { status: 'failed', error: reason, finishedAt: new Date() } })).count,
    latest: async (limit) => (await prisma.backupRun.findMany({ orderBy: { startedAt: 'desc' }, take: limit })).map(toRun),
    schedule: async () => {
      const s = await prisma.backupSchedule.findUnique({ where: { id: 'default' } });
      return s ? { enabled: s.enabled, hourUtc: s.hourUtc, keepDaily: s.keepDaily, keepWeekly: s.keepWeekly, updatedAt: s.updatedAt } : DEFAULT_SCHEDULE;
    },
    setSchedule: async (s) => {
      const row = await prisma.backupSchedule.upsert({ where: { id: 'default' }, create: { id: 'default', ...s }, update: s });
      return { enabled: row.enabled, hourUtc: row.hourUtc, keepDaily: row.keepDaily, keepWeekly: row.keepWeekly, updatedAt: row.updatedAt };
    },
  };
}
