import type { AdminReads } from '../ports/admin-store';
import type { EnvironmentRecord, ShareLinkRecord, Store, TeamStreamingPolicy } from '../ports/store';
import type { TunnelClaims, TunnelToken } from './connection-token';
import { SHARE_MESSAGES, shareLinkState, type ShareMode } from './share-link-rules';

/**
 * The one decision on a display connection. The tunnel decrypts the token
 * (connection-token.ts: forged, altered and expired ones never get here) and
 * asks this step, which reads everything fresh through the ports: the
 * environment's state, the holder's standing (the owner, a live share link, or
 * a still-active admin observing), the team's clipboard and recording policy,
 * whether the token was used before, and whether the holder is at a connection
 * cap. The tunnel then only does what the decision says.
 */

/** A slot among this process's live connections; released when the connection ends (or never opens). */
export interface ConnectionLease {
  release(): void;
}

/** Live tunnel connections of this process, capped per user and per share link. */
export interface ConnectionSlots<L extends ConnectionLease = ConnectionLease> {
  /** Takes a slot for the holder at once (no await between count and take), or says which cap is full. */
  take(holder: { userId: string | null; shareLinkId: string | null; environmentId: string }): L | { full: 'user' | 'share-link'; limit: number };
}

/** The reads admission needs; the Prisma store has them all. */
export interface AdmissionReads {
  environments: Pick<Store['environments'], 'findById'>;
  teams: Pick<Store['teams'], 'policy'>;
  shareLinks: Pick<Store['shareLinks'], 'findById'>;
  admin: { users: Pick<AdminReads['users'], 'find'> };
}

export type ViewerKind = 'owner' | 'share-link' | 'observer';

export interface ConnectionAdmitted<L extends ConnectionLease = ConnectionLease> {
  allowed: true;
  environment: Pick<EnvironmentRecord, 'id' | 'ownerId' | 'teamId'>;
  viewer: {
    kind: ViewerKind;
    /** The signed-in holder; null for an anonymous share-link viewer. */
    userId: string | null;
    /** The link the connection came through: the tunnel ends the connection when it is revoked or expires. */
    shareLink: { id: string; mode: ShareMode; expiresAt: Date } | null;
  };
  /** guacd gets `read-only` and the tunnel passes only display acknowledgements and keep-alives from this viewer. */
  readOnly: boolean;
  /** The team's clipboard policy: desktop → browser (`copy`), browser → desktop (`paste`). */
  clipboard: { copy: boolean; paste: boolean };
  /** Record this connection (team `recordSessions` or the deployment's record-all), attributed to `userId`. */
  record: { userId: string | null } | null;
  /** The viewer's window size resizes the desktop's screen (the owner only). */
  mayResize: boolean;
  /** Keyboard and mouse from this viewer count as the desktop's activity (idle policy); an observer's never do. */
  countsAsActivity: boolean;
  /** What guacd connects with: the token's settings, plus `read-only` when the viewer is read-only. */
  connection: TunnelToken['connection'];
  /** This connection's slot under the caps; the tunnel releases it when the connection ends. */
  lease: L;
}

export interface ConnectionRefused {
  allowed: false;
  /**
   * UNAUTHENTICATED: the token was used before; FORBIDDEN: not the holder's to open (or the share link is
   * revoked or expired); CONFLICT: the desktop is not running; QUOTA_EXCEEDED: a connection cap is reached.
   */
  code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'CONFLICT' | 'QUOTA_EXCEEDED';
  /** For the log. */
  reason: string;
  /** What the holder reads; says nothing about a desktop that is not theirs. */
  message: string;
}

export type ConnectionDecision<L extends ConnectionLease = ConnectionLease> = ConnectionAdmitted<L> | ConnectionRefused;

const OPEN_POLICY: TeamStreamingPolicy = { allowCopy: true, allowPaste: true, allowUpload: true, allowDownload: true, recordSessions: false };

const refuse = (code: ConnectionRefused['code'], reason: string, message = code === 'FORBIDDEN' ? 'Forbidden' : reason): ConnectionRefused => ({ allowed: false, code, reason, message });

/**
 * Whether the share link a token names still allows it: null when it does,
 * otherwise the refusal (a revoked or expired link says so). The tunnel also
 * uses it to re-check live connections.
 */
export function shareLinkRefusal(share: ShareLinkRecord | null, claims: Pick<TunnelClaims, 'shareId' | 'environmentId' | 'purpose'>, now: number): ConnectionRefused | null {
  if (!claims.shareId || !share) return refuse('FORBIDDEN', 'no such share link');
  if (share.environmentId !== claims.environmentId || share.mode !== claims.purpose) return refuse('FORBIDDEN', 'the token does not match its share link');
  const state = shareLinkState(share, now);
  if (state !== 'active') return refuse('FORBIDDEN', `share link ${share.id} is ${state}`, SHARE_MESSAGES[state]);
  return null;
}

export async function admitConnection<L extends ConnectionLease>(opts: {
  store: AdmissionReads;
  /** The decrypted, unexpired token. */
  token: TunnelToken;
  /** The deployment records every session (GENOS_RECORD_ALL). */
  recordAll: boolean;
  /** Single use: true the first time a token id is presented (remembered until it expires). */
  claimToken(jti: string, exp: number): boolean;
  slots: ConnectionSlots<L>;
  now?: number;
}): Promise<ConnectionDecision<L>> {
  const now = opts.now ?? Date.now();
  const claims = opts.token.genos;
  const observer = claims.observer === 'admin';
  const viaShare = !observer && (claims.purpose === 'view' || claims.purpose === 'collaborate');

  const [env, holder, share] = await Promise.all([
    opts.store.environments.findById(claims.environmentId),
    observer ? opts.store.admin.users.find(claims.userId) : null,
    viaShare && claims.shareId ? opts.store.shareLinks.findById(claims.shareId) : null,
  ]);
  if (!env) return refuse('FORBIDDEN', `no environment ${claims.environmentId}`);

  let kind: ViewerKind;
  if (observer) {
    // An admin's read-only observation: the holder must still be an active admin.
    if (!holder || holder.role !== 'admin' || holder.disabledAt || claims.readOnly !== true || claims.purpose !== 'view') return refuse('FORBIDDEN', `${claims.userId} may not observe ${env.id}`);
    kind = 'observer';
  } else if (viaShare) {
    const bad = shareLinkRefusal(share, claims, now);
    if (bad) return bad;
    kind = 'share-link';
  } else {
    if (claims.purpose !== 'control' || env.ownerId !== claims.userId) return refuse('FORBIDDEN', `${claims.userId || 'anonymous'} does not own ${env.id}`);
    kind = 'owner';
  }

  if (env.state === 'suspended') return refuse('CONFLICT', 'This desktop is suspended: resume it to connect.');
  if (env.state !== 'running') return refuse('CONFLICT', `${env.id} is ${env.state}`, 'Conflict');

  const policy = (env.teamId ? await opts.store.teams.policy(env.teamId) : null) ?? OPEN_POLICY;

  // Nothing awaits from here on: the token is spent and the slot taken in one step.
  if (!opts.claimToken(claims.jti, claims.exp)) return refuse('UNAUTHENTICATED', 'This display link was already used: reload the page for a new one.');
  const userId = claims.userId || null;
  const lease = opts.slots.take({ userId, shareLinkId: kind === 'share-link' ? share!.id : null, environmentId: env.id });
  if ('full' in lease) {
    return refuse(
      'QUOTA_EXCEEDED',
      lease.full === 'share-link'
        ? `This share link already has ${lease.limit} open connections: close one to open another.`
        : `You already have ${lease.limit} open display connections: close one to open another.`,
    );
  }

  const readOnly = claims.purpose === 'view';
  const connection = opts.token.connection;
  return {
    allowed: true,
    environment: { id: env.id, ownerId: env.ownerId, teamId: env.teamId },
    viewer: { kind, userId, shareLink: kind === 'share-link' ? { id: share!.id, mode: share!.mode, expiresAt: share!.expiresAt } : null },
    readOnly,
    clipboard: { copy: policy.allowCopy, paste: policy.allowPaste },
    // Observers are not recorded: they only watch what the owner's own sessions show.
    record: kind !== 'observer' && (opts.recordAll || policy.recordSessions) ? { userId } : null,
    mayResize: kind === 'owner',
    countsAsActivity: kind !== 'observer' && !readOnly,
    connection: { type: connection.type, settings: { ...connection.settings, ...(readOnly ? { 'read-only': 'true' } : {}) } },
    lease,
  };
}
