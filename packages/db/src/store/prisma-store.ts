import {
  AppError,
  ENVIRONMENT_CHANGES_CHANNEL,
  hostQueue,
  type Actor,
  type DisplayEndpoint,
  type EnvironmentRecord,
  type EnvironmentSpec,
  type HostJobName,
  type HostRecord,
  type HostUsage,
  type QuotaUsage,
  type Store,
  type Tx,
  type WarmPoolRecord,
} from '@genos/core';
import type { Environment, Host, Prisma, PrismaClient, WarmPool } from '../generated/prisma/client.ts';
import type { Enqueue, SqlExecutor } from './sql-executor.ts';

type Db = PrismaClient | Prisma.TransactionClient;

const toRecord = (e: Environment): EnvironmentRecord => ({
  ...e,
  spec: e.spec as unknown as EnvironmentSpec,
  displayEndpoint: (e.displayEndpoint ?? null) as DisplayEndpoint | null,
});

const toHost = (h: Host): HostRecord => ({ ...h, state: h.state });
const toPool = (p: WarmPool): WarmPoolRecord => ({ id: p.id, name: p.name, spec: p.spec as unknown as EnvironmentSpec, specKey: p.specKey, size: p.size, enabled: p.enabled });

/** States whose environments hold (or are about to hold) room on their host. */
const LIVE_SQL = `('provisioning','running','suspended')`;

const json = (v: unknown) => (v === undefined || v === null ? undefined : (JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue));

/** Raw SQL through the transaction's own connection, with objects sent as JSON text. */
function executorFor(db: Prisma.TransactionClient): SqlExecutor {
  return {
    async executeSql(text, values = []) {
      const params = values.map((v) => (v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v));
      const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(text, ...params);
      return { rows };
    },
  };
}

/** Tells listeners (the web app's live view, waitFor) about a write; delivered only if the transaction commits. */
async function notifyChange(db: Prisma.TransactionClient, e: Environment): Promise<void> {
  const payload = JSON.stringify({ id: e.id, state: e.state, ownerId: e.ownerId });
  await db.$queryRaw`SELECT count(*)::int AS n FROM (SELECT pg_notify(${ENVIRONMENT_CHANGES_CHANNEL}, ${payload})) AS sent`;
}

function txFor(db: Prisma.TransactionClient, enqueue: Enqueue): Tx {
  return {
    environments: {
      insert: async (d) => {
        const e = await db.environment.create({
          data: { name: d.name, request: d.request, spec: json(d.spec)!, ownerId: d.ownerId, teamId: d.teamId, priority: d.priority ?? 0, poolId: d.poolId ?? null },
        });
        await notifyChange(db, e);
        return toRecord(e);
      },
      lock: async (id) => {
        const rows = await db.$queryRaw<{ id: string }[]>`SELECT id FROM "Environment" WHERE id = ${id} FOR UPDATE`;
        if (rows.length === 0) return null;
        return toRecord(await db.environment.findUniqueOrThrow({ where: { id } }));
      },
      update: async (id, patch) => {
        const { displayEndpoint, ...rest } = patch;
        const data: Prisma.EnvironmentUncheckedUpdateInput = { ...rest };
        if (displayEndpoint !== undefined) data.displayEndpoint = displayEndpoint === null ? (null as unknown as Prisma.InputJsonValue) : json(displayEndpoint);
        const e = await db.environment.update({ where: { id }, data });
        await notifyChange(db, e);
        return toRecord(e);
      },
      listQueued: async (limit) =>
        (
          await db.environment.findMany({
            where: { state: 'requested', host: null },
            orderBy: [{ priority: 'desc' }, { createdAt: 'asc' }],
            take: limit,
          })
        ).map(toRecord),
      queuePosition: async (id) => {
        const rows = await db.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM "Environment" q, "Environment" me
          WHERE me.id = ${id} AND q.state = 'requested' AND q.host IS NULL AND q.id <> me.id
            AND (q.priority > me.priority OR (q.priority = me.priority AND q."createdAt" < me."createdAt"))`;
        return rows[0]?.n ?? 0;
      },
      claimPoolMember: async (poolId) => {
        const rows = await db.$queryRaw<{ id: string }[]>`
          SELECT id FROM "Environment" WHERE "poolId" = ${poolId} AND state = 'running' AND "hostLost" = false
          ORDER BY "createdAt" LIMIT 1 FOR UPDATE SKIP LOCKED`;
        if (!rows[0]) return null;
        return toRecord(await db.environment.findUniqueOrThrow({ where: { id: rows[0].id } }));
      },
    },
    lock: async (key) => {
      await db.$queryRaw`SELECT count(*)::int AS n FROM (SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))) AS locked`;
    },
    hosts: {
      listUp: async (freshSince) => (await db.host.findMany({ where: { state: 'up', lastHeartbeatAt: { gte: freshSince } }, orderBy: { id: 'asc' } })).map(toHost),
      usage: async () => {
        const rows = await db.$queryRawUnsafe<{ host: string; cpu: number; mem: number; n: number }[]>(`
          SELECT host, sum((spec->'resources'->>'cpu')::float8)::float8 AS cpu, sum((spec->'resources'->>'memoryMiB')::int)::int AS mem, count(*)::int AS n
          FROM "Environment" WHERE host IS NOT NULL AND (state IN ${LIVE_SQL} OR state = 'requested') GROUP BY host`);
        return new Map<string, HostUsage>(rows.map((r) => [r.host, { cpu: r.cpu, memoryMiB: r.mem, environments: r.n }]));
      },
    },
    quotas: {
      find: async (scope, subjectId) => {
        const q = await db.quota.findUnique({ where: { scope_subjectId: { scope, subjectId } } });
        return q ? { maxEnvironments: q.maxEnvironments, maxCpu: q.maxCpu, maxMemoryMiB: q.maxMemoryMiB, maxDiskGiB: q.maxDiskGiB, maxHoursPerDay: q.maxHoursPerDay, priority: q.priority } : null;
      },
      usage: async (scope, subjectId, since) => {
        const column = scope === 'user' ? '"ownerId"' : '"teamId"';
        // Pool members are counted only once someone claims them (poolId is cleared then).
        const rows = await db.$queryRawUnsafe<{ n: number; cpu: number; mem: number; disk: number; hours: number }[]>(
          `SELECT
             count(*) FILTER (WHERE state IN ('requested','provisioning','running','suspended'))::int AS n,
             coalesce(sum((spec->'resources'->>'cpu')::float8) FILTER (WHERE state IN ('requested','provisioning','running','suspended')), 0)::float8 AS cpu,
             coalesce(sum((spec->'resources'->>'memoryMiB')::int) FILTER (WHERE state IN ('requested','provisioning','running','suspended')), 0)::int AS mem,
             coalesce(sum((spec->'resources'->>'diskGiB')::int) FILTER (WHERE state IN ('requested','provisioning','running','suspended')), 0)::int AS disk,
             coalesce(sum(extract(epoch FROM (coalesce("terminatedAt", now()) - greatest("startedAt", $2::timestamp))) / 3600)
               FILTER (WHERE "startedAt" IS NOT NULL AND coalesce("terminatedAt", now()) > $2::timestamp), 0)::float8 AS hours
           FROM "Environment" WHERE ${column} = $1 AND "poolId" IS NULL`,
          subjectId,
          since,
        );
        const r = rows[0]!;
        return { environments: r.n, cpu: r.cpu, memoryMiB: r.mem, diskGiB: r.disk, hoursSince: r.hours } satisfies QuotaUsage;
      },
    },
    pools: {
      findBySpecKey: async (specKey) => {
        const p = await db.warmPool.findUnique({ where: { specKey } });
        return p ? toPool(p) : null;
      },
    },
    events: {
      append: async (e) => {
        await db.environmentEvent.create({
          data: { environmentId: e.environmentId, fromState: e.fromState, toState: e.toState, actorKind: e.actor.kind, actorId: e.actor.id ?? null, reason: e.reason ?? null },
        });
      },
    },
    audit: {
      record: async (a) => {
        await db.auditLog.create({
          data: { actorKind: a.actor.kind, actorId: a.actor.id ?? null, ip: a.actor.ip ?? null, action: a.action, targetType: a.targetType, targetId: a.targetId, before: json(a.before), after: json(a.after) },
        });
      },
    },
    jobs: {
      enqueue: async (name: string, data: object, opts?: { host: string }) => {
        const queue = opts?.host ? hostQueue(name as HostJobName, opts.host) : name;
        const id = await enqueue(queue, data, executorFor(db));
        // pg-boss silently drops jobs for unknown queues; never lose one quietly.
        if (!id) throw new AppError('UNAVAILABLE', `job queue ${queue} is not set up${opts?.host ? ` (is host ${opts.host} registered?)` : ''}`);
        return id;
      },
    } as Tx['jobs'],
  };
}

export function createPrismaStore(opts: { prisma: PrismaClient; enqueue: Enqueue }): Store {
  const { prisma, enqueue } = opts;
  return {
    transaction: (fn) => prisma.$transaction((db) => fn(txFor(db, enqueue)), { timeout: 15_000 }),
    environments: {
      findById: async (id) => {
        const e = await prisma.environment.findUnique({ where: { id } });
        return e ? toRecord(e) : null;
      },
      listByOwner: async (ownerId, { includeTerminated, limit }) =>
        (
          await prisma.environment.findMany({
            where: { ownerId, ...(includeTerminated ? {} : { state: { notIn: ['terminated'] } }) },
            orderBy: { createdAt: 'desc' },
            take: limit,
          })
        ).map(toRecord),
      listByHost: async (host, states) => (await prisma.environment.findMany({ where: { host, state: { in: states } } })).map(toRecord),
    },
    hosts: {
      register: async (h) => {
        const data = { cpuCapacity: h.cpuCapacity, memoryMiB: h.memoryMiB, runtimes: h.runtimes, guacdHost: h.guacdHost, guacdPort: h.guacdPort, version: h.version, state: 'up' as const, lastHeartbeatAt: new Date(), startedAt: new Date() };
        return toHost(await prisma.host.upsert({ where: { id: h.id }, create: { id: h.id, ...data }, update: data }));
      },
      heartbeat: async (id) => (await prisma.host.updateMany({ where: { id, state: 'up' }, data: { lastHeartbeatAt: new Date() } })).count === 1,
      list: async () => (await prisma.host.findMany({ orderBy: { id: 'asc' } })).map(toHost),
    },
    pools: {
      list: async () => (await prisma.warmPool.findMany({ orderBy: { name: 'asc' } })).map(toPool),
      countMembers: (poolId) => prisma.environment.count({ where: { poolId, state: { in: ['requested', 'provisioning', 'running'] } } }),
    },
  };
}

export type { Actor, Db };
