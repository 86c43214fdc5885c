import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { getBackupStatus, rotateKeyEncryptionKey, setBackupSchedule } from '@genos/core';
import { createPrismaStore } from '@genos/db';
import { ensureKeyringFile, keyServiceFor, prismaDataKeys } from '@genos/db/keys';
import { createTestDatabase, freshTestState, type FreshTestState, type TestDatabase } from '@genos/db/testing';
import { ensureHomeVolume, homeVolumeName } from '../security/home-volume';
import { backupContext, type BackupSettings } from './backup-context';
import { createBackup, listBackups, restoreBackup, verifyBackups } from './backup-service';
import { createWorkerMetrics } from '../ops/worker-metrics';
import { startScheduledBackups } from './scheduled-backups';

// Backups against the real PostgreSQL, Docker (home volumes) and restic: the faults an operator meets.
const run = promisify(execFile);
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const actor = { kind: 'system' as const };
let db: TestDatabase;
let state: FreshTestState;
let settings: BackupSettings;
let userId: string;
const ctx = (over: Partial<BackupSettings> = {}) => backupContext({ ...settings, ...over }, db.prisma);
const homeFile = async () => path.join((await docker.getVolume(homeVolumeName(userId)).inspect()).Mountpoint, 'notes.txt');

beforeAll(async () => {
  db = await createTestDatabase();
  state = await freshTestState('backup');
  const kekFile = path.join(state.stateDir, 'keys', 'kek.json');
  await ensureKeyringFile(kekFile);
  await fs.mkdir(path.join(state.stateDir, 'recordings'), { recursive: true });
  await fs.writeFile(path.join(state.stateDir, 'recordings', 'rec-1'), 'guacamole protocol dump');
  await fs.mkdir(path.join(state.stateDir, 'recipes'), { recursive: true });
  await fs.writeFile(path.join(state.stateDir, 'recipes', 'Dockerfile'), 'FROM debian:12\n');
  await fs.writeFile(path.join(state.stateDir, 'genos.env'), 'AUTH_SECRET=test\n', { mode: 0o600 });
  settings = {
    DATABASE_URL: db.url,
    GENOS_KEK_FILE: kekFile,
    GENOS_INSTANCE: state.instance,
    GENOS_STATE_DIR: state.stateDir,
    GENOS_BACKUP_DIR: path.join(state.stateDir, 'repo'),
    hostName: 'test-host',
    dockerSocket: '/var/run/docker.sock',
    labels: state.labels,
    recipesDir: path.join(state.stateDir, 'recipes'),
    settingsFile: path.join(state.stateDir, 'genos.env'),
  };
  userId = (await db.prisma.user.create({ data: { email: 'backup@genos.test', name: 'Before' } })).id;
  await ensureHomeVolume(docker, userId, state.labels);
  await fs.writeFile(await homeFile(), 'my thesis, chapter 1');
});

afterAll(async () => {
  await docker.getVolume(homeVolumeName(userId)).remove().catch(() => {});
  await run('umount', [path.join(state.stateDir, 'small')]).catch(() => {});
  await state?.remove();
  await db?.drop();
});

describe('backups', () => {
  it('writes one complete, self-describing backup that lists and verifies', async () => {
    const r = await createBackup(ctx(), { trigger: 'manual', actor });
    expect(r.manifest.database.tables.find((t) => t.name === 'User')).toMatchObject({ rows: 1 });
    expect(r.manifest.sources.map((s) => s.role).sort()).toEqual(['home', 'recipes', 'recordings', 'settings']);
    expect(await listBackups(ctx())).toEqual([expect.objectContaining({ shortId: r.snapshotId, bytes: r.bytes })]);
    expect(await verifyBackups(ctx(), actor)).toMatchObject({ ok: true });
    // Encrypted: the repository's files hold neither the home file nor a table's rows.
    const { stdout } = await run('grep', ['-rl', '-e', 'my thesis', '-e', 'backup@genos.test', settings.GENOS_BACKUP_DIR]).catch((e: { stdout: string }) => e);
    expect(stdout).toBe('');
    expect(await db.prisma.backupRun.findFirst()).toMatchObject({ status: 'succeeded', snapshotId: r.snapshotId });
    // Deriving the repository's password is a use of the KEK, audited like every other.
    expect(await db.prisma.auditLog.count({ where: { action: 'key.kek.use' } })).toBeGreaterThan(0);
  });

  it('refuses to restore over a database or home that holds data, changing nothing; --force replaces them', async () => {
    await db.prisma.user.update({ where: { id: userId }, data: { name: 'After' } });
    await fs.writeFile(await homeFile(), 'chapter 2');
    await expect(restoreBackup(ctx(), { force: false, actor })).rejects.toThrow(/refusing to restore over existing data.*User.*nothing was changed/);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: userId } })).name).toBe('After');
    expect(await fs.readFile(await homeFile(), 'utf8')).toBe('chapter 2');

    const r = await restoreBackup(ctx(), { force: true, actor });
    expect(r.rows).toBeGreaterThan(0);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: userId } })).name).toBe('Before');
    expect(await fs.readFile(await homeFile(), 'utf8')).toBe('my thesis, chapter 1');
  });

  it('refuses the wrong key file before touching anything', async () => {
    const other = path.join(state.stateDir, 'other-kek.json');
    await ensureKeyringFile(other);
    const users = await db.prisma.user.count();
    await expect(restoreBackup(ctx({ GENOS_KEK_FILE: other }), { force: true, actor })).rejects.toThrow(/no key in this key-encryption key file opens the backup repository/);
    expect(await db.prisma.user.count()).toBe(users);
  });

  it('rotation re-keys the repository: the old KEK is retired and backups still open', async () => {
    const repo = path.join(state.stateDir, 'repo-rotation');
    const c = ctx({ GENOS_BACKUP_DIR: repo });
    await createBackup(c, { trigger: 'manual', actor });
    const { keys } = keyServiceFor({ prisma: db.prisma, kekFile: settings.GENOS_KEK_FILE });
    const sealed = await keys.seal({ purpose: 'user.totp', objectId: userId }, 'JBSWY3DPEHPK3PXP', actor);
    const before = await c.keks.list();
    const result = await rotateKeyEncryptionKey({ keks: c.keks, dataKeys: prismaDataKeys(db.prisma), holders: [c.repository.holder], audit: c.audit, actor });
    expect(result).toMatchObject({ retired: before.map((k) => k.id), kept: [], rewrapped: 2 });
    expect(await db.prisma.dataKey.findMany({ select: { kekId: true } })).toEqual([{ kekId: result.newKekId }]);
    expect(await keys.open({ purpose: 'user.totp', objectId: userId }, sealed, actor)).toBe('JBSWY3DPEHPK3PXP');
    expect(await listBackups(ctx({ GENOS_BACKUP_DIR: repo }))).toHaveLength(1);
    expect(await db.prisma.auditLog.count({ where: { action: { in: ['key.kek.create', 'key.rewrap', 'key.kek.retire'] } } })).toBe(3);
    // A restic key for the new KEK only: the old password no longer opens the repository.
    const { stdout } = await run('restic', ['--no-cache', '--repo', repo, 'key', 'list', '--json'], {
      env: { ...process.env, RESTIC_PASSWORD: Buffer.from(await c.keks.derive(result.newKekId, 'backup-repository')).toString('hex') },
    });
    expect(JSON.parse(stdout)).toHaveLength(1);
  });

  it('a full disk fails the backup with a clear error and leaves the previous backup intact', async () => {
    const small = path.join(state.stateDir, 'small');
    await fs.mkdir(small);
    await run('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', small]);
    const onSmall = ctx({ GENOS_BACKUP_DIR: path.join(small, 'repo') });
    await createBackup(onSmall, { trigger: 'manual', actor });
    await fs.writeFile(path.join(state.stateDir, 'recordings', 'big'), (await import('node:crypto')).randomBytes(6 << 20));
    await expect(createBackup(onSmall, { trigger: 'manual', actor })).rejects.toThrow(/backup disk is full.*earlier backups are intact/);
    await fs.rm(path.join(state.stateDir, 'recordings', 'big'));
    await run('mount', ['-o', 'remount,size=64m', small]);
    expect(await listBackups(onSmall)).toHaveLength(1);
    expect(await verifyBackups(onSmall, actor)).toMatchObject({ ok: true });
    expect((await db.prisma.backupRun.findFirst({ orderBy: { startedAt: 'desc' } }))?.status).toBe('failed');
  });

  it('a backup killed midway never lists; the next run marks it failed and succeeds', async () => {
    const c = ctx({ GENOS_BACKUP_DIR: path.join(state.stateDir, 'repo-killed') });
    await c.repository.ensure();
    const big = path.join(state.stateDir, 'recordings', 'long-session');
    await fs.writeFile(big, (await import('node:crypto')).randomBytes(256 << 20));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'backup-child.fixture.ts'), JSON.stringify({ ...settings, GENOS_BACKUP_DIR: c.repository.location })], { detached: true, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    // Kill it (node and its restic, like a worker's container going away) once restic is writing.
    for (let i = 0; i < 600; i++) {
      const packs = (await fs.readdir(path.join(c.repository.location, 'data'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
      if (packs.length > 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    await fs.rm(big);
    expect(await listBackups(c)).toEqual([]);
    expect((await db.prisma.backupRun.findFirst({ orderBy: { startedAt: 'desc' } }))?.status).toBe('running');

    const next = await createBackup(c, { trigger: 'scheduled', actor });
    expect(await listBackups(c)).toEqual([expect.objectContaining({ shortId: next.snapshotId })]);
    const [last, killed] = await db.prisma.backupRun.findMany({ orderBy: { startedAt: 'desc' }, take: 2 });
    expect(last).toMatchObject({ status: 'succeeded' });
    expect(killed).toMatchObject({ status: 'failed', error: expect.stringMatching(/interrupted/) });
    expect(await verifyBackups(c, actor)).toMatchObject({ ok: true });
  });

  it('runs the backup an admin scheduled once a day, keeps what retention says, and shows it to admins', async () => {
    const c = ctx({ GENOS_BACKUP_DIR: path.join(state.stateDir, 'repo-scheduled') });
    // Earlier tests' scheduled runs (the killed one's retry) would count as today's backup.
    await db.prisma.backupRun.deleteMany();
    const store = createPrismaStore({ prisma: db.prisma, enqueue: async () => null });
    const admin = await db.prisma.user.create({ data: { email: 'root@genos.test', role: 'admin' } });
    const adminActor = { kind: 'user' as const, id: admin.id, isAdmin: true };
    await setBackupSchedule({ store, actor: adminActor, schedule: { enabled: true, hourUtc: 0, keepDaily: 1, keepWeekly: 0 } });
    const log = pino({ level: 'silent' });
    const day1 = startScheduledBackups({ ctx: c, runs: c.runs, log, everyMs: 3_600_000, now: () => new Date() });
    await day1.tick();
    await day1.tick();
    day1.stop();
    expect(await listBackups(c)).toHaveLength(1);
    // The next day's run: retention (1 daily) keeps only the newest.
    const tomorrow = new Date(Date.now() + 86_400_000);
    const day2 = startScheduledBackups({ ctx: c, runs: c.runs, log, everyMs: 3_600_000, now: () => tomorrow });
    await day2.tick();
    day2.stop();
    const left = await listBackups(c);
    expect(left).toHaveLength(1);
    const status = await getBackupStatus({ store, actor: adminActor });
    expect(status.last).toMatchObject({ trigger: 'scheduled', status: 'succeeded', snapshotId: left[0]!.shortId });
    expect(status.last!.bytes).toBeGreaterThan(0);
    expect(status.schedule).toMatchObject({ enabled: true, keepDaily: 1 });
    await expect(getBackupStatus({ store, actor: { kind: 'user', id: userId } })).rejects.toThrow(/administrators only/);
    expect(await db.prisma.auditLog.count({ where: { action: 'backup.schedule.set' } })).toBe(1);
    // Prometheus sees when the last good backup finished (alerting on a stale one).
    const metrics = createWorkerMetrics({ prisma: db.prisma, store, stateDir: state.stateDir });
    // The job-queue gauges fail here (no pg-boss schema in this database); each gauge is read on its own.
    await metrics.collect().catch(() => {});
    const exported = await metrics.registry.getSingleMetricAsString('genos_backup_last_success_timestamp_seconds');
    expect(Number(/\n[^#\n]*genos_backup_last_success_timestamp_seconds(?:\{[^}]*\})? ([0-9.e+]+)/.exec(exported)?.[1])).toBeCloseTo(status.lastSuccess!.finishedAt!.getTime() / 1000, 0);
  });

  it('verify names the corrupt repository file and the backed-up files in it', async () => {
    const c = ctx({ GENOS_BACKUP_DIR: path.join(state.stateDir, 'repo-corrupt') });
    const photo = path.join(path.dirname(await homeFile()), 'photo.raw');
    await fs.writeFile(photo, (await import('node:crypto')).randomBytes(1 << 20));
    await createBackup(c, { trigger: 'manual', actor });
    await fs.rm(photo);
    const index = path.join(c.repository.location, 'data');
    const packs: string[] = [];
    for (const e of await fs.readdir(index, { recursive: true, withFileTypes: true })) if (e.isFile()) packs.push(path.join(e.parentPath, e.name));
    // The largest pack holds the 1 MiB photo's content.
    const sizes = await Promise.all(packs.map(async (p) => ({ p, size: (await fs.stat(p)).size })));
    const victim = sizes.sort((a, b) => b.size - a.size)[0]!.p;
    await fs.chmod(victim, 0o600);
    const bytes = await fs.readFile(victim);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    await fs.writeFile(victim, bytes);
    const r = await verifyBackups(c, actor);
    expect(r.ok).toBe(false);
    expect(r.corrupt).toEqual([{ file: path.relative(c.repository.location, victim), holds: expect.arrayContaining([photo]) }]);
  });
});
