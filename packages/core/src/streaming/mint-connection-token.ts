import { randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error';
import type { Actor, Store } from '../ports/store';
import { authorizeEnvironment, requireUser } from '../environments/authorize';
import { encryptTunnelToken, tunnelSettingsFor, type ServerLayout } from './connection-token';

export const TUNNEL_TOKEN_TTL_MS = 60_000;

/** Only the owner of a running environment gets a token, valid for one minute. */
export async function mintConnectionToken(opts: {
  store: Store;
  actor: Actor;
  id: string;
  key: string;
  now?: number;
  /** RDP only; see SERVER_LAYOUTS. */
  serverLayout?: ServerLayout;
}): Promise<{ token: string; expiresAt: Date }> {
  const userId = requireUser(opts.actor);
  // Owner only (authorize.ts): others who can see it get FORBIDDEN, everyone else NOT_FOUND.
  const env = await authorizeEnvironment({ teams: opts.store.teams, actor: opts.actor, env: await opts.store.environments.findById(opts.id), id: opts.id, action: 'connect' });
  if (env.state === 'suspended') throw new AppError('CONFLICT', 'this desktop is suspended: resume it to connect');
  if (env.state !== 'running' || !env.displayEndpoint) {
    throw new AppError('CONFLICT', `the environment is ${env.state}, not running`);
  }
  const exp = (opts.now ?? Date.now()) + TUNNEL_TOKEN_TTL_MS;
  const token = encryptTunnelToken(
    {
      connection: tunnelSettingsFor(env.displayEndpoint, env.spec.display, { serverLayout: opts.serverLayout }),
      genos: { environmentId: env.id, userId, exp, purpose: 'control', jti: randomBytes(12).toString('base64url') },
    },
    opts.key,
  );
  return { token, expiresAt: new Date(exp) };
}
