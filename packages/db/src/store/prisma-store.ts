import { AppError, type Actor, type DisplayEndpoint, type EnvironmentRecord, type EnvironmentSpec, type Store, type Tx } from '@genos/core';
import type { Environment, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import type { Enqueue, SqlExecutor } from './sql-executor.ts';

type Db = PrismaClient | Prisma.TransactionClient;

const toRecord = (e: Environment): EnvironmentRecord => ({
  ...e,
  spec: e.spec as unknown as EnvironmentSpec,
  displayEndpoint: (e.displayEndpoint ?? null) as DisplayEndpoint | null,
});

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

function txFor(db: Prisma.TransactionClient, enqueue: Enqueue): Tx {
  return {
    environments: {
      insert: async (d) =>
        toRecord(await db.environment.create({ data: { name: d.name, request: d.request, spec: json(d.spec)!, ownerId: d.ownerId, teamId: d.teamId } })),
      lock: async (id) => {
        const rows = await db.$queryRaw<{ id: string }[]>`SELECT id FROM "Environment" WHERE id = ${id} FOR UPDATE`;
        if (rows.length === 0) return null;
        return toRecord(await db.environment.findUniqueOrThrow({ where: { id } }));
      },
      update: async (id, patch) => {
        const { displayEndpoint, ...rest } = patch;
        const data: Prisma.EnvironmentUpdateInput = { ...rest };
        if (displayEndpoint !== undefined) data.displayEndpoint = displayEndpoint === null ? (null as unknown as Prisma.InputJsonValue) : json(displayEndpoint);
        return toRecord(await db.environment.update({ where: { id }, data }));
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
      enqueue: async (name, data) => {
        const id = await enqueue(name, data, executorFor(db));
        // pg-boss silently drops jobs for unknown queues; never lose one quietly.
        if (!id) throw new AppError('INTERNAL', `job queue ${name} is not set up`);
        return id;
      },
    },
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
  };
}

export type { Actor, Db };
