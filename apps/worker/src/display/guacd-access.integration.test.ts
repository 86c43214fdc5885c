import { execFileSync } from 'node:child_process';
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
    expect(endpoint).toMatchObject({ protocol: 'vnc', host: path.join(dir, 'vnc.sock'), port: 0 });
    expect(driver.bridges.has(id)).toBe(false);
    expect((await probeGuacd({ guacd: GUACD, display: endpoint })).firstImgMs).toBeGreaterThan(0);
  });

  it('lets only the desktop, guacd and root open it', async () => {
    const gid = guacdGroupOf('genos-guacd');
    expect(gid).not.toBeNull();
    const folder = await fs.stat(dir);
    expect({ mode: folder.mode & 0o777, gid: folder.gid }).toEqual({ mode: 0o710, gid });
    const sock = await fs.stat(path.join(dir, 'vnc.sock'));
    expect({ mode: sock.mode & 0o777, gid: sock.gid }).toEqual({ mode: 0o770, gid });
    expect(connectAs('genos-guacd', path.join(dir, 'vnc.sock'))).toBe('open');
    expect(connectAs('nobody', path.join(dir, 'vnc.sock'))).toBe('EACCES');
    expect(connectAs('nobody', path.join(dir, 'pulse.sock'))).toBe('EACCES');
  });

  it('opens a desktop made before guacd opened sockets itself (a 0700 folder) to guacd when it is viewed', async () => {
    await fs.chown(dir, 1000, 1000);
    await fs.chmod(dir, 0o700);
    expect(connectAs('genos-guacd', path.join(dir, 'vnc.sock'))).toBe('EACCES');
    const endpoint = await driver.displayEndpoint(ref, { timeoutMs: 30_000 });
    expect((await probeGuacd({ guacd: GUACD, display: endpoint })).firstImgMs).toBeGreaterThan(0);
    expect(connectAs('nobody', path.join(dir, 'vnc.sock'))).toBe('EACCES');
  });

  it('bridges over loopback when this host has no guacd user, and guacd streams through the bridge', async () => {
    const bridged = createDockerDriver({ docker, stateDir, labels, guacdUser: 'no-such-guacd-user' });
    try {
      const endpoint = await bridged.displayEndpoint(ref, { timeoutMs: 30_000 });
      expect(endpoint).toMatchObject({ protocol: 'vnc', host: '127.0.0.1', port: expect.any(Number) });
      expect(endpoint.port).toBeGreaterThan(0);
      expect(endpoint.audioPort).toEqual(expect.any(Number));
      expect((await probeGuacd({ guacd: GUACD, display: endpoint })).firstImgMs).toBeGreaterThan(0);
    } finally {
      await bridged.bridges.closeAll();
    }
  });
});
