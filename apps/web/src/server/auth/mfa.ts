import { TRPCError } from '@trpc/server';
import { openTotpSecret, sealTotpSecret, TOTP_SECRET_PURPOSE } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import { auditAuth } from './audit';
import { secretKeys } from './secret-keys';
import { consumeRecoveryCode } from './sign-in';
import { LOCK_MINUTES, MAX_FAILURES, SlidingWindow } from './throttle';
import { looksLikeTotpCode, newTotpSecret, RECOVERY_CODE_COUNT, generateRecoveryCodes, totpEnrolment, verifyTotp } from './totp';

// Wrong codes on the settings page are throttled per user like sign-in failures.
const g = globalThis as unknown as { __genosMfaWindow?: SlidingWindow };
export const mfaWindow = (g.__genosMfaWindow ??= new SlidingWindow(MAX_FAILURES, LOCK_MINUTES * 60_000));

interface Who {
  userId: string;
  ip: string | null;
}

async function loadUser(prisma: PrismaClient, userId: string) {
  const user = await prisma.user.findUnique({ where: { id: userId } });
  if (!user) throw new TRPCError({ code: 'NOT_FOUND', message: 'user not found' });
  return user;
}

const actorOf = (who: Who) => ({ kind: 'user' as const, id: who.userId, ip: who.ip });

function throttle(userId: string) {
  const minutes = mfaWindow.blockedMinutes(userId);
  if (minutes) throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `Too many wrong codes; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` });
}

export async function totpStatus(prisma: PrismaClient, userId: string) {
  const user = await loadUser(prisma, userId);
  return { enabled: user.totpEnabled, pending: !user.totpEnabled && !!user.totpSecret, recoveryCodesLeft: user.totpEnabled ? user.recoveryCodes.length : 0 };
}

/** Step 1: a new secret, stored unconfirmed (TOTP stays off until a valid code confirms it). */
export async function startTotpEnrolment(prisma: PrismaClient, who: Who) {
  const user = await loadUser(prisma, who.userId);
  if (user.totpEnabled) throw new TRPCError({ code: 'CONFLICT', message: 'two-factor authentication is already on; disable it first' });
  const secret = newTotpSecret();
  const sealed = await sealTotpSecret({ keys: secretKeys(prisma), userId: user.id, secret, actor: actorOf(who) });
  await prisma.user.update({ where: { id: user.id }, data: { totpSecret: sealed } });
  return totpEnrolment(secret, user.email);
}

/** Step 2: a valid code turns TOTP on and returns the recovery codes, once. */
export async function confirmTotpEnrolment(prisma: PrismaClient, who: Who & { code: string }) {
  throttle(who.userId);
  const user = await loadUser(prisma, who.userId);
  if (user.totpEnabled) throw new TRPCError({ code: 'CONFLICT', message: 'two-factor authentication is already on' });
  if (!user.totpSecret) throw new TRPCError({ code: 'BAD_REQUEST', message: 'start the set-up first' });
  const secret = await openTotpSecret({ keys: secretKeys(prisma), userId: user.id, stored: user.totpSecret, actor: actorOf(who) });
  if (!(await verifyTotp(secret, who.code, { replayKey: user.id }))) {
    mfaWindow.record(user.id);
    await auditAuth(prisma, { action: 'auth.totp.enrol.failure', actorId: user.id, targetId: user.id, ip: who.ip, after: { reason: 'wrong-code' } });
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'That code is not valid; check the time on your device and try the current code.' });
  }
  const { codes, hashes } = await generateRecoveryCodes(RECOVERY_CODE_COUNT);
  // Only if nothing changed meanwhile (same sealed secret, still off).
  const done = await prisma.user.updateMany({
    where: { id: user.id, totpEnabled: false, totpSecret: user.totpSecret },
    data: { totpEnabled: true, recoveryCodes: hashes },
  });
  if (done.count !== 1) throw new TRPCError({ code: 'CONFLICT', message: 'the set-up changed meanwhile; start again' });
  await auditAuth(prisma, {
    action: 'auth.totp.enrol',
    actorId: user.id,
    targetId: user.id,
    ip: who.ip,
    before: { totpEnabled: false },
    after: { totpEnabled: true, recoveryCodes: codes.length },
  });
  return { recoveryCodes: codes };
}

/** Turns TOTP off; needs a current code (or an unused recovery code, which is consumed). */
export async function disableTotp(prisma: PrismaClient, who: Who & { code: string }) {
  throttle(who.userId);
  const user = await loadUser(prisma, who.userId);
  if (!user.totpEnabled || !user.totpSecret) throw new TRPCError({ code: 'BAD_REQUEST', message: 'two-factor authentication is not on' });
  let via: 'totp' | 'recovery-code' | null = null;
  const secret = await openTotpSecret({ keys: secretKeys(prisma), userId: user.id, stored: user.totpSecret, actor: actorOf(who) });
  if (looksLikeTotpCode(who.code) && (await verifyTotp(secret, who.code, { replayKey: user.id }))) via = 'totp';
  else if (await consumeRecoveryCode(prisma, user.id, user.recoveryCodes, who.code)) {
    via = 'recovery-code';
    await auditAuth(prisma, {
      action: 'auth.recovery-code.used',
      actorId: user.id,
      targetId: user.id,
      ip: who.ip,
      before: { recoveryCodesLeft: user.recoveryCodes.length },
      after: { recoveryCodesLeft: user.recoveryCodes.length - 1, for: 'totp.disable' },
    });
  }
  if (!via) {
    mfaWindow.record(user.id);
    await auditAuth(prisma, { action: 'auth.totp.disable.failure', actorId: user.id, targetId: user.id, ip: who.ip, after: { reason: 'wrong-code' } });
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'That code is not valid.' });
  }
  await prisma.user.update({ where: { id: user.id }, data: { totpEnabled: false, totpSecret: null, recoveryCodes: [] } });
  await secretKeys(prisma).destroy({ purpose: TOTP_SECRET_PURPOSE, objectId: user.id }, actorOf(who));
  await auditAuth(prisma, {
    action: 'auth.totp.disable',
    actorId: user.id,
    targetId: user.id,
    ip: who.ip,
    before: { totpEnabled: true, recoveryCodes: user.recoveryCodes.length },
    after: { totpEnabled: false, recoveryCodes: 0, confirmedWith: via },
  });
  return { enabled: false };
}

/** Cancels an unconfirmed set-up. */
export async function cancelTotpEnrolment(prisma: PrismaClient, who: Who) {
  const cancelled = await prisma.user.updateMany({ where: { id: who.userId, totpEnabled: false }, data: { totpSecret: null } });
  // The old secret's data key goes too: a copy of the row (a backup) can never yield it again.
  if (cancelled.count) await secretKeys(prisma).destroy({ purpose: TOTP_SECRET_PURPOSE, objectId: who.userId }, actorOf(who));
  return { enabled: false };
}
