// Needs root and a running dockerd (scripts/setup-host.sh). The first run on a
// machine builds the base image (~75 s); later runs take a few seconds plus
// the cowsay app layer build (~15 s, needs Debian's archive).
import { chown, chmod, mkdtemp, stat } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTestState } from '@genos/db/testing';
import { BASE_TAG, ensureBaseImage } from './build-base-image.ts';
import { appLayerTag, ensureAppLayer } from './build-app-layer.ts';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
// A state dir and an instance of this run's own: display folders below it, containers labelled with it.
const state = await freshTestState('images');
const LABELS = { 'genos.managed': 'true', ...state.labels };
const images: string[] = [];

// The runtime contract from docker/desktop-base/README.md.
function secureHostConfig(displayDir: string): Dockerode.HostConfig {
  return {
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges'],
    NetworkMode: 'none',
    ReadonlyRootfs: true,
    Tmpfs: { '/tmp': 'rw,nosuid,size=256m', '/home/genos': 'rw,nosuid,size=256m,uid=1000,gid=1000' },
    Memory: 1024 * 1024 * 1024,
    NanoCpus: 1_000_000_000,
    PidsLimit: 256,
    Binds: [`${displayDir}:/run/genos/display`],
  };
}

async function displayDir(): Promise<string> {
  const dir = await mkdtemp(join(state.stateDir, 'display-'));
  await chown(dir, 1000, 1000);
  await chmod(dir, 0o700);
  return dir;
}

/** Runs a one-shot command in `image` and returns its output. */
async function runOnce(image: string, cmd: string[]): Promise<string> {
  const c = await docker.createContainer({ Image: image, Cmd: cmd, Labels: LABELS, HostConfig: { NetworkMode: 'none' } });
  await c.start();
  await c.wait();
  const out = (await c.logs({ stdout: true, stderr: true })).toString('utf8');
  await c.remove({ force: true });
  return out;
}

async function waitForSocket(path: string, timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    const s = await stat(path).catch(() => undefined);
    if (s?.isSocket()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function readBanner(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buf = '';
    sock.setTimeout(5000, () => sock.destroy(new Error('no RFB banner within 5 s')));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.length >= 12) {
        sock.destroy();
        resolve(buf.slice(0, 12));
      }
    });
    sock.on('error', reject);
  });
}

describe('desktop images', () => {
  beforeAll(async () => {
    await ensureBaseImage({ docker, onProgress: (l) => console.log(`[base] ${l}`) });
  }, 600_000);

  afterAll(async () => {
    try {
      const containers = await docker.listContainers({ all: true, filters: { label: [`genos.instance=${state.instance}`] } });
      await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
      // The base image is a shared prerequisite of the whole system and is kept;
      // app layers built here are removed.
      for (const tag of images) await docker.getImage(tag).remove({ force: true }).catch(() => {});
    } finally {
      await state.remove();
    }
  }, 60_000);

  it('has the base image with user genos (1000:1000)', async () => {
    const info = await docker.getImage(BASE_TAG).inspect();
    expect(info.Config.User).toBe('1000:1000');
    expect(info.Config.Labels?.['genos.managed']).toBe('true');
    expect(await runOnce(BASE_TAG, ['id'])).toMatch(/uid=1000\(genos\) gid=1000\(genos\)/);
  }, 30_000);

  it('serves RFB on /run/genos/display/vnc.sock under the locked-down flags', async () => {
    const dir = await displayDir();
    const container = await docker.createContainer({
      Image: BASE_TAG,
      User: '1000:1000',
      Labels: LABELS,
      Env: ['GENOS_WIDTH=1024', 'GENOS_HEIGHT=768', 'GENOS_APPS=xterm'],
      HostConfig: secureHostConfig(dir),
    });
    await container.start();
    const ms = await waitForSocket(join(dir, 'vnc.sock'), 15_000);
    console.log(`vnc.sock appeared ${ms} ms after start`);
    expect(await readBanner(join(dir, 'vnc.sock'))).toMatch(/^RFB 003\.00\d\n$/);
    expect((await container.inspect()).State.Running).toBe(true);
  }, 30_000);

  it('builds an app layer once and reuses it', async () => {
    const tag = appLayerTag(['cowsay']);
    images.push(tag);
    // Start from a clean state so "built: true" is really observed.
    await docker.getImage(tag).remove({ force: true }).catch(() => {});

    // Two concurrent calls share one build.
    const lines: string[] = [];
    const [a, b] = await Promise.all([
      ensureAppLayer({ docker, packages: ['cowsay'], onProgress: (l) => lines.push(l) }),
      ensureAppLayer({ docker, packages: ['cowsay', 'cowsay'] }),
    ]);
    expect(a).toEqual({ tag, built: true });
    expect(b).toBe(a);
    expect(lines).toContain(`Successfully tagged ${tag}`);

    expect(await ensureAppLayer({ docker, packages: ['cowsay'] })).toEqual({ tag, built: false });
    expect(await runOnce(tag, ['/usr/games/cowsay', 'moo'])).toContain('< moo >');
    expect((await docker.getImage(tag).inspect()).Config.User).toBe('1000:1000');
  }, 300_000);

  it('returns the base tag for no packages and refuses invalid names', async () => {
    expect(await ensureAppLayer({ docker, packages: [] })).toEqual({ tag: BASE_TAG, built: false });
    await expect(ensureAppLayer({ docker, packages: ['cowsay', 'x; rm -rf /'] })).rejects.toThrow(/invalid Debian package name/);
    await expect(ensureAppLayer({ docker, packages: ['Cowsay'] })).rejects.toThrow(/invalid/);
  });
});
