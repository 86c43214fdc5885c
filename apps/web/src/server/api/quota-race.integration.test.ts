import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvironment, DEFAULT_QUOTA, DEFAULT_SPEC, DEPLOYMENT_CAPABILITIES, isAppError, refillPools, transitionEnvironment, type Actor, type EnvironmentSpec } from '@genos/core';
import { bossEnqueue, createBoss, createPrismaStore, ensurePoolOwner, ensureQueues, type PgBoss } from '@genos/db';
import { createTestDatabase, registerTestHost, type TestDatabase } from '@genos/db/testing';
import { createCaller } from './root';
import { createInnerContext } from './trpc';

// Quotas and warm pools where they are enforced: createEnvironment on the Prisma store, real PostgreSQL.
let db: TestDatabase;
let boss: PgBoss;
let adminUser: { id: string; email: string };
let carol: { id: string; email: string };
let dave: { id: string; email: string };
const HOST = 'race-test-host';

const store = () => createPrismaStore({ prisma: db.prisma, enqueue: bossEnqueue(boss) });
const actor = (u: { id: string }): Actor => ({ kind: 'user', id: u.id, isAdmin: false });
const adminApi = () =>
  createCaller(
    createInnerContext({
      user: { ...adminUser, name: null, role: 'admin' },
      ip: '127.0.0.1',
      prisma: db.prisma,
      store: store(),
      tunnelKey: 'x'.repeat(32),
      composer: { bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, timeoutMs: 1000 },
    }),
  ).admin;
const spec: EnvironmentSpec = { ...DEFAULT_SPEC, name: 'race', apps: ['xterm'], resources: { ...DEFAULT_SPEC.resources, cpu: 1, memoryMiB: 1024 } };
const jobs = async (name: string) => (await db.prisma.$queryRawUnsafe<{ data: Record<string, string> }[]>('SELECT data FROM pgboss.job WHERE name = $1', name)).map((r) => r.data);
const liveOf = (ownerId: string) => db.prisma.environment.findMany({ where: { ownerId, state: { in: ['requested', 'provisioning', 'running', 'suspended'] } } });

beforeAll(async () => {
  db = await createTestDatabase();
  boss = createBoss(db.url);
  await boss.start();
  await ensureQueues(boss);
  await registerTestHost({ store: store(), boss, id: HOST, cpuCapacity: 64, memoryMiB: 65_536 });
  adminUser = await db.prisma.user.create({ data: { email: 'root@genos.test', role: 'admin' } });
  carol = await db.prisma.user.create({ data: { email: 'carol@genos.test' } });
  dave = await db.prisma.user.create({ data: { email: 'dave@genos.test' } });
});

afterAll(async () => {
  await boss?.stop({ graceful: false });
  await db?.drop();
});

describe('the quota race', () => {
  it('lets exactly 3 of 50 concurrent creates through a quota of 3, with exactly 3 provision jobs', async () => {
    await adminApi().quotas.set({ scope: 'user', subjectId: carol.id, maxEnvironments: 3, maxCpu: 4, maxMemoryMiB: 4096, maxDiskGiB: 100, maxHoursPerDay: 24, priority: 0 });
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => createEnvironment({ store: store(), actor: actor(carol), spec, request: `race ${i}` })));
    const ok = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(47);
    for (const e of refused) {
      expect(isAppError(e) && e.code, String(e)).toBe('QUOTA_EXCEEDED');
      expect((e as Error).message).toBe('your quota allows 3 environments at once: 3 are already live; terminate one first');
    }
    const live = await liveOf(carol.id);
    expect(live.map((e) => e.id).sort()).toEqual(ok.map((e) => e.id).sort());
    expect(live.every((e) => e.host === HOST)).toBe(true);
    const provisions = await jobs(`environment.provision.${HOST}`);
    expect(provisions).toHaveLength(3);
    expect(provisions.map((j) => j.environmentId).sort()).toEqual(ok.map((e) => e.id).sort());
    // Nothing of the refused ones was written: no rows, events or audit entries beyond the three.
    expect(await db.prisma.environment.count({ where: { ownerId: carol.id } })).toBe(3);
    expect(await db.prisma.auditLog.count({ where: { action: 'environment.create', actorId: carol.id } })).toBe(3);
  });

  it('refuses the next create with a message naming the limit once an admin lowers it', async () => {
    // Room for one more environment, but not for its CPU.
    await adminApi().quotas.set({ scope: 'user', subjectId: carol.id, maxEnvironments: 4, maxCpu: 3.5, maxMemoryMiB: 8192, maxDiskGiB: 100, maxHoursPerDay: 24, priority: 0 });
    await expect(createEnvironment({ store: store(), actor: actor(carol), spec })).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', message: 'your quota allows 3.5 vCPUs: 3 in use, 1 asked' });
    await adminApi().quotas.set({ scope: 'user', subjectId: carol.id, maxEnvironments: 4, maxCpu: 8, maxMemoryMiB: 3584, maxDiskGiB: 100, maxHoursPerDay: 24, priority: 0 });
    await expect(createEnvironment({ store: store(), actor: actor(carol), spec })).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', message: 'your quota allows 3.5 GiB of memory: 3 GiB in use, 1 GiB asked' });
    await adminApi().quotas.set({ scope: 'user', subjectId: carol.id, maxEnvironments: 2, maxCpu: 8, maxMemoryMiB: 8192, maxDiskGiB: 100, maxHoursPerDay: 24, priority: 0 });
    await expect(createEnvironment({ store: store(), actor: actor(carol), spec })).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
      message: 'your quota allows 2 environments at once: 3 are already live; terminate one first',
    });
    // Lowering ends nothing that runs already.
    expect(await liveOf(carol.id)).toHaveLength(3);
  });
});

describe('the warm pool', () => {
  it('hands a running member to a matching create and queues a refill; a different spec is not served from it', async () => {
    const api = adminApi();
    const poolSpec: EnvironmentSpec = { ...spec, name: 'pooled', resources: { ...spec.resources, cpu: 0.5, memoryMiB: 512 } };
    const pool = await api.pools.create({ name: 'xterm-warm', spec: poolSpec, size: 1 });
    const [member] = await refillPools({ store: store(), poolOwnerId: await ensurePoolOwner(db.prisma), poolId: pool.id });
    expect(await db.prisma.environment.findUniqueOrThrow({ where: { id: member!.id } })).toMatchObject({ poolId: pool.id, host: HOST, state: 'requested' });
    // What the worker would do: provision it, by hand.
    await store().transaction(async (tx) => {
      await transitionEnvironment({ tx, id: member!.id, to: 'provisioning', actor: { kind: 'worker' } });
      await transitionEnvironment({ tx, id: member!.id, to: 'running', actor: { kind: 'worker' }, patch: { startedAt: new Date(), runtimeRef: `genos-env-${member!.id}` } });
    });
    expect((await api.pools.list())[0]).toMatchObject({ members: { running: 1 } });
    const refillsBefore = (await jobs('pool.refill')).length;

    // A different spec (more memory) is not served from the pool.
    const other = await createEnvironment({ store: store(), actor: actor(dave), spec: { ...poolSpec, resources: { ...poolSpec.resources, memoryMiB: 768 } } });
    expect(other.id).not.toBe(member!.id);
    expect(other.state).toBe('requested');
    expect((await db.prisma.environment.findUniqueOrThrow({ where: { id: member!.id } })).poolId).toBe(pool.id);

    // The same spec under another name is: already running, now dave's.
    const t0 = performance.now();
    const claimed = await createEnvironment({ store: store(), actor: actor(dave), spec: { ...poolSpec, name: 'my-desktop' }, request: 'a desktop with xterm' });
    const ms = performance.now() - t0;
    expect(claimed).toMatchObject({ id: member!.id, state: 'running', ownerId: dave.id, poolId: null, name: 'my-desktop', request: 'a desktop with xterm' });
    expect(claimed.claimedAt).toBeInstanceOf(Date);
    expect(ms).toBeLessThan(2000);
    const events = await db.prisma.environmentEvent.findMany({ where: { environmentId: member!.id }, orderBy: { at: 'asc' } });
    expect(events.at(-1)).toMatchObject({ fromState: 'running', toState: 'running', actorId: dave.id, reason: 'claimed from warm pool xterm-warm' });
    const refills = await jobs('pool.refill');
    expect(refills).toHaveLength(refillsBefore + 1);
    expect(refills.at(-1)).toEqual({ poolId: pool.id });
    // The pool is empty now; the next matching create is an ordinary one.
    const next = await createEnvironment({ store: store(), actor: actor(dave), spec: poolSpec });
    expect(next).toMatchObject({ state: 'requested', host: HOST, poolId: null });
    // Clean-up through the API: the pool has no unclaimed members left to end.
    expect(await api.pools.delete({ id: pool.id })).toMatchObject({ retired: [] });
  });
});
