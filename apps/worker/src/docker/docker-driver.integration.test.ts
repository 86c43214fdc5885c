import fs from 'node:fs/promises';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, type EnvironmentSpec } from '@genos/core';
import { probeGuacd } from '../display/guacd-probe';
import { ensureBaseImage } from '../images/build-base-image';
import { INSTANCE_LABEL, networkName } from './container-config';
import { createDockerDriver } from './docker-driver';

// The driver contract, against the real Docker engine and the real guacd.
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const stateDir = '/var/lib/genos/test';
const driver = createDockerDriver({ docker, stateDir, labels: { [INSTANCE_LABEL]: 'test' } });
const GUACD = { host: '127.0.0.1', port: 4822 };
const spec: EnvironmentSpec = { ...DEFAULT_SPEC, apps: ['xterm'], resources: { ...DEFAULT_SPEC.resources, memoryMiB: 512, cpu: 0.5 } };
const id = `drv${Date.now().toString(36)}`;

beforeAll(async () => {
  await ensureBaseImage({ docker });
});

afterAll(async () => {
  await driver.terminate({ environmentId: id, runtimeRef: null });
  await driver.terminate({ environmentId: `${id}net`, runtimeRef: null });
});

describe('docker driver contract', () => {
  let ref = '';

  it('creates a sandbox with the standard profile', async () => {
    ({ runtimeRef: ref } = await driver.create({ environmentId: id, spec }));
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
    expect(info.Mounts.map((m) => m.Source)).toEqual([path.join(stateDir, 'displays', id)]);
    expect((await driver.inspect(ref)).state).toBe('created');
  });

  it('starts and exposes a display that guacd streams', async () => {
    await driver.start(ref);
    const endpoint = await driver.displayEndpoint(ref, { timeoutMs: 30_000 });
    expect(endpoint).toMatchObject({ protocol: 'vnc', host: '127.0.0.1' });
    const probe = await probeGuacd({ guacd: GUACD, vnc: endpoint });
    expect(probe.firstImgMs).toBeGreaterThan(0);
    // The loopback bridge is reachable by any local process: without the password, no picture.
    expect(endpoint.password).toMatch(/^[\w-]{8}$/);
    await expect(probeGuacd({ guacd: GUACD, vnc: { ...endpoint, password: 'wrong123' }, timeoutMs: 5000 })).rejects.toThrow();
    expect((await driver.inspect(ref)).state).toBe('running');
  });

  it('suspends and resumes', async () => {
    await driver.suspend(ref);
    expect((await driver.inspect(ref)).state).toBe('paused');
    await driver.resume(ref);
    expect((await driver.inspect(ref)).state).toBe('running');
  });

  it('has no network at all unless asked', async () => {
    const exec = await docker.getContainer(ref).exec({ Cmd: ['cat', '/proc/net/dev'], AttachStdout: true, AttachStderr: true });
    const out = await new Promise<string>((resolve) => {
      void exec.start({}).then((stream) => {
        let s = '';
        stream.on('data', (d: Buffer) => (s += d.toString('latin1')));
        stream.on('end', () => resolve(s));
      });
    });
    expect(out).toContain('lo:');
    expect(out).not.toMatch(/eth0:/);
  });

  it('terminates and removes everything it created, idempotently', async () => {
    await driver.terminate({ environmentId: id, runtimeRef: ref });
    expect((await driver.inspect(ref)).exists).toBe(false);
    await expect(fs.access(path.join(stateDir, 'displays', id))).rejects.toThrow();
    await driver.terminate({ environmentId: id, runtimeRef: ref });
  });

  it('gives an egress environment its own network and removes it on terminate', async () => {
    const netId = `${id}net`;
    const { runtimeRef } = await driver.create({ environmentId: netId, spec: { ...spec, network: { mode: 'egress', allowHosts: [] } } });
    const info = await docker.getContainer(runtimeRef).inspect();
    expect(info.HostConfig.NetworkMode).toBe(networkName(netId));
    await driver.terminate({ environmentId: netId, runtimeRef });
    const nets = await docker.listNetworks({ filters: { name: [networkName(netId)] } });
    expect(nets).toEqual([]);
  });
});
