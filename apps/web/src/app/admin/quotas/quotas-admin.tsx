'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../../error-message';

const FIELDS = [
  ['maxEnvironments', 'Max environments', 1],
  ['maxCpu', 'Max vCPUs', 0.5],
  ['maxMemoryMiB', 'Max memory (MiB)', 256],
  ['maxDiskGiB', 'Max disk (GiB)', 1],
  ['maxHoursPerDay', 'Max hours per day', 1],
  ['priority', 'Priority (0–100)', 1],
] as const;
type Limits = Record<(typeof FIELDS)[number][0], number>;

/** Defaults, per-user and per-team quotas; edit or reset one. */
export function QuotasAdmin() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const quotas = useQuery(trpc.admin.quotas.list.queryOptions());
  const users = useQuery(trpc.admin.users.list.queryOptions());
  const teams = useQuery(trpc.admin.users.teams.queryOptions());
  const [scope, setScope] = useState<'user' | 'team'>('user');
  const [subjectId, setSubjectId] = useState('');
  const [form, setForm] = useState<Limits | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.admin.quotas.list.queryKey() });
  const set = useMutation(
    trpc.admin.quotas.set.mutationOptions({
      onSuccess: (r) => {
        setMessage({ ok: true, text: `Saved: ${r.scope} quota allows ${r.limits.maxEnvironments} environment${r.limits.maxEnvironments === 1 ? '' : 's'}.` });
        void refresh();
      },
      onError: (e) => setMessage({ ok: false, text: errorMessage(e) }),
    }),
  );
  const reset = useMutation(
    trpc.admin.quotas.reset.mutationOptions({
      onSuccess: () => {
        setMessage({ ok: true, text: 'Back on the defaults.' });
        void refresh();
      },
      onError: (e) => setMessage({ ok: false, text: errorMessage(e) }),
    }),
  );
  if (!quotas.data) return <p className="muted">{quotas.error ? errorMessage(quotas.error) : 'Loading…'}</p>;
  const defaults = quotas.data.defaults;
  const current = (s: 'user' | 'team', id: string): Limits => {
    const q = quotas.data.quotas.find((x) => x.scope === s && x.subjectId === id);
    return q ? { maxEnvironments: q.maxEnvironments, maxCpu: q.maxCpu, maxMemoryMiB: q.maxMemoryMiB, maxDiskGiB: q.maxDiskGiB, maxHoursPerDay: q.maxHoursPerDay, priority: q.priority } : { ...defaults };
  };
  const pick = (s: 'user' | 'team', id: string) => {
    setScope(s);
    setSubjectId(id);
    setForm(id ? current(s, id) : null);
    setMessage(null);
  };
  const subjects = scope === 'user' ? (users.data ?? []).map((u) => ({ id: u.id, label: u.email })) : (teams.data ?? []).map((t) => ({ id: t.id, label: t.name }));

  return (
    <>
      <section className="card">
        <h2>Defaults</h2>
        <p className="muted">Everyone without a quota of their own (or their team&apos;s) gets these.</p>
        <table data-testid="quota-defaults">
          <thead><tr>{FIELDS.map(([k, label]) => <th key={k}>{label}</th>)}</tr></thead>
          <tbody><tr>{FIELDS.map(([k]) => <td key={k}>{defaults[k]}</td>)}</tr></tbody>
        </table>
      </section>

      <section className="card">
        <h2>Quotas set by admins</h2>
        {quotas.data.quotas.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <table data-testid="quota-list">
            <thead><tr><th>Scope</th><th>Who</th>{FIELDS.map(([k, label]) => <th key={k}>{label}</th>)}<th /></tr></thead>
            <tbody>
              {quotas.data.quotas.map((q) => (
                <tr key={`${q.scope}:${q.subjectId}`} data-testid="quota-row" data-subject={q.subjectName ?? q.subjectId}>
                  <td>{q.scope}</td>
                  <td>{q.subjectName ?? q.subjectId}</td>
                  {FIELDS.map(([k]) => <td key={k}>{q[k]}</td>)}
                  <td>
                    <button className="secondary" onClick={() => pick(q.scope, q.subjectId)}>Edit</button>{' '}
                    <button className="secondary" disabled={reset.isPending} onClick={() => reset.mutate({ scope: q.scope, subjectId: q.subjectId })}>Reset</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="card">
        <h2>Set a quota</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (form && subjectId) set.mutate({ scope, subjectId, ...form });
          }}
          style={{ display: 'grid', gap: '0.5rem', maxWidth: 480 }}
        >
          <label>
            Scope{' '}
            <select aria-label="Scope" value={scope} onChange={(e) => pick(e.target.value as 'user' | 'team', '')}>
              <option value="user">user</option>
              <option value="team">team</option>
            </select>
          </label>
          <label>
            {scope === 'user' ? 'User' : 'Team'}{' '}
            <select aria-label="Subject" value={subjectId} onChange={(e) => pick(scope, e.target.value)}>
              <option value="">— choose —</option>
              {subjects.map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
            </select>
          </label>
          {form &&
            FIELDS.map(([k, label, step]) => (
              <label key={k}>
                {label}{' '}
                <input aria-label={label} type="number" step={step} value={String(form[k])} onChange={(e) => setForm({ ...form, [k]: Number(e.target.value) })} />
              </label>
            ))}
          <div>
            <button type="submit" disabled={!form || !subjectId || set.isPending}>Save quota</button>
          </div>
          {message && <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'} data-testid="quota-message">{message.text}</p>}
        </form>
      </section>
    </>
  );
}
