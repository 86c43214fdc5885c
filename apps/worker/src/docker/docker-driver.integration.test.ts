import fs from 'node:fs/promises';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, expect } from 'vitest';
import { DEFAULT_SPEC, type EnvironmentSpec } from '@genos/core';
import { keyServiceFor } from '@genos/db/keys';
import { createTestDatabase, freshTestState } from '@genos/db/testing';
import { ensureBaseImage } from '../images/build-base-image';
import { runDriverContract } from '../runtime/driver-contract';
import { transferCiphersDirOf, transferKeysOf } from '../security/encrypted-transfer';
import { networkName } from './container-config';
import { createDockerDriver } from './docker-driver';

// The driver contract (../runtime/driver-contract.ts), against the real Docker engine and the real guacd.
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
// A state dir and an instance of this run's own, removed at the end.
const state = await freshTestState('docker-driver');
const { stateDir } = state;
// With the key service, as a deployment's worker has it: desktops get their encrypted Transfer folder.
const db = await createTestDatabase();
const { keys } = keyServiceFor({ prisma: db.prisma, kekFile: process.env.GENOS_KEK_FILE! });
const driver = createDockerDriver({ docker, stateDir, labels: state.labels, transferKeys: transferKeysOf(keys, { kind: 'worker' }) });
const spec: EnvironmentSpec = { ...DEFAULT_SPEC, apps: ['xterm'], resources: { ...DEFAULT_SPEC.resources, memoryMiB: 512, cpu: 0.5 } };

async function execIn(ref: string, cmd: string[]): Promise<string> {
  const exec = await docker.getContainer(ref).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  return new Promise<string>((resolve) => {
    let s = '';
    stream.on('data', (d: Buffer) => (s += d.toString('latin1')));
    stream.on('end', () => resolve(s.replace(/[\x00-\x08]/g, '')));
  });
}

// Registered before the contract's own afterAll, so it runs after it (vitest runs after-hooks in reverse).
afterAll(async () => {
  await db.drop();
  await state.remove();
});

runDriverContract({
  name: 'docker',
  driver,
  spec,
  environmentId: `drv${Date.now().toString(36)}`,
  displayTimeoutMs: 30_000,
  setup: async () => {
    await ensureBaseImage({ docker });
  },
  async checkProfile(ref, id) {
    const info = await docker.getContainer(ref).inspect();
    expect(info.Config.User).toBe('1000:1000');
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    expect(info.HostConfig.CapAdd ?? []).toEqual([]);
    expect(info.HostConfig.Privileged).toBe(false);
    expect(info.HostConfig.SecurityOpt).toContain('no-new-privileges');
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(info.HostConfig.Memory).toBe(512 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(0.5e9);
    expect(info.HostConfig.PidsLimit).toBeGreaterThan(0);
    // The display socket's folder and the file-transfer folder: each the environment's own, nothing else of the host.
    expect(info.Mounts.map((m) => m.Source).sort()).toEqual([path.join(stateDir, 'displays', id), path.join(stateDir, 'transfer', id, 'files')]);
  },
  async networkInterfaces(ref) {
    const info = await docker.getContainer(ref).inspect();
    if (!info.State.Running) return Object.keys(info.NetworkSettings.Networks ?? {}).filter((n) => n !== 'none');
    // Seen from inside: /proc/net/dev lists every interface the container has.
    const out = await execIn(ref, ['cat', '/proc/net/dev']);
    expect(out).toContain('lo:');
    return [...out.matchAll(/^\s*([\w.@-]+):/gm)].map((m) => m[1]!).filter((n) => n !== 'lo');
  },
  // A file on the container's /tmp tmpfs: written on the first call, read back after resume.
  identity: (ref) => execIn(ref, ['sh', '-c', 'test -s /tmp/genos-marker || head -c 12 /dev/urandom | od -An -tx1 | tr -d " \\n" > /tmp/genos-marker; cat /tmp/genos-marker']),
  async ownNetworkExists(id) {
    return (await docker.listNetworks({ filters: { name: [networkName(id)] } })).some((n) => n.Name === networkName(id));
  },
  async leftovers(id) {
    const left: string[] = [];
    const dir = path.join(stateDir, 'displays', id);
    if (await fs.access(dir).then(() => true, () => false)) left.push(dir);
    for (const transfer of [path.join(stateDir, 'transfer', id), path.join(transferCiphersDirOf(stateDir), id)]) {
      if (await fs.access(transfer).then(() => true, () => false)) left.push(transfer);
    }
    if ((await docker.listContainers({ all: true, filters: { name: [`genos-env-${id}`] } })).length) left.push(`container genos-env-${id}`);
    return left;
  },
});
