import type { DataKeyRecord, DataKeyRepository } from '@genos/core';
import type { DataKey, PrismaClient } from '../generated/prisma/client.ts';

const toRecord = (r: DataKey): DataKeyRecord => ({ ...r, wrapped: new Uint8Array(r.wrapped) });

/** Data keys on the DataKey table (one row per object, wrapped bytes only). */
export function prismaDataKeys(prisma: PrismaClient): DataKeyRepository {
  return {
    find: async (purpose, objectId) => {
      const r = await prisma.dataKey.findUnique({ where: { purpose_objectId: { purpose, objectId } } });
      return r ? toRecord(r) : null;
    },
    insert: async (rec) => {
      // Two first uses racing: the first insert wins and both use its key.
      await prisma.dataKey.createMany({ data: [{ ...rec, wrapped: Buffer.from(rec.wrapped) }], skipDuplicates: true });
      return toRecord(await prisma.dataKey.findUniqueOrThrow({ where: { purpose_objectId: { purpose: rec.purpose, objectId: rec.objectId } } }));
    },
    delete: async (purpose, objectId) => {
      await prisma.dataKey.deleteMany({ where: { purpose, objectId } });
    },
    listByKek: async (kekId, limit) => (await prisma.dataKey.findMany({ where: { kekId }, orderBy: { id: 'asc' }, take: limit })).map(toRecord),
    countByKek: (kekId) => prisma.dataKey.count({ where: { kekId } }),
    rewrap: async (id, fromKekId, toKekId, wrapped) =>
      (await prisma.dataKey.updateMany({ where: { id, kekId: fromKekId }, data: { kekId: toKekId, wrapped: Buffer.from(wrapped), rotatedAt: new Date() } })).count === 1,
  };
}
