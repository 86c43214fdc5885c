// Encrypted Transfer folders against the real Docker engine, gocryptfs, key
// service and the web app's own upload and download code: what moves through
// a desktop's Transfer folder rests on the host's disk only as ciphertext, and
// when the desktop ends its folder, mount and key are gone.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, TRANSFER_FOLDER_PURPOSE, type EnvironmentSpec } from '@genos/core';
import { keyServiceFor } from '@genos/db/keys';
import { createTestDatabase, freshTestState } from '@genos/db/testing';
// The web app's own upload and download code (the worker's tests may import it; the reverse is not allowed).
import { listTransferFiles, openTransferFile, receiveUpload } from '../../../web/src/server/files/transfer';
import { createDockerDriver } from '../docker/docker-driver';
import { desktopShell } from '../docker/desktop-shell';
import { testDesktops } from '../docker/test-desktops';
import { ensureBaseImage } from '../images/build-base-image';
import { transferCiphersDirOf, transferKeysOf, transferMountsDirOf } from './encrypted-transfer';
import { mountedUnder } from './gocryptfs';

const run = promisify(execFile);
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const state = await freshTestState('enc-transfer');
const db = await createTestDatabase();
const { keys } = keyServiceFor({ prisma: db.prisma, kekFile: process.env.GENOS_KEK_FILE! });
const driver = createDockerDriver({ docker, stateDir: state.stateDir, labels: state.labels, transferKeys: transferKeysOf(keys, { kind: 'worker' }) });
const spec: EnvironmentSpec = { ...DEFAULT_SPEC, resources: { ...DEFAULT_SPEC.resources, memoryMiB: 256, cpu: 0.5 } };
const desktops = testDesktops(driver, spec);

beforeAll(() => ensureBaseImage({ docker }), 600_000);
afterAll(() => desktops.endAll(async () => {
  await db.drop();
  await state.remove();
}), 120_000);

const sh = (ref: string, script: string) => desktopShell(docker, ref, script);

/**
 * Files on the state dir's own disk holding `needle`: `find -xdev` stays off
 * other filesystems, so the decrypted view (a FUSE mount) is not searched, only
 * what really rests on the disk.
 */
async function onDisk(needle: string): Promise<string> {
  const r = await run('sh', ['-c', `find "$0" -xdev -type f -print0 | xargs -0 -r grep -l -F -e "$1" || true`, state.stateDir, needle]);
  return r.stdout.trim();
}

const readAll = async (stream: NodeJS.ReadableStream) => {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

describe('encrypted Transfer folders', () => {
  it('hold uploads and the desktop\'s files on disk only as ciphertext, and downloads read them back', async () => {
    const id = `xfer${Date.now().toString(36)}`;
    const ref = await desktops.up(id);
    const uploaded = `uploaded-${randomBytes(8).toString('hex')}`;
    const written = `written-${randomBytes(8).toString('hex')}`;

    // An upload through the web app's code: the desktop sees it, owned by its user.
    const got = await receiveUpload({ stateDir: state.stateDir, environmentId: id, name: 'in.txt', body: Readable.from([Buffer.from(uploaded)]), declaredBytes: uploaded.length });
    expect(got).toEqual({ name: 'in.txt', bytes: uploaded.length });
    expect(await sh(ref, 'cat ~/Transfer/in.txt; echo; stat -c %u ~/Transfer/in.txt')).toBe(`${uploaded}\n1000`);
    // The desktop writes a file; the web app lists and downloads it.
    await sh(ref, `printf %s ${written} > ~/Transfer/out.txt`);
    expect((await listTransferFiles(state.stateDir, id)).map((f) => f.name)).toEqual(['in.txt', 'out.txt']);
    const file = await openTransferFile(state.stateDir, id, 'out.txt');
    expect(await readAll(file.stream)).toBe(written);

    // Neither string is on the disk: only the cipher directory (and no staging copy) is there.
    // (The search itself finds a string that is on the disk.)
    await fs.writeFile(path.join(state.stateDir, 'control.txt'), `plain ${uploaded}`);
    expect(await onDisk(uploaded)).toBe(path.join(state.stateDir, 'control.txt'));
    await fs.rm(path.join(state.stateDir, 'control.txt'));
    expect(await onDisk(uploaded)).toBe('');
    expect(await onDisk(written)).toBe('');
    const cipher = path.join(transferCiphersDirOf(state.stateDir), id);
    expect(await fs.readdir(cipher)).toEqual(expect.arrayContaining(['gocryptfs.conf']));
    expect((await fs.readdir(cipher)).length).toBeGreaterThan(2);
    // The desktop cannot see the staging folder or anything above its own folder.
    expect(await sh(ref, 'ls -a ~/Transfer | sort | tr "\\n" " "')).toBe('. .. in.txt out.txt');
    // Its key is the desktop's own, on record.
    expect(await db.prisma.dataKey.count({ where: { purpose: TRANSFER_FOLDER_PURPOSE, objectId: id } })).toBe(1);

    // Ended: no mount, no cipher directory, no mountpoint, and the key destroyed (a copy of the ciphertext is unreadable).
    await desktops.end(id);
    expect(await mountedUnder(transferMountsDirOf(state.stateDir))).toEqual([]);
    await expect(fs.stat(cipher)).rejects.toThrow();
    await expect(fs.stat(path.join(transferMountsDirOf(state.stateDir), id))).rejects.toThrow();
    expect(await db.prisma.dataKey.count({ where: { purpose: TRANSFER_FOLDER_PURPOSE, objectId: id } })).toBe(0);
    expect(await db.prisma.auditLog.count({ where: { action: 'key.data.destroy' } })).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('mounts the folder again before a start when its mount is gone (a reboot), files intact', async () => {
    const id = `xfre${Date.now().toString(36)}`;
    const runtimeRef = await desktops.up(id, { start: false });
    await receiveUpload({ stateDir: state.stateDir, environmentId: id, name: 'kept.txt', body: Readable.from([Buffer.from('kept')]), declaredBytes: 4 });
    // What a reboot does to it: the plaintext view is gone, the ciphertext stays.
    const mp = path.join(transferMountsDirOf(state.stateDir), id);
    await run('umount', [mp]);
    expect(await mountedUnder(mp)).toEqual([]);
    await driver.start(runtimeRef);
    expect(await mountedUnder(mp)).toEqual([mp]);
    expect(await sh(runtimeRef, 'cat ~/Transfer/kept.txt')).toBe('kept');
  }, 180_000);

  it('are listed as leftovers when their desktop is gone, and terminate removes them', async () => {
    const id = `xfle${Date.now().toString(36)}`;
    const ref = await desktops.up(id);
    await docker.getContainer(ref).remove({ force: true });
    expect((await driver.list()).find((s) => s.environmentId === id)).toMatchObject({ state: 'missing' });
    await desktops.end(id);
    expect((await driver.list()).find((s) => s.environmentId === id)).toBeUndefined();
    expect(await mountedUnder(path.join(transferMountsDirOf(state.stateDir), id))).toEqual([]);
  }, 180_000);
});
