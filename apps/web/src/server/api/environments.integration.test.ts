import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA, DEFAULT_SPEC, DEPLOYMENT_CAPABILITIES } from '@genos/core';
import { bossEnqueue, createBoss, createPrismaStore, ensureQueues, type Enqueue, type PgBoss } from '@genos/db';
import { createTestDatabase, registerTestHost, type TestDatabase } from '@genos/db/testing';
import { createCaller } from './root';
import { createInnerContext } from './trpc';

// tRPC procedures called through createCaller against a real, migrated PostgreSQL.
let db: TestDatabase;
let boss: PgBoss;
const KEY = 'x'.repeat(32);
let alice: { id: string; email: string };
let bob: { id: string; email: string };

const callerFor = (user: { id: string; email: string } | null, enqueue?: Enqueue) =>
  createCaller(
    createInnerContext({
      user: user ? { ...user, name: null, role: 'user' } : null,
      ip: '127.0.0.1',
      prisma: db.prisma,
      store: createPrismaStore({ prisma: db.prisma, enqueue: enqueue ?? bossEnqueue(boss) }),
      tunnelKey: KEY,
      composer: { bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, timeoutMs: 1000 },
    }),
  );

/** Row counts of every table a create or terminate touches. */
const snapshot = async () => ({
  environments: await db.prisma.environment.count(),
  events: await db.prisma.environmentEvent.count(),
  audit: await db.prisma.auditLog.count(),
  jobs: Number((await db.prisma.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM pgboss.job'))[0]!.n),
});

beforeAll(async () => {
  db = await createTestDatabase();
  boss = createBoss(db.url);
  await boss.start();
  await ensureQueues(boss);
  await registerTestHost({ store: createPrismaStore({ prisma: db.prisma, enqueue: bossEnqueue(boss) }), boss, id: 'api-test-host' });
  alice = await db.prisma.user.create({ data: { email: 'alice@genos.test' } });
  bob = await db.prisma.user.create({ data: { email: 'bob@genos.test' } });
});

afterAll(async () => {
  await boss?.stop({ graceful: false });
  await db?.drop();
});

describe('environments router', () => {
  it('creates an environment, its event, its audit entry and its job together', async () => {
    const before = await snapshot();
    const env = await callerFor(alice).environments.create({ spec: { ...DEFAULT_SPEC, apps: ['xterm'] }, request: 'a desktop' });
    expect(env.state).toBe('requested');
    expect(env).not.toHaveProperty('displayEndpoint');
    expect(await snapshot()).toEqual({ environments: before.environments + 1, events: before.events + 1, audit: before.audit + 1, jobs: before.jobs + 1 });
    const listed = await callerFor(alice).environments.list();
    expect(listed.map((e) => e.id)).toContain(env.id);
    expect(await callerFor(bob).environments.list()).toEqual([]);
  });

  it('refuses an invalid spec with a clear error and writes nothing', async () => {
    const before = await snapshot();
    await expect(callerFor(alice).environments.create({ spec: { ...DEFAULT_SPEC, resources: { ...DEFAULT_SPEC.resources, memoryMiB: -5 } } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'the environment spec is invalid',
    });
    await expect(callerFor(alice).environments.create({ spec: { ...DEFAULT_SPEC, privileged: true } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(callerFor(alice).environments.create({ spec: { ...DEFAULT_SPEC, runtime: 'vm' } })).rejects.toMatchObject({ code: 'UNPROCESSABLE_CONTENT' });
    // The team network outside a team: nothing to join.
    await expect(callerFor(alice).environments.create({ spec: { ...DEFAULT_SPEC, network: { mode: 'team', allowHosts: [] } } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/team network.*in a team/),
    });
    expect(await snapshot()).toEqual(before);
  });

  it('answers an unknown id and another user’s id the same way, changing nothing', async () => {
    const env = await callerFor(alice).environments.create({ spec: DEFAULT_SPEC });
    const before = await snapshot();
    await expect(callerFor(alice).environments.get({ id: 'doesnotexist0000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerFor(bob).environments.get({ id: env.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerFor(bob).environments.terminate({ id: env.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerFor(bob).environments.connectionToken({ id: env.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerFor(alice).environments.get({ id: "'; DROP TABLE x; --" })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await snapshot()).toEqual(before);
    expect((await callerFor(alice).environments.get({ id: env.id })).state).toBe('requested');
  });

  it('refuses a 20,000-character request with a clear error and writes nothing', async () => {
    const before = await snapshot();
    await expect(callerFor(alice).composer.compose({ request: 'a'.repeat(20_000) })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining('2000 characters'),
    });
    expect(await snapshot()).toEqual(before);
  });

  it('requires sign-in for everything, composing included', async () => {
    await expect(callerFor(null).environments.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(callerFor(null).environments.create({ spec: DEFAULT_SPEC })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(callerFor(null).composer.compose({ request: 'a desktop with xterm' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await callerFor(alice).composer.compose({ request: 'a desktop with xterm' })).status).toBe('ok');
  });

  it('mints a tunnel token only for a running environment', async () => {
    const env = await callerFor(alice).environments.create({ spec: DEFAULT_SPEC });
    await expect(callerFor(alice).environments.connectionToken({ id: env.id })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('terminates a not-yet-provisioned environment at once, and twice without error', async () => {
    const env = await callerFor(alice).environments.create({ spec: DEFAULT_SPEC });
    expect((await callerFor(alice).environments.terminate({ id: env.id })).state).toBe('terminated');
    expect((await callerFor(alice).environments.terminate({ id: env.id })).state).toBe('terminated');
    const events = await db.prisma.environmentEvent.findMany({ where: { environmentId: env.id }, orderBy: { at: 'asc' } });
    expect(events.map((e) => [e.fromState, e.toState])).toEqual([[null, 'requested'], ['requested', 'terminated']]);
  });

  it('writes nothing when the job cannot be enqueued', async () => {
    const before = await snapshot();
    // The queue database connection drops after the environment row was written.
    const failing: Enqueue = async () => {
      throw new Error('connection terminated unexpectedly');
    };
    await expect(callerFor(alice, failing).environments.create({ spec: DEFAULT_SPEC })).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    // pg-boss silently skips jobs for a queue that does not exist: that must not pass either.
    const lost: Enqueue = async () => null;
    await expect(callerFor(alice, lost).environments.create({ spec: DEFAULT_SPEC })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(await snapshot()).toEqual(before);
  });
});
