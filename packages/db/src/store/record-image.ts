import type { PrismaClient } from '../generated/prisma/client.ts';

export interface ImageRecordInput {
  kind: 'base' | 'apps';
  tag: string;
  packages: string[];
  status: 'pending' | 'building' | 'ready' | 'failed';
  digest?: string | null;
  buildLog?: string | null;
}

/** Keeps the Image catalog in step with what the engine really has. Idempotent. */
export async function recordImage(prisma: PrismaClient, img: ImageRecordInput): Promise<void> {
  const data = { kind: img.kind, packages: img.packages, status: img.status, digest: img.digest ?? null, ...(img.buildLog !== undefined ? { buildLog: img.buildLog } : {}) };
  await prisma.image.upsert({ where: { tag: img.tag }, create: { tag: img.tag, ...data }, update: data });
}
