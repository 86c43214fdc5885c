import { requireAdmin } from '../admin/require-admin';
import type { Actor, Store } from '../ports/store';
import type { BackupRunRecord, BackupScheduleRecord } from './backup-ports';

export interface BackupStatus {
  /** The newest attempt, whatever its result. */
  last: BackupRunRecord | null;
  lastSuccess: BackupRunRecord | null;
  recent: BackupRunRecord[];
  schedule: BackupScheduleRecord;
}

/** The admin page's backup row: the last backup, its size and result, and the schedule. */
export async function getBackupStatus(opts: { store: Store; actor: Actor }): Promise<BackupStatus> {
  requireAdmin(opts.actor);
  const [recent, schedule] = await Promise.all([opts.store.admin.backups.latest(20), opts.store.admin.backups.schedule()]);
  return { last: recent[0] ?? null, lastSuccess: recent.find((r) => r.status === 'succeeded') ?? null, recent: recent.slice(0, 10), schedule };
}
