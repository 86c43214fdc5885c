'use client';
import { useEffect, useState } from 'react';

/** What the banner needs of a (public) environment. */
export interface LifetimeBannerEnvironment {
  state: string;
  spec: { lifetime: { idleSuspendMinutes: number; maxHours: number } };
  startedAt: Date | null;
  claimedAt: Date | null;
  lastInputAt: Date | null;
  warning: string | null;
  warnedAt: Date | null;
}

const MINUTE = 60_000;
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
const ms = (d: Date | string | null) => (d ? new Date(d).getTime() : 0);
const limitName = (h: number) => (Number.isInteger(h) ? `${h}-hour` : `${Math.round(h * 60)}-minute`);

/**
 * The lifetime policy's warnings (idle suspend, hard limit) in plain words,
 * with Suspend / Resume. Mirrors the policy in @genos/core without importing
 * it, so the browser bundle stays free of server code.
 */
export function LifetimeBanner(props: {
  env: LifetimeBannerEnvironment;
  onSuspend?: () => void;
  onResume?: () => void;
  /** Which request is on its way; its button shows progress and both are disabled. */
  pending?: 'suspend' | 'resume' | null;
  error?: string | null;
}) {
  const { env, pending } = props;
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(t);
  }, []);
  if (env.state !== 'running' && env.state !== 'suspended') return null;

  const { idleSuspendMinutes, maxHours } = env.spec.lifetime;
  const idleSince = Math.max(ms(env.lastInputAt), ms(env.startedAt), ms(env.claimedAt));
  const suspendAt = idleSince + idleSuspendMinutes * MINUTE;
  const lifeStart = Math.max(ms(env.startedAt), ms(env.claimedAt));
  const expiresAt = lifeStart + maxHours * 3_600_000;
  const showIdle = env.state === 'running' && env.warning === 'idle' && ms(env.warnedAt) >= idleSince;
  const showExpiry = lifeStart > 0 && (env.warning === 'expiry' || now >= expiresAt - Math.min(10 * MINUTE, maxHours * 3_600_000));
  const endsAt = new Date(expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

  return (
    <div data-testid="lifetime-banner" data-warning={env.warning ?? ''} style={{ display: 'flex', gap: '0.75rem', alignItems: 'center', flexWrap: 'wrap', margin: '0.5rem 0' }}>
      <div style={{ flex: 1, minWidth: '16rem' }}>
        {env.state === 'suspended' && (
          <p className="warn" role="status" data-testid="suspended-notice" style={{ margin: 0 }}>
            Suspended — its programs and files are kept. Resume to continue.
          </p>
        )}
        {showIdle && (
          <p className="warn" role="alert" data-testid="idle-warning" style={{ margin: 0 }}>
            No input for {plural(Math.max(1, Math.round((now - idleSince) / MINUTE)), 'minute')}: this desktop will be suspended in{' '}
            {plural(Math.max(1, Math.round((suspendAt - now) / MINUTE)), 'minute')}. Move the mouse to keep it.
          </p>
        )}
        {showExpiry && (
          <p className="warn" role="alert" data-testid="expiry-warning" style={{ margin: 0 }}>
            This desktop ends at {endsAt} (its {limitName(maxHours)} limit).
          </p>
        )}
        {props.error && (
          <p className="error" role="alert" style={{ margin: 0 }}>
            {props.error}
          </p>
        )}
      </div>
      {env.state === 'running' && props.onSuspend && (
        <button className="secondary" disabled={!!pending} onClick={props.onSuspend}>
          {pending === 'suspend' ? 'Suspending…' : 'Suspend'}
        </button>
      )}
      {env.state === 'suspended' && props.onResume && (
        <button disabled={!!pending} onClick={props.onResume}>
          {pending === 'resume' ? 'Resuming…' : 'Resume'}
        </button>
      )}
    </div>
  );
}
