import type Dockerode from 'dockerode';
import { reportNetworkProblem, TOR_UNREACHABLE, type Store } from '@genos/core';
import type { Logger } from '../../logger';
import { waitForTorBootstrap } from './tor-bootstrap';

/** After the first report, how long the gateway is still followed for a late connection (then the notice stays). */
const KEEP_WATCHING_MS = 30 * 60_000;

/**
 * In the background: when a tor-mode desktop's gateway has not connected to
 * Tor within `timeoutMs`, its environment says so (what Tor said last is in
 * the audit row and the log); if Tor connects later, the notice is cleared.
 * Ends by itself when the gateway goes (terminate).
 */
export function watchTorGateway(opts: { docker: Dockerode; store: Store; environmentId: string; timeoutMs: number; log: Logger; keepWatchingMs?: number }): Promise<void> {
  const { environmentId, log } = opts;
  const run = async () => {
    const first = await waitForTorBootstrap({ docker: opts.docker, environmentId, timeoutMs: opts.timeoutMs });
    if (first.connected || first.gone) return;
    log.warn({ environmentId, tor: first.last }, 'tor gateway has not reached the Tor network');
    await reportNetworkProblem({ store: opts.store, id: environmentId, problem: TOR_UNREACHABLE, detail: first.last });
    const keep = opts.keepWatchingMs ?? KEEP_WATCHING_MS;
    if (keep <= 0) return;
    const later = await waitForTorBootstrap({ docker: opts.docker, environmentId, timeoutMs: keep, pollMs: 5000 });
    if (later.connected) await reportNetworkProblem({ store: opts.store, id: environmentId, problem: null });
  };
  return run().catch((err) => log.error({ err, environmentId }, 'watching the tor gateway failed'));
}
