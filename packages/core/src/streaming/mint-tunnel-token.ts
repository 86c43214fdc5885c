import { randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error';
import type { Actor, EnvironmentRecord, Store } from '../ports/store';
import { authorizeEnvironment, requireUser } from '../environments/authorize';
import { requireAdmin } from '../admin/require-admin';
import { encryptTunnelToken, tunnelSettingsFor, type ServerLayout, type TunnelClaims, type TunnelToken } from './connection-token';
import { hashShareSecret, SHARE_MESSAGES, SHARE_SECRET_RE, shareLinkState, type ShareMode } from './share-link-rules';

/** How long a minted token may wait for its connection. */
export const TUNNEL_TOKEN_TTL_MS = 60_000;

/**
 * Who asks for a display connection, and on what grounds:
 * - `owner`: the environment's owner (authorize.ts, action `connect`);
 * - `share-link`: whoever holds a live share link's secret (a signed-in user for `collaborate`);
 * - `observer`: a global admin watching, read-only.
 */
export type TunnelGrant =
  | { kind: 'owner'; actor: Actor; environmentId: string; serverLayout?: ServerLayout }
  | { kind: 'share-link'; secret: string; user: { id: string } | null }
  | { kind: 'observer'; actor: Actor; environmentId: string };

export interface MintedTunnelToken {
  /** The encrypted token (guacamole-lite's format), single-use. */
  token: string;
  expiresAt: Date;
  /** What the token says, and whose desktop it opens, for the caller's audit row. */
  claims: TunnelClaims;
  environment: { id: string; ownerId: string };
}

const jti = () => randomBytes(12).toString('base64url');

const runningOrConflict = (env: EnvironmentRecord, message?: string): EnvironmentRecord & { displayEndpoint: NonNullable<EnvironmentRecord['displayEndpoint']> } => {
  if (env.state === 'suspended' && !message) throw new AppError('CONFLICT', 'this desktop is suspended: resume it to connect');
  if (env.state !== 'running' || !env.displayEndpoint) throw new AppError('CONFLICT', message ?? `the environment is ${env.state}, not running`);
  return env as EnvironmentRecord & { displayEndpoint: NonNullable<EnvironmentRecord['displayEndpoint']> };
};

/**
 * The one place tunnel tokens are minted. Checks the grant against fresh
 * reads (the tunnel checks again when the token is used: admit-connection.ts)
 * and returns a token valid for one minute (a share link's never outlives the
 * link). guacd's connection settings travel inside it, encrypted; view-only
 * holders get guacd's `read-only` there.
 */
export async function mintTunnelToken(opts: { store: Store; key: string; grant: TunnelGrant; now?: number }): Promise<MintedTunnelToken> {
  const now = opts.now ?? Date.now();
  const { grant } = opts;
  let connection: TunnelToken['connection'];
  let claims: TunnelClaims;
  let environment: EnvironmentRecord;

  if (grant.kind === 'owner') {
    const userId = requireUser(grant.actor);
    // Owner only (authorize.ts): others who can see it get FORBIDDEN, everyone else NOT_FOUND.
    const env = (environment = runningOrConflict(
      await authorizeEnvironment({ teams: opts.store.teams, actor: grant.actor, env: await opts.store.environments.findById(grant.environmentId), id: grant.environmentId, action: 'connect' }),
    ));
    connection = tunnelSettingsFor(env.displayEndpoint, env.spec.display, { serverLayout: grant.serverLayout });
    claims = { environmentId: env.id, userId, exp: now + TUNNEL_TOKEN_TTL_MS, purpose: 'control', jti: jti() };
  } else if (grant.kind === 'observer') {
    const admin = requireAdmin(grant.actor);
    const env = await opts.store.environments.findById(grant.environmentId);
    if (!env) throw new AppError('NOT_FOUND', `no environment with id ${grant.environmentId}`);
    if (env.state !== 'running' || !env.displayEndpoint) throw new AppError('CONFLICT', `the environment is ${env.state}, not running`);
    environment = env;
    const base = tunnelSettingsFor(env.displayEndpoint, env.spec.display);
    connection = { ...base, settings: { ...base.settings, 'read-only': true } };
    claims = { environmentId: env.id, userId: admin.id, exp: now + TUNNEL_TOKEN_TTL_MS, purpose: 'view', observer: 'admin', readOnly: true, jti: jti() };
  } else {
    if (!SHARE_SECRET_RE.test(grant.secret)) throw new AppError('NOT_FOUND', SHARE_MESSAGES.unknown);
    const share = await opts.store.shareLinks.findByHash(hashShareSecret(grant.secret));
    if (!share) throw new AppError('NOT_FOUND', SHARE_MESSAGES.unknown);
    const state = shareLinkState(share, now);
    if (state !== 'active') throw new AppError('FORBIDDEN', SHARE_MESSAGES[state], { state });
    const found = await opts.store.environments.findById(share.environmentId);
    if (!found) throw new AppError('CONFLICT', SHARE_MESSAGES.notRunning);
    const env = (environment = runningOrConflict(found, SHARE_MESSAGES.notRunning));
    const mode: ShareMode = share.mode;
    if (mode === 'collaborate' && !grant.user) throw new AppError('UNAUTHENTICATED', SHARE_MESSAGES.signIn);
    connection = tunnelSettingsFor(env.displayEndpoint, env.spec.display);
    // guacd's own read-only switch; the tunnel drops the input too (belt and braces).
    if (mode === 'view') connection.settings['read-only'] = 'true';
    claims = { environmentId: env.id, userId: grant.user?.id ?? '', exp: Math.min(now + TUNNEL_TOKEN_TTL_MS, share.expiresAt.getTime()), purpose: mode, shareId: share.id, jti: jti() };
  }

  return { token: encryptTunnelToken({ connection, genos: claims }, opts.key), expiresAt: new Date(claims.exp), claims, environment: { id: environment.id, ownerId: environment.ownerId } };
}
