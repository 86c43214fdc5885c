import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs/promises';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, type EnvironmentSpec } from '@genos/core';
import { freshTestState } from '@genos/db/testing';
import { createDockerDriver } from '../docker/docker-driver';
import { ensureBaseImage } from '../images/build-base-image';
import { guacdGroupOf } from './guacd-access';
import { probeGuacd } from './guacd-probe';
import { guacdFolderFor } from './pinned-sockets';

// How guacd reaches a desktop, on the real parts: guacd (running as genos-guacd) opens the
// desktop's own socket, and no other user of the host can; a host without guacd's user falls
// back to a loopback bridge, which guacd streams through just the same.
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
// A state dir and an instance of this run's own, removed at the end.
const state = await freshTestState('guacd-access');
const { stateDir, labels } = state;
const driver = createDockerDriver({ docker, stateDir, labels });
const GUACD = { host: '127.0.0.1', port: 4822 };
const spec: EnvironmentSpec = { ...DEFAULT_SPEC, apps: ['xterm'], resources: { ...DEFAULT_SPEC.resources, memoryMiB: 512, cpu: 0.5 } };
const id = `gacc${Date.now().toString(36)}`;
const dir = path.join(stateDir, 'displays', id);
// What guacd opens: the desktop's sockets pinned in a folder of root's (pinned-sockets.ts).
const pinned = guacdFolderFor(stateDir, id);
let ref = '';

/** Tries to open a unix socket as another host user; returns 'open' or the error code. */
function connectAs(user: string, socketPath: string): string {
  const js = `require('net').connect(${JSON.stringify(socketPath)}).on('connect',()=>{console.log('open');process.exit(0)}).on('error',(e)=>{console.log(e.code);process.exit(0)})`;
  return execFileSync('runuser', ['-u', user, '--', process.execPath, '-e', js], { encoding: 'utf8' }).trim();
}

beforeAll(async () => {
  await ensureBaseImage({ docker });
  ({ runtimeRef: ref } = await driver.create({ environmentId: id, spec }));
  await driver.start(ref);
}, 300_000);

afterAll(async () => {
  if (ref) await driver.terminate({ environmentId: id, runtimeRef: ref }).catch(() => undefined);
  await state.remove();
});

describe('guacd and the display socket', () => {
  it('hands guacd the desktop\'s own socket: no loopback port, and guacd streams from it', async () => {
    const endpoint = await driver.displayEndpoint(ref, { timeoutMs: 30_000 });
    expect(endpoint).toMatchObject({ protocol: 'vnc', host: path.join(pinned, 'vnc.sock'), port: 0, audioSocket: path.join(pinned, 'pulse.sock') });
    expect(driver.bridges.has(id)).toBe(false);
    expect((await probeGuacd({ guacd: GUACD, display: endpoint })).firstImgMs).toBeGreaterThan(0);
  });

  it('lets only the desktop, guacd and root open it', async () => {
    const gid = guacdGroupOf('genos-guacd');
    expect(gid).not.toBeNull();
    // The desktop's own folder is its alone: guacd never enters it (nor follows anything planted there).
    const folder = await fs.stat(dir);
    expect({ mode: folder.mode & 0o777, uid: folder.uid }).toEqual({ mode: 0o700, uid: 1000 });
    // guacd passes through root's pinned folder to the desktop's socket, 0770 with guacd's group.
    const pin = await fs.stat(pinned);
    expect({ mode: pin.mode & 0o777, uid: pin.uid, gid: pin.gid }).toEqual({ mode: 0o710, uid: 0, gid });
    const sock = await fs.lstat(path.join(pinned, 'vnc.sock'));
    expect({ socket: sock.isSocket(), mode: sock.mode & 0o777, uid: sock.uid, gid: sock.gid }).toEqual({ socket: true, mode: 0o770, uid: 1000, gid });
    expect(sock.ino).toBe((await fs.lstat(path.join(dir, 'vnc.sock'))).ino);
    expect(connectAs('genos-guacd', path.join(pinned, 'vnc.sock'))).toBe('open');
    expect(connectAs('genos-guacd', path.join(pinned, 'pulse.sock'))).toBe('open');
    expect(connectAs('genos-guacd', path.join(dir, 'vnc.sock'))).toBe('EACCES');
    expect(connectAs('nobody', path.join(pinned, 'vnc.sock'))).toBe('EACCES');
    expect(connectAs('nobody', path.join(pinned, 'pulse.sock'))).toBe('EACCES');
    expect(connectAs('nobody', path.join(dir, 'vnc.sock'))).toBe('EACCES');
  });

  it('pins the socket of a desktop made before pinning (no pinned folder; its own folder 0710 with guacd\'s group) when it is viewed, and closes its folder', async () => {
    await fs.rm(pinned, { recursive: true });
    await fs.chown(dir, 1000, guacdGroupOf('genos-guacd')!);
    await fs.chmod(dir, 0o710);
    const endpoint = await driver.displayEndpoint(ref, { timeoutMs: 30_000 });
    expect(endpoint.host).toBe(path.join(pinned, 'vnc.sock'));
    expect((await probeGuacd({ guacd: GUACD, display: endpoint })).firstImgMs).toBeGreaterThan(0);
    expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
    expect(connectAs('genos-guacd', path.join(dir, 'vnc.sock'))).toBe('EACCES');
    expect(connectAs('nobody', path.join(pinned, 'vnc.sock'))).toBe('EACCES');
  });

  it('bridges over loopback when this host has no guacd user, and guacd streams through the bridge', async () => {
    // A loopback bridge only serves a guacd in the host's own network namespace (not the
    // contained one, which has no route to the host's loopback): one of its own, for this case.
    const plain = spawn('guacd', ['-f', '-b', '127.0.0.1', '-l', '4824', '-L', 'error'], { stdio: 'ignore' });
    const bridged = createDockerDriver({ docker, stateDir, labels, guacdUser: 'no-such-guacd-user' });
    try {
      await expect.poll(() => new Promise((r) => net.connect(4824, '127.0.0.1').on('connect', function (this: net.Socket) { this.destroy(); r(true); }).on('error', () => r(false))), { timeout: 10_000 }).toBe(true);
      const endpoint = await bridged.displayEndpoint(ref, { timeoutMs: 30_000 });
      expect(endpoint).toMatchObject({ protocol: 'vnc', host: '127.0.0.1', port: expect.any(Number) });
      expect(endpoint.port).toBeGreaterThan(0);
      expect(endpoint.audioPort).toEqual(expect.any(Number));
      expect((await probeGuacd({ guacd: { host: '127.0.0.1', port: 4824 }, display: endpoint })).firstImgMs).toBeGreaterThan(0);
    } finally {
      await bridged.bridges.closeAll();
      plain.kill('SIGTERM');
    }
  });
});
