import { describe, expect, it } from 'vitest';
import type { BackupRunRecord } from './backup-ports';
import { backupDue } from './backup-due';

const schedule = { enabled: true, hourUtc: 3, keepDaily: 7, keepWeekly: 4, updatedAt: null };
const run = (startedAt: string, status: BackupRunRecord['status'], trigger: BackupRunRecord['trigger'] = 'scheduled'): BackupRunRecord => ({
  id: startedAt, trigger, status, snapshotId: null, bytes: 0, error: null, host: 'h', startedAt: new Date(startedAt), finishedAt: null,
});
const at = (iso: string) => new Date(iso);

describe('backupDue', () => {
  it('runs once a day from the hour the admin set', () => {
    expect(backupDue({ schedule, recent: [], now: at('2026-12-07T02:59:00Z') })).toBe(false);
    expect(backupDue({ schedule, recent: [], now: at('2026-12-07T03:00:00Z') })).toBe(true);
    expect(backupDue({ schedule, recent: [run('2026-12-07T03:00:05Z', 'succeeded')], now: at('2026-12-07T09:00:00Z') })).toBe(false);
    expect(backupDue({ schedule, recent: [run('2026-12-06T03:00:05Z', 'succeeded')], now: at('2026-12-07T03:01:00Z') })).toBe(true);
  });

  it('never while switched off, and a manual backup does not replace the scheduled one', () => {
    expect(backupDue({ schedule: { ...schedule, enabled: false }, recent: [], now: at('2026-12-07T04:00:00Z') })).toBe(false);
    expect(backupDue({ schedule, recent: [run('2026-12-07T03:30:00Z', 'succeeded', 'manual')], now: at('2026-12-07T04:00:00Z') })).toBe(true);
  });

  it('retries a failed or killed run an hour later, not while one runs', () => {
    const failed = [run('2026-12-07T03:00:05Z', 'failed')];
    expect(backupDue({ schedule, recent: failed, now: at('2026-12-07T03:30:00Z') })).toBe(false);
    expect(backupDue({ schedule, recent: failed, now: at('2026-12-07T04:00:06Z') })).toBe(true);
    expect(backupDue({ schedule, recent: [run('2026-12-07T03:00:05Z', 'running')], now: at('2026-12-07T05:00:00Z') })).toBe(false);
  });
});
