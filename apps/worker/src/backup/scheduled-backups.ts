import { backupDue, type BackupRuns } from '@genos/core';
import type { Logger } from '../logger';
import { createBackup, type BackupContext } from './backup-service';

/**
 * The daily backup an admin schedules (admin.backups.setSchedule): checked
 * every minute; when due, one backup, then restic forgets what retention no
 * longer keeps (N daily, M weekly). Several workers may check: the backup
 * lock lets one run and the others see it running. A worker killed midway
 * leaves a `running` row that the next run marks failed, then retries.
 */
export function startScheduledBackups(opts: { ctx: BackupContext; runs: BackupRuns; log: Logger; everyMs?: number; now?: () => Date }) {
  const { ctx, runs, log } = opts;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const schedule = await runs.schedule();
      if (!backupDue({ schedule, recent: await runs.latest(20), now: opts.now?.() ?? new Date() })) return;
      const r = await createBackup(ctx, { trigger: 'scheduled', actor: { kind: 'worker', id: null } });
      log.info({ snapshot: r.snapshotId, bytes: r.bytes, added: r.added, seconds: r.seconds }, 'scheduled backup done');
      const removed = await ctx.repository.forget({ daily: schedule.keepDaily, weekly: schedule.keepWeekly });
      if (removed.length) log.info({ removed }, 'old backups removed by retention');
    } catch (err) {
      // A running backup elsewhere is not a failure of this tick.
      if ((err as { code?: string }).code !== 'CONFLICT') log.error({ err }, 'scheduled backup failed');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.everyMs ?? 60_000);
  return { tick, stop: () => clearInterval(timer) };
}
