import argon2 from 'argon2';
import type { PrismaClient } from '@genos/db';

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: 'admin' | 'user';
}

// Verifying against a fixed hash when the user is unknown keeps timing flat.
let dummyHash: Promise<string> | undefined;

export async function verifyCredentials(prisma: PrismaClient, email: string, password: string): Promise<SessionUser | null> {
  const user = await prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  dummyHash ??= argon2.hash('not-a-password');
  const ok = await argon2.verify(user?.passwordHash ?? (await dummyHash), password).catch(() => false);
  if (!user || !user.passwordHash || !ok) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
