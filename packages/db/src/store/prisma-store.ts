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
  type HostReadiness,
  type HostUsage,
  type InvitationRecord,
  type TeamRecord,
  type TeamRole,
  type PoolMemberCounts,
  type QuotaLimits,
  type QuotaRecord,
  type QuotaUsage,
  type ShareLinkRecord,
  type Store,
  type Tx,
  type WarmPoolRecord,
} from '@genos/core';
import type { Environment, Host, Invitation, Prisma, PrismaClient, ShareLink, Team, WarmPool } from '../generated/prisma/client.ts';
import type { Enqueue, SqlExecutor } from './sql-executor.ts';
import { adminReadsFor, adminTxFor } from './prisma-admin-store.ts';
import { controlReadsFor, controlTxFor } from './prisma-control-store.ts';

type Db = PrismaClient | Prisma.TransactionClient;

const toRecord = (e: Environment): EnvironmentRecord => ({
  ...e,
  spec: e.spec as unknown as EnvironmentSpec,
  displayEndpoint: (e.displayEndpoint ?? null) as DisplayEndpoint | null,
});

const toHost = ({ readiness, readinessAt, ...h }: Host): HostRecord => ({
  ...h,
  state: h.state,
  readiness: readiness && readinessAt ? { ...(readiness as unknown as Omit<HostReadiness, 'at'>), at: readinessAt } : null,
});
const toLimits = (q: QuotaLimits): QuotaLimits => ({ maxEnvironments: q.maxEnvironments, maxCpu: q.maxCpu, maxMemoryMiB: q.maxMemoryMiB, maxDiskGiB: q.maxDiskGiB, maxHoursPerDay: q.maxHoursPerDay, priority: q.priority });
const quotaKey = (scope: 'user' | 'team', subjectId: string) => ({ scope_subjectId: { scope, subjectId } });
/** Pool members least ready and newest first: the ones to give up first when a pool shrinks. */
const MEMBER_ORDER = `CASE state WHEN 'requested' THEN 0 WHEN 'provisioning' THEN 1 WHEN 'suspended' THEN 2 ELSE 3 END, "createdAt" DESC`;
const toPool = (p: WarmPool): WarmPoolRecord => ({ id: p.id, name: p.name, spec: p.spec as unknown as EnvironmentSpec, specKey: p.specKey, size: p.size, enabled: p.enabled, lastClaimedAt: p.lastClaimedAt });

const toTeam = (t: Team): TeamRecord => ({ id: t.id, name: t.name, slug: t.slug, createdAt: t.createdAt });
const toInvitation = (i: Invitation): InvitationRecord => ({
  id: i.id, teamId: i.teamId, email: i.email, role: i.role, invitedBy: i.invitedBy, expiresAt: i.expiresAt, acceptedAt: i.acceptedAt, revokedAt: i.revokedAt, createdAt: i.createdAt,
});
const toShareLink = (l: ShareLink): ShareLinkRecord => ({
  id: l.id, environmentId: l.environmentId, mode: l.mode === 'collaborate' ? 'collaborate' : 'view', createdBy: l.createdBy, expiresAt: l.expiresAt, revokedAt: l.revokedAt, createdAt: l.createdAt,
});
const roleIn = async (db: Db, teamId: string, userId: string): Promise<TeamRole | null> =>
  (await db.membership.findUnique({ where: { userId_teamId: { userId, teamId } }, select: { role: true } }))?.role ?? null;

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
      listStranded: async () => {
        const rows = await db.$queryRaw<{ id: string }[]>`
          SELECT e.id FROM "Environment" e JOIN "Host" h ON h.id = e.host
          WHERE h.state = 'down'
            AND (e.state IN ('requested', 'provisioning') OR (e.state IN ('running', 'suspended') AND e."hostLost" = false))
          ORDER BY e."createdAt" FOR UPDATE OF e`;
        if (!rows.length) return [];
        const found = await db.environment.findMany({ where: { id: { in: rows.map((r) => r.id) } }, orderBy: { createdAt: 'asc' } });
        return found.map(toRecord);
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
      markStaleDown: async (staleBefore) => {
        const stale = { state: 'up' as const, lastHeartbeatAt: { lt: staleBefore } };
        const hosts = await db.host.findMany({ where: stale, orderBy: { id: 'asc' } });
        if (!hosts.length) return [];
        await db.host.updateMany({ where: { ...stale, id: { in: hosts.map((h) => h.id) } }, data: { state: 'down' } });
        return hosts.map((h) => toHost({ ...h, state: 'down' }));
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
      subjectExists: async (scope, subjectId) =>
        scope === 'user' ? (await db.user.count({ where: { id: subjectId } })) > 0 : (await db.team.count({ where: { id: subjectId } })) > 0,
      upsert: async (scope, subjectId, limits) => {
        const data = toLimits(limits);
        return toLimits(await db.quota.upsert({ where: quotaKey(scope, subjectId), create: { scope, subjectId, ...data }, update: data }));
      },
      delete: async (scope, subjectId) => (await db.quota.deleteMany({ where: { scope, subjectId } })).count > 0,
      reprioritiseQueued: async (scope, subjectId) => {
        const column = scope === 'user' ? '"ownerId"' : '"teamId"';
        // The same rule as enforceQuota: the higher of the user's and the team's priority, never below 0.
        return db.$executeRawUnsafe(
          `UPDATE "Environment" e SET priority = greatest(0,
             coalesce((SELECT priority FROM "Quota" WHERE scope = 'user' AND "subjectId" = e."ownerId"), 0),
             coalesce((SELECT priority FROM "Quota" WHERE scope = 'team' AND "subjectId" = e."teamId"), 0))
           WHERE e.state = 'requested' AND e.host IS NULL AND e."poolId" IS NULL AND e.${column} = $1`,
          subjectId,
        );
      },
    },
    pools: {
      markClaimed: async (poolId, at) => {
        await db.warmPool.update({ where: { id: poolId }, data: { lastClaimedAt: at } });
      },
      findBySpecKey: async (specKey) => {
        const p = await db.warmPool.findUnique({ where: { specKey } });
        return p ? toPool(p) : null;
      },
      findById: async (id) => {
        const p = await db.warmPool.findUnique({ where: { id } });
        return p ? toPool(p) : null;
      },
      findByName: async (name) => {
        const p = await db.warmPool.findUnique({ where: { name } });
        return p ? toPool(p) : null;
      },
      insert: async (d) => toPool(await db.warmPool.create({ data: { name: d.name, spec: json(d.spec)!, specKey: d.specKey, size: d.size, enabled: d.enabled } })),
      update: async (id, patch) => toPool(await db.warmPool.update({ where: { id }, data: { size: patch.size, enabled: patch.enabled } })),
      delete: async (id) => {
        await db.warmPool.delete({ where: { id } });
      },
      listMembers: async (poolId) => {
        const rows = await db.$queryRawUnsafe<{ id: string }[]>(
          `SELECT id FROM "Environment" WHERE "poolId" = $1 AND state IN ('requested','provisioning','running','suspended') ORDER BY ${MEMBER_ORDER}`,
          poolId,
        );
        const byId = new Map((await db.environment.findMany({ where: { id: { in: rows.map((r) => r.id) } } })).map((e) => [e.id, toRecord(e)]));
        return rows.map((r) => byId.get(r.id)!).filter(Boolean);
      },
    },
    teams: {
      role: (teamId, userId) => roleIn(db, teamId, userId),
      insert: async (d) => toTeam(await db.team.create({ data: { name: d.name, slug: d.slug } })),
      findById: async (id) => {
        const t = await db.team.findUnique({ where: { id } });
        return t ? toTeam(t) : null;
      },
      findBySlug: async (slug) => {
        const t = await db.team.findUnique({ where: { slug } });
        return t ? toTeam(t) : null;
      },
      members: async (teamId) =>
        (await db.membership.findMany({ where: { teamId }, include: { user: true }, orderBy: { createdAt: 'asc' } })).map((m) => ({
          userId: m.userId,
          email: m.user.email,
          name: m.user.name,
          role: m.role,
          createdAt: m.createdAt,
        })),
      addMember: async (teamId, userId, role) => {
        await db.membership.create({ data: { teamId, userId, role } });
      },
      setRole: async (teamId, userId, role) => {
        await db.membership.update({ where: { userId_teamId: { userId, teamId } }, data: { role } });
      },
      removeMember: async (teamId, userId) => {
        await db.membership.delete({ where: { userId_teamId: { userId, teamId } } });
      },
      countOwners: (teamId) => db.membership.count({ where: { teamId, role: 'owner' } }),
      userEmail: async (userId) => (await db.user.findUnique({ where: { id: userId }, select: { email: true } }))?.email.toLowerCase() ?? null,
      insertInvitation: async (d) =>
        toInvitation(await db.invitation.create({ data: { teamId: d.teamId, email: d.email, role: d.role, hash: d.hash, invitedBy: d.invitedBy, expiresAt: d.expiresAt } })),
      findInvitationById: async (id) => {
        const i = await db.invitation.findUnique({ where: { id } });
        return i ? toInvitation(i) : null;
      },
      findInvitationByHash: async (hash) => {
        const i = await db.invitation.findUnique({ where: { hash } });
        return i ? toInvitation(i) : null;
      },
      updateInvitation: async (id, patch) => toInvitation(await db.invitation.update({ where: { id }, data: patch })),
      listInvitations: async (teamId, now) =>
        (await db.invitation.findMany({ where: { teamId, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } }, orderBy: { createdAt: 'asc' } })).map(toInvitation),
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
    admin: adminTxFor(db),
    controls: controlTxFor(db),
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
      listVisible: async ({ ownerId, teamIds, onlyTeamId, includeTerminated, limit }) =>
        (
          await prisma.environment.findMany({
            where: {
              ...(onlyTeamId ? { teamId: onlyTeamId } : {}),
              OR: [{ ownerId }, ...(teamIds.length ? [{ teamId: { in: teamIds } }] : [])],
              ...(includeTerminated ? {} : { state: { notIn: ['terminated' as const] } }),
            },
            orderBy: { createdAt: 'desc' },
            take: limit,
          })
        ).map(toRecord),
      recordInput: (id, at) =>
        prisma.$transaction(async (db) => {
          // One statement; the old warning comes from the locked row in the CTE.
          const rows = await db.$queryRaw<{ prev: string | null }[]>`
            WITH cur AS (SELECT id, warning FROM "Environment" WHERE id = ${id} AND state = 'running' FOR UPDATE)
            UPDATE "Environment" e SET
              "lastInputAt" = greatest(coalesce(e."lastInputAt", ${at}), ${at}),
              warning = CASE WHEN cur.warning = 'idle' THEN NULL ELSE e.warning END
            FROM cur WHERE e.id = cur.id
            RETURNING cur.warning AS prev`;
          if (!rows[0]) return false;
          if (rows[0].prev === 'idle') await notifyChange(db, await db.environment.findUniqueOrThrow({ where: { id } }));
          return true;
        }),
    },
    hosts: {
      register: async (h) => {
        const data = { cpuCapacity: h.cpuCapacity, memoryMiB: h.memoryMiB, runtimes: h.runtimes, guacdHost: h.guacdHost, guacdPort: h.guacdPort, version: h.version, guacdVersion: h.guacdVersion ?? null, state: 'up' as const, lastHeartbeatAt: new Date(), startedAt: new Date() };
        return toHost(await prisma.host.upsert({ where: { id: h.id }, create: { id: h.id, ...data }, update: data }));
      },
      heartbeat: async (id) => (await prisma.host.updateMany({ where: { id, state: 'up' }, data: { lastHeartbeatAt: new Date() } })).count === 1,
      list: async () => (await prisma.host.findMany({ orderBy: { id: 'asc' } })).map(toHost),
      recordSample: async (sample, { at, ...readiness }) => {
        await prisma.$transaction([
          prisma.hostSample.create({ data: sample }),
          prisma.host.updateMany({ where: { id: sample.hostId }, data: { readiness: readiness as object, readinessAt: at } }),
        ]);
      },
      samples: async (since) =>
        (await prisma.hostSample.findMany({ where: { at: { gte: since } }, orderBy: [{ hostId: 'asc' }, { at: 'asc' }] })).map(({ id: _id, ...s }) => s),
      pruneSamples: async (before) => (await prisma.hostSample.deleteMany({ where: { at: { lt: before } } })).count,
    },
    pools: {
      list: async () => (await prisma.warmPool.findMany({ orderBy: { name: 'asc' } })).map(toPool),
      countMembers: (poolId) => prisma.environment.count({ where: { poolId, state: { in: ['requested', 'provisioning', 'running'] } } }),
      memberCounts: async () => {
        const rows = await prisma.environment.groupBy({ by: ['poolId', 'state'], where: { poolId: { not: null } }, _count: { _all: true } });
        const counts = new Map<string, PoolMemberCounts>();
        for (const r of rows) {
          const c = counts.get(r.poolId!) ?? {};
          c[r.state] = r._count._all;
          counts.set(r.poolId!, c);
        }
        return counts;
      },
    },
    teams: {
      role: (teamId, userId) => roleIn(prisma, teamId, userId),
      listForUser: async (userId) =>
        (await prisma.membership.findMany({ where: { userId }, include: { team: true }, orderBy: { team: { name: 'asc' } } })).map((m) => ({ ...toTeam(m.team), role: m.role })),
      policy: (teamId) =>
        prisma.team.findUnique({ where: { id: teamId }, select: { allowCopy: true, allowPaste: true, allowUpload: true, allowDownload: true, recordSessions: true } }),
    },
    shareLinks: {
      findById: async (id) => {
        const l = await prisma.shareLink.findUnique({ where: { id } });
        return l ? toShareLink(l) : null;
      },
      findByHash: async (hash) => {
        const l = await prisma.shareLink.findUnique({ where: { hash } });
        return l ? toShareLink(l) : null;
      },
    },
    quotas: {
      list: async () => {
        const rows = await prisma.quota.findMany({ orderBy: [{ scope: 'desc' }, { subjectId: 'asc' }] });
        const userIds = rows.filter((r) => r.scope === 'user').map((r) => r.subjectId);
        const teamIds = rows.filter((r) => r.scope === 'team').map((r) => r.subjectId);
        const users = new Map((await prisma.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } })).map((u) => [u.id, u.email]));
        const teams = new Map((await prisma.team.findMany({ where: { id: { in: teamIds } }, select: { id: true, name: true } })).map((t) => [t.id, t.name]));
        return rows.map(
          (r): QuotaRecord => ({
            scope: r.scope as 'user' | 'team',
            subjectId: r.subjectId,
            subjectName: (r.scope === 'user' ? users.get(r.subjectId) : teams.get(r.subjectId)) ?? null,
            updatedAt: r.updatedAt,
            ...toLimits(r),
          }),
        );
      },
      find: async (scope, subjectId) => {
        const q = await prisma.quota.findUnique({ where: quotaKey(scope, subjectId) });
        return q ? toLimits(q) : null;
      },
    },
    admin: adminReadsFor(prisma),
    controls: controlReadsFor(prisma),
  };
}

export type { Actor, Db };
