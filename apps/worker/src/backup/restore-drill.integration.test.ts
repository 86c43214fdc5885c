import fs from 'node:fs/promises';
import path from 'node:path';
import argon2 from 'argon2';
import Dockerode from 'dockerode';
import { generate } from 'otplib';
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { auditThrough, DEFAULT_SPEC, homeVolumeKey, RECORDING_PURPOSE, recordingContext, sealTotpSecret, type EnvironmentSpec } from '@genos/core';
import { createPrismaStore } from '@genos/db';
import { keyServiceFor, openSealedFile, sealFile } from '@genos/db/keys';
import { createTestDatabase, freshTestState, type FreshTestState, type TestDatabase } from '@genos/db/testing';
import { attemptPasswordSignIn } from '../../../web/src/server/auth/sign-in';
import { SlidingWindow } from '../../../web/src/server/auth/throttle';
import { newTotpSecret } from '../../../web/src/server/auth/totp';
import { createDockerDriver } from '../docker/docker-driver';
import { ensureBaseImage } from '../images/build-base-image';
import { cipherDirOf, encryptedHomes } from '../security/encrypted-home';
import { backupContext, type BackupSettings } from './backup-context';
import { createBackup, listBackups, restoreBackup } from './backup-service';

// The restore drill: a deployment's data, backed up; its database and state dir destroyed; restored
// into an empty database and a new state dir on the same machine; then a user signs in and finds it all.
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const PASSWORD = 'correct horse battery staple';
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** Runs a shell line as the desktop user inside a container; returns what it printed. */
async function sh(ref: string, script: string): Promise<string> {
  const exec = await docker.getContainer(ref).exec({ Cmd: ['bash', '-c', script], AttachStdout: true, AttachStderr: true, Tty: true });
  const stream = await exec.start({ Tty: true });
  return new Promise((resolve) => {
    let out = '';
    stream.on('data', (d: Buffer) => (out += d.toString('utf8')));
    stream.on('end', () => resolve(out.replace(/\r/g, '')));
  });
}

async function settingsFor(db: TestDatabase, state: FreshTestState, repo: string): Promise<BackupSettings> {
  await fs.mkdir(path.join(state.stateDir, 'recipes'), { recursive: true });
  return {
    DATABASE_URL: db.url,
    // The KEK is not in the backup: like an operator, the drill keeps its key file apart (the test run's own).
    GENOS_KEK_FILE: process.env.GENOS_KEK_FILE!,
    GENOS_INSTANCE: state.instance,
    GENOS_STATE_DIR: state.stateDir,
    GENOS_BACKUP_DIR: repo,
    hostName: 'drill-host',
    dockerSocket: '/var/run/docker.sock',
    labels: state.labels,
    recipesDir: path.join(state.stateDir, 'recipes'),
    settingsFile: path.join(state.stateDir, 'genos.env'),
  };
}

describe('restore drill', () => {
  it('brings users, team, quotas, environments, home files, recordings and the audit log back into an empty deployment', async () => {
    const repoState = await freshTestState('drill-repo');
    cleanups.push(() => repoState.remove());
    const repo = path.join(repoState.stateDir, 'repo');

    // --- the deployment before the disaster ---------------------------------
    const db1 = await createTestDatabase();
    const state1 = await freshTestState('drill-a');
    cleanups.push(() => db1.drop(), () => state1.remove());
    const p = db1.prisma;
    const { keys } = keyServiceFor({ prisma: p, kekFile: process.env.GENOS_KEK_FILE! });
    const secret = newTotpSecret();
    const ann = await p.user.create({ data: { email: 'ann@genos.test', name: 'Ann', passwordHash: await argon2.hash(PASSWORD), totpEnabled: true } });
    await p.user.update({ where: { id: ann.id }, data: { totpSecret: await sealTotpSecret({ keys, userId: ann.id, secret, actor: { kind: 'system' } }) } });
    const ben = await p.user.create({ data: { email: 'ben@genos.test', passwordHash: await argon2.hash(PASSWORD) } });
    const team = await p.team.create({ data: { name: 'Lab', slug: 'lab', recordSessions: true } });
    await p.membership.createMany({ data: [{ userId: ann.id, teamId: team.id, role: 'owner' }, { userId: ben.id, teamId: team.id, role: 'member' }] });
    await p.quota.createMany({
      data: [
        { scope: 'user', subjectId: ann.id, maxEnvironments: 3, maxCpu: 6, maxMemoryMiB: 8192, maxDiskGiB: 40, maxHoursPerDay: 10, priority: 2 },
        { scope: 'team', subjectId: team.id, maxEnvironments: 9, maxCpu: 16, maxMemoryMiB: 32768, maxDiskGiB: 200, maxHoursPerDay: 50 },
      ],
    });
    const env = await p.environment.create({ data: { name: 'thesis desktop', spec: { name: 'thesis desktop', persistence: { homeVolume: true } }, state: 'terminated', ownerId: ann.id, teamId: team.id } });
    // Ann's encrypted home, written through its plaintext view as her desktop would (then unmounted).
    const homes1 = encryptedHomes({ stateDir: state1.stateDir, keyFor: (ownerId) => homeVolumeKey({ keys, ownerId, actor: { kind: 'system' } }), docker });
    await homes1.ensure(ann.id);
    const home = await homes1.prepare('drill-seed');
    cleanups.push(() => homes1.release('drill-seed'));
    await homes1.mount(ann.id, 'drill-seed');
    const thesis = Buffer.from('chapter 1: why backups matter\n'.repeat(2000));
    try {
      await fs.mkdir(path.join(home, 'Documents'));
      await fs.writeFile(path.join(home, 'Documents', 'thesis.md'), thesis);
      await fs.chown(path.join(home, 'Documents'), 1000, 1000);
      await fs.chown(path.join(home, 'Documents', 'thesis.md'), 1000, 1000);
    } finally {
      await homes1.release('drill-seed');
    }
    await fs.mkdir(path.join(state1.stateDir, 'recordings'), { recursive: true, mode: 0o700 });
    // A recording as the web app keeps it: sealed under its own data key (recordings.ts).
    const recordingBytes = Buffer.from('4.size,1.0,4.1024,3.768;'.repeat(5000));
    const recRow = await p.recording.create({ data: { environmentId: env.id, userId: ann.id, path: '', bytes: recordingBytes.length } });
    const recordingFile = path.join(state1.stateDir, 'recordings', `${recRow.id}.guac.sealed`);
    const recordingPlain = path.join(state1.stateDir, `${recRow.id}.plain`);
    await fs.writeFile(recordingPlain, recordingBytes);
    const recKeys = keyServiceFor({ prisma: p, kekFile: process.env.GENOS_KEK_FILE! }).keys;
    const recKey = await recKeys.dataKey({ purpose: RECORDING_PURPOSE, objectId: recRow.id }, { kind: 'system' });
    await sealFile({ key: recKey, from: recordingPlain, to: recordingFile, context: recordingContext(recRow.id) });
    await fs.rm(recordingPlain);
    await p.recording.update({ where: { id: recRow.id }, data: { path: recordingFile } });
    const audit = auditThrough(createPrismaStore({ prisma: p, enqueue: async () => null }));
    for (const action of ['team.create', 'quota.set', 'environment.create']) await audit({ actor: { kind: 'user', id: ann.id }, action, targetType: 'drill', targetId: team.id });
    const auditRows = await p.auditLog.count();

    const settings1 = await settingsFor(db1, state1, repo);
    const made = await createBackup(backupContext(settings1, p), { trigger: 'manual', actor: { kind: 'system' } });
    const repoBytes = Number((await import('node:child_process')).execFileSync('du', ['-sb', repo]).toString().split('\t')[0]);
    // The home in the backup is its cipher directory: no home file in the clear, even inside restic.
    expect(made.manifest.sources.filter((s) => s.role === 'home')).toEqual([expect.objectContaining({ path: cipherDirOf(state1.stateDir, ann.id), owner: ann.id })]);

    // --- the disaster: database and state dir (with the encrypted homes) gone --
    await db1.drop();
    await state1.remove();

    // --- restore into an empty database and a new state dir ----------------
    const db2 = await createTestDatabase();
    const state2 = await freshTestState('drill-b');
    cleanups.push(() => db2.drop(), () => state2.remove());
    const ctx2 = backupContext(await settingsFor(db2, state2, repo), db2.prisma);
    expect(await listBackups(ctx2)).toHaveLength(1);
    const restored = await restoreBackup(ctx2, { force: false, actor: { kind: 'system' } });
    console.log(
      `[restore-drill] backup ${made.seconds.toFixed(2)} s, ${(made.bytes / 1024).toFixed(0)} KiB backed up, repository ${(repoBytes / 1024).toFixed(0)} KiB; ` +
        `restore ${restored.seconds.toFixed(2)} s, ${restored.tables} tables, ${restored.rows} rows`,
    );

    // --- everything is back -------------------------------------------------
    const q = db2.prisma;
    const windows = { ip: new SlidingWindow(100, 60_000), unknownEmail: new SlidingWindow(100, 60_000) };
    const code = await generate({ secret, epoch: Math.floor(Date.now() / 1000) });
    expect(await attemptPasswordSignIn(q, { email: 'ann@genos.test', password: PASSWORD, code, ip: null }, windows)).toMatchObject({ ok: true, mfa: 'totp', user: { id: ann.id } });
    expect(await attemptPasswordSignIn(q, { email: 'ben@genos.test', password: PASSWORD, ip: null }, windows)).toMatchObject({ ok: true, user: { id: ben.id } });
    expect(await q.membership.findMany({ where: { teamId: team.id }, orderBy: { role: 'asc' }, select: { userId: true, role: true } })).toEqual([
      { userId: ann.id, role: 'owner' },
      { userId: ben.id, role: 'member' },
    ]);
    expect(await q.team.findUniqueOrThrow({ where: { id: team.id } })).toMatchObject({ slug: 'lab', recordSessions: true });
    expect(await q.quota.findUniqueOrThrow({ where: { scope_subjectId: { scope: 'user', subjectId: ann.id } } })).toMatchObject({ maxCpu: 6, priority: 2 });
    expect(await q.environment.findUniqueOrThrow({ where: { id: env.id } })).toMatchObject({ name: 'thesis desktop', ownerId: ann.id, teamId: team.id });
    expect(await q.auditLog.count({ where: { action: { in: ['team.create', 'quota.set', 'environment.create'] } } })).toBe(3);
    expect(await q.auditLog.count()).toBeGreaterThanOrEqual(auditRows);
    const rec = await q.recording.findFirstOrThrow({ where: { environmentId: env.id } });
    expect(Number(rec.bytes)).toBe(recordingBytes.length);
    // Back sealed, and it plays with the data key that came back with the database.
    const sealedBack = path.join(state2.stateDir, 'recordings', path.basename(rec.path));
    expect((await fs.readFile(sealedBack)).includes('4.size')).toBe(false);
    const recKey2 = await keyServiceFor({ prisma: q, kekFile: process.env.GENOS_KEK_FILE! }).keys.dataKey({ purpose: RECORDING_PURPOSE, objectId: rec.id }, { kind: 'system' });
    const played = await openSealedFile({ key: recKey2, file: sealedBack, context: recordingContext(rec.id) });
    const playedBytes: Buffer[] = [];
    for await (const c of played.stream) playedBytes.push(c as Buffer);
    expect(Buffer.concat(playedBytes)).toEqual(recordingBytes);
    // Back as ciphertext (gocryptfs.conf and all), owned by the desktop user; only the restored data key opens it.
    const home2 = cipherDirOf(state2.stateDir, ann.id);
    expect(await fs.readdir(home2)).toEqual(expect.arrayContaining(['gocryptfs.conf', 'gocryptfs.diriv']));
    expect((await fs.stat(home2)).uid).toBe(1000);

    // Ann's next desktop on the restored deployment opens her old home.
    await ensureBaseImage({ docker });
    const keys2 = keyServiceFor({ prisma: q, kekFile: process.env.GENOS_KEK_FILE! }).keys;
    const driver = createDockerDriver({ docker, stateDir: state2.stateDir, labels: state2.labels, homeKeys: (ownerId) => homeVolumeKey({ keys: keys2, ownerId, actor: { kind: 'worker' } }) });
    const spec: EnvironmentSpec = { ...DEFAULT_SPEC, resources: { ...DEFAULT_SPEC.resources, memoryMiB: 256, cpu: 0.5 }, persistence: { homeVolume: true } };
    const environmentId = `drill${Date.now().toString(36)}`;
    const { runtimeRef } = await driver.create({ environmentId, spec, ownerId: ann.id });
    cleanups.push(() => driver.terminate({ environmentId, runtimeRef }));
    await driver.start(runtimeRef);
    expect(await sh(runtimeRef, 'id -u; stat -c %u ~/Documents/thesis.md; sha256sum < ~/Documents/thesis.md | cut -d" " -f1')).toBe(`1000\n1000\n${createHash('sha256').update(thesis).digest('hex')}\n`);
  });
});
