import { randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error';
import type { Actor, Store } from '../ports/store';
import { encryptTunnelToken, tunnelSettingsFor } from '../streaming/connection-token';
import { TUNNEL_TOKEN_TTL_MS } from '../streaming/mint-connection-token';
import { adminIdSchema } from './admin-input';
import { parseAdminInput } from './quota-limits';
import { requireAdmin } from './require-admin';

/**
 * A view-only tunnel token for an admin watching someone's running desktop:
 * guacd gets `read-only`, so keyboard and mouse never reach the desktop, and
 * the tunnel checks again that the holder is still an admin. Audited.
 */
export async function observeEnvironment(opts: { store: Store; actor: Actor; id: string; key: string; now?: number }): Promise<{ token: string; expiresAt: Date; readOnly: true }> {
  const actor = requireAdmin(opts.actor);
  const id = parseAdminInput(adminIdSchema, opts.id, 'environment id');
  const env = await opts.store.environments.findById(id);
  if (!env) throw new AppError('NOT_FOUND', `no environment with id ${id}`);
  if (env.state !== 'running' || !env.displayEndpoint) throw new AppError('CONFLICT', `the environment is ${env.state}, not running`);
  const exp = (opts.now ?? Date.now()) + TUNNEL_TOKEN_TTL_MS;
  const connection = tunnelSettingsFor(env.displayEndpoint, env.spec.display);
  const token = encryptTunnelToken(
    {
      connection: { ...connection, settings: { ...connection.settings, 'read-only': true } },
      genos: { environmentId: env.id, userId: actor.id, exp, purpose: 'view', observer: 'admin', readOnly: true, jti: randomBytes(12).toString('base64url') },
    },
    opts.key,
  );
  await opts.store.transaction((tx) =>
    tx.audit.record({ actor, action: 'environment.observe', targetType: 'environment', targetId: env.id, before: null, after: { ownerId: env.ownerId, readOnly: true } }),
  );
  return { token, expiresAt: new Date(exp), readOnly: true };
}
