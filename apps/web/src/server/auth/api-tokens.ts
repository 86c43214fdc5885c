import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '@genos/db';
import type { SessionUser } from './verify-credentials';

const PREFIX = 'genos_';
const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Issues a bearer token; only its hash is stored, the secret is returned once. */
export async function issueApiToken(prisma: PrismaClient, opts: { userId: string; name: string; ttlHours: number }) {
  const secret = PREFIX + randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + opts.ttlHours * 3600_000);
  await prisma.apiToken.create({
    data: { userId: opts.userId, name: opts.name, hash: hashOf(secret), prefix: secret.slice(0, 12), scopes: ['environments'], expiresAt },
  });
  return { token: secret, expiresAt };
}

/** The user behind a bearer token, or null when it is unknown, expired or revoked. */
export async function userForApiToken(prisma: PrismaClient, secret: string): Promise<SessionUser | null> {
  if (!secret.startsWith(PREFIX)) return null;
  const row = await prisma.apiToken.findUnique({ where: { hash: hashOf(secret) }, include: { user: true } });
  if (!row || row.revokedAt || row.expiresAt < new Date()) return null;
  return { id: row.user.id, email: row.user.email, name: row.user.name, role: row.user.role };
}
