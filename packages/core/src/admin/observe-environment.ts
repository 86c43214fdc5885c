import type { Actor, Store } from '../ports/store';
import { mintTunnelToken } from '../streaming/mint-tunnel-token';
import { adminIdSchema } from './admin-input';
import { parseAdminInput } from './quota-limits';
import { requireAdmin } from './require-admin';

/**
 * A view-only tunnel token for an admin watching someone's running desktop
 * (mintTunnelToken with an `observer` grant): guacd gets `read-only`, so
 * keyboard and mouse never reach the desktop, and the tunnel checks again
 * that the holder is still an admin. Audited.
 */
export async function observeEnvironment(opts: { store: Store; actor: Actor; id: string; key: string; now?: number }): Promise<{ token: string; expiresAt: Date; readOnly: true }> {
  const actor = requireAdmin(opts.actor);
  const id = parseAdminInput(adminIdSchema, opts.id, 'environment id');
  const { token, expiresAt, environment } = await mintTunnelToken({ store: opts.store, key: opts.key, now: opts.now, grant: { kind: 'observer', actor, environmentId: id } });
  await opts.store.transaction((tx) =>
    tx.audit.record({ actor, action: 'environment.observe', targetType: 'environment', targetId: id, before: null, after: { ownerId: environment.ownerId, readOnly: true } }),
  );
  return { token, expiresAt, readOnly: true };
}
