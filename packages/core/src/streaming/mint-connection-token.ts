import type { Actor, Store } from '../ports/store';
import type { ServerLayout } from './connection-token';
import { mintTunnelToken } from './mint-tunnel-token';

/** The owner's token for a running environment (mintTunnelToken with an `owner` grant), valid for one minute. */
export async function mintConnectionToken(opts: {
  store: Store;
  actor: Actor;
  id: string;
  key: string;
  now?: number;
  /** RDP only; see SERVER_LAYOUTS. */
  serverLayout?: ServerLayout;
}): Promise<{ token: string; expiresAt: Date }> {
  const { token, expiresAt } = await mintTunnelToken({ store: opts.store, key: opts.key, now: opts.now, grant: { kind: 'owner', actor: opts.actor, environmentId: opts.id, serverLayout: opts.serverLayout } });
  return { token, expiresAt };
}
