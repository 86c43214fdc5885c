import argon2 from 'argon2';
import { generate } from 'otplib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA, DEPLOYMENT_CAPABILITIES } from '@genos/core';
import { createPrismaStore } from '@genos/db';
import { createTestDatabase, type TestDatabase } from '@genos/db/testing';
import { createCaller } from '../api/root';
import { createInnerContext } from '../api/trpc';
import { issueApiToken, userForApiToken } from './api-tokens';
import { linkOidcUser } from './oidc';
import { checkSession, createSession } from './sessions';
import { attemptPasswordSignIn } from './sign-in';
import { SlidingWindow } from './throttle';

// Sign-in, TOTP, lockout, sessions and API tokens through the real code paths on a real, migrated PostgreSQL.
let db: TestDatabase;
type Person = { id: string; email: string; role: 'admin' | 'user' };
const PASSWORD = 'correct horse battery staple';

const callerFor = (user: Person | null, sessionId: string | null = null) =>
  createCaller(
    createInnerContext({
      user: user ? { id: user.id, email: user.email, name: null, role: user.role } : null,
      ip: '10.0.0.7',
      prisma: db.prisma,
      store: createPrismaStore({ prisma: db.prisma, enqueue: async () => null }),
      tunnelKey: 'x'.repeat(32),
      composer: { bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, timeoutMs: 1000 },
      sessionId,
    }),
  );
const newUser = async (email: string, role: 'admin' | 'user' = 'user'): Promise<Person> => {
  const u = await db.prisma.user.create({ data: { email, role, passwordHash: await argon2.hash(PASSWORD) } });
  return { id: u.id, email: u.email, role: u.role };
};
const audits = (action: string, targetId?: string) => db.prisma.auditLog.findMany({ where: { action, ...(targetId && { targetId }) }, orderBy: { at: 'asc' } });
// Fresh windows per test so the per-IP limit from one test does not leak into the next.
let windows: { ip: SlidingWindow; unknownEmail: SlidingWindow };
const signIn = (email: string, password: string, code?: string, ip = '10.0.0.7') => attemptPasswordSignIn(db.prisma, { email, password, code, ip }, windows);

/** Enrols TOTP through the API and returns the secret and recovery codes. */
async function enrol(user: Person) {
  const api = callerFor(user).auth.totp;
  const { secret } = await api.start();
  // The step after this one: still inside the ±1 window and not yet used.
  const { recoveryCodes } = await api.confirm({ code: await generate({ secret, epoch: Math.floor(Date.now() / 1000) }) });
  return { secret, recoveryCodes };
}
const codeAt = (secret: string, offsetSteps: number) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});
beforeEach(() => {
  windows = { ip: new SlidingWindow(20, 10 * 60_000), unknownEmail: new SlidingWindow(5, 15 * 60_000) };
});

describe('TOTP enrolment and sign-in', () => {
  it('stays off until a valid code confirms it; a wrong code is refused, audited and changes nothing', async () => {
    const alice = await newUser('alice@genos.test');
    const api = callerFor(alice).auth.totp;
    const start = await api.start();
    expect(start.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(start.manualKey.replace(/ /g, '')).toBe(start.secret);
    expect(await api.status()).toEqual({ enabled: false, pending: true, recoveryCodesLeft: 0 });
    // Sign-in is not affected by an unconfirmed set-up.
    expect(await signIn(alice.email, PASSWORD)).toMatchObject({ ok: true, mfa: null });

    const before = await db.prisma.user.findUniqueOrThrow({ where: { id: alice.id } });
    const wrong = (Number(await codeAt(start.secret, 0)) + 1).toString().padStart(6, '0').slice(-6);
    await expect(api.confirm({ code: wrong })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const after = await db.prisma.user.findUniqueOrThrow({ where: { id: alice.id } });
    expect({ ...after, updatedAt: null }).toEqual({ ...before, updatedAt: null });
    expect(await audits('auth.totp.enrol.failure', alice.id)).toHaveLength(1);

    const { recoveryCodes } = await api.confirm({ code: await codeAt(start.secret, 0) });
    expect(recoveryCodes).toHaveLength(10);
    const row = await db.prisma.user.findUniqueOrThrow({ where: { id: alice.id } });
    expect(row.totpEnabled).toBe(true);
    expect(row.recoveryCodes).toHaveLength(10);
    for (const c of recoveryCodes) expect(row.recoveryCodes.join()).not.toContain(c.replace('-', ''));
    const [enrolled] = await audits('auth.totp.enrol', alice.id);
    expect(enrolled).toMatchObject({ actorId: alice.id, ip: '10.0.0.7', before: { totpEnabled: false }, after: { totpEnabled: true, recoveryCodes: 10 } });
    await expect(api.start()).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('asks for the code after a right password; a wrong code is refused and audited, and no session or MFA setting changes', async () => {
    const bob = await newUser('bob@genos.test');
    const { secret } = await enrol(bob);
    expect(await signIn(bob.email, PASSWORD)).toEqual({ ok: false, reason: 'totp-required' });
    // A wrong password never reaches the code step.
    expect(await signIn(bob.email, 'wrong', await codeAt(secret, 1))).toEqual({ ok: false, reason: 'invalid' });

    const before = await db.prisma.user.findUniqueOrThrow({ where: { id: bob.id } });
    const sessions = await db.prisma.session.count();
    const auditBefore = (await audits('auth.signin.failure', bob.id)).length;
    expect(await signIn(bob.email, PASSWORD, '000000')).toEqual({ ok: false, reason: 'totp-invalid' });
    const after = await db.prisma.user.findUniqueOrThrow({ where: { id: bob.id } });
    expect(after).toMatchObject({ totpEnabled: true, totpSecret: before.totpSecret, recoveryCodes: before.recoveryCodes, failedSignIns: before.failedSignIns + 1 });
    expect(await db.prisma.session.count()).toBe(sessions);
    const failures = await audits('auth.signin.failure', bob.id);
    expect(failures).toHaveLength(auditBefore + 1);
    expect(failures.at(-1)).toMatchObject({ ip: '10.0.0.7', after: { reason: 'wrong-code', failedSignIns: before.failedSignIns + 1 } });

    const ok = await signIn(bob.email, PASSWORD, await codeAt(secret, 1));
    expect(ok).toMatchObject({ ok: true, mfa: 'totp', user: { id: bob.id } });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: bob.id } })).failedSignIns).toBe(0);
    expect((await audits('auth.signin.success', bob.id)).at(-1)).toMatchObject({ actorId: bob.id, after: { method: 'credentials', mfa: 'totp' } });
    // The same code again (a replay) is refused.
    expect(await signIn(bob.email, PASSWORD, await codeAt(secret, 1))).toEqual({ ok: false, reason: 'totp-invalid' });
  });

  it('a recovery code works once, and is consumed and audited', async () => {
    const carol = await newUser('carol@genos.test');
    const { recoveryCodes } = await enrol(carol);
    const code = recoveryCodes[4]!;
    expect(await signIn(carol.email, PASSWORD, code.toUpperCase())).toMatchObject({ ok: true, mfa: 'recovery-code' });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: carol.id } })).recoveryCodes).toHaveLength(9);
    expect((await audits('auth.recovery-code.used', carol.id))[0]).toMatchObject({ actorId: carol.id, before: { recoveryCodesLeft: 10 }, after: { recoveryCodesLeft: 9 } });
    expect(await signIn(carol.email, PASSWORD, code)).toEqual({ ok: false, reason: 'totp-invalid' });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: carol.id } })).recoveryCodes).toHaveLength(9);
    expect(await callerFor(carol).auth.totp.status()).toEqual({ enabled: true, pending: false, recoveryCodesLeft: 9 });
  });

  it('disabling needs a current code: a wrong one changes nothing; a right one turns TOTP off, audited', async () => {
    const dan = await newUser('dan@genos.test');
    const { secret } = await enrol(dan);
    const api = callerFor(dan).auth.totp;
    const before = await db.prisma.user.findUniqueOrThrow({ where: { id: dan.id } });
    await expect(api.disable({ code: '123456' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect({ ...(await db.prisma.user.findUniqueOrThrow({ where: { id: dan.id } })), updatedAt: null }).toEqual({ ...before, updatedAt: null });
    expect(await audits('auth.totp.disable.failure', dan.id)).toHaveLength(1);
    await api.disable({ code: await codeAt(secret, 1) });
    expect(await db.prisma.user.findUniqueOrThrow({ where: { id: dan.id } })).toMatchObject({ totpEnabled: false, totpSecret: null, recoveryCodes: [] });
    expect((await audits('auth.totp.disable', dan.id))[0]).toMatchObject({ actorId: dan.id, before: { totpEnabled: true }, after: { totpEnabled: false } });
    expect(await signIn(dan.email, PASSWORD)).toMatchObject({ ok: true, mfa: null });
  });

  it('issueToken needs the code too for accounts with TOTP on', async () => {
    const erin = await newUser('erin@genos.test');
    const { secret } = await enrol(erin);
    await expect(callerFor(null).auth.issueToken({ email: erin.email, password: PASSWORD })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const t = await callerFor(null).auth.issueToken({ email: erin.email, password: PASSWORD, code: await codeAt(secret, 1) });
    expect(t.token).toMatch(/^genos_/);
  });
});

describe('lockout and rate limiting', () => {
  it('5 wrong passwords lock the account for 15 minutes, even for the right password; audited', async () => {
    const frank = await newUser('frank@genos.test');
    for (let i = 1; i <= 4; i++) expect(await signIn(frank.email, `wrong-${i}`)).toEqual({ ok: false, reason: 'invalid' });
    expect(await signIn(frank.email, 'wrong-5')).toEqual({ ok: false, reason: 'locked', minutes: 15 });
    const row = await db.prisma.user.findUniqueOrThrow({ where: { id: frank.id } });
    expect(row.failedSignIns).toBe(5);
    expect(row.lockedUntil!.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(await signIn(frank.email, PASSWORD)).toEqual({ ok: false, reason: 'locked', minutes: 15 });
    expect(await audits('auth.signin.failure', frank.id)).toHaveLength(5);
    expect(await audits('auth.lockout', frank.id)).toHaveLength(1);
    expect(await audits('auth.signin.locked', frank.id)).toHaveLength(1);
    // The API path is locked too.
    await expect(callerFor(null).auth.issueToken({ email: frank.email, password: PASSWORD })).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });

    // After the lock runs out the right password works and resets the count.
    await db.prisma.user.update({ where: { id: frank.id }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    expect(await signIn(frank.email, PASSWORD)).toMatchObject({ ok: true });
    expect(await db.prisma.user.findUniqueOrThrow({ where: { id: frank.id } })).toMatchObject({ failedSignIns: 0, lockedUntil: null });
  });

  it('an unknown email gets the same answers as a real one, lock message included', async () => {
    for (let i = 1; i <= 4; i++) expect(await signIn('nobody@genos.test', 'x')).toEqual({ ok: false, reason: 'invalid' });
    expect(await signIn('nobody@genos.test', 'x')).toEqual({ ok: false, reason: 'locked', minutes: 15 });
    expect(await signIn('nobody@genos.test', 'x')).toEqual({ ok: false, reason: 'locked', minutes: 15 });
  });

  it('limits failures per IP in a sliding window', async () => {
    const grace = await newUser('grace@genos.test');
    windows.ip = new SlidingWindow(3, 10 * 60_000);
    for (const email of ['a@genos.test', 'b@genos.test', 'c@genos.test']) await signIn(email, 'x', undefined, '10.9.9.9');
    expect(await signIn(grace.email, PASSWORD, undefined, '10.9.9.9')).toEqual({ ok: false, reason: 'rate-limited', minutes: 10 });
    expect(await signIn(grace.email, PASSWORD, undefined, '10.9.9.8')).toMatchObject({ ok: true });
    expect(await audits('auth.signin.rate-limited')).toHaveLength(1);
  });
});

describe('sessions', () => {
  it('lists your sessions with the current one marked; a revoked session is refused on the next check', async () => {
    const heidi = await newUser('heidi@genos.test');
    const mine = await createSession(db.prisma, { userId: heidi.id, method: 'credentials', ip: '10.0.0.7', userAgent: 'Chrome/120' });
    const other = await createSession(db.prisma, { userId: heidi.id, method: 'credentials', ip: '10.0.0.8', userAgent: 'Firefox/120' });
    const third = await createSession(db.prisma, { userId: heidi.id, method: 'oidc', ip: null, userAgent: null });
    expect(await checkSession(db.prisma, other.id)).toMatchObject({ id: other.id, userId: heidi.id, role: 'user' });

    const api = callerFor(heidi, mine.id).auth.sessions;
    const list = await api.list();
    expect(list.map((s) => s.id).sort()).toEqual([mine.id, other.id, third.id].sort());
    expect(list.filter((s) => s.current).map((s) => s.id)).toEqual([mine.id]);

    await api.revoke({ id: other.id });
    expect(await checkSession(db.prisma, other.id)).toBeNull();
    expect(await checkSession(db.prisma, mine.id)).not.toBeNull();
    expect((await audits('auth.session.revoke', heidi.id))[0]).toMatchObject({ actorId: heidi.id, after: { scope: 'one' } });

    // Someone else's session is not yours to revoke.
    const ivan = await newUser('ivan@genos.test');
    const ivans = await createSession(db.prisma, { userId: ivan.id, method: 'credentials', ip: null, userAgent: null });
    await expect(api.revoke({ id: ivans.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await checkSession(db.prisma, ivans.id)).not.toBeNull();

    expect(await api.revokeOthers()).toEqual({ revoked: 1 });
    expect(await checkSession(db.prisma, third.id)).toBeNull();
    expect((await api.list()).map((s) => s.id)).toEqual([mine.id]);
  });

  it('refuses expired sessions and sessions of disabled users; touches lastSeenAt at most once a minute', async () => {
    const judy = await newUser('judy@genos.test');
    const t = new Date();
    const s = await createSession(db.prisma, { userId: judy.id, method: 'credentials', ip: null, userAgent: null, now: new Date(t.getTime() - 13 * 3600_000) });
    expect(await checkSession(db.prisma, s.id, t)).toBeNull();

    const live = await createSession(db.prisma, { userId: judy.id, method: 'credentials', ip: null, userAgent: null, now: t });
    await checkSession(db.prisma, live.id, new Date(t.getTime() + 30_000));
    expect((await db.prisma.session.findUniqueOrThrow({ where: { id: live.id } })).lastSeenAt).toEqual(t);
    const later = new Date(t.getTime() + 61_000);
    await checkSession(db.prisma, live.id, later);
    expect((await db.prisma.session.findUniqueOrThrow({ where: { id: live.id } })).lastSeenAt).toEqual(later);

    await db.prisma.user.update({ where: { id: judy.id }, data: { disabledAt: new Date() } });
    expect(await checkSession(db.prisma, live.id, new Date(t.getTime() + 120_000))).toBeNull();
  });

  it('admins list and revoke any user’s sessions; others may not', async () => {
    const root = await newUser('root@genos.test', 'admin');
    const kim = await newUser('kim@genos.test');
    const a = await createSession(db.prisma, { userId: kim.id, method: 'credentials', ip: null, userAgent: null });
    const b = await createSession(db.prisma, { userId: kim.id, method: 'credentials', ip: null, userAgent: null });
    await expect(callerFor(kim).admin.sessions.list({ userId: kim.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerFor(kim).admin.sessions.revokeAll({ userId: root.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const admin = callerFor(root).admin.sessions;
    expect((await admin.list({ userId: kim.id })).map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
    await admin.revoke({ sessionId: a.id });
    expect(await checkSession(db.prisma, a.id)).toBeNull();
    expect(await admin.revokeAll({ userId: kim.id })).toEqual({ revoked: 1 });
    expect(await checkSession(db.prisma, b.id)).toBeNull();
    expect((await audits('auth.session.revoke', kim.id)).map((r) => r.actorId)).toEqual([root.id, root.id]);
  });
});

describe('API tokens', () => {
  it('an expired token and a revoked one are refused', async () => {
    const leo = await newUser('leo@genos.test');
    const { token } = await issueApiToken(db.prisma, { userId: leo.id, name: 't', ttlHours: 1 });
    expect(await userForApiToken(db.prisma, token)).toMatchObject({ id: leo.id });
    await db.prisma.apiToken.updateMany({ where: { userId: leo.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await userForApiToken(db.prisma, token)).toBeNull();

    const second = await issueApiToken(db.prisma, { userId: leo.id, name: 't2', ttlHours: 1 });
    expect(await userForApiToken(db.prisma, second.token)).toMatchObject({ id: leo.id });
    await db.prisma.apiToken.updateMany({ where: { userId: leo.id, name: 't2' }, data: { revokedAt: new Date() } });
    expect(await userForApiToken(db.prisma, second.token)).toBeNull();
  });
});

describe('OIDC account matching', () => {
  it('matches by subject, then by verified email (linking), else creates a user in the default team', async () => {
    const mia = await newUser('mia@genos.test');
    // Unverified email: no match, no account.
    expect(await linkOidcUser(db.prisma, { sub: 's-1', email: 'mia@genos.test', email_verified: false }, { adminGroup: null, ip: null })).toEqual({ ok: false, reason: 'unverified-email' });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: mia.id } })).oidcSubject).toBeNull();
    // Verified: linked to the existing account.
    expect(await linkOidcUser(db.prisma, { sub: 's-1', email: 'MIA@genos.test', email_verified: true }, { adminGroup: null, ip: null })).toMatchObject({ ok: true, created: false, user: { id: mia.id } });
    // Then by subject, whatever the email says now.
    expect(await linkOidcUser(db.prisma, { sub: 's-1', email: 'other@x.test', email_verified: false }, { adminGroup: null, ip: null })).toMatchObject({ ok: true, user: { id: mia.id } });

    const created = await linkOidcUser(db.prisma, { sub: 's-2', email: 'ned@genos.test', email_verified: true, name: 'Ned', groups: ['staff'] }, { adminGroup: 'genos-admins', ip: null });
    expect(created).toMatchObject({ ok: true, created: true, user: { email: 'ned@genos.test', role: 'user' } });
    const ned = await db.prisma.user.findUniqueOrThrow({ where: { email: 'ned@genos.test' }, include: { memberships: { include: { team: true } } } });
    expect(ned.oidcSubject).toBe('s-2');
    expect(ned.memberships.map((m) => [m.team.slug, m.role])).toEqual([['default', 'member']]);
    // Joining the admin group makes an admin at the next sign-in.
    expect(await linkOidcUser(db.prisma, { sub: 's-2', groups: ['genos-admins'] }, { adminGroup: 'genos-admins', ip: null })).toMatchObject({ ok: true, user: { role: 'admin' } });
  });
});
