import type { BackupRunRecord, BackupScheduleRecord } from './backup-ports';

/** A failed scheduled backup is tried again this long after it started (a disk freed, a store back). */
export const BACKUP_RETRY_MS = 60 * 60_000;

/**
 * Whether the worker should start the daily scheduled backup now: the
 * schedule is on, today's hour (UTC) has come, no scheduled backup has
 * succeeded since, and no attempt since then is running or recent.
 */
export function backupDue(opts: { schedule: BackupScheduleRecord; recent: BackupRunRecord[]; now: Date }): boolean {
  const { schedule, now } = opts;
  if (!schedule.enabled) return false;
  const slot = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), schedule.hourUtc));
  if (now < slot) return false;
  const sinceSlot = opts.recent.filter((r) => r.trigger === 'scheduled' && r.startedAt >= slot);
  if (sinceSlot.some((r) => r.status === 'succeeded' || r.status === 'running')) return false;
  return sinceSlot.every((r) => now.getTime() - r.startedAt.getTime() >= BACKUP_RETRY_MS);
}
