import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditToCsv, composeRequest, DEFAULT_QUOTA, DEFAULT_SPEC, DEPLOYMENT_CAPABILITIES, decryptTunnelToken, runImageBuild, transitionEnvironment, type AuditRecord } from '@genos/core';
import { bossEnqueue, createBoss, createPrismaStore, ensureQueues, type PgBoss } from '@genos/db';
import { createTestDatabase, registerTestHost, type TestDatabase } from '@genos/db/testing';
import { composerCatalog, invalidateComposerCatalog } from '../composer-settings';
import { createCaller } from './root';
import { createInnerContext } from './trpc';

// The admin pages' API (users, catalog, images, sessions, audit) through createCaller against a real PostgreSQL.
let db: TestDatabase;
let boss: PgBoss;
type Person = { id: string; email: string; role: 'admin' | 'user' };
let admin: Person;
let bob: Person;
const KEY = 'k'.repeat(32);

const store = () => createPrismaStore({ prisma: db.prisma, enqueue: bossEnqueue(boss) });
const callerFor = (user: Person | null) =>
  createCaller(
    createInnerContext({
      user: user ? { id: user.id, email: user.email, name: null, role: user.role } : null,
      ip: '127.0.0.1',
      prisma: db.prisma,
      store: store(),
      tunnelKey: KEY,
      composer: { bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, timeoutMs: 1000 },
    }),
  );
const snapshot = async () => ({
  users: await db.prisma.user.findMany({ select: { id: true, role: true, disabledAt: true }, orderBy: { id: 'asc' } }),
  catalog: await db.prisma.catalogApp.findMany({ orderBy: { id: 'asc' } }),
  images: await db.prisma.image.findMany({ orderBy: { id: 'asc' } }),
  audit: await db.prisma.auditLog.count(),
  environments: await db.prisma.environment.findMany({ select: { id: true, state: true }, orderBy: { id: 'asc' } }),
  jobs: Number((await db.prisma.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM pgboss.job'))[0]!.n),
});
const lastAudit = (action: string) => db.prisma.auditLog.findFirstOrThrow({ where: { action }, orderBy: { at: 'desc' } });
const dclock = { id: 'dclock', name: 'Dclock', category: 'utility' as const, aliases: ['digital clock dclock'], command: 'dclock -geometry 600x200+0+0', needsDesktop: true };

beforeAll(async () => {
  db = await createTestDatabase();
  boss = createBoss(db.url);
  await boss.start();
  await ensureQueues(boss);
  await registerTestHost({ store: store(), boss, id: 'admin-pages-host', cpuCapacity: 16, memoryMiB: 32_768 });
  admin = { ...(await db.prisma.user.create({ data: { email: 'boss@genos.test', role: 'admin' } })), role: 'admin' };
  bob = { ...(await db.prisma.user.create({ data: { email: 'bob@genos.test' } })), role: 'user' };
  const team = await db.prisma.team.create({ data: { name: 'Ops', slug: 'ops' } });
  await db.prisma.membership.create({ data: { userId: bob.id, teamId: team.id, role: 'member' } });
});

afterAll(async () => {
  await boss?.stop({ graceful: false });
  await db?.drop();
});

describe('admin pages API', () => {
  it('refuses non-admins (FORBIDDEN) and anonymous callers everywhere, changing nothing', async () => {
    const before = await snapshot();
    const user = callerFor(bob).admin;
    const calls: [string, () => Promise<unknown>][] = [
      ['users.list', () => user.users.list()],
      ['users.teams', () => user.users.teams()],
      ['users.setRole', () => user.users.setRole({ userId: bob.id, role: 'admin' })],
      ['users.setDisabled', () => user.users.setDisabled({ userId: admin.id, disabled: true })],
      ['catalog.list', () => user.catalog.list({})],
      ['catalog.add', () => user.catalog.add(dclock)],
      ['catalog.update', () => user.catalog.update({ id: 'xterm', patch: { enabled: false } })],
      ['images.list', () => user.images.list()],
      ['images.build', () => user.images.build({ packages: ['dclock'] })],
      ['images.retire', () => user.images.retire({ id: 'someimage', retired: true })],
      ['environments.active', () => user.environments.active()],
      ['environments.observe', () => user.environments.observe({ id: 'someenv' })],
      ['environments.terminate', () => user.environments.terminate({ id: 'someenv' })],
      ['audit.list', () => user.audit.list({})],
    ];
    for (const [name, call] of calls) await expect(call(), name).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerFor(null).admin.users.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await snapshot()).toEqual(before);
  });

  it('lists users with their role, TOTP and lock, and teams with members', async () => {
    await db.prisma.user.update({ where: { id: bob.id }, data: { totpEnabled: true, lockedUntil: new Date(Date.now() + 60_000) } });
    const users = await callerFor(admin).admin.users.list();
    expect(users.find((u) => u.id === bob.id)).toMatchObject({ role: 'user', totpEnabled: true, locked: true, lastSignInAt: null });
    const teams = await callerFor(admin).admin.users.teams();
    expect(teams).toEqual([expect.objectContaining({ name: 'Ops', members: [{ userId: bob.id, email: bob.email, role: 'member' }] })]);
    await db.prisma.user.update({ where: { id: bob.id }, data: { totpEnabled: false, lockedUntil: null } });
  });

  it('changes global roles with an audit row; the last admin cannot demote or disable themselves', async () => {
    const before = await snapshot();
    await expect(callerFor(admin).admin.users.setRole({ userId: admin.id, role: 'user' })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('last admin') });
    await expect(callerFor(admin).admin.users.setDisabled({ userId: admin.id, disabled: true })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(callerFor(admin).admin.users.setRole({ userId: 'no such id!', role: 'user' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(callerFor(admin).admin.users.setRole({ userId: 'nosuchuser', role: 'admin' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await snapshot()).toEqual(before);

    const promoted = await callerFor(admin).admin.users.setRole({ userId: bob.id, role: 'admin' });
    expect(promoted.role).toBe('admin');
    expect(await lastAudit('user.role')).toMatchObject({ actorId: admin.id, targetId: bob.id, before: { role: 'user' }, after: { role: 'admin' } });
    // Two admins now: demoting yourself is allowed.
    await callerFor({ ...bob, role: 'admin' }).admin.users.setRole({ userId: bob.id, role: 'user' });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: bob.id } })).role).toBe('user');

    await db.prisma.session.create({ data: { userId: bob.id, method: 'credentials', expiresAt: new Date(Date.now() + 3600_000) } });
    const disabled = await callerFor(admin).admin.users.setDisabled({ userId: bob.id, disabled: true });
    expect(disabled.disabledAt).toBeInstanceOf(Date);
    expect(await db.prisma.session.count({ where: { userId: bob.id, revokedAt: null } })).toBe(0);
    expect(await lastAudit('user.disable')).toMatchObject({ targetId: bob.id, after: expect.objectContaining({ sessionsRevoked: 1 }) });
    await callerFor(admin).admin.users.setDisabled({ userId: bob.id, disabled: false });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: bob.id } })).disabledAt).toBeNull();
  });

  it('adds an application the composer then finds; bad input changes nothing', async () => {
    const before = await snapshot();
    const bad: [string, unknown][] = [
      ['package name with spaces', { ...dclock, id: 'Bad Name' }],
      ['shell in the command', { ...dclock, command: 'dclock; rm -rf /' }],
      ['unknown category', { ...dclock, category: 'weapons' }],
      ['missing name', { ...dclock, name: '' }],
    ];
    for (const [what, input] of bad) await expect(callerFor(admin).admin.catalog.add(input as typeof dclock), what).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await snapshot()).toEqual(before);

    // Not in the built-in catalog: the composer does not know it yet.
    invalidateComposerCatalog();
    const unknown = await composeRequest({ request: 'a desktop with dclock', bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, catalog: await composerCatalog(store()) });
    expect(unknown.spec?.apps ?? []).not.toContain('dclock');

    const added = await callerFor(admin).admin.catalog.add(dclock);
    expect(added).toMatchObject({ id: 'dclock', packages: ['dclock'], source: 'admin', enabled: true, requires: { network: false, desktop: true, vm: false } });
    expect(await lastAudit('catalog.add')).toMatchObject({ actorId: admin.id, targetType: 'catalog_app', targetId: 'dclock', before: null });
    await expect(callerFor(admin).admin.catalog.add(dclock)).rejects.toMatchObject({ code: 'CONFLICT' });

    invalidateComposerCatalog();
    const composed = await composeRequest({ request: 'a desktop with dclock', bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, catalog: await composerCatalog(store()) });
    expect(composed.status).toBe('ok');
    expect(composed.spec?.apps).toEqual(['dclock']);

    // Disabled: composed no more, audited as such.
    await callerFor(admin).admin.catalog.update({ id: 'dclock', patch: { enabled: false } });
    expect(await lastAudit('catalog.disable')).toMatchObject({ targetId: 'dclock', before: expect.objectContaining({ enabled: true }), after: expect.objectContaining({ enabled: false }) });
    invalidateComposerCatalog();
    const gone = await composeRequest({ request: 'a desktop with dclock', bounds: DEFAULT_QUOTA, capabilities: DEPLOYMENT_CAPABILITIES, catalog: await composerCatalog(store()) });
    expect(gone.spec?.apps ?? []).not.toContain('dclock');
    const edited = await callerFor(admin).admin.catalog.update({ id: 'dclock', patch: { enabled: true, name: 'DClock' } });
    expect(edited).toMatchObject({ name: 'DClock', enabled: true });
    await expect(callerFor(admin).admin.catalog.update({ id: 'nosuchapp', patch: { name: 'x' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('queues an image build, streams its log into the row, and bumps the version on a rebuild', async () => {
    await expect(callerFor(admin).admin.images.build({ packages: ['bad name'] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const img = await callerFor(admin).admin.images.build({ apps: ['dclock'] });
    expect(img).toMatchObject({ kind: 'apps', packages: ['dclock'], status: 'pending', version: 1 });
    expect(img.tag).toMatch(/^genos\/desktop-apps:[0-9a-f]{16}$/);
    const jobs = await db.prisma.$queryRawUnsafe<{ data: { imageId: string } }[]>(`SELECT data FROM pgboss.job WHERE name = 'image.build'`);
    expect(jobs.map((j) => j.data.imageId)).toContain(img.id);
    expect(await lastAudit('image.build')).toMatchObject({ targetId: img.id });
    await expect(callerFor(admin).admin.images.build({ packages: ['dclock'] })).rejects.toMatchObject({ code: 'CONFLICT' });

    const seen: string[] = [];
    const done = await runImageBuild({
      store: store(),
      imageId: img.id,
      flushMs: 20,
      build: async (packages, onLine) => {
        onLine(`Step 1/3 : FROM base for ${packages.join(' ')}`);
        await new Promise((r) => setTimeout(r, 60));
        seen.push((await callerFor(admin).admin.images.get({ id: img.id })).buildLog ?? '');
        onLine('Setting up dclock');
        return { digest: 'sha256:abc' };
      },
    });
    expect(done).toMatchObject({ status: 'ready', digest: 'sha256:abc' });
    expect(seen[0]).toContain('Step 1/3'); // written while the build was still running
    const row = await callerFor(admin).admin.images.get({ id: img.id });
    expect(row.buildLog).toMatch(/Step 1\/3[\s\S]*Setting up dclock[\s\S]*ready/);

    const again = await callerFor(admin).admin.images.build({ packages: ['dclock'] });
    expect(again).toMatchObject({ id: img.id, version: 2, status: 'pending', buildLog: '' });
    expect(await lastAudit('image.rebuild')).toMatchObject({ before: expect.objectContaining({ version: 1 }), after: expect.objectContaining({ version: 2 }) });
    const failed = await runImageBuild({ store: store(), imageId: img.id, flushMs: 20, build: async () => Promise.reject(new Error('apt: unable to locate package')) });
    expect(failed).toMatchObject({ status: 'failed', buildLog: expect.stringContaining('apt: unable to locate package') });

    const retired = await callerFor(admin).admin.images.retire({ id: img.id, retired: true });
    expect(retired.retiredAt).toBeInstanceOf(Date);
    expect(await lastAudit('image.retire')).toMatchObject({ targetId: img.id });
    expect((await callerFor(admin).admin.images.list()).find((i) => i.id === img.id)).toMatchObject({ version: 2, logChars: expect.any(Number) });
  });

  it('lists running desktops, mints a read-only observer token, and terminates with audit rows', async () => {
    const s = store();
    const env = await s.transaction(async (tx) => {
      const e = await tx.environments.insert({ name: 'watched', request: null, spec: { ...DEFAULT_SPEC, apps: ['xterm'] }, ownerId: bob.id, teamId: null });
      await tx.environments.update(e.id, { host: 'admin-pages-host' });
      await transitionEnvironment({ tx, id: e.id, to: 'provisioning', actor: { kind: 'system' } });
      return transitionEnvironment({ tx, id: e.id, to: 'running', actor: { kind: 'system' }, patch: { startedAt: new Date(), displayEndpoint: { protocol: 'vnc', host: '127.0.0.1', port: 5999, password: 'pw' } } });
    });
    const active = await callerFor(admin).admin.environments.active();
    expect(active).toEqual([expect.objectContaining({ id: env.id, ownerEmail: bob.email, host: 'admin-pages-host', state: 'running' })]);

    const { token, readOnly } = await callerFor(admin).admin.environments.observe({ id: env.id });
    expect(readOnly).toBe(true);
    const decoded = decryptTunnelToken(token, KEY);
    expect(decoded.connection.settings['read-only']).toBe(true);
    expect(decoded.genos).toMatchObject({ environmentId: env.id, userId: admin.id, observer: 'admin', readOnly: true, purpose: 'view' });
    expect(await lastAudit('environment.observe')).toMatchObject({ actorId: admin.id, targetId: env.id });
    // The owner's own token is unchanged: not read-only.
    const own = decryptTunnelToken((await callerFor(bob).environments.connectionToken({ id: env.id })).token, KEY);
    expect(own.connection.settings['read-only']).toBeUndefined();

    await callerFor(admin).admin.environments.terminate({ id: env.id });
    expect(await lastAudit('admin.environment.terminate')).toMatchObject({ actorId: admin.id, targetId: env.id, before: { state: 'running', ownerId: bob.id } });
    expect(await lastAudit('environment.terminate.requested')).toMatchObject({ targetId: env.id });
  });

  it('filters and pages the audit log, and exports it as escaped CSV', async () => {
    const all = await callerFor(admin).admin.audit.list({ limit: 200 });
    expect(all.total).toBeGreaterThan(5);
    const byAction = await callerFor(admin).admin.audit.list({ filter: { action: 'catalog.' } });
    expect(byAction.rows.length).toBeGreaterThan(0);
    expect(byAction.rows.every((r) => r.action.startsWith('catalog.'))).toBe(true);
    const byActor = await callerFor(admin).admin.audit.list({ filter: { actor: 'boss@' } });
    expect(byActor.rows.every((r) => r.actorId === admin.id)).toBe(true);
    const byTarget = await callerFor(admin).admin.audit.list({ filter: { target: 'dclock' } });
    expect(byTarget.rows.every((r) => r.targetId === 'dclock')).toBe(true);
    const future = await callerFor(admin).admin.audit.list({ filter: { from: new Date(Date.now() + 3600_000) } });
    expect(future).toMatchObject({ total: 0, rows: [] });
    const page2 = await callerFor(admin).admin.audit.list({ offset: 2, limit: 2 });
    expect(page2.rows.map((r) => r.id)).toEqual(all.rows.slice(2, 4).map((r) => r.id));
    await expect(callerFor(admin).admin.audit.list({ filter: { from: new Date(2030, 1, 1), to: new Date(2020, 1, 1) } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });

    const row: AuditRecord = { id: 'a1', actorKind: 'user', actorId: 'u1', actorEmail: 'x@y', action: 'catalog.add', targetType: 'catalog_app', targetId: 'a,b', before: null, after: { name: 'say "hi"\nthere' }, ip: '=cmd()', at: new Date('2026-01-02T03:04:05Z') };
    const csv = auditToCsv([row]);
    expect(csv).toBe(
      'at,actorKind,actorId,actorEmail,action,targetType,targetId,ip,before,after\r\n' +
        `2026-01-02T03:04:05.000Z,user,u1,x@y,catalog.add,catalog_app,"a,b",'=cmd(),,"{""name"":""say \\""hi\\""\\nthere""}"\r\n`,
    );
  });
});
