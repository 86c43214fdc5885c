import type { PrismaClient } from '@genos/db';
import { auditAuth } from './audit';
import type { SessionUser } from './verify-credentials';

/** The default team every new single-sign-on user joins as a member (the seed creates it too). */
export const DEFAULT_TEAM_SLUG = 'default';

export interface OidcClaims {
  sub?: unknown;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
  groups?: unknown;
}

export type OidcLinkResult = { ok: true; user: SessionUser; created: boolean } | { ok: false; reason: 'no-subject' | 'unverified-email' | 'subject-mismatch' | 'disabled' };

/**
 * The GenOS user behind an OIDC sign-in: matched by subject first, then by a
 * verified email (which links the subject), else created as a `user` in the
 * default team. With `adminGroup`, members of that group become admins, and
 * accounts the provider manages (no password) lose admin when they leave it.
 */
export async function linkOidcUser(prisma: PrismaClient, claims: OidcClaims, opts: { adminGroup: string | null; ip: string | null }): Promise<OidcLinkResult> {
  const sub = typeof claims.sub === 'string' && claims.sub ? claims.sub : null;
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : null;
  const verified = claims.email_verified === true || claims.email_verified === 'true';
  const name = typeof claims.name === 'string' ? claims.name.slice(0, 200) : null;
  const groups = Array.isArray(claims.groups) ? claims.groups.filter((x): x is string => typeof x === 'string') : [];
  const inAdminGroup = opts.adminGroup ? groups.includes(opts.adminGroup) : false;

  const fail = async (reason: Exclude<OidcLinkResult, { ok: true }>['reason'], targetId: string | null = null): Promise<OidcLinkResult> => {
    await auditAuth(prisma, { action: 'auth.signin.failure', actorId: null, targetId, ip: opts.ip, after: { method: 'oidc', reason, email, subject: sub } });
    return { ok: false, reason };
  };
  if (!sub) return fail('no-subject');

  let user = await prisma.user.findUnique({ where: { oidcSubject: sub } });
  let created = false;
  if (!user) {
    if (!email || !verified) return fail('unverified-email');
    const byEmail = await prisma.user.findUnique({ where: { email } });
    if (byEmail) {
      if (byEmail.oidcSubject && byEmail.oidcSubject !== sub) return fail('subject-mismatch', byEmail.id);
      user = await prisma.user.update({ where: { id: byEmail.id }, data: { oidcSubject: sub } });
      await auditAuth(prisma, { action: 'auth.oidc.link', actorId: user.id, targetId: user.id, ip: opts.ip, before: { oidcSubject: null }, after: { oidcSubject: sub } });
    } else {
      const role = inAdminGroup ? 'admin' : 'user';
      user = await prisma.$transaction(async (tx) => {
        const team = await tx.team.upsert({ where: { slug: DEFAULT_TEAM_SLUG }, create: { slug: DEFAULT_TEAM_SLUG, name: 'Default' }, update: {} });
        const u = await tx.user.create({ data: { email, name, role, oidcSubject: sub } });
        await tx.membership.create({ data: { userId: u.id, teamId: team.id, role: 'member' } });
        return u;
      });
      created = true;
      await auditAuth(prisma, { action: 'user.create', actorId: user.id, targetId: user.id, ip: opts.ip, before: null, after: { email, role, via: 'oidc', team: DEFAULT_TEAM_SLUG, teamRole: 'member' } });
    }
  }
  if (user.disabledAt) return fail('disabled', user.id);

  if (opts.adminGroup && !created) {
    const role = inAdminGroup ? 'admin' : user.passwordHash ? user.role : 'user';
    if (role !== user.role) {
      await prisma.user.update({ where: { id: user.id }, data: { role } });
      await auditAuth(prisma, { action: 'user.role', actorId: null, targetId: user.id, ip: opts.ip, before: { role: user.role }, after: { role, via: 'oidc-groups' } });
      user = { ...user, role };
    }
  }
  await auditAuth(prisma, { action: 'auth.signin.success', actorId: user.id, targetId: user.id, ip: opts.ip, after: { method: 'oidc', created } });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role }, created };
}
