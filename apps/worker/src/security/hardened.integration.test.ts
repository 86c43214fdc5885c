// The hardened profile: the standard sandbox inside gVisor (runsc), still viewable through guacd.
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, type EnvironmentSpec } from '@genos/core';
import { freshTestState } from '@genos/db/testing';
import { probeGuacd } from '../display/guacd-probe';
import { HARDENED_RUNTIME } from '../docker/container-config';
import { createDockerDriver } from '../docker/docker-driver';
import { ensureBaseImage } from '../images/build-base-image';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
// A state dir and an instance of this run's own, removed at the end.
const state = await freshTestState('hardened');
const driver = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels });
const spec: EnvironmentSpec = { ...DEFAULT_SPEC, isolation: 'hardened', apps: ['xterm'], resources: { ...DEFAULT_SPEC.resources, memoryMiB: 512, cpu: 0.5 } };
const id = `hard${Date.now().toString(36)}`;
let ref = '';

beforeAll(async () => {
  await ensureBaseImage({ docker });
});
afterAll(async () => {
  try {
    await driver.terminate({ environmentId: id, runtimeRef: ref || null });
  } finally {
    await state.remove();
  }
});

describe('hardened containers (gVisor)', async () => {
  const runtimes = ((await docker.info()) as { Runtimes?: Record<string, unknown> }).Runtimes ?? {};
  it.skipIf(!runtimes[HARDENED_RUNTIME])('run under gVisor and stream their display through guacd', async () => {
    ({ runtimeRef: ref } = await driver.create({ environmentId: id, spec }));
    expect((await docker.getContainer(ref).inspect()).HostConfig.Runtime).toBe(HARDENED_RUNTIME);
    await driver.start(ref);
    const endpoint = await driver.displayEndpoint(ref, { timeoutMs: 30_000 });
    const probe = await probeGuacd({ guacd: { host: '127.0.0.1', port: 4822 }, display: endpoint });
    expect(probe.firstImgMs).toBeGreaterThan(0);
    const exec = await docker.getContainer(ref).exec({ Cmd: ['uname', '-r'], AttachStdout: true, Tty: true });
    const stream = await exec.start({ Tty: true });
    const out = await new Promise<string>((r) => {
      let s = '';
      stream.on('data', (d: Buffer) => (s += d.toString()));
      stream.on('end', () => r(s));
    });
    expect(out.trim()).toBe('4.4.0'); // gVisor's kernel, not the host's
  });

  it('refuse a network mode under gVisor for now', async () => {
    await expect(driver.create({ environmentId: `${id}n`, spec: { ...spec, network: { mode: 'egress', allowHosts: [] } } })).rejects.toThrow(/without network/);
    await driver.terminate({ environmentId: `${id}n`, runtimeRef: null });
  });
});
