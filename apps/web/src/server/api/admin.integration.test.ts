import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, DEFAULT_QUOTA, DEFAULT_SPEC, DEPLOYMENT_CAPABILITIES, effectiveBounds, recordHostSample, refillPools, specKey, transitionEnvironment, type EnvironmentSpec } from '@genos/core';
import { bossEnqueue, createBoss, createPrismaStore, ensurePoolOwner, ensureQueues, type PgBoss } from '@genos/db';
import { createTestDatabase, registerTestHost, type TestDatabase } from '@genos/db/testing';
import { createCaller } from './root';
import { createInnerContext } from './trpc';

// The admin API through createCaller against a real, migrated PostgreSQL.
let db: TestDatabase;
let boss: PgBoss;
type Person = { id: string; email: string; role: 'admin' | 'user' };
let admin: Person;
let alice: Person;
let team: { id: string };

const store = () => createPrismaStore({ prisma: db.prisma, enqueue: bossEnqueue(boss) });
const callerFor = (user: Person | null) =>
  createCaller(
    createInnerContext({
      user: user ? { id: user.id, email: user.email, name: null, role: user.role } : null,
      ip: '127.0.0.1',
      prisma: db.prisma,
      store: store(),
      tunnelKey: 'x'.repeat(32),
      composer: { bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, timeoutMs: 1000 },
    }),
  );
const limits = { maxEnvironments: 4, maxCpu: 6, maxMemoryMiB: 8192, maxDiskGiB: 50, maxHoursPerDay: 12, priority: 5 };
const poolSpec: EnvironmentSpec = { ...DEFAULT_SPEC, name: 'pool-xterm', apps: ['xterm'], resources: { ...DEFAULT_SPEC.resources, cpu: 0.5, memoryMiB: 512 } };

/** Row counts of everything an admin change may touch. */
const snapshot = async () => ({
  quotas: await db.prisma.quota.count(),
  pools: await db.prisma.warmPool.count(),
  environments: await db.prisma.environment.count(),
  audit: await db.prisma.auditLog.count(),
  jobs: Number((await db.prisma.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM pgboss.job'))[0]!.n),
});
const lastAudit = (action: string) => db.prisma.auditLog.findFirstOrThrow({ where: { action }, orderBy: { at: 'desc' } });
const jobsNamed = async (name: string) =>
  (await db.prisma.$queryRawUnsafe<{ data: { environmentId?: string; poolId?: string } }[]>('SELECT data FROM pgboss.job WHERE name = $1', name)).map((r) => r.data);

beforeAll(async () => {
  db = await createTestDatabase();
  boss = createBoss(db.url);
  await boss.start();
  await ensureQueues(boss);
  await registerTestHost({ store: store(), boss, id: 'admin-test-host', cpuCapacity: 16, memoryMiB: 32_768 });
  admin = { ...(await db.prisma.user.create({ data: { email: 'root@genos.test', role: 'admin' } })), role: 'admin' };
  alice = { ...(await db.prisma.user.create({ data: { email: 'alice@genos.test' } })), role: 'user' };
  team = await db.prisma.team.create({ data: { name: 'Research', slug: 'research' } });
});

afterAll(async () => {
  await boss?.stop({ graceful: false });
  await db?.drop();
});

describe('admin router', () => {
  it('refuses non-admins (FORBIDDEN) and anonymous callers (UNAUTHORIZED) everywhere, changing nothing', async () => {
    const before = await snapshot();
    const user = callerFor(alice).admin;
    const calls: [string, () => Promise<unknown>][] = [
      ['quotas.list', () => user.quotas.list()],
      ['quotas.set', () => user.quotas.set({ scope: 'user', subjectId: alice.id, ...limits, maxEnvironments: 100 })],
      ['quotas.reset', () => user.quotas.reset({ scope: 'user', subjectId: alice.id })],
      ['pools.list', () => user.pools.list()],
      ['pools.create', () => user.pools.create({ name: 'mine', spec: poolSpec, size: 1 })],
      ['pools.update', () => user.pools.update({ id: 'somepool0000', size: 3 })],
      ['pools.delete', () => user.pools.delete({ id: 'somepool0000' })],
      ['hosts.list', () => user.hosts.list()],
    ];
    for (const [name, call] of calls) await expect(call(), name).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerFor(null).admin.quotas.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(callerFor(null).admin.pools.create({ name: 'x', spec: poolSpec, size: 1 })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await snapshot()).toEqual(before);
  });

  it('sets, lists and resets a quota, auditing each change with before and after', async () => {
    const set = await callerFor(admin).admin.quotas.set({ scope: 'user', subjectId: alice.id, ...limits });
    expect(set).toEqual({ scope: 'user', subjectId: alice.id, limits, custom: true });
    let audit = await lastAudit('quota.set');
    expect(audit).toMatchObject({ actorKind: 'user', actorId: admin.id, targetType: 'user', targetId: alice.id, before: { defaults: DEFAULT_LIMITS }, after: limits });

    const changed = { ...limits, maxEnvironments: 2, priority: 10 };
    await callerFor(admin).admin.quotas.set({ scope: 'user', subjectId: alice.id, ...changed });
    audit = await lastAudit('quota.set');
    expect(audit).toMatchObject({ before: limits, after: changed });

    await callerFor(admin).admin.quotas.set({ scope: 'team', subjectId: team.id, ...limits, maxCpu: 3 });
    const listed = await callerFor(admin).admin.quotas.list();
    expect(listed.defaults).toEqual(DEFAULT_LIMITS);
    expect(listed.quotas).toEqual([
      expect.objectContaining({ scope: 'user', subjectId: alice.id, subjectName: alice.email, ...changed }),
      expect.objectContaining({ scope: 'team', subjectId: team.id, subjectName: 'Research', maxCpu: 3 }),
    ]);

    // The composer's bounds follow the caller's effective quota: the smaller of user and team, capped by the host.
    expect(await effectiveBounds({ store: store(), userId: alice.id, hostCpus: 2, hostMemoryMiB: 32_768 })).toEqual({ cpu: 6, memoryMiB: 8192, diskGiB: 50, gpu: 0 });
    expect(await effectiveBounds({ store: store(), userId: alice.id, teamId: team.id, hostCpus: 2, hostMemoryMiB: 32_768 })).toEqual({ cpu: 3, memoryMiB: 8192, diskGiB: 50, gpu: 0 });
    expect(await effectiveBounds({ store: store(), userId: alice.id, hostCpus: 1, hostMemoryMiB: 4096 })).toEqual({ cpu: 4, memoryMiB: 2048, diskGiB: 50, gpu: 0 });

    const reset = await callerFor(admin).admin.quotas.reset({ scope: 'user', subjectId: alice.id });
    expect(reset).toEqual({ scope: 'user', subjectId: alice.id, limits: DEFAULT_LIMITS, custom: false });
    expect(await lastAudit('quota.reset')).toMatchObject({ actorId: admin.id, targetId: alice.id, before: changed, after: { defaults: DEFAULT_LIMITS } });
    // A second reset has nothing to change and writes nothing.
    const before = await snapshot();
    await callerFor(admin).admin.quotas.reset({ scope: 'user', subjectId: alice.id });
    expect(await snapshot()).toEqual(before);
    await callerFor(admin).admin.quotas.reset({ scope: 'team', subjectId: team.id });
  });

  it('moves queued environments to the new priority when an admin changes it', async () => {
    // As if no host had room: it waits in the queue.
    const env = await callerFor(alice).environments.create({ spec: DEFAULT_SPEC });
    await db.prisma.environment.update({ where: { id: env.id }, data: { host: null } });
    await callerFor(admin).admin.quotas.set({ scope: 'user', subjectId: alice.id, ...limits, priority: 7 });
    expect((await db.prisma.environment.findUniqueOrThrow({ where: { id: env.id } })).priority).toBe(7);
    await callerFor(admin).admin.quotas.reset({ scope: 'user', subjectId: alice.id });
    expect((await db.prisma.environment.findUniqueOrThrow({ where: { id: env.id } })).priority).toBe(0);
    await callerFor(alice).environments.terminate({ id: env.id });
  });

  it('refuses nonsense quotas and unknown subjects, changing nothing', async () => {
    const before = await snapshot();
    const a = callerFor(admin).admin.quotas;
    const bad: [Record<string, unknown>, string][] = [
      [{ maxEnvironments: 0 }, 'BAD_REQUEST'],
      [{ maxEnvironments: -1 }, 'BAD_REQUEST'],
      [{ maxEnvironments: 1.5 }, 'BAD_REQUEST'],
      [{ maxCpu: -2 }, 'BAD_REQUEST'],
      [{ maxCpu: 0 }, 'BAD_REQUEST'],
      [{ maxMemoryMiB: -1024 }, 'BAD_REQUEST'],
      [{ maxMemoryMiB: 100 }, 'BAD_REQUEST'],
      [{ maxDiskGiB: 0 }, 'BAD_REQUEST'],
      [{ maxHoursPerDay: -1 }, 'BAD_REQUEST'],
      [{ priority: -5 }, 'BAD_REQUEST'],
      [{ priority: 1e9 }, 'BAD_REQUEST'],
      [{ maxCpu: Number.POSITIVE_INFINITY }, 'BAD_REQUEST'],
      [{ extra: true }, 'BAD_REQUEST'],
      [{ scope: 'org' }, 'BAD_REQUEST'],
      [{ subjectId: "'; DROP TABLE x; --" }, 'BAD_REQUEST'],
      [{ subjectId: 'nosuchuser0000' }, 'NOT_FOUND'],
      [{ scope: 'team', subjectId: alice.id }, 'NOT_FOUND'],
    ];
    for (const [patch, code] of bad) {
      await expect(a.set({ scope: 'user', subjectId: alice.id, ...limits, ...patch } as never), JSON.stringify(patch)).rejects.toMatchObject({ code });
    }
    await expect(a.reset({ scope: 'user', subjectId: 'nosuchuser0000' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no user with id nosuchuser0000' });
    expect(await snapshot()).toEqual(before);
  });

  it('creates, lists, resizes and deletes a warm pool, auditing each change; deleting ends its unclaimed members', async () => {
    const a = callerFor(admin).admin.pools;
    const pool = await a.create({ name: 'xterm-small', spec: poolSpec, size: 2 });
    expect(pool).toMatchObject({ name: 'xterm-small', size: 2, enabled: true, specKey: specKey(poolSpec) });
    expect(await lastAudit('pool.create')).toMatchObject({ actorId: admin.id, targetType: 'pool', targetId: pool.id, before: null, after: expect.objectContaining({ name: 'xterm-small', size: 2 }) });
    expect(await jobsNamed('pool.refill')).toContainEqual({ poolId: pool.id });

    // What the worker's refill job does: two members, placed on the host.
    const poolOwnerId = await ensurePoolOwner(db.prisma);
    const members = await refillPools({ store: store(), poolOwnerId, poolId: pool.id });
    expect(members).toHaveLength(2);
    const [first, second] = members.map((m) => m.id) as [string, string];
    await store().transaction(async (tx) => {
      await transitionEnvironment({ tx, id: first, to: 'provisioning', actor: { kind: 'worker' } });
      await transitionEnvironment({ tx, id: first, to: 'running', actor: { kind: 'worker' }, patch: { startedAt: new Date() } });
    });
    expect((await a.list()).find((p) => p.id === pool.id)).toMatchObject({ name: 'xterm-small', members: { requested: 1, running: 1 } });

    const hosts = await callerFor(admin).admin.hosts.list();
    expect(hosts).toEqual([
      expect.objectContaining({ id: 'admin-test-host', cpuCapacity: 16, schedulable: true, usage: { cpu: 1, memoryMiB: 1024, environments: 2 }, free: { cpu: 15, memoryMiB: 31_744 } }),
    ]);

    // Shrinking to 1 ends the least ready member (still queued: at once) and keeps the running one.
    const shrunk = await a.update({ id: pool.id, size: 1 });
    expect(shrunk).toMatchObject({ size: 1, enabled: true, retired: [second] });
    expect(await lastAudit('pool.update')).toMatchObject({ targetId: pool.id, before: { size: 2, enabled: true }, after: { size: 1, enabled: true, retired: [second] } });
    expect((await db.prisma.environment.findUniqueOrThrow({ where: { id: second } })).state).toBe('terminated');

    const deleted = await a.delete({ id: pool.id });
    expect(deleted).toEqual({ id: pool.id, name: 'xterm-small', retired: [first] });
    expect(await lastAudit('pool.delete')).toMatchObject({ targetId: pool.id, before: expect.objectContaining({ name: 'xterm-small', size: 1 }), after: { deleted: true, retired: [first] } });
    // The running member goes through the normal terminate path: a job on its host.
    expect(await jobsNamed('environment.terminate.admin-test-host')).toContainEqual({ environmentId: first });
    expect(await db.prisma.warmPool.count({ where: { id: pool.id } })).toBe(0);
    expect(await a.list()).toEqual([]);
  });

  it("shows each host's readiness and its use over the last hours from the samples its worker kept, dropping samples past a day", async () => {
    const hostId = 'sampled-host';
    await registerTestHost({ store: store(), boss, id: hostId, cpuCapacity: 8, memoryMiB: 8192 });
    const now = Date.now();
    const ready = { ready: true, failing: [], checks: { database: { status: 'up' as const, latencyMs: 3 }, docker: { status: 'up' as const, latencyMs: 5 } } };
    const dockerDown = { ready: false, failing: ['docker'], checks: { database: { status: 'up' as const, latencyMs: 3 }, docker: { status: 'down' as const, latencyMs: 2000, error: 'no answer within 2000 ms' } } };
    // A day and a half ago (pruned by the next sample), seven hours ago (kept, but outside the chart), two recent.
    for (const [hoursAgo, r] of [[36, ready], [7, ready], [2, dockerDown], [0, ready]] as const) {
      await recordHostSample({ store: store(), hostId, readiness: r, now: new Date(now - hoursAgo * 3600_000) });
    }
    expect(await db.prisma.hostSample.count({ where: { hostId } })).toBe(3);
    const host = (await callerFor(admin).admin.hosts.list()).find((h) => h.id === hostId)!;
    expect(host.historyHours).toBe(6);
    expect(host.history.map((s) => s.ready)).toEqual([false, true]);
    expect(host.history[0]).toMatchObject({ cpu: 0, memoryMiB: 0, environments: 0 });
    expect(host.history[0]!.at.getTime()).toBeLessThan(host.history[1]!.at.getTime());
    // The host's readiness is the latest sample's, with every part named.
    expect(host.readiness).toMatchObject({ ready: true, failing: [], checks: { docker: { status: 'up', latencyMs: 5 } } });
    await recordHostSample({ store: store(), hostId, readiness: dockerDown, now: new Date(now + 60_000) });
    const after = (await callerFor(admin).admin.hosts.list()).find((h) => h.id === hostId)!;
    expect(after.readiness).toMatchObject({ ready: false, failing: ['docker'], checks: { docker: { status: 'down', error: 'no answer within 2000 ms' } } });
  });

  it('refuses bad pools (invalid or unsupported spec, bad size, duplicates, unknown ids), changing nothing', async () => {
    const a = callerFor(admin).admin.pools;
    const existing = await a.create({ name: 'existing', spec: poolSpec, size: 0 });
    const before = await snapshot();
    await expect(a.create({ name: 'bad-spec', spec: { ...poolSpec, privileged: true }, size: 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'the pool spec is invalid' });
    await expect(a.create({ name: 'bad-mem', spec: { ...poolSpec, resources: { ...poolSpec.resources, memoryMiB: -1 } }, size: 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(a.create({ name: 'vm', spec: { ...poolSpec, runtime: 'vm' }, size: 1 })).rejects.toMatchObject({ code: 'UNPROCESSABLE_CONTENT' });
    await expect(a.create({ name: 'too-big', spec: { ...poolSpec, apps: [] }, size: 21 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(a.create({ name: 'negative', spec: { ...poolSpec, apps: [] }, size: -1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(a.create({ name: 'Bad Name!', spec: { ...poolSpec, apps: [] }, size: 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // Same spec under another display name is the same pool key.
    await expect(a.create({ name: 'again', spec: { ...poolSpec, name: 'renamed' }, size: 1 })).rejects.toMatchObject({ code: 'CONFLICT', message: 'pool existing already serves this spec' });
    await expect(a.create({ name: 'existing', spec: { ...poolSpec, apps: [] }, size: 1 })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(a.update({ id: existing.id, size: 21 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(a.update({ id: existing.id, enabled: 'yes' as never })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(a.update({ id: 'nosuchpool0000', size: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(a.delete({ id: 'nosuchpool0000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(a.delete({ id: '../etc' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await snapshot()).toEqual(before);
    await a.delete({ id: existing.id });
  });
});
