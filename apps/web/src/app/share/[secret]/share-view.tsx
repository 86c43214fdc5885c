'use client';
import Link from 'next/link';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { RemoteDisplay } from '@genos/ui';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../../error-message';

/** What someone opening /share/<secret> sees: the shared desktop, or why not. */
export function ShareView({ secret }: { secret: string }) {
  const trpc = useTRPC();
  const info = useQuery({ ...trpc.environments.share.describe.queryOptions({ secret }), retry: false, refetchOnWindowFocus: false });
  const token = useMutation(trpc.environments.share.connectionToken.mutationOptions());
  const { mutateAsync } = token;
  const getToken = useCallback(async () => (await mutateAsync({ secret })).token, [mutateAsync, secret]);
  const tunnelUrl = typeof window === 'undefined' ? '' : `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/tunnel`;

  if (info.error) {
    return (
      <div className="card" data-testid="share-message" role="alert">
        <p className="error">{errorMessage(info.error)}</p>
      </div>
    );
  }
  if (!info.data) return <div className="card muted">Opening the shared desktop…</div>;
  const needsSignIn = token.error && /sign in/i.test(errorMessage(token.error));
  return (
    <div className="card" data-testid="share-view" data-mode={info.data.mode}>
      <h2 style={{ marginTop: 0 }}>{info.data.name}</h2>
      <p className="muted" data-testid="share-mode-note">
        {info.data.mode === 'view'
          ? 'View only: you can watch this desktop; your keyboard and mouse do not reach it.'
          : 'Collaborate: what you type and click reaches this desktop.'}
      </p>
      {token.error && (
        <p className="error" role="alert" data-testid="share-message">
          {errorMessage(token.error)} {needsSignIn && <Link href="/signin">Sign in</Link>}
        </p>
      )}
      <RemoteDisplay tunnelUrl={tunnelUrl} getToken={getToken} />
    </div>
  );
}
