'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../../error-message';

/** Accounts (role, second factor, lock, last activity; promote, demote, disable) and teams with their members. */
export function UsersAdmin({ selfId }: { selfId: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const users = useQuery(trpc.admin.users.list.queryOptions());
  const teams = useQuery(trpc.admin.users.teams.queryOptions());
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.admin.users.list.queryKey() });
  const fail = (e: unknown) => setMessage({ ok: false, text: errorMessage(e) });
  const setRole = useMutation(trpc.admin.users.setRole.mutationOptions({ onSuccess: (u) => (setMessage({ ok: true, text: `${u.email} is now ${u.role === 'admin' ? 'an admin' : 'a user'}.` }), void refresh()), onError: fail }));
  const setDisabled = useMutation(trpc.admin.users.setDisabled.mutationOptions({ onSuccess: (u) => (setMessage({ ok: true, text: `${u.email} is ${u.disabledAt ? 'disabled' : 'enabled'}.` }), void refresh()), onError: fail }));

  return (
    <>
      {message && <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'} data-testid="users-message">{message.text}</p>}
      <section className="card">
        <h2>Users</h2>
        {!users.data ? (
          <p className="muted">{users.error ? errorMessage(users.error) : 'Loading…'}</p>
        ) : (
          <table data-testid="user-list">
            <thead><tr><th>Email</th><th>Role</th><th>TOTP</th><th>Locked</th><th>Disabled</th><th>Last sign-in</th><th>Created</th><th /></tr></thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id} data-testid="user-row" data-email={u.email}>
                  <td>{u.email}{u.id === selfId ? ' (you)' : ''}</td>
                  <td>{u.role}</td>
                  <td>{u.totpEnabled ? 'on' : 'off'}</td>
                  <td>{u.locked ? `until ${u.lockedUntil?.toLocaleString()}` : 'no'}</td>
                  <td>{u.disabledAt ? u.disabledAt.toLocaleString() : 'no'}</td>
                  <td>{u.lastSignInAt ? u.lastSignInAt.toLocaleString() : '—'}</td>
                  <td>{u.createdAt.toLocaleDateString()}</td>
                  <td>
                    <button className="secondary" disabled={setRole.isPending} onClick={() => setRole.mutate({ userId: u.id, role: u.role === 'admin' ? 'user' : 'admin' })}>
                      {u.role === 'admin' ? 'Make user' : 'Make admin'}
                    </button>{' '}
                    <button className={u.disabledAt ? 'secondary' : 'danger'} disabled={setDisabled.isPending || u.id === selfId} onClick={() => setDisabled.mutate({ userId: u.id, disabled: !u.disabledAt })}>
                      {u.disabledAt ? 'Enable' : 'Disable'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card">
        <h2>Teams</h2>
        {!teams.data ? (
          <p className="muted">{teams.error ? errorMessage(teams.error) : 'Loading…'}</p>
        ) : teams.data.length === 0 ? (
          <p className="muted">No teams yet.</p>
        ) : (
          <table data-testid="team-list">
            <thead><tr><th>Team</th><th>Slug</th><th>Members</th></tr></thead>
            <tbody>
              {teams.data.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td className="muted">{t.slug}</td>
                  <td>{t.members.length ? t.members.map((m) => `${m.email} (${m.role})`).join(', ') : <span className="muted">nobody</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
