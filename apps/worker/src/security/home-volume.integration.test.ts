// Home volumes against the real Docker engine: one encrypted home per user
// (encrypted-home.integration.test.ts tests the encryption itself), kept
// across terminate, mounted into that user's next environment only.
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, homeVolumeKey, type EnvironmentSpec } from '@genos/core';
import { keyServiceFor } from '@genos/db/keys';
import { createTestDatabase, freshTestState } from '@genos/db/testing';
import { createDockerDriver } from '../docker/docker-driver';
import { ensureBaseImage } from '../images/build-base-image';
import { cipherDirOf, isCipherDir } from './encrypted-home';
import { homeVolumeName, removeHomeVolume } from './home-volume';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
// A state dir and an instance of this run's own, removed at the end.
const state = await freshTestState('home-volume');
const db = await createTestDatabase();
const { keys } = keyServiceFor({ prisma: db.prisma, kekFile: process.env.GENOS_KEK_FILE! });
const driver = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels, homeKeys: (ownerId) => homeVolumeKey({ keys, ownerId, actor: { kind: 'worker' } }) });
const stamp = Date.now().toString(36);
const alice = `alice${stamp}`;
const bob = `bob${stamp}`;
const squatter = `squat${stamp}`;
const spec: EnvironmentSpec = { ...DEFAULT_SPEC, resources: { ...DEFAULT_SPEC.resources, memoryMiB: 256, cpu: 0.5 }, persistence: { homeVolume: true } };
const made: { environmentId: string; runtimeRef: string }[] = [];

async function sh(ref: string, script: string): Promise<string> {
  const exec = await docker.getContainer(ref).exec({ Cmd: ['bash', '-c', script], AttachStdout: true, AttachStderr: true, Tty: true });
  const stream = await exec.start({ Tty: true });
  return new Promise((resolve) => {
    let s = '';
    stream.on('data', (d: Buffer) => (s += d.toString('utf8')));
    stream.on('end', () => resolve(s.replace(/\r/g, '')));
  });
}

async function up(environmentId: string, ownerId?: string): Promise<string> {
  const { runtimeRef } = await driver.create({ environmentId, spec, ownerId }).catch(async (e: unknown) => {
    await driver.terminate({ environmentId, runtimeRef: null });
    throw e;
  });
  made.push({ environmentId, runtimeRef });
  await driver.start(runtimeRef);
  return runtimeRef;
}

beforeAll(async () => {
  await ensureBaseImage({ docker });
});

afterAll(async () => {
  try {
    await Promise.all(made.map((m) => driver.terminate(m)));
    for (const owner of [alice, bob, squatter]) await removeHomeVolume(docker, owner);
  } finally {
    await state.remove();
    await db.drop();
  }
});

describe('home volumes', () => {
  it("survive terminate and come back in the same user's next environment, owned by the desktop user", async () => {
    const first = await up(`hv${stamp}1`, alice);
    expect(await sh(first, 'echo kept > ~/notes.txt && stat -c %u:%g ~ && findmnt -no TARGET /home/genos || grep " /home/genos " /proc/mounts')).toMatch(/1000:1000/);
    await driver.terminate(made.pop()!);
    expect(await isCipherDir(cipherDirOf(state.stateDir, alice))).toBe(true);
    const second = await up(`hv${stamp}2`, alice);
    expect(await sh(second, 'cat ~/notes.txt')).toBe('kept\n');
    const info = await docker.getContainer(second).inspect();
    expect(info.Mounts.find((m) => m.Destination === '/home/genos')).toMatchObject({ Type: 'bind', Source: `${state.stateDir}/home-mounts/hv${stamp}2` });
  });

  it("another user gets a home of their own and never sees the first user's files", async () => {
    const other = await up(`hv${stamp}3`, bob);
    expect(await sh(other, 'ls -A ~; cat ~/notes.txt 2>&1')).toMatch(/No such file/);
    const info = await docker.getContainer(other).inspect();
    expect(info.Mounts.find((m) => m.Destination === '/home/genos')?.Source).toBe(`${state.stateDir}/home-mounts/hv${stamp}3`);
    expect(await isCipherDir(cipherDirOf(state.stateDir, bob))).toBe(true);
  });

  it('refuses a same-named volume that is not GenOS\u2019s home of that user, and a home without an owner', async () => {
    await docker.createVolume({ Name: homeVolumeName(squatter), Labels: state.labels });
    await expect(driver.create({ environmentId: `hv${stamp}4`, spec, ownerId: squatter })).rejects.toThrow(/not this user's GenOS home/);
    await expect(driver.create({ environmentId: `hv${stamp}5`, spec })).rejects.toThrow(/needs the environment owner/);
    // What the worker does after a failed create (provision-environment): nothing half-made stays behind.
    await driver.terminate({ environmentId: `hv${stamp}4`, runtimeRef: null });
    await driver.terminate({ environmentId: `hv${stamp}5`, runtimeRef: null });
    expect(await docker.listContainers({ all: true, filters: { name: [`hv${stamp}4`, `hv${stamp}5`] } })).toEqual([]);
  });
});
