import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, type EnvironmentSpec } from '@genos/core';
import { freshTestState } from '@genos/db/testing';
import { listTransferFiles, openTransferFile, receiveUpload, transferDirFor } from '../../../web/src/server/files/transfer';
import { DISPLAY_MOUNT, TRANSFER_MOUNT } from '../docker/container-config';
import { createDockerDriver } from '../docker/docker-driver';
import { execInContainer } from '../docker/exec-in-container';
import { ensureBaseImage } from '../images/build-base-image';
import { guacdGroupOf } from './guacd-access';
import { probeGuacd } from './guacd-probe';
import { guacdFolderFor } from './pinned-sockets';

// A hostile desktop against the host, end to end: from inside its container (as its own user) it
// puts links to root's host files, FIFOs and plain files where its display, sound and RDP sockets
// belong, and links inside its Transfer folder; then it is viewed (and suspended and resumed, and
// files moved, and terminated) and no host file may have changed. The host files are the test's
// own: a root-owned 0600 file, a root-owned 0600 unix socket (what the Docker socket is) and a
// folder, in a 0700 folder of root's.
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const state = await freshTestState('hostile');
const { stateDir, labels } = state;
const driver = createDockerDriver({ docker, stateDir, labels });
const GUACD = { host: '127.0.0.1', port: 4822 };
const base: EnvironmentSpec = { ...DEFAULT_SPEC, apps: ['xterm'], resources: { ...DEFAULT_SPEC.resources, memoryMiB: 512, cpu: 0.5 } };
const stamp = Date.now().toString(36);
const vncId = `hlv${stamp}`;
const rdpId = `hlr${stamp}`;
let vncRef = '';
let rdpRef = '';

let hostDir = '';
let hostSocket: net.Server | null = null;
const host = (name: string) => path.join(hostDir, name);
const HOST_FILES = ['secret', 'root.sock', 'dir', 'dir/keep'];

/** Every field of a host file the worker or the web app could change. */
async function fingerprint(p: string) {
  const st = await fs.lstat(p);
  return { mode: st.mode, uid: st.uid, gid: st.gid, ino: st.ino, mtimeMs: st.mtimeMs, content: st.isFile() ? await fs.readFile(p, 'utf8') : null };
}
const hostState = async () => Object.fromEntries(await Promise.all(HOST_FILES.map(async (f) => [f, await fingerprint(host(f))] as const)));
let before: Awaited<ReturnType<typeof hostState>>;

/** A shell command run inside the desktop as its own user (uid 1000); fails the test when it fails. */
async function asDesktop(ref: string, script: string): Promise<string> {
  const { exitCode, output } = await execInContainer(docker, ref, ['sh', '-c', script]);
  if (exitCode !== 0) throw new Error(`in the desktop: ${script}: exit ${exitCode}: ${output}`);
  return output;
}
const exitOf = async (ref: string, script: string) => (await execInContainer(docker, ref, ['sh', '-c', script])).exitCode;

/** What the desktop puts where its socket was (the real one is kept aside, to be put back after). */
const PLANTS: [string, RegExp, (target: string) => string][] = [
  ['a link to a root-owned host socket', /is a symbolic link, not a socket: refused/, (t) => `ln -s ${host('root.sock')} ${t}`],
  ['a link to a root-owned host file', /is a symbolic link, not a socket: refused/, (t) => `ln -s ${host('secret')} ${t}`],
  ['a link to a host folder', /is a symbolic link, not a socket: refused/, (t) => `ln -s ${host('dir')} ${t}`],
  ['a FIFO', /is a FIFO, not a socket: refused/, (t) => `mkfifo ${t}`],
  ['a regular file', /is a regular file, not a socket: refused/, (t) => `printf x > ${t}`],
];

async function plant(ref: string, name: string, how: (target: string) => string) {
  const d = DISPLAY_MOUNT;
  await asDesktop(ref, `cd ${d} && mv ${name} .${name}.real && ${how(name)}`);
}
async function putBack(ref: string, name: string) {
  await asDesktop(ref, `cd ${DISPLAY_MOUNT} && rm -rf ${name} && mv .${name}.real ${name}`);
}

beforeAll(async () => {
  hostDir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-hostile-host-'));
  await fs.writeFile(host('secret'), 'root only', { mode: 0o600 });
  await fs.mkdir(host('dir'), { mode: 0o700 });
  await fs.writeFile(host('dir/keep'), 'keep', { mode: 0o600 });
  hostSocket = net.createServer((c) => c.end('host socket\n'));
  await new Promise<void>((r) => hostSocket!.listen(host('root.sock'), r));
  await fs.chmod(host('root.sock'), 0o600);
  before = await hostState();

  await ensureBaseImage({ docker });
  ({ runtimeRef: vncRef } = await driver.create({ environmentId: vncId, spec: base }));
  await driver.start(vncRef);
  // The desktop as it should be: viewable, with sound, its sockets pinned beside its folder.
  const endpoint = await driver.displayEndpoint(vncRef, { timeoutMs: 30_000 });
  expect(endpoint).toMatchObject({ host: path.join(guacdFolderFor(stateDir, vncId), 'vnc.sock'), audioSocket: path.join(guacdFolderFor(stateDir, vncId), 'pulse.sock') });
}, 300_000);

afterAll(async () => {
  for (const [id, ref] of [[vncId, vncRef], [rdpId, rdpRef]] as const) if (ref) await driver.terminate({ environmentId: id, runtimeRef: ref }).catch(() => undefined);
  hostSocket?.close();
  if (hostDir) await fs.rm(hostDir, { recursive: true, force: true });
  await state.remove();
});

describe('a desktop that plants links, FIFOs and files where its sockets belong', () => {
  for (const name of ['vnc.sock', 'pulse.sock']) {
    it.each(PLANTS)(`${name}: %s is refused with a clear error when the desktop is viewed, and no host file changes`, async (_what, refusal, how) => {
      await plant(vncRef, name, how);
      try {
        const err = await driver.displayEndpoint(vncRef, { timeoutMs: 5_000 }).then(() => null, (e: unknown) => e);
        expect(err).toMatchObject({ name: 'AppError', code: 'UNAVAILABLE' });
        expect((err as Error).message).toContain(`${name} in ${path.join(stateDir, 'displays', vncId)} `);
        expect((err as Error).message).toMatch(refusal);
        expect(await hostState()).toEqual(before);
        // What guacd can open is still only the desktop's own sockets.
        for (const f of await fs.readdir(guacdFolderFor(stateDir, vncId))) {
          const st = await fs.lstat(path.join(guacdFolderFor(stateDir, vncId), f));
          expect({ f, socket: st.isSocket(), uid: st.uid }).toEqual({ f, socket: true, uid: 1000 });
        }
      } finally {
        await putBack(vncRef, name);
      }
    });
  }

  it('is viewable again, through guacd, once its own sockets are back; its folder is its own and guacd\'s pinned folder root\'s', async () => {
    const endpoint = await driver.displayEndpoint(vncRef, { timeoutMs: 30_000 });
    expect((await probeGuacd({ guacd: GUACD, display: endpoint })).firstImgMs).toBeGreaterThan(0);
    const [own, pinned] = await Promise.all([fs.lstat(path.join(stateDir, 'displays', vncId)), fs.lstat(guacdFolderFor(stateDir, vncId))]);
    expect({ uid: own.uid, mode: own.mode & 0o7777 }).toEqual({ uid: 1000, mode: 0o700 });
    expect({ uid: pinned.uid, gid: pinned.gid, mode: pinned.mode & 0o7777 }).toEqual({ uid: 0, gid: guacdGroupOf('genos-guacd'), mode: 0o710 });
    expect(await hostState()).toEqual(before);
  });
});

// The standard profile (runc): under gVisor the sandbox cannot even remove or rename its own host
// sockets (EPERM), so this is where the reported attack works without pinning.
describe('an RDP desktop that links its rdp.sock to a host socket, then is suspended and resumed', () => {
  it('is refused on resume and the host socket keeps its owner, group and mode', async () => {
    const spec: EnvironmentSpec = { ...base, display: { ...base.display, protocol: 'rdp' } };
    ({ runtimeRef: rdpRef } = await driver.create({ environmentId: rdpId, spec }));
    await driver.start(rdpRef);
    expect(await driver.displayEndpoint(rdpRef, { timeoutMs: 30_000 })).toMatchObject({ protocol: 'rdp', host: path.join(guacdFolderFor(stateDir, rdpId), 'rdp.sock') });

    // The reported attack: rdp.sock replaced with a link to a root-owned 0600 host socket.
    await asDesktop(rdpRef, `cd ${DISPLAY_MOUNT} && rm -f rdp.sock && ln -s ${host('root.sock')} rdp.sock`);
    await driver.suspend(rdpRef);
    await driver.resume(rdpRef);
    await expect(driver.displayEndpoint(rdpRef, { timeoutMs: 5_000 })).rejects.toThrow(/rdp\.sock in .* is a symbolic link, not a socket: refused/);
    expect(await hostState()).toEqual(before);
    const sock = await fs.lstat(host('root.sock'));
    expect({ uid: sock.uid, gid: sock.gid, mode: sock.mode & 0o777 }).toEqual({ uid: 0, gid: 0, mode: 0o600 });
  }, 300_000);
});

describe('a desktop that plants links and a FIFO in its Transfer folder', () => {
  const dir = () => transferDirFor(stateDir, vncId);

  beforeAll(async () => {
    await asDesktop(
      vncRef,
      [
        `cd ${TRANSFER_MOUNT}`,
        `ln -s ${host('secret')} secret.txt`,
        `ln -s ${host('secret')} upload.txt`,
        `ln -s ${host('dir')} linked`,
        `ln -s ${host('dir/keep')} keep`,
        'mkfifo pipe',
        'printf fine > ok.txt',
      ].join(' && '),
    );
  });

  it('uploads never write through a link: a planted name gets a new one beside it', async () => {
    for (const [name, saved] of [['upload.txt', 'upload (1).txt'], ['keep', 'keep (1)'], ['pipe', 'pipe (1)']]) {
      const got = await receiveUpload({ stateDir, environmentId: vncId, name: name!, body: Readable.from([Buffer.from('owned')]), declaredBytes: 5 });
      expect(got).toEqual({ name: saved, bytes: 5 });
    }
    expect(await hostState()).toEqual(before);
    expect(await asDesktop(vncRef, `cat "${TRANSFER_MOUNT}/upload (1).txt"`)).toBe('owned');
  });

  it('lists regular files only, and downloads neither through a link nor from a FIFO', async () => {
    expect((await listTransferFiles(stateDir, vncId)).map((f) => f.name)).toEqual(['keep (1)', 'ok.txt', 'pipe (1)', 'upload (1).txt']);
    for (const name of ['secret.txt', 'keep', 'linked', 'pipe']) {
      const started = Date.now();
      await expect(openTransferFile(stateDir, vncId, name)).rejects.toMatchObject({ status: 404 });
      expect(Date.now() - started).toBeLessThan(2000); // a FIFO is not waited on
    }
    const ok = await openTransferFile(stateDir, vncId, 'ok.txt');
    let text = '';
    for await (const chunk of ok.stream) text += String(chunk);
    expect(text).toBe('fine');
    expect(await hostState()).toEqual(before);
  });

  it('cannot put a link in place of the Transfer folder itself, and one put there anyway (only root can) is refused', async () => {
    // From inside, the folder is a mount point, and on the host its parent is root's 0700.
    expect(await exitOf(vncRef, `mv ${TRANSFER_MOUNT} /home/genos/elsewhere`)).not.toBe(0);
    expect(await exitOf(vncRef, `rmdir ${TRANSFER_MOUNT}`)).not.toBe(0);
    const parent = await fs.lstat(path.dirname(dir()));
    expect({ uid: parent.uid, mode: parent.mode & 0o777 }).toEqual({ uid: 0, mode: 0o700 });
    expect((await fs.lstat(dir())).isDirectory()).toBe(true);

    await fs.rename(dir(), `${dir()}.real`);
    await fs.symlink(hostDir, dir());
    try {
      expect(await listTransferFiles(stateDir, vncId)).toEqual([]);
      await expect(openTransferFile(stateDir, vncId, 'secret')).rejects.toMatchObject({ status: 404 });
      await expect(receiveUpload({ stateDir, environmentId: vncId, name: 'new.txt', body: Readable.from([Buffer.from('x')]), declaredBytes: 1 })).rejects.toMatchObject({ status: 409 });
      expect(await fs.readdir(hostDir)).toEqual(expect.not.arrayContaining(['new.txt']));
    } finally {
      await fs.unlink(dir());
      await fs.rename(`${dir()}.real`, dir());
    }
    expect(await hostState()).toEqual(before);
  });
});

describe('terminating a desktop that filled its folders with links', () => {
  it('removes its display, pinned and transfer folders without following any link', async () => {
    for (const root of [DISPLAY_MOUNT, TRANSFER_MOUNT]) {
      await asDesktop(vncRef, `cd ${root} && ln -s ${host('dir')} out && mkdir -p a/b && ln -s ${host('dir')} a/b/out && ln -s ${host('dir/keep')} a/keep && mkfifo a/fifo`);
    }
    await driver.terminate({ environmentId: vncId, runtimeRef: vncRef });
    vncRef = '';
    for (const p of [path.join(stateDir, 'displays', vncId), guacdFolderFor(stateDir, vncId), transferDirFor(stateDir, vncId)]) {
      await expect(fs.lstat(p)).rejects.toThrow('ENOENT');
    }
    expect(await hostState()).toEqual(before);
    expect(execFileSync('ls', [host('dir')], { encoding: 'utf8' }).trim()).toBe('keep');
  });
});
