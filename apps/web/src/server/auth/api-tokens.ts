import { createHash, randomBytes } from 'node:crypto';
import { AppError, ADMIN_ONLY_SCOPES, API_SCOPES, scopesForRole, type ApiScope } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import type { SessionUser } from './verify-credentials';

const PREFIX = 'genos_';
const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');
/** lastUsedAt is written at most this often per token. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** What is listed about a token: never its secret or hash. */
export interface ApiTokenInfo {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

const info = (t: ApiTokenInfo): ApiTokenInfo => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  scopes: t.scopes,
  expiresAt: t.expiresAt,
  revokedAt: t.revokedAt,
  lastUsedAt: t.lastUsedAt,
  createdAt: t.createdAt,
});

const audit = (prisma: PrismaClient, a: { actorId: string | null; ip: string | null; action: string; targetId: string | null; before?: unknown; after?: unknown }) =>
  prisma.auditLog.create({
    data: {
      actorKind: 'user',
      actorId: a.actorId,
      ip: a.ip,
      action: a.action,
      targetType: 'apiToken',
      targetId: a.targetId,
      before: a.before === undefined || a.before === null ? undefined : JSON.parse(JSON.stringify(a.before)),
      after: a.after === undefined || a.after === null ? undefined : JSON.parse(JSON.stringify(a.after)),
    },
  });

/**
 * Issues a bearer token for `userId`; only its sha256 is stored, the secret is
 * returned once. Scopes default to everything the user's role allows and can
 * never exceed it; a token issuing a token (`within`) cannot exceed its own.
 */
export async function issueApiToken(
  prisma: PrismaClient,
  opts: { userId: string; role?: 'admin' | 'user'; name: string; ttlHours: number; scopes?: readonly ApiScope[]; within?: readonly string[] | null; ip?: string | null },
) {
  const role = opts.role ?? (await prisma.user.findUniqueOrThrow({ where: { id: opts.userId }, select: { role: true } })).role;
  const allowed = scopesForRole(role).filter((s) => !opts.within || opts.within.includes(s));
  const scopes = [...new Set(opts.scopes ?? allowed)];
  const beyond = scopes.filter((s) => !allowed.includes(s));
  if (beyond.length) {
    await audit(prisma, { actorId: opts.userId, ip: opts.ip ?? null, action: 'token.issue.denied', targetId: null, after: { name: opts.name, scopes, beyond } });
    throw new AppError('FORBIDDEN', `you cannot grant ${beyond.join(', ')}`);
  }
  if (scopes.length === 0) throw new AppError('VALIDATION', `name at least one scope (${API_SCOPES.join(', ')})`);
  const secret = PREFIX + randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + opts.ttlHours * 3600_000);
  const row = await prisma.apiToken.create({ data: { userId: opts.userId, name: opts.name, hash: hashOf(secret), prefix: secret.slice(0, 12), scopes, expiresAt } });
  await audit(prisma, { actorId: opts.userId, ip: opts.ip ?? null, action: 'token.issue', targetId: row.id, before: null, after: info(row) });
  return { token: secret, id: row.id, name: row.name, scopes, expiresAt };
}

/** The caller's tokens, newest first, without secrets. */
export async function listApiTokens(prisma: PrismaClient, opts: { userId: string }): Promise<ApiTokenInfo[]> {
  return (await prisma.apiToken.findMany({ where: { userId: opts.userId }, orderBy: { createdAt: 'desc' } })).map(info);
}

/** Revokes one of the caller's tokens at once; someone else's answers NOT_FOUND. Revoking twice changes nothing. */
export async function revokeApiToken(prisma: PrismaClient, opts: { userId: string; id: string; ip?: string | null }): Promise<ApiTokenInfo> {
  const row = await prisma.apiToken.findUnique({ where: { id: opts.id } });
  if (!row || row.userId !== opts.userId) throw new AppError('NOT_FOUND', `no API token with id ${opts.id}`);
  if (row.revokedAt) return info(row);
  const revoked = await prisma.apiToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
  await audit(prisma, { actorId: opts.userId, ip: opts.ip ?? null, action: 'token.revoke', targetId: row.id, before: info(row), after: info(revoked) });
  return info(revoked);
}

/**
 * Resolves a bearer secret to its user and scopes, or null when it is unknown,
 * expired or revoked. Expired and revoked tokens (and tokens of disabled
 * accounts) are audited as `auth.token.denied`; lastUsedAt moves at most once a minute.
 */
export async function authenticateApiToken(
  prisma: PrismaClient,
  secret: string,
  opts: { ip?: string | null; now?: Date } = {},
): Promise<{ user: SessionUser; token: { id: string; scopes: string[] } } | null> {
  if (!secret.startsWith(PREFIX)) return null;
  const now = opts.now ?? new Date();
  const row = await prisma.apiToken.findUnique({ where: { hash: hashOf(secret) }, include: { user: true } });
  if (!row) return null;
  const why = row.revokedAt ? 'revoked' : row.expiresAt <= now ? 'expired' : row.user.disabledAt ? 'account disabled' : null;
  if (why) {
    await audit(prisma, { actorId: row.userId, ip: opts.ip ?? null, action: 'auth.token.denied', targetId: row.id, before: null, after: { reason: why, prefix: row.prefix } });
    return null;
  }
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Conditional, so concurrent requests write it once.
    await prisma.apiToken.updateMany({
      where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }] },
      data: { lastUsedAt: now },
    });
  }
  // A token never carries more than its owner's role allows today.
  const scopes = row.scopes.filter((s) => !(ADMIN_ONLY_SCOPES as readonly string[]).includes(s) || row.user.role === 'admin');
  return { user: { id: row.user.id, email: row.user.email, name: row.user.name, role: row.user.role }, token: { id: row.id, scopes } };
}

/** The user behind a bearer token, or null when it is unknown, expired or revoked. */
export async function userForApiToken(prisma: PrismaClient, secret: string): Promise<SessionUser | null> {
  return (await authenticateApiToken(prisma, secret))?.user ?? null;
}
