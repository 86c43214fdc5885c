import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA, DEFAULT_SPEC, DEPLOYMENT_CAPABILITIES, transitionEnvironment, type EnvironmentState, type PublicEnvironment, type Store } from '@genos/core';
import { bossEnqueue, createBoss, createPrismaClient, createPrismaStore, ensureQueues, type Enqueue, type PgBoss, type PrismaClient } from '@genos/db';
import { createTestDatabase, registerTestHost, type TestDatabase } from '@genos/db/testing';
import { PgChangeFeed } from '../live/pg-change-feed';
import { createCaller } from './root';
import { createInnerContext, DATABASE_UNREACHABLE } from './trpc';

// Live events end to end on a real PostgreSQL: the web's LISTEN connection
// (PgChangeFeed), environments.onChange over it, environments.waitFor, and
// what a caller sees when the database connection drops.
let db: TestDatabase;
let boss: PgBoss;
let feed: PgChangeFeed;
let store: Store;
/** The store's own client, so a test can cut exactly its connections. */
let storePrisma: PrismaClient;
let admin: pg.Client;
const FEED_APP = `genos-web-changes-test-${randomBytes(3).toString('hex')}`;
const STORE_APP = `genos-web-store-test-${randomBytes(3).toString('hex')}`;
const KEY = 'x'.repeat(32);
type User = { id: string; email: string };
let alice: User;
let bob: User;

const callerFor = (user: User, opts: { store?: Store; signal?: AbortSignal } = {}) =>
  createCaller(
    createInnerContext({
      user: { ...user, name: null, role: 'user' },
      ip: '127.0.0.1',
      prisma: db.prisma,
      store: opts.store ?? store,
      tunnelKey: KEY,
      composer: { bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, timeoutMs: 1000 },
      changes: feed,
    }),
    { signal: opts.signal },
  );

/** Reads a subscription in the background into `items` until stopped. */
async function collect(user: User, input: { id?: string }) {
  const ac = new AbortController();
  const stream = await callerFor(user, { signal: ac.signal }).environments.onChange(input);
  const items: PublicEnvironment[] = [];
  const done = (async () => {
    for await (const env of stream) items.push(env);
  })();
  return {
    items,
    states: (id: string) => items.filter((e) => e.id === id).map((e) => e.state),
    async stop() {
      ac.abort();
      await done;
    },
  };
}

const move = (id: string, to: EnvironmentState) =>
  store.transaction((tx) => transitionEnvironment({ tx, id, to, actor: { kind: 'system' }, reason: 'test' }));

/** Row counts of everything a create, a transition or a wait could touch. */
const snapshot = async () => ({
  environments: await db.prisma.environment.count(),
  events: await db.prisma.environmentEvent.count(),
  audit: await db.prisma.auditLog.count(),
  jobs: Number((await db.prisma.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM pgboss.job'))[0]!.n),
  updated: (await db.prisma.environment.aggregate({ _max: { updatedAt: true } }))._max.updatedAt?.getTime() ?? 0,
});

beforeAll(async () => {
  db = await createTestDatabase();
  boss = createBoss(db.url);
  boss.on('error', () => {});
  await boss.start();
  await ensureQueues(boss);
  const url = new URL(db.url);
  url.searchParams.set('application_name', STORE_APP);
  storePrisma = createPrismaClient(url.toString());
  store = createPrismaStore({ prisma: storePrisma, enqueue: bossEnqueue(boss) });
  await registerTestHost({ store, boss, id: 'live-test-host' });
  alice = await db.prisma.user.create({ data: { email: 'alice@live.test' } });
  bob = await db.prisma.user.create({ data: { email: 'bob@live.test' } });
  // Room for every environment these tests create.
  for (const u of [alice, bob]) {
    await db.prisma.quota.create({ data: { scope: 'user', subjectId: u.id, maxEnvironments: 100, maxCpu: 1000, maxMemoryMiB: 1_000_000, maxDiskGiB: 100_000, maxHoursPerDay: 1000 } });
  }
  feed = new PgChangeFeed({ connectionString: db.url, applicationName: FEED_APP, minBackoffMs: 300, maxBackoffMs: 2000 });
  await feed.ready();
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
});

afterAll(async () => {
  await feed?.close();
  await admin?.end();
  await storePrisma?.$disconnect();
  await boss?.stop({ graceful: false });
  await db?.drop();
});

describe('environments.onChange', () => {
  it("yields the caller's environment's state changes in order, and never another user's", async () => {
    const env = await callerFor(alice).environments.create({ spec: DEFAULT_SPEC });
    const one = await collect(alice, { id: env.id });
    const all = await collect(alice, {});
    const bobs = await collect(bob, {});
    try {
      // It starts with the current state.
      await expect.poll(() => one.states(env.id)).toEqual(['requested']);
      await move(env.id, 'provisioning');
      await expect.poll(() => one.states(env.id)).toEqual(['requested', 'provisioning']);
      await move(env.id, 'running');
      await expect.poll(() => one.states(env.id)).toEqual(['requested', 'provisioning', 'running']);
      await expect.poll(() => all.states(env.id)).toEqual(['requested', 'provisioning', 'running']);
      expect(one.items.at(-1)).not.toHaveProperty('displayEndpoint');
      expect(one.items.at(-1)).toMatchObject({ id: env.id, ownerId: alice.id, hostLost: false, warning: null, queuePosition: null });

      // Bob's own change reaches Bob (so his stream is live), Alice's never do.
      const his = await callerFor(bob).environments.create({ spec: DEFAULT_SPEC });
      await expect.poll(() => bobs.states(his.id)).toEqual(['requested']);
      expect(bobs.items.every((e) => e.ownerId === bob.id)).toBe(true);
      expect(all.items.some((e) => e.id === his.id)).toBe(false);
      expect(one.items.every((e) => e.id === env.id)).toBe(true);
    } finally {
      await Promise.all([one.stop(), all.stop(), bobs.stop()]);
    }
  });

  it("refuses another user's environment and an unknown id like get does", async () => {
    const env = await callerFor(alice).environments.create({ spec: DEFAULT_SPEC });
    await expect(callerFor(bob).environments.onChange({ id: env.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerFor(alice).environments.onChange({ id: 'doesnotexist0000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('shows the queue position while no host has room, and follows it as the queue moves', async () => {
    await db.prisma.host.update({ where: { id: 'live-test-host' }, data: { state: 'down' } });
    try {
      const first = await callerFor(alice).environments.create({ spec: DEFAULT_SPEC });
      const second = await callerFor(alice).environments.create({ spec: DEFAULT_SPEC });
      expect([first.queuePosition, second.queuePosition]).toEqual([0, 1]);
      expect((await callerFor(alice).environments.get({ id: second.id })).queuePosition).toBe(1);
      const watch = await collect(alice, { id: second.id });
      try {
        await expect.poll(() => watch.items.map((e) => e.queuePosition)).toEqual([1]);
        // The one ahead leaves the queue: a change to another environment moves this one up.
        await callerFor(alice).environments.terminate({ id: first.id });
        await expect.poll(() => watch.items.map((e) => e.queuePosition)).toEqual([1, 0]);
      } finally {
        await watch.stop();
        await callerFor(alice).environments.terminate({ id: second.id });
      }
    } finally {
      await db.prisma.host.update({ where: { id: 'live-test-host' }, data: { state: 'up', lastHeartbeatAt: new Date() } });
    }
  });
});

describe('environments.waitFor', () => {
  it('resolves when the state arrives, writing nothing itself', async () => {
    const env = await callerFor(alice).environments.create({ spec: DEFAULT_SPEC });
    const waiting = callerFor(alice).environments.waitFor({ id: env.id, states: ['running', 'failed'], timeoutMs: 20_000 });
    let settled = false;
    void waiting.finally(() => (settled = true)).catch(() => {});
    await new Promise((r) => setTimeout(r, 100));
    await move(env.id, 'provisioning');
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    const before = await snapshot();
    await move(env.id, 'running');
    const after = await snapshot();
    const done = await waiting;
    expect(done).toMatchObject({ id: env.id, state: 'running' });
    expect(done).not.toHaveProperty('displayEndpoint');
    // Exactly the transition's own rows: one event, one audit entry.
    expect(await snapshot()).toEqual(after);
    expect(after).toMatchObject({ environments: before.environments, events: before.events + 1, audit: before.audit + 1, jobs: before.jobs });
  });

  it('resolves at once when the environment is already there', async () => {
    const env = await callerFor(alice).environments.create({ spec: DEFAULT_SPEC });
    expect(await callerFor(alice).environments.waitFor({ id: env.id, states: ['requested'], timeoutMs: 300 })).toMatchObject({ state: 'requested' });
  });

  it("times out with TIMEOUT naming the current state, refuses unknown and other users' ids, and leaves nothing written", async () => {
    const env = await callerFor(alice).environments.create({ spec: DEFAULT_SPEC });
    const before = await snapshot();
    const started = Date.now();
    await expect(callerFor(alice).environments.waitFor({ id: env.id, states: ['running'], timeoutMs: 300 })).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringContaining('is still requested'),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(callerFor(alice).environments.waitFor({ id: 'doesnotexist0000', states: ['running'], timeoutMs: 300 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerFor(bob).environments.waitFor({ id: env.id, states: ['running'], timeoutMs: 300 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerFor(alice).environments.waitFor({ id: env.id, states: [], timeoutMs: 300 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(callerFor(alice).environments.waitFor({ id: env.id, states: ['running'], timeoutMs: 300_001 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await snapshot()).toEqual(before);
  });
});

describe('the change feed connection', () => {
  it('survives its connection being killed: a resync covers the gap and later changes arrive', async () => {
    const env = await callerFor(alice).environments.create({ spec: DEFAULT_SPEC });
    const watch = await collect(alice, { id: env.id });
    const waiting = callerFor(alice).environments.waitFor({ id: env.id, states: ['running'], timeoutMs: 30_000 });
    try {
      await expect.poll(() => watch.states(env.id)).toEqual(['requested']);
      const connections = feed.connections;
      const killed = await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [FEED_APP]);
      expect(killed.rows).toEqual([{ ok: true }]);
      // Committed while nobody listens: only the resync after the reconnect can bring it.
      await move(env.id, 'provisioning');
      await expect.poll(() => feed.connections, { timeout: 10_000 }).toBe(connections + 1);
      await expect.poll(() => watch.states(env.id)).toEqual(['requested', 'provisioning']);
      // And a change after the reconnect arrives as a notification.
      await move(env.id, 'running');
      await expect.poll(() => watch.states(env.id)).toEqual(['requested', 'provisioning', 'running']);
      expect(await waiting).toMatchObject({ state: 'running' });
      const listening = await admin.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [FEED_APP]);
      expect(listening.rowCount).toBe(1);
    } finally {
      await watch.stop();
    }
  });
});

describe('a database connection that drops', () => {
  it('answers SERVICE_UNAVAILABLE when the database cannot be reached, writing nothing', async () => {
    const unreachable = createPrismaClient('postgresql://genos:nothing@127.0.0.1:1/genos');
    try {
      const before = await snapshot();
      const offline = createPrismaStore({ prisma: unreachable, enqueue: bossEnqueue(boss) });
      await expect(callerFor(alice, { store: offline }).environments.create({ spec: DEFAULT_SPEC })).rejects.toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        message: DATABASE_UNREACHABLE,
      });
      await expect(callerFor(alice, { store: offline }).environments.list()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: DATABASE_UNREACHABLE });
      expect(await snapshot()).toEqual(before);
    } finally {
      await unreachable.$disconnect();
    }
  });

  it('answers SERVICE_UNAVAILABLE when the connection is cut in the middle of a create, writing nothing; the next create succeeds', async () => {
    const real = bossEnqueue(boss);
    // The environment row is written; then the store's connections are terminated before the job goes in.
    const cut: Enqueue = async (...args) => {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [STORE_APP]);
      return real(...args);
    };
    const before = await snapshot();
    const cutting = createPrismaStore({ prisma: storePrisma, enqueue: cut });
    await expect(callerFor(alice, { store: cutting }).environments.create({ spec: DEFAULT_SPEC })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: DATABASE_UNREACHABLE,
    });
    expect(await snapshot()).toEqual(before);
    const env = await callerFor(alice).environments.create({ spec: DEFAULT_SPEC });
    expect(env.state).toBe('requested');
    expect(await db.prisma.environment.count()).toBe(before.environments + 1);
  });
});
