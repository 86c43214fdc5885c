'use client';
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../../error-message';

const size = (bytes: number) => (bytes >= 1 << 30 ? `${(bytes / (1 << 30)).toFixed(2)} GiB` : bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`);

/** The last backup (when, size, result), recent attempts, and the daily schedule the worker follows. */
export function BackupsAdmin() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const status = useQuery({ ...trpc.admin.backups.status.queryOptions(), refetchInterval: 10_000 });
  const save = useMutation(trpc.admin.backups.setSchedule.mutationOptions({ onSuccess: () => qc.invalidateQueries(trpc.admin.backups.status.queryFilter()) }));
  const [draft, setDraft] = useState<{ enabled: boolean; hourUtc: number; keepDaily: number; keepWeekly: number } | null>(null);
  if (!status.data) return <p className="muted">{status.error ? errorMessage(status.error) : 'Loading…'}</p>;
  const { last, lastSuccess, recent, schedule } = status.data;
  const form = draft ?? { enabled: schedule.enabled, hourUtc: schedule.hourUtc, keepDaily: schedule.keepDaily, keepWeekly: schedule.keepWeekly };
  const num = (k: 'hourUtc' | 'keepDaily' | 'keepWeekly') => (e: React.ChangeEvent<HTMLInputElement>) => setDraft({ ...form, [k]: Number(e.target.value) });
  return (
    <>
      <table data-testid="backup-last">
        <thead><tr><th>Last backup</th><th>Result</th><th>Size</th><th>Trigger</th><th>Last good backup</th></tr></thead>
        <tbody>
          <tr data-testid="backup-last-row" data-status={last?.status ?? 'none'}>
            <td>{last ? last.startedAt.toLocaleString() : 'never'}</td>
            <td className={last?.status === 'failed' ? 'error' : last?.status === 'succeeded' ? 'ok' : undefined} title={last?.error ?? ''}>
              {last ? (last.status === 'failed' ? `failed: ${last.error ?? 'unknown error'}` : last.status) : '—'}
            </td>
            <td>{last?.status === 'succeeded' ? size(last.bytes) : '—'}</td>
            <td>{last?.trigger ?? '—'}</td>
            <td>{lastSuccess ? `${lastSuccess.finishedAt?.toLocaleString() ?? ''} (${size(lastSuccess.bytes)})` : 'none yet'}</td>
          </tr>
        </tbody>
      </table>
      <h2>Schedule</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(form, { onSuccess: () => setDraft(null) });
        }}
      >
        <label><input type="checkbox" checked={form.enabled} onChange={(e) => setDraft({ ...form, enabled: e.target.checked })} /> Back up every day</label>{' '}
        <label>at <input type="number" min={0} max={23} value={form.hourUtc} onChange={num('hourUtc')} style={{ width: '4em' }} />:00 UTC</label>{' '}
        <label>keep <input type="number" min={1} max={366} value={form.keepDaily} onChange={num('keepDaily')} style={{ width: '4em' }} /> daily</label>{' '}
        <label>and <input type="number" min={0} max={520} value={form.keepWeekly} onChange={num('keepWeekly')} style={{ width: '4em' }} /> weekly backups</label>{' '}
        <button type="submit" disabled={save.isPending}>Save</button>
        {save.error && <p className="error" role="alert">{errorMessage(save.error)}</p>}
      </form>
      <h2>Recent attempts</h2>
      <table data-testid="backup-runs">
        <thead><tr><th>Started</th><th>Trigger</th><th>Result</th><th>Size</th><th>Host</th></tr></thead>
        <tbody>
          {recent.map((r) => (
            <tr key={r.id}>
              <td>{r.startedAt.toLocaleString()}</td>
              <td>{r.trigger}</td>
              <td title={r.error ?? ''}>{r.status}{r.error ? `: ${r.error}` : ''}</td>
              <td>{r.status === 'succeeded' ? size(r.bytes) : '—'}</td>
              <td>{r.host ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">Backups are made by the worker (or <code>npx genos backup create</code>); restoring is a host command: <code>npx genos backup restore</code>.</p>
    </>
  );
}
