import { randomBytes } from 'node:crypto';
import { AppError, hashShareSecret, mintTunnelToken, SHARE_MESSAGES, SHARE_MODES, SHARE_SECRET_RE, shareLinkState, type ShareMode, type ShareState, type Store } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import { liveTunnels, shareLinkEnded } from '../tunnel/live-tunnels';

/**
 * Share links: someone else watches (`view`) or uses (`collaborate`) a running
 * desktop. The secret is shown once, as /share/<secret>; only its sha256 is
 * stored. A `view` link needs no account; a `collaborate` link needs a signed-in
 * user, because whatever they type is theirs. Opening a link mints a
 * single-use tunnel token bound to the share (mintTunnelToken, packages/core;
 * the link rules are share-link-rules.ts there); the tunnel checks the share
 * again before guacd sees anything (admitConnection), and a view token gets
 * guacd's `read-only` VNC setting while the tunnel also drops every input
 * instruction from that client. Revoking a link ends its live connections at once.
 */
export { hashShareSecret, SHARE_MESSAGES, SHARE_MODES, type ShareMode, type ShareState };
export const SHARE_TTL_MINUTES = { min: 5, max: 7 * 24 * 60, default: 60 } as const;

export interface ShareActor {
  id: string;
  isAdmin: boolean;
  ip: string | null;
}

/** The owner, or an owner/admin of the environment's team, may share it. */
async function assertCanShare(prisma: PrismaClient, actor: ShareActor, environmentId: string) {
  const env = await prisma.environment.findUnique({ where: { id: environmentId } });
  if (!env) throw new AppError('NOT_FOUND', `environment ${environmentId} not found`);
  if (env.ownerId === actor.id || actor.isAdmin) return env;
  if (env.teamId) {
    const m = await prisma.membership.findUnique({ where: { userId_teamId: { userId: actor.id, teamId: env.teamId } } });
    if (m && (m.role === 'owner' || m.role === 'admin')) return env;
  }
  // Same answer as a missing environment: ids are not confirmed to strangers.
  throw new AppError('NOT_FOUND', `environment ${environmentId} not found`);
}

const audit = (prisma: PrismaClient, a: { actorId: string | null; ip: string | null; action: string; environmentId: string; after: object }) =>
  prisma.auditLog.create({
    data: { actorKind: 'user', actorId: a.actorId, action: a.action, targetType: 'environment', targetId: a.environmentId, after: a.after, ip: a.ip },
  });

export async function createShareLink(opts: {
  prisma: PrismaClient;
  actor: ShareActor;
  environmentId: string;
  mode: ShareMode;
  ttlMinutes: number;
  now?: number;
}) {
  const now = opts.now ?? Date.now();
  const env = await assertCanShare(opts.prisma, opts.actor, opts.environmentId);
  if (env.state === 'terminated' || env.state === 'failed') throw new AppError('CONFLICT', `the environment is ${env.state}: there is nothing to share`);
  const ttl = Math.round(opts.ttlMinutes);
  if (!(ttl >= SHARE_TTL_MINUTES.min && ttl <= SHARE_TTL_MINUTES.max)) {
    throw new AppError('VALIDATION', `a share link lasts ${SHARE_TTL_MINUTES.min} minutes to 7 days`);
  }
  const secret = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now + ttl * 60_000);
  const share = await opts.prisma.$transaction(async (tx) => {
    const row = await tx.shareLink.create({
      data: { environmentId: env.id, mode: opts.mode, hash: hashShareSecret(secret), createdBy: opts.actor.id, expiresAt },
    });
    await audit(tx as PrismaClient, { actorId: opts.actor.id, ip: opts.actor.ip, action: 'share.create', environmentId: env.id, after: { shareId: row.id, mode: row.mode, expiresAt } });
    return row;
  });
  // The secret leaves the server once, here; afterwards only its hash exists.
  return { id: share.id, mode: opts.mode, expiresAt, secret, path: `/share/${secret}` };
}

export async function listShareLinks(opts: { prisma: PrismaClient; actor: ShareActor; environmentId: string; now?: number }) {
  const now = opts.now ?? Date.now();
  await assertCanShare(opts.prisma, opts.actor, opts.environmentId);
  const rows = await opts.prisma.shareLink.findMany({ where: { environmentId: opts.environmentId }, orderBy: { createdAt: 'desc' }, take: 100 });
  return rows.map((r) => ({ id: r.id, mode: r.mode as ShareMode, createdAt: r.createdAt, expiresAt: r.expiresAt, revokedAt: r.revokedAt, state: shareLinkState(r, now) }));
}

export async function revokeShareLink(opts: { prisma: PrismaClient; actor: ShareActor; id: string; now?: number }) {
  const row = await opts.prisma.shareLink.findUnique({ where: { id: opts.id } });
  if (!row) throw new AppError('NOT_FOUND', `share link ${opts.id} not found`);
  await assertCanShare(opts.prisma, opts.actor, row.environmentId).catch(() => {
    throw new AppError('NOT_FOUND', `share link ${opts.id} not found`);
  });
  if (row.revokedAt) return { id: row.id, revokedAt: row.revokedAt };
  const revokedAt = new Date(opts.now ?? Date.now());
  await opts.prisma.$transaction(async (tx) => {
    await tx.shareLink.update({ where: { id: row.id }, data: { revokedAt } });
    await audit(tx as PrismaClient, { actorId: opts.actor.id, ip: opts.actor.ip, action: 'share.revoke', environmentId: row.environmentId, after: { shareId: row.id } });
  });
  // Its live connections end now (live-tunnels.ts), not at their next check.
  liveTunnels().endShareLink(row.id, shareLinkEnded(SHARE_MESSAGES.revoked));
  return { id: row.id, revokedAt };
}

/** The share a secret names, if usable now; otherwise an AppError whose message is meant for the visitor. */
export async function resolveShareLink(prisma: PrismaClient, secret: string, now = Date.now()) {
  if (!SHARE_SECRET_RE.test(secret)) throw new AppError('NOT_FOUND', SHARE_MESSAGES.unknown);
  const share = await prisma.shareLink.findUnique({ where: { hash: hashShareSecret(secret) } });
  if (!share) throw new AppError('NOT_FOUND', SHARE_MESSAGES.unknown);
  const state = shareLinkState(share, now);
  if (state === 'revoked') throw new AppError('FORBIDDEN', SHARE_MESSAGES.revoked, { state });
  if (state === 'expired') throw new AppError('FORBIDDEN', SHARE_MESSAGES.expired, { state });
  const env = await prisma.environment.findUnique({ where: { id: share.environmentId } });
  if (!env || env.state !== 'running' || !env.displayEndpoint) throw new AppError('CONFLICT', SHARE_MESSAGES.notRunning);
  return { share, env };
}

/** What the share page shows before connecting: mode and name only. */
export async function describeShareLink(prisma: PrismaClient, secret: string) {
  const { share, env } = await resolveShareLink(prisma, secret);
  return { mode: share.mode as ShareMode, name: env.name, expiresAt: share.expiresAt };
}

/** Mints the single-use tunnel token a share link grants (mintTunnelToken); audited as share.open. */
export async function openShareLink(opts: { prisma: PrismaClient; store: Store; secret: string; user: { id: string } | null; ip: string | null; key: string; now?: number }) {
  const minted = await mintTunnelToken({ store: opts.store, key: opts.key, now: opts.now, grant: { kind: 'share-link', secret: opts.secret, user: opts.user } });
  const { shareId, purpose, environmentId } = minted.claims;
  const mode = purpose as ShareMode;
  await audit(opts.prisma, { actorId: opts.user?.id ?? null, ip: opts.ip, action: 'share.open', environmentId, after: { shareId, mode, anonymous: !opts.user } });
  return { token: minted.token, mode, expiresAt: minted.expiresAt };
}
