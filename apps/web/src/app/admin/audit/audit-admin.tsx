'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../../error-message';

const PAGE = 50;
interface Filter {
  actor: string;
  action: string;
  target: string;
  from: string;
  to: string;
}
const EMPTY: Filter = { actor: '', action: '', target: '', from: '', to: '' };
/** Dates from the form are whole days: "to" includes the whole day. */
const toQuery = (f: Filter) => ({
  ...(f.actor.trim() ? { actor: f.actor.trim() } : {}),
  ...(f.action.trim() ? { action: f.action.trim() } : {}),
  ...(f.target.trim() ? { target: f.target.trim() } : {}),
  ...(f.from ? { from: new Date(`${f.from}T00:00:00`) } : {}),
  ...(f.to ? { to: new Date(`${f.to}T23:59:59.999`) } : {}),
});
const brief = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v));

/** Filter by actor, action, target and dates; page through; export the filtered rows as CSV. */
export function AuditAdmin() {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<Filter>(EMPTY);
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [offset, setOffset] = useState(0);
  const q = toQuery(filter);
  const page = useQuery({ ...trpc.admin.audit.list.queryOptions({ filter: q, offset, limit: PAGE }), placeholderData: keepPreviousData });
  const exportParams = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));

  return (
    <>
      <form
        className="card"
        aria-label="Audit filter"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(draft);
          setOffset(0);
        }}
        style={{ display: 'flex', gap: '0.5rem', flexWrap: 'wrap', alignItems: 'end' }}
      >
        <label>Actor <input aria-label="Actor" placeholder="email or id" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} /></label>
        <label>Action <input aria-label="Action" placeholder="e.g. quota." value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} /></label>
        <label>Target <input aria-label="Target" placeholder="id or type" value={draft.target} onChange={(e) => setDraft({ ...draft, target: e.target.value })} /></label>
        <label>From <input aria-label="From" type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} /></label>
        <label>To <input aria-label="To" type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} /></label>
        <button type="submit">Filter</button>
        <button type="button" className="secondary" onClick={() => (setDraft(EMPTY), setFilter(EMPTY), setOffset(0))}>Clear</button>
        <a href={`/admin/audit/export.csv?${exportParams.toString()}`} download data-testid="audit-export">Export CSV</a>
      </form>
      {!page.data ? (
        <p className="muted">{page.error ? errorMessage(page.error) : 'Loading…'}</p>
      ) : (
        <>
          {page.error && <p className="error">{errorMessage(page.error)}</p>}
          <p className="muted" data-testid="audit-total">
            {page.data.total} entr{page.data.total === 1 ? 'y' : 'ies'}; showing {page.data.total ? offset + 1 : 0}–{Math.min(offset + PAGE, page.data.total)}
          </p>
          <table data-testid="audit-list">
            <thead><tr><th>When</th><th>Actor</th><th>Action</th><th>Target</th><th>Before</th><th>After</th><th>IP</th></tr></thead>
            <tbody>
              {page.data.rows.map((r) => (
                <tr key={r.id} data-testid="audit-row" data-action={r.action}>
                  <td>{r.at.toLocaleString()}</td>
                  <td>{r.actorEmail ?? r.actorId ?? r.actorKind}</td>
                  <td>{r.action}</td>
                  <td>{r.targetType}{r.targetId ? ` ${r.targetId}` : ''}</td>
                  <td><code style={{ fontSize: '0.75rem', wordBreak: 'break-all' }}>{brief(r.before).slice(0, 300)}</code></td>
                  <td><code style={{ fontSize: '0.75rem', wordBreak: 'break-all' }}>{brief(r.after).slice(0, 300)}</code></td>
                  <td className="muted">{r.ip ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            <button className="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>{' '}
            <button className="secondary" disabled={offset + PAGE >= page.data.total} onClick={() => setOffset(offset + PAGE)}>Next</button>
          </p>
        </>
      )}
    </>
  );
}
