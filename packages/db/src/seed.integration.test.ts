// seed() against a fresh migrated database: idempotent, argon2id admin
// password, generated password printed only on the run that created it.
import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './testing/create-test-database.ts';
import { DEFAULT_ADMIN_EMAIL, seed } from './seed/seed.ts';

let db: TestDatabase;
const savedEnv = { email: process.env.GENOS_ADMIN_EMAIL, password: process.env.GENOS_ADMIN_PASSWORD };

beforeAll(async () => {
  delete process.env.GENOS_ADMIN_EMAIL;
  delete process.env.GENOS_ADMIN_PASSWORD;
  db = await createTestDatabase();
});
afterAll(async () => {
  if (savedEnv.email !== undefined) process.env.GENOS_ADMIN_EMAIL = savedEnv.email;
  if (savedEnv.password !== undefined) process.env.GENOS_ADMIN_PASSWORD = savedEnv.password;
  await db?.drop();
});

describe('seed', () => {
  it('creates the default team and one admin, and a second run changes nothing', async () => {
    const firstLog: string[] = [];
    const first = await seed(db.prisma, { log: (m) => firstLog.push(m) });
    expect(first.adminCreated).toBe(true);
    expect(first.generatedPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(firstLog.join('\n')).toContain(`GENERATED ADMIN PASSWORD: ${first.generatedPassword}`);

    const admin = await db.prisma.user.findUniqueOrThrow({ where: { email: DEFAULT_ADMIN_EMAIL } });
    expect(admin.role).toBe('admin');
    expect(admin.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await argon2.verify(admin.passwordHash!, first.generatedPassword!)).toBe(true);

    const secondLog: string[] = [];
    const second = await seed(db.prisma, { log: (m) => secondLog.push(m) });
    expect(second.adminCreated).toBe(false);
    expect(second.generatedPassword).toBeUndefined();
    expect(secondLog.join('\n')).toContain('exists');
    expect(secondLog.join('\n')).not.toContain('PASSWORD');
    expect(secondLog.join('\n')).not.toContain(first.generatedPassword!);

    expect(await db.prisma.user.count()).toBe(1);
    expect(await db.prisma.team.count()).toBe(1);
    const after = await db.prisma.user.findUniqueOrThrow({ where: { email: DEFAULT_ADMIN_EMAIL } });
    expect(after.passwordHash).toBe(admin.passwordHash);
    expect(after.updatedAt).toEqual(admin.updatedAt);

    const memberships = await db.prisma.membership.findMany({ include: { team: true } });
    expect(memberships).toHaveLength(1);
    expect(memberships[0]!.role).toBe('owner');
    expect(memberships[0]!.team.slug).toBe('default');
  });

  it('uses a given admin email and password without printing it', async () => {
    const log: string[] = [];
    const result = await seed(db.prisma, { adminEmail: 'Ops@Example.test', adminPassword: 'correct horse battery', log: (m) => log.push(m) });
    expect(result.admin.email).toBe('ops@example.test');
    expect(result.generatedPassword).toBeUndefined();
    expect(await argon2.verify(result.admin.passwordHash!, 'correct horse battery')).toBe(true);
    expect(log.join('\n')).not.toContain('correct horse battery');
  });

  it('runs the hooks (where catalog seeding plugs in) with the team and admin', async () => {
    const seen: string[] = [];
    await seed(db.prisma, { log: () => {}, hooks: [async (_p, ctx) => void seen.push(`${ctx.team.slug}:${ctx.admin.email}`)] });
    expect(seen).toEqual([`default:${DEFAULT_ADMIN_EMAIL}`]);
  });
});

describe('knowledge base seeding', () => {
  it('puts every catalog application, OS release and desktop in the database, keeps admin edits, and writes nothing the second time', async () => {
    const { APP_CATALOG } = await import('@genos/core');
    await seed(db.prisma, { log: () => {} });
    expect(await db.prisma.catalogApp.count()).toBe(APP_CATALOG.length);
    const vlc = await db.prisma.catalogApp.findUniqueOrThrow({ where: { id: 'vlc' } });
    expect(vlc).toMatchObject({ category: 'media', needsVm: false, source: 'builtin' });
    const ubuntu = await db.prisma.catalogOs.findFirstOrThrow({ where: { distro: 'ubuntu' } });
    expect(ubuntu.buildable).toBe(false);
    expect(ubuntu.whyNot).toMatch(/archive/);
    expect((await db.prisma.catalogOs.findUniqueOrThrow({ where: { distro_release: { distro: 'debian', release: '12' } } })).buildable).toBe(true);
    expect((await db.prisma.catalogDesktop.findUniqueOrThrow({ where: { id: 'gnome' } })).buildable).toBe(false);

    // An admin's edit survives the next seed.
    await db.prisma.catalogApp.update({ where: { id: 'vlc' }, data: { name: 'VLC (team build)', source: 'admin' } });
    const log: string[] = [];
    await seed(db.prisma, { log: (m) => log.push(m) });
    expect((await db.prisma.catalogApp.findUniqueOrThrow({ where: { id: 'vlc' } })).name).toBe('VLC (team build)');
    expect(log.join('\n')).not.toMatch(/knowledge base updated/);
  });
});
