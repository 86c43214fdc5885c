import type { ControlActionRecord, ControlLeaseRecord, ControlNames, ControlReads, ControlTx } from '@genos/core';
import type { ControlAction, ControlLease, Prisma, PrismaClient } from '../generated/prisma/client.ts';

type Db = PrismaClient | Prisma.TransactionClient;

const toLease = (l: ControlLease): ControlLeaseRecord => ({
  ...l,
  holderKind: l.holderKind === 'program' || l.holderKind === 'person' ? l.holderKind : null,
});

const toAction = (a: ControlAction): ControlActionRecord => ({
  environmentId: a.environmentId,
  at: a.at,
  actorKind: a.actorKind === 'program' ? 'program' : 'person',
  actorName: a.actorName,
  tokenId: a.tokenId,
  action: a.action,
  params: (a.params ?? {}) as Record<string, unknown>,
  screenshotRef: a.screenshotRef,
});

function namesFor(db: Db): ControlNames {
  return {
    tokenName: async (id) => (await db.apiToken.findUnique({ where: { id }, select: { name: true } }))?.name ?? null,
    userName: async (id) => {
      const u = await db.user.findUnique({ where: { id }, select: { name: true, email: true } });
      return u ? (u.name ?? u.email) : null;
    },
  };
}

export function controlReadsFor(prisma: PrismaClient): ControlReads {
  return {
    ...namesFor(prisma),
    find: async (environmentId) => {
      const l = await prisma.controlLease.findUnique({ where: { environmentId } });
      return l ? toLease(l) : null;
    },
    appendAction: async (a) => {
      await prisma.controlAction.create({ data: { ...a, params: JSON.parse(JSON.stringify(a.params)) as Prisma.InputJsonValue } });
    },
    listActions: async (environmentId, limit, window) =>
      // Newest first to take the last `limit`, then turned around: a log reads oldest first.
      (await prisma.controlAction.findMany({ where: { environmentId, ...(window ? { at: { gte: window.from, lte: window.to } } : {}) }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: limit })).reverse().map(toAction),
  };
}

export function controlTxFor(db: Prisma.TransactionClient): ControlTx {
  return {
    ...namesFor(db),
    lock: async (environmentId) => {
      // Two first callers racing both insert-or-nothing, then queue on the row lock.
      await db.$executeRaw`INSERT INTO "ControlLease" ("environmentId", "updatedAt") VALUES (${environmentId}, now()) ON CONFLICT DO NOTHING`;
      await db.$queryRaw`SELECT "environmentId" FROM "ControlLease" WHERE "environmentId" = ${environmentId} FOR UPDATE`;
      return toLease(await db.controlLease.findUniqueOrThrow({ where: { environmentId } }));
    },
    update: async (environmentId, patch) => toLease(await db.controlLease.update({ where: { environmentId }, data: patch })),
  };
}
