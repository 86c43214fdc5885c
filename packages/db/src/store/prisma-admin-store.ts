import type { AdminReads, AdminTx, AdminUserRecord, AppCategory, AuditFilter, AuditRecord, CatalogAppRecord, ImageRecord } from '@genos/core';
import type { CatalogApp as CatalogRow, Image, Prisma, PrismaClient, User } from '../generated/prisma/client.ts';
import { prismaBackupRuns } from '../backup/prisma-backup-runs.ts';

type Db = PrismaClient | Prisma.TransactionClient;

/** Build logs keep their tail: enough for any apt run, bounded for the row. */
const LOG_MAX = 200_000;

const userSelect = { id: true, email: true, name: true, role: true, totpEnabled: true, lockedUntil: true, disabledAt: true, createdAt: true } as const;
type UserRow = Pick<User, keyof typeof userSelect>;

async function withLastSignIn(db: Db, users: UserRow[]): Promise<AdminUserRecord[]> {
  if (!users.length) return [];
  const last = await db.session.groupBy({ by: ['userId'], where: { userId: { in: users.map((u) => u.id) } }, _max: { lastSeenAt: true } });
  const byUser = new Map(last.map((l) => [l.userId, l._max.lastSeenAt]));
  return users.map((u) => ({ ...u, lastSignInAt: byUser.get(u.id) ?? null }));
}

const toApp = (r: CatalogRow): CatalogAppRecord => ({
  id: r.id,
  name: r.name,
  aliases: r.aliases,
  generic: r.generic,
  category: r.category as AppCategory,
  packages: r.packages,
  command: r.command,
  requires: { network: r.needsNetwork, desktop: r.needsDesktop, vm: r.needsVm },
  ...(r.preinstalled ? { preinstalled: true } : {}),
  enabled: r.enabled,
  source: r.source,
  updatedAt: r.updatedAt,
});

const toImage = (i: Image): ImageRecord => ({ ...i, status: i.status });

function auditWhere(f: AuditFilter): Prisma.AuditLogWhereInput {
  const and: Prisma.AuditLogWhereInput[] = [];
  if (f.actor) {
    const or: Prisma.AuditLogWhereInput[] = [{ actorId: f.actor }, { actor: { email: { contains: f.actor, mode: 'insensitive' } } }];
    if (f.actor === 'worker' || f.actor === 'system') or.push({ actorKind: f.actor });
    and.push({ OR: or });
  }
  if (f.action) and.push({ action: { startsWith: f.action } });
  if (f.target) and.push({ OR: [{ targetId: f.target }, { targetType: f.target }] });
  if (f.from) and.push({ at: { gte: f.from } });
  if (f.to) and.push({ at: { lte: f.to } });
  return and.length ? { AND: and } : {};
}

export function adminReadsFor(prisma: PrismaClient): AdminReads {
  return {
    backups: prismaBackupRuns(prisma),
    users: {
      list: async () => withLastSignIn(prisma, await prisma.user.findMany({ select: userSelect, orderBy: { email: 'asc' } })),
      find: async (id) => {
        const u = await prisma.user.findUnique({ where: { id }, select: userSelect });
        return u ? (await withLastSignIn(prisma, [u]))[0]! : null;
      },
    },
    teams: {
      list: async () =>
        (
          await prisma.team.findMany({
            orderBy: { name: 'asc' },
            include: { memberships: { include: { user: { select: { email: true } } }, orderBy: { createdAt: 'asc' } } },
          })
        ).map((t) => ({ id: t.id, name: t.name, slug: t.slug, createdAt: t.createdAt, members: t.memberships.map((m) => ({ userId: m.userId, email: m.user.email, role: m.role })) })),
    },
    catalog: {
      list: async (opts = {}) =>
        (
          await prisma.catalogApp.findMany({
            where: { ...(opts.ids ? { id: { in: opts.ids } } : {}), ...(opts.enabledOnly ? { enabled: true } : {}) },
            orderBy: [{ source: 'desc' }, { createdAt: 'asc' }, { id: 'asc' }],
          })
        ).map(toApp),
    },
    images: {
      list: async () => (await prisma.image.findMany({ orderBy: [{ updatedAt: 'desc' }] })).map(toImage),
      findById: async (id) => {
        const i = await prisma.image.findUnique({ where: { id } });
        return i ? toImage(i) : null;
      },
      appendLog: async (id, text) => {
        // One statement: concurrent appends never lose each other's lines.
        await prisma.$executeRaw`UPDATE "Image" SET "buildLog" = right(coalesce("buildLog", '') || ${text}, ${LOG_MAX}), "updatedAt" = now() WHERE id = ${id}`;
      },
      setStatus: async (id, status, patch = {}) => toImage(await prisma.image.update({ where: { id }, data: { status, ...(patch.digest !== undefined ? { digest: patch.digest } : {}) } })),
    },
    audit: {
      list: async (filter, page) => {
        const where = auditWhere(filter);
        const [rows, total] = await Promise.all([
          prisma.auditLog.findMany({ where, orderBy: [{ at: 'desc' }, { id: 'desc' }], skip: page.offset, take: page.limit, include: { actor: { select: { email: true } } } }),
          prisma.auditLog.count({ where }),
        ]);
        return {
          total,
          rows: rows.map(
            (r): AuditRecord => ({ id: r.id, actorKind: r.actorKind, actorId: r.actorId, actorEmail: r.actor?.email ?? null, action: r.action, targetType: r.targetType, targetId: r.targetId, before: r.before, after: r.after, ip: r.ip, at: r.at }),
          ),
        };
      },
    },
    environments: {
      listActive: async () =>
        (
          await prisma.environment.findMany({
            where: { state: { in: ['provisioning', 'running', 'suspended'] } },
            orderBy: { createdAt: 'asc' },
            include: { owner: { select: { email: true } } },
          })
        ).map((e) => ({
          id: e.id,
          name: e.name,
          state: e.state,
          ownerId: e.ownerId,
          ownerEmail: e.owner.email,
          host: e.host,
          apps: ((e.spec as { apps?: string[] } | null)?.apps ?? []).slice(),
          startedAt: e.startedAt,
          createdAt: e.createdAt,
        })),
    },
  };
}

export function adminTxFor(db: Prisma.TransactionClient): AdminTx {
  return {
    backups: prismaBackupRuns(db),
    users: {
      find: async (id) => {
        const u = await db.user.findUnique({ where: { id }, select: userSelect });
        return u ? (await withLastSignIn(db, [u]))[0]! : null;
      },
      update: async (id, patch) => (await withLastSignIn(db, [await db.user.update({ where: { id }, data: patch, select: userSelect })]))[0]!,
      countActiveAdmins: () => db.user.count({ where: { role: 'admin', disabledAt: null } }),
      revokeSessions: async (id) => (await db.session.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: new Date() } })).count,
    },
    catalog: {
      find: async (id) => {
        const r = await db.catalogApp.findUnique({ where: { id } });
        return r ? toApp(r) : null;
      },
      insert: async (a) =>
        toApp(
          await db.catalogApp.create({
            data: {
              id: a.id,
              name: a.name,
              aliases: a.aliases,
              generic: a.generic,
              category: a.category,
              packages: a.packages,
              command: a.command,
              needsNetwork: a.requires.network,
              needsDesktop: a.requires.desktop,
              needsVm: a.requires.vm,
              preinstalled: a.preinstalled ?? false,
              enabled: a.enabled,
              source: a.source,
            },
          }),
        ),
      update: async (id, p) =>
        toApp(
          await db.catalogApp.update({
            where: { id },
            data: {
              name: p.name,
              aliases: p.aliases,
              generic: p.generic,
              category: p.category,
              packages: p.packages,
              command: p.command,
              enabled: p.enabled,
              ...(p.requires ? { needsNetwork: p.requires.network, needsDesktop: p.requires.desktop, needsVm: p.requires.vm } : {}),
            },
          }),
        ),
    },
    images: {
      findByTag: async (tag) => {
        const i = await db.image.findUnique({ where: { tag } });
        return i ? toImage(i) : null;
      },
      lock: async (id) => {
        const rows = await db.$queryRaw<{ id: string }[]>`SELECT id FROM "Image" WHERE id = ${id} FOR UPDATE`;
        if (!rows.length) return null;
        return toImage(await db.image.findUniqueOrThrow({ where: { id } }));
      },
      insert: async (d) => toImage(await db.image.create({ data: { kind: d.kind, tag: d.tag, packages: d.packages, status: 'pending', buildLog: '' } })),
      update: async (id, patch) => toImage(await db.image.update({ where: { id }, data: patch })),
    },
  };
}
