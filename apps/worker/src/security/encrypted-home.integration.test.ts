// Encrypted home volumes against the real Docker engine, gocryptfs and key
// service: what a desktop writes into its home is on the host's disk only as
// ciphertext, decrypted only inside a running desktop, and back in the owner's
// next desktop.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, homeVolumeKey, type EnvironmentSpec } from '@genos/core';
import { keyServiceFor } from '@genos/db/keys';
import { createTestDatabase, freshTestState } from '@genos/db/testing';
import { createDockerDriver } from '../docker/docker-driver';
import { desktopShell } from '../docker/desktop-shell';
import { ensureBaseImage } from '../images/build-base-image';
import { cipherDirOf, encryptedHomes, homeMountsDirOf } from './encrypted-home';
import { mountedUnder } from './gocryptfs';
import { ensureHomeVolume, homeVolumeName, removeHomeVolume } from './home-volume';
import { servesMountpoint } from './proc-mounts';

const run = promisify(execFile);
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const state = await freshTestState('enc-home');
const db = await createTestDatabase();
const { keys } = keyServiceFor({ prisma: db.prisma, kekFile: process.env.GENOS_KEK_FILE! });
const homeKeys = (ownerId: string) => homeVolumeKey({ keys, ownerId, actor: { kind: 'worker' } });
const driver = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels, homeKeys });
const stamp = Date.now().toString(36);
const ann = `ann${stamp}`;
const old = `old${stamp}`;
const spec: EnvironmentSpec = { ...DEFAULT_SPEC, resources: { ...DEFAULT_SPEC.resources, memoryMiB: 256, cpu: 0.5 }, persistence: { homeVolume: true } };
const made = new Map<string, string | null>();

async function up(environmentId: string, ownerId: string, s = spec): Promise<{ ref: string; startMs: number }> {
  made.set(environmentId, null);
  const { runtimeRef } = await driver.create({ environmentId, spec: s, ownerId });
  made.set(environmentId, runtimeRef);
  const t0 = performance.now();
  await driver.start(runtimeRef);
  return { ref: runtimeRef, startMs: performance.now() - t0 };
}

async function down(environmentId: string): Promise<void> {
  await driver.terminate({ environmentId, runtimeRef: made.get(environmentId) ?? null });
  made.delete(environmentId);
}

const sh = (ref: string, script: string) => desktopShell(docker, ref, script);

/** gocryptfs processes still serving a mountpoint of this suite. */
async function daemonsOfSuite(): Promise<string[]> {
  const root = homeMountsDirOf(state.stateDir);
  const found: string[] = [];
  for (const pid of (await fs.readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const argv = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').then((s) => s.split('\0'), () => []);
    const last = argv.filter(Boolean).at(-1) ?? '';
    if (last.startsWith(`${root}/`) && servesMountpoint(argv, last)) found.push(`${pid} ${last}`);
  }
  return found;
}

async function waitForNoDaemons(): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    const left = await daemonsOfSuite();
    if (!left.length) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
  return daemonsOfSuite();
}

/** Files under `dirs` holding `needle` (grep -r: exit 1 means none). */
async function filesHolding(needle: string, dirs: string[]): Promise<string[]> {
  try {
    const { stdout } = await run('grep', ['-r', '-l', '-F', '-s', '--', needle, ...dirs], { maxBuffer: 1 << 20 });
    return stdout.split('\n').filter(Boolean);
  } catch (e) {
    const err = e as { code?: number; stdout?: string };
    if (err.code === 1) return [];
    // 2: some file could not be read (a socket, a file gone meanwhile); matches found are still printed.
    return (err.stdout ?? '').split('\n').filter(Boolean);
  }
}

beforeAll(async () => {
  await ensureBaseImage({ docker });
});

afterAll(async () => {
  try {
    for (const id of [...made.keys()]) await down(id).catch(() => {});
    for (const owner of [ann, old]) await removeHomeVolume(docker, owner).catch(() => {});
    // Never rm -r a state dir that still has a plaintext mount in it.
    for (const m of await mountedUnder(state.stateDir)) await run('umount', ['-l', m]);
  } finally {
    await state.remove();
    await db.drop();
  }
});

describe('encrypted home volumes', () => {
  const secret = `genos-secret-${randomBytes(16).toString('hex')}`;

  it('what a desktop writes into its home is nowhere in the clear on the host once it stops, and back in the next desktop', async () => {
    // The same desktop with its home on a tmpfs, for the start time a mount adds.
    const tmpfs = await up(`eh${stamp}p`, ann, { ...spec, persistence: { homeVolume: false } });
    await down(`eh${stamp}p`);
    const first = await up(`eh${stamp}a`, ann);
    console.log(`[encrypted-home] start with the encrypted home (mount, docker start, detach): ${first.startMs.toFixed(0)} ms; with a tmpfs home: ${tmpfs.startMs.toFixed(0)} ms`);
    expect(await sh(first.ref, `echo ${secret} > ~/secret.txt && mkdir -p ~/Documents && cp ~/secret.txt ~/Documents/copy.txt && stat -c %u:%a ~ ~/secret.txt && id -u`)).toBe(`1000:700\n1000:644\n1000`);
    // While it runs the plaintext is only in the desktop's own mount namespace: the host sees ciphertext only.
    expect(await mountedUnder(state.stateDir)).toEqual([]);
    expect(await filesHolding(secret, [state.stateDir])).toEqual([]);
    const cipherDir = cipherDirOf(state.stateDir, ann);
    expect((await fs.readdir(cipherDir)).sort()).toEqual(expect.arrayContaining(['gocryptfs.conf', 'gocryptfs.diriv']));
    expect((await fs.readdir(cipherDir)).length).toBeGreaterThanOrEqual(4); // the two files, Documents, and the conf files

    await down(`eh${stamp}a`);
    expect(await waitForNoDaemons()).toEqual([]);
    expect(await mountedUnder(state.stateDir)).toEqual([]);
    expect(await fs.readdir(homeMountsDirOf(state.stateDir))).toEqual([]);
    expect(await docker.listContainers({ all: true, filters: { label: [`genos.instance=${state.instance}`] } })).toEqual([]);
    expect(await filesHolding(secret, [state.stateDir, '/var/lib/docker/volumes'])).toEqual([]);

    const second = await up(`eh${stamp}b`, ann);
    expect(await sh(second.ref, 'cat ~/secret.txt ~/Documents/copy.txt')).toBe(`${secret}\n${secret}`);
    await down(`eh${stamp}b`);
    expect(await waitForNoDaemons()).toEqual([]);
  });

  it('two desktops of one owner at once each mount the home and see each other\u2019s files', async () => {
    try {
      const a = await up(`eh${stamp}c`, ann);
      const b = await up(`eh${stamp}d`, ann);
      // Each side says what it saw, so a failure tells a write that failed from a read that missed it.
      expect(await sh(a.ref, 'echo from-c > ~/shared.txt && cat ~/shared.txt && stat -f -c %T ~')).toBe('from-c\nfuseblk');
      expect(await sh(b.ref, 'cat ~/shared.txt; cat ~/secret.txt')).toBe(`from-c\n${secret}`);
      await down(`eh${stamp}c`);
      // The other desktop keeps its home while the first one's gocryptfs ends.
      expect(await sh(b.ref, 'echo more >> ~/shared.txt && cat ~/shared.txt')).toBe('from-c\nmore');
    } finally {
      // A failure here must not leave two daemons for the next test to find.
      for (const id of [`eh${stamp}c`, `eh${stamp}d`]) if (made.has(id)) await down(id);
    }
    expect(await waitForNoDaemons()).toEqual([]);
  });

  it('moves a plain home volume from before encryption into the encrypted home once, then removes it', async () => {
    await ensureHomeVolume(docker, old, state.labels);
    const volumeDir = (await docker.getVolume(homeVolumeName(old)).inspect()).Mountpoint;
    const legacy = `legacy-${randomBytes(12).toString('hex')}`;
    await fs.writeFile(path.join(volumeDir, 'kept.txt'), `${legacy}\n`);
    await fs.chown(path.join(volumeDir, 'kept.txt'), 1000, 1000);
    const d = await up(`eh${stamp}m`, old);
    expect(await sh(d.ref, 'cat ~/kept.txt && stat -c %u ~/kept.txt')).toBe(`${legacy}\n1000`);
    await expect(docker.getVolume(homeVolumeName(old)).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await down(`eh${stamp}m`);
    expect(await filesHolding(legacy, [state.stateDir, '/var/lib/docker/volumes'])).toEqual([]);
  });

  it('a mount a crashed worker left (mounted, no container) is listed and removed by terminate', async () => {
    const homes = encryptedHomes({ stateDir: state.stateDir, keyFor: homeKeys });
    const id = `eh${stamp}x`;
    await homes.prepare(id);
    const t0 = performance.now();
    await homes.mount(ann, id);
    const mountMs = performance.now() - t0;
    console.log(`[encrypted-home] gocryptfs mount alone: ${mountMs.toFixed(0)} ms`);
    expect(await mountedUnder(state.stateDir)).toEqual([homes.mountpointFor(id)]);
    expect((await driver.list()).find((s) => s.environmentId === id)).toEqual({ environmentId: id, runtimeRef: `genos-env-${id}`, state: 'missing' });
    await driver.terminate({ environmentId: id, runtimeRef: null });
    expect(await mountedUnder(state.stateDir)).toEqual([]);
    expect(await waitForNoDaemons()).toEqual([]);
    expect(await fs.readdir(homeMountsDirOf(state.stateDir))).toEqual([]);
  });

  it('a wrong data key opens nothing: the start is refused and nothing stays mounted', async () => {
    const wrong = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels, homeKeys: async () => randomBytes(32) });
    const id = `eh${stamp}w`;
    made.set(id, null);
    const { runtimeRef } = await wrong.create({ environmentId: id, spec, ownerId: ann });
    made.set(id, runtimeRef);
    await expect(wrong.start(runtimeRef)).rejects.toThrow(/does not open with its data key/);
    expect((await docker.getContainer(runtimeRef).inspect()).State.Running).toBe(false);
    await down(id);
    expect(await mountedUnder(state.stateDir)).toEqual([]);
    // And a worker without the key service refuses homes instead of keeping them in the clear.
    const keyless = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels });
    await expect(keyless.create({ environmentId: `eh${stamp}k`, spec, ownerId: `new${stamp}` })).rejects.toThrow(/needs GENOS_KEK_FILE/);
    await keyless.terminate({ environmentId: `eh${stamp}k`, runtimeRef: null });
  });
});
