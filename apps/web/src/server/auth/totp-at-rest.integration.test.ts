import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import argon2 from 'argon2';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA, DEPLOYMENT_CAPABILITIES } from '@genos/core';
import { createPrismaStore } from '@genos/db';
import { encryptPlaintextSecrets } from '@genos/db/keys';
import { createTestDatabase, type TestDatabase } from '@genos/db/testing';
import { createCaller } from '../api/root';
import { createInnerContext } from '../api/trpc';
import { secretKeys } from './secret-keys';
import { attemptPasswordSignIn } from './sign-in';
import { SlidingWindow } from './throttle';
import { newTotpSecret } from './totp';

// TOTP secrets at rest: what PostgreSQL holds, read as raw bytes with psql, never contains a secret.
const run = promisify(execFile);
let db: TestDatabase;
const PASSWORD = 'correct horse battery staple';
const windows = () => ({ ip: new SlidingWindow(100, 60_000), unknownEmail: new SlidingWindow(100, 60_000) });
const code = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

/** Every byte of the tables, as `COPY … TO STDOUT` gives them to psql (bytea in hex, so decode that too). */
async function rawTables(): Promise<string> {
  let all = '';
  for (const table of ['User', 'DataKey', 'AuditLog']) {
    const { stdout } = await run('psql', [db.url, '-X', '-A', '-c', `COPY "${table}" TO STDOUT`], { maxBuffer: 64 << 20 });
    all += stdout + stdout.replace(/\\\\x([0-9a-f]+)/g, (_, hex: string) => Buffer.from(hex, 'hex').toString('latin1'));
  }
  return all;
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('TOTP secrets at rest', () => {
  it('are sealed by the key service: psql finds no secret in the clear, and sign-in with a code still works', async () => {
    const u = await db.prisma.user.create({ data: { email: 'erin@genos.test', passwordHash: await argon2.hash(PASSWORD) } });
    const api = createCaller(
      createInnerContext({
        user: { id: u.id, email: u.email, name: null, role: 'user' },
        ip: '10.0.0.9',
        prisma: db.prisma,
        store: createPrismaStore({ prisma: db.prisma, enqueue: async () => null }),
        tunnelKey: 'x'.repeat(32),
        composer: { bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, timeoutMs: 1000 },
        sessionId: null,
      }),
    ).auth.totp;
    const { secret } = await api.start();
    await api.confirm({ code: await code(secret) });

    const raw = await rawTables();
    expect(raw).toContain(u.id);
    expect(raw).not.toContain(secret);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).totpSecret).toMatch(/^gk1:/);
    expect(await attemptPasswordSignIn(db.prisma, { email: u.email, password: PASSWORD, code: await code(secret, 1), ip: null }, windows())).toMatchObject({ ok: true, mfa: 'totp' });
    // Each use of the key is audited.
    expect(await db.prisma.auditLog.count({ where: { action: 'key.use', after: { path: ['objectId'], equals: u.id } } })).toBeGreaterThanOrEqual(3);
  });

  it('the one-off step seals secrets stored in the clear before the key service existed', async () => {
    const secret = newTotpSecret();
    const u = await db.prisma.user.create({ data: { email: 'old@genos.test', passwordHash: await argon2.hash(PASSWORD), totpSecret: secret, totpEnabled: true } });
    expect(await rawTables()).toContain(secret);
    expect(await encryptPlaintextSecrets({ prisma: db.prisma, keys: secretKeys(db.prisma) })).toEqual({ sealed: 1 });
    expect(await encryptPlaintextSecrets({ prisma: db.prisma, keys: secretKeys(db.prisma) })).toEqual({ sealed: 0 });
    expect(await rawTables()).not.toContain(secret);
    expect(await attemptPasswordSignIn(db.prisma, { email: u.email, password: PASSWORD, code: await code(secret), ip: null }, windows())).toMatchObject({ ok: true, mfa: 'totp' });
  });
});
