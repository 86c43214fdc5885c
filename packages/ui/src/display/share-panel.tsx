'use client';
import { useState } from 'react';

export interface ShareLinkRow {
  id: string;
  mode: 'view' | 'collaborate';
  expiresAt: Date | string;
  state: 'active' | 'expired' | 'revoked';
}

const TTLS = [
  { minutes: 15, label: '15 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 24 * 60, label: '1 day' },
  { minutes: 7 * 24 * 60, label: '7 days' },
];

/**
 * Share a desktop: a view-only link (anyone with it watches, no account) or a
 * collaborate link (signed-in users type and click). The link is shown once,
 * right after it is made; only its hash is kept. Data comes through props so
 * the app decides how to call its API.
 */
export function SharePanel(props: {
  links: ShareLinkRow[] | undefined;
  onCreate: (mode: 'view' | 'collaborate', ttlMinutes: number) => Promise<{ path: string }>;
  onRevoke: (id: string) => Promise<unknown>;
  origin: string;
}) {
  const [mode, setMode] = useState<'view' | 'collaborate'>('view');
  const [ttl, setTtl] = useState(60);
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const active = (props.links ?? []).filter((l) => l.state === 'active');

  return (
    <section data-testid="share-panel" style={{ margin: '0.75rem 0' }}>
      <div style={{ display: 'flex', gap: '0.5rem', alignItems: 'center', flexWrap: 'wrap' }}>
        <strong>Share</strong>
        <select aria-label="Share mode" value={mode} onChange={(e) => setMode(e.target.value as 'view' | 'collaborate')}>
          <option value="view">View only (no account needed)</option>
          <option value="collaborate">Collaborate (signed-in users can type)</option>
        </select>
        <select aria-label="Link lifetime" value={ttl} onChange={(e) => setTtl(Number(e.target.value))}>
          {TTLS.map((t) => (
            <option key={t.minutes} value={t.minutes}>{t.label}</option>
          ))}
        </select>
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            setError(null);
            props
              .onCreate(mode, ttl)
              .then((r) => setCreated(`${props.origin}${r.path}`))
              .catch((e: unknown) => setError(e instanceof Error ? e.message : 'could not create the link'))
              .finally(() => setBusy(false));
          }}
        >
          Create link
        </button>
      </div>
      {created && (
        <p>
          <input readOnly aria-label="Share link" data-testid="share-link" value={created} style={{ width: '36rem', maxWidth: '100%' }} onFocus={(e) => e.target.select()} />{' '}
          <button type="button" className="secondary" onClick={() => void navigator.clipboard?.writeText(created).catch(() => undefined)}>Copy</button>
          <br />
          <span className="muted">Shown once: copy it now. Anyone with the link can {mode === 'view' ? 'watch' : 'use'} this desktop until it expires or you revoke it.</span>
        </p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {active.length > 0 && (
        <ul data-testid="share-links" style={{ margin: '0.5rem 0', paddingLeft: '1.2rem' }}>
          {active.map((l) => (
            <li key={l.id} data-testid="share-link-row" data-mode={l.mode}>
              {l.mode === 'view' ? 'View-only' : 'Collaborate'} link, expires {new Date(l.expiresAt).toLocaleString()}{' '}
              <button type="button" className="danger" onClick={() => void props.onRevoke(l.id).then(() => setCreated(null)).catch((e: unknown) => setError(e instanceof Error ? e.message : 'could not revoke'))}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
