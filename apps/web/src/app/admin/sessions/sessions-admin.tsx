'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { StateBadge } from '@genos/ui';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../../error-message';

/** Desktops on hosts now: owner, host, since when; observe read-only or terminate. */
export function SessionsAdmin() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const active = useQuery({ ...trpc.admin.environments.active.queryOptions(), refetchInterval: 5000 });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const terminate = useMutation(
    trpc.admin.environments.terminate.mutationOptions({
      onSuccess: (e) => (setMessage({ ok: true, text: `Terminating ${e.name}.` }), void qc.invalidateQueries({ queryKey: trpc.admin.environments.active.queryKey() })),
      onError: (e) => setMessage({ ok: false, text: errorMessage(e) }),
    }),
  );
  if (!active.data) return <p className="muted">{active.error ? errorMessage(active.error) : 'Loading…'}</p>;
  return (
    <>
      {message && <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>{message.text}</p>}
      {active.data.length === 0 ? (
        <p className="muted">No desktop is running.</p>
      ) : (
        <table data-testid="session-list">
          <thead><tr><th>Environment</th><th>State</th><th>Owner</th><th>Host</th><th>Apps</th><th>Since</th><th /></tr></thead>
          <tbody>
            {active.data.map((e) => (
              <tr key={e.id} data-testid="session-row" data-env-id={e.id}>
                <td>{e.name}</td>
                <td><StateBadge state={e.state} /></td>
                <td>{e.ownerEmail}</td>
                <td>{e.host ?? '—'}</td>
                <td>{e.apps.join(', ')}</td>
                <td>{(e.startedAt ?? e.createdAt).toLocaleString()}</td>
                <td>
                  {e.state === 'running' && <Link href={`/admin/sessions/${e.id}`}>Observe</Link>}{' '}
                  <button className="danger" disabled={terminate.isPending} onClick={() => terminate.mutate({ id: e.id })}>Terminate</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
