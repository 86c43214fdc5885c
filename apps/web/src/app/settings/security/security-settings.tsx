'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../../error-message';

/** Two-factor authentication (TOTP) and the list of signed-in sessions. */
export function SecuritySettings({ email }: { email: string }) {
  return (
    <>
      <TwoFactor email={email} />
      <Sessions />
    </>
  );
}

function TwoFactor({ email }: { email: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.auth.totp.status.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.auth.totp.status.queryKey() });
  const start = useMutation(trpc.auth.totp.start.mutationOptions());
  const confirm = useMutation(trpc.auth.totp.confirm.mutationOptions({ onSuccess: () => void refresh() }));
  const disable = useMutation(trpc.auth.totp.disable.mutationOptions({ onSuccess: () => void refresh() }));
  const cancel = useMutation(trpc.auth.totp.cancel.mutationOptions({ onSuccess: () => (start.reset(), void refresh()) }));
  const [code, setCode] = useState('');
  const [disableCode, setDisableCode] = useState('');

  const enrolment = start.data;
  const recoveryCodes = confirm.data?.recoveryCodes;
  const enabled = status.data?.enabled ?? false;

  return (
    <section className="card" data-testid="totp-section" data-enabled={String(enabled)}>
      <h2>Two-factor authentication</h2>
      {status.isLoading && <p className="muted">Loading…</p>}

      {recoveryCodes && (
        <div data-testid="recovery-codes">
          <p>
            <strong>Two-factor authentication is on.</strong> Save these recovery codes somewhere safe. Each works once, if you lose your
            authenticator. They are shown only now.
          </p>
          <ul style={{ fontFamily: 'monospace', columns: 2 }}>
            {recoveryCodes.map((c) => (
              <li key={c} data-testid="recovery-code">
                {c}
              </li>
            ))}
          </ul>
          <button type="button" className="secondary" onClick={() => confirm.reset()}>
            I saved them
          </button>
        </div>
      )}

      {!recoveryCodes && status.data && !enabled && !enrolment && (
        <>
          <p>Off. Add a code from an authenticator app (any TOTP app) to every password sign-in for {email}.</p>
          {start.error && <p className="error" role="alert">{errorMessage(start.error)}</p>}
          <button type="button" onClick={() => start.mutate()} disabled={start.isPending}>
            Set up two-factor authentication
          </button>
        </>
      )}

      {!recoveryCodes && !enabled && enrolment && (
        <form
          data-testid="totp-enrol"
          onSubmit={(e) => {
            e.preventDefault();
            confirm.mutate({ code });
          }}
          style={{ display: 'grid', gap: '0.75rem' }}
        >
          <p>Scan this QR code with your authenticator app, or type the key by hand. Then enter the 6-digit code it shows.</p>
          <img src={enrolment.qrDataUrl} alt="QR code for your authenticator app" width={220} height={220} />
          <p>
            Key: <code data-testid="totp-secret" data-secret={enrolment.secret}>{enrolment.manualKey}</code>
          </p>
          <label>
            Code from the app <input name="code" value={code} onChange={(e) => setCode(e.target.value)} inputMode="numeric" autoComplete="one-time-code" required />
          </label>
          {confirm.error && <p className="error" role="alert">{errorMessage(confirm.error)}</p>}
          <div style={{ display: 'flex', gap: '0.5rem' }}>
            <button type="submit" disabled={confirm.isPending}>Turn on</button>
            <button type="button" className="secondary" onClick={() => cancel.mutate()}>
              Cancel
            </button>
          </div>
        </form>
      )}

      {!recoveryCodes && enabled && (
        <form
          data-testid="totp-disable"
          onSubmit={(e) => {
            e.preventDefault();
            disable.mutate({ code: disableCode }, { onSuccess: () => setDisableCode('') });
          }}
          style={{ display: 'grid', gap: '0.75rem' }}
        >
          <p>
            On. {status.data?.recoveryCodesLeft ?? 0} recovery code{status.data?.recoveryCodesLeft === 1 ? '' : 's'} left.
          </p>
          <label>
            Current code to turn it off <input name="disable-code" value={disableCode} onChange={(e) => setDisableCode(e.target.value)} autoComplete="one-time-code" required />
          </label>
          {disable.error && <p className="error" role="alert">{errorMessage(disable.error)}</p>}
          <button type="submit" className="secondary" disabled={disable.isPending}>
            Turn off two-factor authentication
          </button>
        </form>
      )}
    </section>
  );
}

function Sessions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.auth.sessions.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.list.queryKey() });
  const revoke = useMutation(trpc.auth.sessions.revoke.mutationOptions({ onSuccess: () => void refresh() }));
  const revokeOthers = useMutation(trpc.auth.sessions.revokeOthers.mutationOptions({ onSuccess: () => void refresh() }));
  const error = revoke.error ?? revokeOthers.error ?? list.error;
  return (
    <section className="card" data-testid="sessions-section">
      <h2>Sessions</h2>
      {error && <p className="error" role="alert">{errorMessage(error)}</p>}
      <table style={{ width: '100%' }}>
        <thead>
          <tr>
            <th align="left">Signed in</th>
            <th align="left">From</th>
            <th align="left">Last seen</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((s) => (
            <tr key={s.id} data-testid="session-row" data-current={String(s.current)} data-session-id={s.id}>
              <td>
                {new Date(s.createdAt).toLocaleString()} ({s.method === 'oidc' ? 'single sign-on' : 'password'})
                {s.current && <strong> · this session</strong>}
              </td>
              <td title={s.userAgent ?? ''}>
                {s.ip ?? 'unknown'} · {shortAgent(s.userAgent)}
              </td>
              <td>{new Date(s.lastSeenAt).toLocaleString()}</td>
              <td>
                <button type="button" className="secondary" onClick={() => revoke.mutate({ id: s.id }, { onSuccess: () => s.current && window.location.assign('/signin') })}>
                  Sign out
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="secondary" style={{ marginTop: '0.75rem' }} onClick={() => revokeOthers.mutate()} disabled={revokeOthers.isPending}>
        Sign out everywhere else
      </button>
    </section>
  );
}

function shortAgent(ua: string | null): string {
  if (!ua) return 'unknown browser';
  const m = /(Firefox|Edg|Chrome|Chromium|Safari|curl|node)[/ ]([\d.]+)/.exec(ua);
  return m ? `${m[1] === 'Edg' ? 'Edge' : m[1]} ${m[2]!.split('.')[0]}` : ua.slice(0, 40);
}
