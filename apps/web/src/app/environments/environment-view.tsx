'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { AudioToggle, LifetimeBanner, RemoteDisplay, StateBadge, type KeyboardLayout } from '@genos/ui';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../error-message';
import { EnvironmentActions } from './environment-actions';
import { EnvironmentControl } from './environment-control';
import { EnvironmentExtras } from './environment-extras';

/** Where the side panel's open / closed choice is kept (per browser). */
const PANEL_KEY = 'genos.environment.panel';

/**
 * Live state of one environment and, once running, its desktop first: a
 * one-line title bar, then the display; sharing, files and the lifecycle
 * actions sit in a side panel (below the desktop on narrow windows).
 * `fill`: the view is its own page and takes the whole window below the header.
 */
export function EnvironmentView({ id, fill = false }: { id: string; fill?: boolean }) {
  const trpc = useTRPC();
  const [terminating, setTerminating] = useState(false);
  // Open unless this browser closed it last time; only the environment page's SSR output
  // is "Loading…", so reading localStorage here cannot cause a hydration mismatch.
  const [panelOpen, setPanelOpen] = useState(() => typeof localStorage === 'undefined' || localStorage.getItem(PANEL_KEY) !== 'closed');
  const panelId = useId();
  const panelRef = useRef<HTMLElement>(null);
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
  const running = e.state === 'running';
  const preparing = e.state === 'requested' || e.state === 'provisioning';
  const onTerminate = () => {
    setTerminating(true);
    terminate.mutate({ id: e.id }, { onError: () => setTerminating(false) });
  };
  // The panel only folds away to make room for a desktop; without one it stays, so Resume and Terminate are always in sight.
  const hasPanel = e.state !== 'terminated';
  const panelShown = hasPanel && (!running || panelOpen);
  const togglePanel = () => {
    const next = !panelOpen;
    setPanelOpen(next);
    localStorage.setItem(PANEL_KEY, next ? 'open' : 'closed');
    // Below the desktop on narrow windows: bring it into sight.
    if (next) requestAnimationFrame(() => panelRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
  };

  return (
    <div
      className={`env-view ${fill ? 'env-page' : 'card'}`}
      data-testid="environment-view"
      data-env-id={e.id}
      data-panel={panelShown ? 'open' : 'closed'}
    >
      <div className="env-bar">
        <h2>{e.name}</h2>
        <StateBadge state={e.state} />
        {e.runtimeRef && <code className="muted env-ref" title={e.runtimeRef}>{e.runtimeRef}</code>}
        <span className="env-spacer" />
        {running && <AudioToggle />}
        {running && (
          <button type="button" className="secondary" aria-expanded={panelOpen} aria-controls={panelId} onClick={togglePanel} title={panelOpen ? 'Hide the side panel' : 'Show the side panel'}>
            Share, files &amp; actions <span aria-hidden="true">{panelOpen ? '▸' : '◂'}</span>
          </button>
        )}
      </div>
      <div className="env-main">
        {e.hostLost && e.state !== 'terminated' && (
          <p className="error" role="status" data-testid="host-lost">
            Its host stopped answering; GenOS will reconnect it when the host returns
          </p>
        )}
        {live.status === 'error' && <p className="error" role="alert">Live updates stopped: {errorMessage(live.error)}</p>}
        {tokenMutation.error && <p className="error" role="alert">{errorMessage(tokenMutation.error)}</p>}
        {running ? (
          <>
            {/* Warnings only: Suspend / Resume are in the panel. */}
            <LifetimeBanner env={e} />
            {/* Who drives the desktop when a program does (or did): Take over / Hand back. */}
            <EnvironmentControl id={e.id} />
            {e.warning === 'tor-unreachable' && (
              <p className="warn" role="alert" data-testid="network-problem">
                Tor is not reachable from this host: the desktop&apos;s Tor gateway has not connected to the Tor network, so web pages will not load. The rest of the desktop works, and GenOS keeps trying.
              </p>
            )}
            <RemoteDisplay
              tunnelUrl={tunnelUrl}
              getToken={getToken}
              protocol={e.spec.display.protocol === 'rdp' ? 'rdp' : 'vnc'}
              resizable={e.displayResizable}
              size={{ width: e.spec.display.width, height: e.spec.display.height }}
              onSuspend={() => suspendDisplay.mutate({ id: e.id })}
              onTerminate={onTerminate}
              fill={fill}
            />
          </>
        ) : (
          // Where the desktop will be (or was): the state in plain words.
          <div className="env-placeholder" data-testid="environment-status" data-state={e.state}>
            {e.state === 'failed' && <p className="error" role="alert">Failed: {e.error}</p>}
            {preparing && !e.noLiveHost && <p className="muted">Preparing your desktop…</p>}
            {preparing && e.noLiveHost && (
              <p className="warn" role="alert" data-testid="no-live-host">
                No GenOS worker is answering right now, so your desktop cannot start yet. It starts as soon as a worker is back; an admin can see which hosts are down under Admin → Hosts.
              </p>
            )}
            {e.state === 'requested' && e.queuePosition !== null && (
              <p className="muted" data-testid="queue-position" data-position={e.queuePosition}>
                Waiting for capacity: {e.queuePosition === 0 ? 'you are next' : `${e.queuePosition} ahead of you`}
              </p>
            )}
            <LifetimeBanner env={e} />
            {e.state === 'terminated' && <p className="muted">This desktop has been terminated.</p>}
          </div>
        )}
      </div>
      {hasPanel && (
        // Hidden rather than unmounted: a new share link is shown only once and must survive folding the panel.
        <aside id={panelId} ref={panelRef} className="env-panel" data-testid="environment-panel" hidden={!panelShown}>
          <EnvironmentActions env={e} terminating={terminating} onTerminate={onTerminate} />
          {running && <EnvironmentExtras id={e.id} />}
        </aside>
      )}
    </div>
  );
}
