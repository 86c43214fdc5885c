/** One backup attempt as the admin page shows it. */
export interface BackupRunRecord {
  id: string;
  trigger: 'manual' | 'scheduled';
  status: 'running' | 'succeeded' | 'failed';
  snapshotId: string | null;
  bytes: number;
  error: string | null;
  host: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface BackupScheduleRecord {
  enabled: boolean;
  /** The hour (UTC) the daily backup runs. */
  hourUtc: number;
  keepDaily: number;
  keepWeekly: number;
  updatedAt: Date | null;
}

/** Backup bookkeeping (packages/db implements it on BackupRun and BackupSchedule). */
export interface BackupRuns {
  start(run: { trigger: BackupRunRecord['trigger']; host: string }): Promise<BackupRunRecord>;
  finish(id: string, outcome: { status: 'succeeded' | 'failed'; snapshotId?: string | null; bytes?: number; error?: string | null }): Promise<BackupRunRecord>;
  /** Marks runs still `running` as failed (their process died): only called while holding the backup lock. */
  failInterrupted(reason: string): Promise<number>;
  latest(limit: number): Promise<BackupRunRecord[]>;
  schedule(): Promise<BackupScheduleRecord>;
  setSchedule(s: Omit<BackupScheduleRecord, 'updatedAt'>): Promise<BackupScheduleRecord>;
}
