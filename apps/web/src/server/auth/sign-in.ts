import argon2 from 'argon2';
import { openTotpSecret } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import { webMetrics } from '../ops/web-metrics';
import { auditAuth } from './audit';
import { secretKeys } from './secret-keys';
import { afterFailure, lockMinutesLeft, signInWindows, type LockState, type SlidingWindow } from './throttle';
import { looksLikeTotpCode, matchRecoveryCode, verifyTotp } from './totp';
import type { SessionUser } from './verify-credentials';

export type SignInFailure =
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'disabled' }
  | { ok: false; reason: 'totp-required' }
  | { ok: false; reason: 'totp-invalid' }
  | { ok: false; reason: 'locked'; minutes: number }
  | { ok: false; reason: 'rate-limited'; minutes: number };
export type SignInResult = { ok: true; user: SessionUser; mfa: 'totp' | 'recovery-code' | null } | SignInFailure;

export interface SignInInput {
  email: string;
  password: string;
  /** A 6-digit TOTP code or a recovery code, for accounts with TOTP on. */
  code?: string | null;
  ip: string | null;
  now?: Date;
}

// Verifying against a fixed hash when the user is unknown keeps timing flat.
let dummyHash: Promise<string> | undefined;

/**
 * Email + password (+ second factor) sign-in with per-IP and per-account
 * throttling. Every outcome but "totp-required" is audited; the lock message
 * for an unknown email is the same as for a real account.
 */
export async function attemptPasswordSignIn(
  prisma: PrismaClient,
  input: SignInInput,
  windows: { ip: SlidingWindow; unknownEmail: SlidingWindow } = signInWindows,
): Promise<SignInResult> {
  const result = await signIn(prisma, input, windows);
  // Asking for the second factor is a step, not a failure.
  if (!result.ok && result.reason !== 'totp-required') webMetrics().signInFailures.inc({ reason: result.reason });
  return result;
}

async function signIn(prisma: PrismaClient, input: SignInInput, windows: { ip: SlidingWindow; unknownEmail: SlidingWindow }): Promise<SignInResult> {
  const now = input.now ?? new Date();
  const email = input.email.trim().toLowerCase();
  const ip = input.ip;
  const ipKey = ip ?? 'unknown';

  const ipBlocked = windows.ip.blockedMinutes(ipKey, now.getTime());
  if (ipBlocked) {
    await auditAuth(prisma, { action: 'auth.signin.rate-limited', actorId: null, targetId: null, ip, after: { email, minutes: ipBlocked } });
    return { ok: false, reason: 'rate-limited', minutes: ipBlocked };
  }

  const user = await prisma.user.findUnique({ where: { email } });
  if (!user) {
    const locked = windows.unknownEmail.blockedMinutes(email, now.getTime());
    windows.ip.record(ipKey, now.getTime());
    if (locked) {
      await auditAuth(prisma, { action: 'auth.signin.locked', actorId: null, targetId: null, ip, after: { email, unknownEmail: true } });
      return { ok: false, reason: 'locked', minutes: locked };
    }
    dummyHash ??= argon2.hash('not-a-password');
    await argon2.verify(await dummyHash, input.password).catch(() => false);
    windows.unknownEmail.record(email, now.getTime());
    await auditAuth(prisma, { action: 'auth.signin.failure', actorId: null, targetId: null, ip, after: { email, reason: 'unknown-email' } });
    const lockedNow = windows.unknownEmail.blockedMinutes(email, now.getTime());
    if (lockedNow) webMetrics().signInLockouts.inc();
    return lockedNow ? { ok: false, reason: 'locked', minutes: lockedNow } : { ok: false, reason: 'invalid' };
  }

  const lockedFor = lockMinutesLeft(user.lockedUntil, now);
  if (lockedFor) {
    windows.ip.record(ipKey, now.getTime());
    await auditAuth(prisma, { action: 'auth.signin.locked', actorId: null, targetId: user.id, ip, after: { lockedUntil: user.lockedUntil } });
    return { ok: false, reason: 'locked', minutes: lockedFor };
  }

  const passwordOk = user.passwordHash ? await argon2.verify(user.passwordHash, input.password).catch(() => false) : false;
  if (!passwordOk) return recordFailure(prisma, { userId: user.id, ip, ipKey, now, reason: 'password', windows });

  if (user.disabledAt) {
    await auditAuth(prisma, { action: 'auth.signin.failure', actorId: null, targetId: user.id, ip, after: { reason: 'disabled' } });
    return { ok: false, reason: 'disabled' };
  }

  let mfa: 'totp' | 'recovery-code' | null = null;
  if (user.totpEnabled && user.totpSecret) {
    const code = input.code?.trim();
    if (!code) return { ok: false, reason: 'totp-required' };
    const secret = await openTotpSecret({ keys: secretKeys(prisma), userId: user.id, stored: user.totpSecret, actor: { kind: 'user', id: user.id, ip } });
    if (looksLikeTotpCode(code) && (await verifyTotp(secret, code, { nowMs: now.getTime(), replayKey: user.id }))) {
      mfa = 'totp';
    } else if (await consumeRecoveryCode(prisma, user.id, user.recoveryCodes, code)) {
      mfa = 'recovery-code';
      await auditAuth(prisma, {
        action: 'auth.recovery-code.used',
        actorId: user.id,
        targetId: user.id,
        ip,
        before: { recoveryCodesLeft: user.recoveryCodes.length },
        after: { recoveryCodesLeft: user.recoveryCodes.length - 1 },
      });
    } else {
      return recordFailure(prisma, { userId: user.id, ip, ipKey, now, reason: 'totp', windows });
    }
  }

  if (user.failedSignIns !== 0 || user.lockedUntil) {
    await prisma.user.update({ where: { id: user.id }, data: { failedSignIns: 0, lockedUntil: null } });
  }
  await auditAuth(prisma, {
    action: 'auth.signin.success',
    actorId: user.id,
    targetId: user.id,
    ip,
    before: user.failedSignIns ? { failedSignIns: user.failedSignIns } : null,
    after: { method: 'credentials', mfa },
  });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role }, mfa };
}

/**
 * Removes one matching recovery code atomically (two concurrent uses of the
 * same code: only one wins). True when a code was consumed.
 */
export async function consumeRecoveryCode(prisma: PrismaClient, userId: string, hashes: readonly string[], code: string): Promise<boolean> {
  const hash = await matchRecoveryCode(hashes, code);
  if (!hash) return false;
  const removed = await prisma.$executeRaw`UPDATE "User" SET "recoveryCodes" = array_remove("recoveryCodes", ${hash}), "updatedAt" = now() WHERE id = ${userId} AND ${hash} = ANY("recoveryCodes")`;
  return removed === 1;
}

async function recordFailure(
  prisma: PrismaClient,
  opts: { userId: string; ip: string | null; ipKey: string; now: Date; reason: 'password' | 'totp'; windows: { ip: SlidingWindow } },
): Promise<SignInFailure> {
  opts.windows.ip.record(opts.ipKey, opts.now.getTime());
  // Row lock: concurrent failures count one by one.
  const { before, after } = await prisma.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<LockState[]>`SELECT "failedSignIns", "lockedUntil" FROM "User" WHERE id = ${opts.userId} FOR UPDATE`;
    const current: LockState = { failedSignIns: row?.failedSignIns ?? 0, lockedUntil: row?.lockedUntil ?? null };
    const next = afterFailure(current, opts.now);
    await tx.user.update({ where: { id: opts.userId }, data: { failedSignIns: next.failedSignIns, lockedUntil: next.lockedUntil } });
    return { before: current, after: next };
  });
  const reason = opts.reason === 'totp' ? 'totp-invalid' : 'invalid';
  await auditAuth(prisma, {
    action: 'auth.signin.failure',
    actorId: null,
    targetId: opts.userId,
    ip: opts.ip,
    before: { failedSignIns: before.failedSignIns, lockedUntil: before.lockedUntil },
    after: { reason: opts.reason === 'totp' ? 'wrong-code' : 'wrong-password', failedSignIns: after.failedSignIns, lockedUntil: after.lockedUntil },
  });
  if (after.lockedNow) {
    webMetrics().signInLockouts.inc();
    await auditAuth(prisma, { action: 'auth.lockout', actorId: null, targetId: opts.userId, ip: opts.ip, before: { lockedUntil: before.lockedUntil }, after: { lockedUntil: after.lockedUntil, failedSignIns: after.failedSignIns } });
    return { ok: false, reason: 'locked', minutes: lockMinutesLeft(after.lockedUntil, opts.now) };
  }
  return { ok: false, reason };
}

/** What the sign-in page and the API say for each failure; none tells an unknown email from a wrong password. */
export function signInMessage(f: SignInFailure): string {
  switch (f.reason) {
    case 'invalid':
      return 'Wrong email or password.';
    case 'disabled':
      return 'This account is disabled.';
    case 'totp-required':
      return 'Enter the 6-digit code from your authenticator app.';
    case 'totp-invalid':
      return 'That code is not valid. Try the current code or a recovery code.';
    case 'locked':
      return `Too many failed attempts; try again in ${f.minutes} minute${f.minutes === 1 ? '' : 's'}.`;
    case 'rate-limited':
      return `Too many sign-in attempts from your network; try again in ${f.minutes} minute${f.minutes === 1 ? '' : 's'}.`;
  }
}
