import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA, DEFAULT_SPEC, DEPLOYMENT_CAPABILITIES } from '@genos/core';
import { createPrismaStore } from '@genos/db';
import { createTestDatabase, type TestDatabase } from '@genos/db/testing';
import { createCaller } from './root';
import { createInnerContext } from './trpc';

// admin.teams.setStreamingPolicy: admins only, audited; environments.connectionToken reports the policy.
let db: TestDatabase;
type Person = { id: string; email: string; role: 'admin' | 'user' };
let admin: Person;
let user: Person;
let teamId = '';
let envId = '';

const callerFor = (p: Person) =>
  createCaller(
    createInnerContext({
      user: { id: p.id, email: p.email, name: null, role: p.role },
      ip: '127.0.0.1',
      prisma: db.prisma,
      store: createPrismaStore({ prisma: db.prisma, enqueue: async () => null }),
      tunnelKey: 'x'.repeat(32),
      composer: { bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, timeoutMs: 1000 },
    }),
  );

beforeAll(async () => {
  db = await createTestDatabase();
  admin = { ...(await db.prisma.user.create({ data: { email: 'sp-admin@genos.test', role: 'admin' } })), role: 'admin' };
  user = { ...(await db.prisma.user.create({ data: { email: 'sp-user@genos.test' } })), role: 'user' };
  teamId = (await db.prisma.team.create({ data: { name: 'Policy', slug: 'policy' } })).id;
  envId = (
    await db.prisma.environment.create({
      data: { name: 'd', spec: DEFAULT_SPEC as never, ownerId: user.id, teamId, state: 'running', displayEndpoint: { protocol: 'vnc', host: '127.0.0.1', port: 1 } },
    })
  ).id;
});

afterAll(async () => {
  await db?.drop();
});

describe('team streaming policy', () => {
  it('lets an admin turn paste off, audits it, and the display learns it with its token', async () => {
    expect((await callerFor(user).environments.connectionToken({ id: envId })).policy).toEqual({ allowCopy: true, allowPaste: true });
    const r = await callerFor(admin).admin.teams.setStreamingPolicy({ teamId, allowPaste: false });
    expect(r).toMatchObject({ teamId, allowCopy: true, allowPaste: false, allowUpload: true, allowDownload: true });
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'team.streamingPolicy.set' } });
    expect(audit).toMatchObject({ actorId: admin.id, targetType: 'team', targetId: teamId, ip: '127.0.0.1' });
    expect(audit.before).toMatchObject({ allowPaste: true });
    expect(audit.after).toMatchObject({ allowPaste: false });
    expect((await callerFor(user).environments.connectionToken({ id: envId })).policy).toEqual({ allowCopy: true, allowPaste: false });
  });

  it('refuses non-admins, unknown teams and unknown fields, changing nothing', async () => {
    const audits = await db.prisma.auditLog.count();
    await expect(callerFor(user).admin.teams.setStreamingPolicy({ teamId, allowCopy: false })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerFor(admin).admin.teams.setStreamingPolicy({ teamId: 'nope', allowCopy: false })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerFor(admin).admin.teams.setStreamingPolicy({ teamId, allowCopy: false, recordSessions: true } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await db.prisma.auditLog.count()).toBe(audits);
    expect((await db.prisma.team.findUniqueOrThrow({ where: { id: teamId } })).allowCopy).toBe(true);
  });
});
