'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useCallback, useEffect, useState } from 'react';
import { RemoteDisplay, StateBadge, type KeyboardLayout } from '@genos/ui';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../error-message';
import { EnvironmentActions } from './environment-actions';
import { EnvironmentExtras } from './environment-extras';

/** Live state of one environment, its desktop once running, and Terminate. */
export function EnvironmentView({ id }: { id: string }) {
  const trpc = useTRPC();
  const [terminating, setTerminating] = useState(false);
  const queryClient = useQueryClient();
  // One read to start; after that the state arrives over server-sent events
  // (environments.onChange), which also re-sends it after any reconnect.
  const env = useQuery({ ...trpc.environments.get.queryOptions({ id }), staleTime: Infinity, refetchOnWindowFocus: false, refetchOnReconnect: false });
  const live = useSubscription(
    trpc.environments.onChange.subscriptionOptions(
      { id },
      // Never step back to an older read that arrived late.
      { onData: (next) => queryClient.setQueryData(trpc.environments.get.queryKey({ id }), (old) => (old && old.updatedAt > next.updatedAt ? old : next)) },
    ),
  );
  const tokenMutation = useMutation(trpc.environments.connectionToken.mutationOptions());
  const terminate = useMutation(trpc.environments.terminate.mutationOptions());
  const state = env.data?.state;
  const { mutateAsync } = tokenMutation;
  // A fresh single-use token per connection and reconnect, with the team's clipboard policy the tunnel enforces.
  const getToken = useCallback(
    async (opts?: { serverLayout?: KeyboardLayout }) => {
      const r = await mutateAsync({ id, serverLayout: opts?.serverLayout });
      return { token: r.token, policy: r.policy };
    },
    [mutateAsync, id],
  );
  const suspendDisplay = useMutation(trpc.environments.suspend.mutationOptions());

  useEffect(() => {
    if (state === 'terminated') setTerminating(false);
  }, [state]);

  if (env.error) return <div className="card error" role="alert">{errorMessage(env.error)}</div>;
  if (!env.data) return <div className="card muted">Loading…</div>;
  const e = env.data;
  const tunnelUrl = typeof window === 'undefined' ? '' : `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/tunnel`;

  return (
    <div className="card" data-testid="environment-view" data-env-id={e.id}>
      <div style={{ display: 'flex', gap: '1rem', alignItems: 'center', marginBottom: '0.75rem' }}>
        <h2 style={{ margin: 0 }}>{e.name}</h2>
        <StateBadge state={e.state} />
        {e.runtimeRef && <code className="muted">{e.runtimeRef}</code>}
        <span style={{ flex: 1 }} />
        {e.state !== 'terminated' && (
          <button
            className="danger"
            disabled={terminating}
            onClick={() => {
              setTerminating(true);
              terminate.mutate({ id: e.id }, { onError: () => setTerminating(false) });
            }}
          >
            {terminating ? 'Terminating…' : 'Terminate'}
          </button>
        )}
      </div>
      {e.state === 'failed' && <p className="error" role="alert">Failed: {e.error}</p>}
      {(e.state === 'requested' || e.state === 'provisioning') && <p className="muted">Preparing your desktop…</p>}
      {e.state === 'requested' && e.queuePosition !== null && (
        <p className="muted" data-testid="queue-position" data-position={e.queuePosition}>
          Waiting for capacity: {e.queuePosition === 0 ? 'you are next' : `${e.queuePosition} ahead of you`}
        </p>
      )}
      {e.hostLost && e.state !== 'terminated' && (
        <p className="error" role="status" data-testid="host-lost">
          Its host stopped answering; GenOS will reconnect it when the host returns
        </p>
      )}
      {live.status === 'error' && <p className="error" role="alert">Live updates stopped: {errorMessage(live.error)}</p>}
      {tokenMutation.error && <p className="error" role="alert">{errorMessage(tokenMutation.error)}</p>}
      <EnvironmentActions env={e} />
      {e.state === 'running' && <EnvironmentExtras id={e.id} />}
      {e.state === 'running' && (
        <RemoteDisplay
          tunnelUrl={tunnelUrl}
          getToken={getToken}
          protocol={e.spec.display.protocol === 'rdp' ? 'rdp' : 'vnc'}
          resizable={e.displayResizable}
          size={{ width: e.spec.display.width, height: e.spec.display.height }}
          onSuspend={() => suspendDisplay.mutate({ id: e.id })}
          onTerminate={() => {
            setTerminating(true);
            terminate.mutate({ id: e.id }, { onError: () => setTerminating(false) });
          }}
        />
      )}
    </div>
  );
}
