import { z } from 'zod';
import { AppError, type Actor } from '@genos/core';
import type { PrismaClient } from '@genos/db';

/**
 * A team's streaming policy. Copy and paste are enforced by the display
 * tunnel (attach-tunnel.ts drops clipboard streams in a forbidden direction);
 * the browser only mirrors them. Upload and download belong to file transfer.
 */
export const streamingPolicyInput = z
  .object({
    teamId: z.string().min(1).max(64),
    allowCopy: z.boolean().optional(),
    allowPaste: z.boolean().optional(),
    allowUpload: z.boolean().optional(),
    allowDownload: z.boolean().optional(),
  })
  .strict();

const FIELDS = { allowCopy: true, allowPaste: true, allowUpload: true, allowDownload: true } as const;

/** Changes a team's policy and writes the AuditLog row in the same transaction. */
export async function setStreamingPolicy(prisma: PrismaClient, actor: Actor, input: z.infer<typeof streamingPolicyInput>) {
  if (!actor.isAdmin) throw new AppError('FORBIDDEN', 'administrators only');
  const { teamId, ...change } = input;
  return prisma.$transaction(async (tx) => {
    const before = await tx.team.findUnique({ where: { id: teamId }, select: FIELDS });
    if (!before) throw new AppError('NOT_FOUND', `no team ${teamId}`);
    const after = await tx.team.update({ where: { id: teamId }, data: change, select: FIELDS });
    await tx.auditLog.create({
      data: { actorKind: 'user', actorId: actor.id, action: 'team.streamingPolicy.set', targetType: 'team', targetId: teamId, before, after, ip: actor.ip ?? null },
    });
    return { teamId, ...after };
  });
}

/** What the browser should offer for one environment: its team's policy, or everything when it has no team. */
export async function streamingPolicyForEnvironment(prisma: PrismaClient, environmentId: string) {
  const env = await prisma.environment.findUnique({ where: { id: environmentId }, select: { team: { select: FIELDS } } });
  return env?.team ?? { allowCopy: true, allowPaste: true, allowUpload: true, allowDownload: true };
}
