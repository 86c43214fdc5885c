import type { PrismaClient } from '@genos/db';
import { auditAuth } from './audit';

/** Browser sessions last at most this long (the JWT's maxAge too). */
export const SESSION_MAX_AGE_S = 12 * 60 * 60;
/** A session check is reused this long; revoking in this process drops it at once. */
const CHECK_TTL_MS = 5_000;
/** lastSeenAt is written at most this often. */
const LAST_SEEN_EVERY_MS = 60_000;

export type SessionMethod = 'credentials' | 'oidc';
export interface LiveSession {
  id: string;
  userId: string;
  role: 'admin' | 'user';
}

interface CacheEntry {
  value: LiveSession | null;
  at: number;
}
const g = globalThis as unknown as { __genosSessionCache?: Map<string, CacheEntry> };
const cache = (g.__genosSessionCache ??= new Map());

export async function createSession(
  prisma: PrismaClient,
  opts: { userId: string; method: SessionMethod; ip: string | null; userAgent: string | null; now?: Date },
) {
  const now = opts.now ?? new Date();
  return prisma.session.create({
    data: {
      userId: opts.userId,
      method: opts.method,
      ip: opts.ip?.slice(0, 100) ?? null,
      userAgent: opts.userAgent?.slice(0, 512) ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_S * 1000),
    },
  });
}

/**
 * The session behind a token, or null when it is unknown, revoked, expired, or
 * its user is disabled. Touches lastSeenAt at most once a minute. Also returns
 * the user's current role, so a role change applies without signing in again.
 */
export async function checkSession(prisma: PrismaClient, sessionId: string, now = new Date()): Promise<LiveSession | null> {
  const hit = cache.get(sessionId);
  if (hit && now.getTime() - hit.at >= 0 && now.getTime() - hit.at < CHECK_TTL_MS) return hit.value;

  const row = await prisma.session.findUnique({ where: { id: sessionId }, include: { user: { select: { role: true, disabledAt: true } } } });
  const live = row && !row.revokedAt && row.expiresAt > now && !row.user.disabledAt;
  const value: LiveSession | null = live ? { id: row.id, userId: row.userId, role: row.user.role } : null;
  if (cache.size > 10_000) cache.clear();
  cache.set(sessionId, { value, at: now.getTime() });
  if (live && now.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_EVERY_MS) {
    await prisma.session.updateMany({ where: { id: row.id, revokedAt: null }, data: { lastSeenAt: now } });
  }
  return value;
}

/** Drops cached checks so a revocation applies on the very next request. */
export function forgetSessions(ids: readonly string[]): void {
  for (const id of ids) cache.delete(id);
}

export interface SessionView {
  id: string;
  ip: string | null;
  userAgent: string | null;
  method: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  current: boolean;
}

/** A user's live sessions, most recently seen first; `current` marks the caller's own. */
export async function listSessions(prisma: PrismaClient, userId: string, currentId: string | null, now = new Date()): Promise<SessionView[]> {
  const rows = await prisma.session.findMany({ where: { userId, revokedAt: null, expiresAt: { gt: now } }, orderBy: { lastSeenAt: 'desc' } });
  return rows.map((r) => ({
    id: r.id,
    ip: r.ip,
    userAgent: r.userAgent,
    method: r.method,
    createdAt: r.createdAt,
    lastSeenAt: r.lastSeenAt,
    expiresAt: r.expiresAt,
    current: r.id === currentId,
  }));
}

/**
 * Revokes the live sessions of `userId` that match `which`, auditing each
 * revocation with the actor. Returns how many were revoked.
 */
export async function revokeSessions(
  prisma: PrismaClient,
  opts: { actorId: string; userId: string; ip: string | null; which: { id: string } | { allExcept: string | null }; now?: Date },
): Promise<number> {
  const now = opts.now ?? new Date();
  const where =
    'id' in opts.which
      ? { id: opts.which.id, userId: opts.userId, revokedAt: null }
      : { userId: opts.userId, revokedAt: null, ...(opts.which.allExcept ? { id: { not: opts.which.allExcept } } : {}) };
  const rows = await prisma.session.findMany({ where, select: { id: true } });
  if (!rows.length) return 0;
  const ids = rows.map((r) => r.id);
  await prisma.session.updateMany({ where: { id: { in: ids }, revokedAt: null }, data: { revokedAt: now } });
  forgetSessions(ids);
  await auditAuth(prisma, {
    action: 'auth.session.revoke',
    actorId: opts.actorId,
    targetType: 'user',
    targetId: opts.userId,
    ip: opts.ip,
    before: { sessions: ids, revokedAt: null },
    after: { revokedAt: now, scope: 'id' in opts.which ? 'one' : opts.which.allExcept ? 'all-but-current' : 'all' },
  });
  return ids.length;
}
