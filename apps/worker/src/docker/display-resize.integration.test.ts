import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, type EnvironmentSpec } from '@genos/core';
import { freshTestState } from '@genos/db/testing';
import { openGuacdSession, type GuacdSession } from '../display/guacd-probe';
import { ensureBaseImage } from '../images/build-base-image';
import { createDockerDriver } from './docker-driver';
import { execInContainer } from './exec-in-container';

// The desktop's screen follows the viewer's window: the driver resizes Xvfb (genos-resize), and
// x11vnc and guacd pass the new size on by themselves. Real Docker, real guacd.
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
// A state dir and an instance of this run's own, removed at the end.
const state = await freshTestState('display-resize');
const driver = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels });
const GUACD = { host: '127.0.0.1', port: 4822 };
const spec: EnvironmentSpec = { ...DEFAULT_SPEC, apps: ['xterm'], resources: { ...DEFAULT_SPEC.resources, memoryMiB: 512, cpu: 0.5 } };
const id = `rsz${Date.now().toString(36)}`;
let ref = '';
let session: GuacdSession;

/** The X screen's size as the desktop itself sees it. */
const xScreen = async () => /dimensions:\s+(\d+x\d+)/.exec((await execInContainer(docker, ref, ['env', 'DISPLAY=:0', 'xdpyinfo'])).output)?.[1];
const eventually = async <T>(read: () => T | Promise<T>, want: T, ms = 10_000): Promise<T> => {
  const end = Date.now() + ms;
  let v = await read();
  while (JSON.stringify(v) !== JSON.stringify(want) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
};

beforeAll(async () => {
  await ensureBaseImage({ docker });
  ({ runtimeRef: ref } = await driver.create({ environmentId: id, spec }));
  await driver.start(ref);
  session = await openGuacdSession({ guacd: GUACD, display: await driver.displayEndpoint(ref, { timeoutMs: 30_000 }) });
}, 600_000);

afterAll(async () => {
  session?.close();
  if (ref) await driver.terminate({ environmentId: id, runtimeRef: ref }).catch(() => undefined);
  await state.remove();
});

describe('resizing a desktop\'s screen', () => {
  it('starts at the spec\'s size', async () => {
    expect(await xScreen()).toBe('1280x800');
    expect(await eventually(() => session.screenSize(), { width: 1280, height: 800 })).toEqual({ width: 1280, height: 800 });
  });

  it('grows and shrinks, and the viewer gets the new size with frames still coming', async () => {
    for (const [width, height] of [
      [1600, 1000],
      [1024, 640],
      [2560, 1600],
    ] as const) {
      await driver.resizeDisplay!(ref, { width, height });
      expect(await xScreen()).toBe(`${width}x${height}`);
      expect(await eventually(() => session.screenSize(), { width, height })).toEqual({ width, height });
    }
    // Something draws after the last resize: a new window, and its picture arrives.
    const before = session.images();
    await execInContainer(docker, ref, ['sh', '-c', 'DISPLAY=:0 xterm -geometry 80x20+50+50 -e sleep 5 >/dev/null 2>&1 &']);
    expect(await eventually(() => session.images() > before, true)).toBe(true);
  });

  it('refuses a size beyond the desktop\'s maximum and keeps the one it has', async () => {
    await expect(driver.resizeDisplay!(ref, { width: 3000, height: 2000 })).rejects.toThrow(/larger than this desktop's maximum/);
    expect(await xScreen()).toBe('2560x1600');
    expect((await driver.inspect(ref)).state).toBe('running');
  });
});
