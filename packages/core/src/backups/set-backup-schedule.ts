import { z } from 'zod';
import { requireAdmin } from '../admin/require-admin';
import type { Actor, Store } from '../ports/store';
import type { BackupScheduleRecord } from './backup-ports';

export const backupScheduleInputSchema = z
  .object({
    enabled: z.boolean(),
    hourUtc: z.number().int().min(0).max(23),
    keepDaily: z.number().int().min(1).max(366),
    keepWeekly: z.number().int().min(0).max(520),
  })
  .strict();
export type BackupScheduleInput = z.infer<typeof backupScheduleInputSchema>;

/** Admins set when the worker backs up (daily, at an hour UTC) and how many backups restic keeps; audited. */
export async function setBackupSchedule(opts: { store: Store; actor: Actor; schedule: BackupScheduleInput }): Promise<BackupScheduleRecord> {
  const actor = requireAdmin(opts.actor);
  const next = backupScheduleInputSchema.parse(opts.schedule);
  const before = await opts.store.admin.backups.schedule();
  return opts.store.transaction(async (tx) => {
    const saved = await tx.admin.backups.setSchedule(next);
    await tx.audit.record({ actor, action: 'backup.schedule.set', targetType: 'backup-schedule', targetId: 'default', before: { ...before, updatedAt: undefined }, after: next });
    return saved;
  });
}
