import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, type DisplayEndpoint, type EnvironmentSpec } from '@genos/core';
import { freshTestState } from '@genos/db/testing';
import { openGuacdSession, type GuacdSession } from '../display/guacd-probe';
import { ensureBaseImage } from '../images/build-base-image';
import { createDockerDriver } from './docker-driver';

// RDP end to end on the real parts: guacd's RDP plugin (FreeRDP opens rdp.sock itself) →
// xrdp in the container → its x11vnc. What a user notices: typed keys reach the desktop, and
// only with this environment's password.
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
// A state dir and an instance of this run's own, removed at the end.
const state = await freshTestState('rdp');
const driver = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels });
afterAll(() => state.remove());
const GUACD = { host: '127.0.0.1', port: 4822 };
const rdpSpec = (isolation: EnvironmentSpec['isolation']): EnvironmentSpec => ({
  ...DEFAULT_SPEC,
  apps: ['xterm'],
  isolation,
  display: { ...DEFAULT_SPEC.display, protocol: 'rdp' },
  resources: { ...DEFAULT_SPEC.resources, memoryMiB: 512, cpu: 0.5 },
});

// The standard profile, and the hardened one (gVisor): xrdp and x11vnc talk over the sandbox's own loopback.
describe.each(['standard', 'hardened'] as const)('RDP desktop, %s profile (xrdp in the container, guacd RDP)', (isolation) => {
const id = `rdp${isolation[0]}${Date.now().toString(36)}`;
let ref = '';
let endpoint: DisplayEndpoint;

const fileExists = async (file: string) => {
  const exec = await docker.getContainer(ref).exec({ Cmd: ['test', '-e', file] });
  await new Promise<void>((resolve) => exec.start({}, (_e, stream) => (stream ? stream.on('end', () => resolve()).resume() : resolve())));
  return (await exec.inspect()).ExitCode === 0;
};

/**
 * Clicks into the xterm openbox placed at the top left, types a shell command and Return, and
 * says whether `file` appeared. Up to three tries: the first frame can be xrdp's own, drawn
 * before it has connected to the desktop, and keys sent then go nowhere.
 */
async function typeUntilCreated(session: GuacdSession, command: string, file: string, tries = 3): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    session.send('mouse', '200', '200', '1');
    session.send('mouse', '200', '200', '0');
    await new Promise((r) => setTimeout(r, 500));
    for (const ch of command) {
      const keysym = String(ch.codePointAt(0));
      session.send('key', keysym, '1');
      session.send('key', keysym, '0');
    }
    session.send('key', '65293', '1'); // Return
    session.send('key', '65293', '0');
    if (await eventually(() => fileExists(file), 4000)) return true;
  }
  return false;
}

async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

  beforeAll(async () => {
    await ensureBaseImage({ docker });
    ({ runtimeRef: ref } = await driver.create({ environmentId: id, spec: rdpSpec(isolation) }));
    await driver.start(ref);
    endpoint = await driver.displayEndpoint(ref, { timeoutMs: 30_000 });
  }, 300_000);

  afterAll(async () => {
    await driver.terminate({ environmentId: id, runtimeRef: ref || null });
  });

  it('exports an RDP endpoint with its own user and password', () => {
    // guacd opens the socket pinned in root's folder for it (pinned-sockets.ts), never a name the desktop controls.
    expect(endpoint).toMatchObject({ protocol: 'rdp', host: path.join(state.stateDir, 'guacd', id, 'rdp.sock'), username: 'genos' });
    expect(endpoint.password).toMatch(/^[\w-]{8}$/);
  });

  it('streams the desktop over RDP', async () => {
    const session = await openGuacdSession({ guacd: GUACD, display: endpoint, timeoutMs: 15_000 });
    try {
      // xrdp's first frame, then the desktop's once it has signed in to x11vnc.
      await expect.poll(() => session.images(), { timeout: 10_000 }).toBeGreaterThan(1);
    } finally {
      session.close();
    }
  }, 60_000);

  it('delivers typed keys to the desktop', async () => {
    const session = await openGuacdSession({ guacd: GUACD, display: endpoint, timeoutMs: 15_000 });
    try {
      expect(await typeUntilCreated(session, 'touch /tmp/typed-over-rdp', '/tmp/typed-over-rdp')).toBe(true);
    } finally {
      session.close();
    }
  }, 60_000);

  it('lets nothing through with a wrong password', async () => {
    // xrdp answers with its own error window, so there are frames, but none of the desktop's.
    const session = await openGuacdSession({ guacd: GUACD, display: { ...endpoint, password: 'wrong123' }, timeoutMs: 15_000 });
    try {
      expect(await typeUntilCreated(session, 'touch /tmp/typed-without-password', '/tmp/typed-without-password')).toBe(false);
    } finally {
      session.close();
    }
  }, 60_000);

  it('keeps RDP to the container itself: no network, only the socket', async () => {
    const info = await docker.getContainer(ref).inspect();
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(info.Config.Env).toContain('GENOS_PROTOCOL=rdp');
    expect(info.HostConfig.Runtime).toBe(isolation === 'hardened' ? 'runsc-genos' : 'runc');
  });
});
