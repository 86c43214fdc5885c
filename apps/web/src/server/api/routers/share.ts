import { z } from 'zod';
import { createShareLink, describeShareLink, listShareLinks, openShareLink, revokeShareLink, SHARE_MODES, SHARE_TTL_MINUTES } from '../../sharing/share-links';
import { protectedProcedure, publicProcedure, router } from '../trpc';

type Ctx = { user: { id: string; role: string }; ip: string | null };
const shareActor = (ctx: Ctx) => ({ id: ctx.user.id, isAdmin: ctx.user.role === 'admin', ip: ctx.ip });

const id = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'not an id');
// The secret from /share/<secret>: its format is checked again where it is hashed.
const secret = z.string().min(1).max(200);

/** environments.share.*: links that let someone else view or use a desktop (see sharing/share-links.ts). */
export const shareRouter = router({
  /** Owner or team admin. The link (its secret) is in this answer only. */
  create: protectedProcedure
    .input(
      z.object({
        id,
        mode: z.enum(SHARE_MODES),
        ttlMinutes: z.number().int().min(SHARE_TTL_MINUTES.min).max(SHARE_TTL_MINUTES.max).default(SHARE_TTL_MINUTES.default),
      }),
    )
    .mutation(({ ctx, input }) =>
      createShareLink({ prisma: ctx.prisma, actor: shareActor(ctx), environmentId: input.id, mode: input.mode, ttlMinutes: input.ttlMinutes }),
    ),

  list: protectedProcedure
    .input(z.object({ id }))
    .query(({ ctx, input }) => listShareLinks({ prisma: ctx.prisma, actor: shareActor(ctx), environmentId: input.id })),

  revoke: protectedProcedure
    .input(z.object({ shareId: id }))
    .mutation(({ ctx, input }) => revokeShareLink({ prisma: ctx.prisma, actor: shareActor(ctx), id: input.shareId })),

  /** Anyone holding the link: what it opens (mode, desktop name), or why it does not. */
  describe: publicProcedure.input(z.object({ secret })).query(({ ctx, input }) => describeShareLink(ctx.prisma, input.secret)),

  /** Anyone holding a view link, signed-in users for collaborate: a single-use tunnel token bound to the share. */
  connectionToken: publicProcedure
    .input(z.object({ secret }))
    .mutation(({ ctx, input }) => openShareLink({ prisma: ctx.prisma, store: ctx.store, secret: input.secret, user: ctx.user ? { id: ctx.user.id } : null, ip: ctx.ip, key: ctx.tunnelKey })),
});
