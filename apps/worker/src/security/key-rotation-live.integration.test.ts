// Rotating the key-encryption key while desktops run (issue 17): a desktop
// with an encrypted home and an encrypted Transfer folder keeps working, a
// desktop started after the rotation opens the same home with the re-wrapped
// key, the old KEK is destroyed, and every step is on the audit log. The
// suite rotates a keyring of its own, never the test run's shared one.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { auditThrough, DEFAULT_SPEC, homeVolumeKey, rotateKeyEncryptionKey, type Actor, type EnvironmentSpec } from '@genos/core';
import { createPrismaStore } from '@genos/db';
import { ensureKeyringFile, fileKeyring, keyServiceFor, prismaDataKeys } from '@genos/db/keys';
import { createTestDatabase, freshTestState } from '@genos/db/testing';
// The web app's own upload and download code (the worker's tests may import it; the reverse is not allowed).
import { openTransferFile, receiveUpload } from '../../../web/src/server/files/transfer';
import { createDockerDriver } from '../docker/docker-driver';
import { desktopShell } from '../docker/desktop-shell';
import { testDesktops } from '../docker/test-desktops';
import { ensureBaseImage } from '../images/build-base-image';
import { transferKeysOf } from './encrypted-transfer';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const state = await freshTestState('kek-live');
const db = await createTestDatabase();
const kekFile = path.join(state.stateDir, 'keys', 'kek.json');
await fs.mkdir(path.dirname(kekFile), { recursive: true, mode: 0o700 });
await ensureKeyringFile(kekFile);
const { keys } = keyServiceFor({ prisma: db.prisma, kekFile });
const worker: Actor = { kind: 'worker' };
const driver = createDockerDriver({
  docker,
  stateDir: state.stateDir,
  labels: state.labels,
  homeKeys: (ownerId) => homeVolumeKey({ keys, ownerId, actor: worker }),
  transferKeys: transferKeysOf(keys, worker),
});
const spec: EnvironmentSpec = { ...DEFAULT_SPEC, resources: { ...DEFAULT_SPEC.resources, memoryMiB: 256, cpu: 0.5 }, persistence: { homeVolume: true } };
const desktops = testDesktops(driver, spec);
const sh = (ref: string, script: string) => desktopShell(docker, ref, script);

afterAll(() => desktops.endAll(async () => {
  await db.drop();
  await state.remove();
}), 120_000);

describe('KEK rotation while desktops run', () => {
  it('keeps running desktops working, opens homes after it, retires the old KEK, and audits each step', async () => {
    await ensureBaseImage({ docker });
    const owner = (await db.prisma.user.create({ data: { email: 'rotate@genos.test' } })).id;
    const stamp = Date.now().toString(36);
    const a = `rota${stamp}`;
    const refA = await desktops.up(a, { ownerId: owner });
    const inHome = `home-${randomBytes(6).toString('hex')}`;
    await sh(refA, `printf %s ${inHome} > ~/before.txt`);
    await receiveUpload({ stateDir: state.stateDir, environmentId: a, name: 'before.txt', body: Readable.from([Buffer.from('uploaded before')]), declaredBytes: 15 });
    const [oldKek] = await fileKeyring(kekFile).list();
    expect(await db.prisma.dataKey.count({ where: { kekId: oldKek!.id } })).toBe(2); // the home's and the Transfer folder's

    const result = await rotateKeyEncryptionKey({
      keks: fileKeyring(kekFile),
      dataKeys: prismaDataKeys(db.prisma),
      audit: auditThrough(createPrismaStore({ prisma: db.prisma, enqueue: async () => null })),
      actor: { kind: 'system', id: null },
    });
    expect(result).toMatchObject({ rewrapped: 2, retired: [oldKek!.id], kept: [] });
    expect((await fileKeyring(kekFile).list()).map((k) => [k.id, k.active])).toEqual([[result.newKekId, true]]);
    expect(await db.prisma.dataKey.count({ where: { kekId: { not: result.newKekId } } })).toBe(0);

    // The running desktop did not notice: its home and Transfer folder still read and write.
    expect(await sh(refA, 'cat ~/before.txt; printf %s after > ~/after.txt')).toBe(inHome);
    expect(await sh(refA, 'cat ~/Transfer/before.txt'), await sh(refA, 'id; ls -lan ~ ~/Transfer')).toBe('uploaded before');
    await receiveUpload({ stateDir: state.stateDir, environmentId: a, name: 'after.txt', body: Readable.from([Buffer.from('uploaded after')]), declaredBytes: 14 });
    expect(await sh(refA, 'cat ~/Transfer/after.txt')).toBe('uploaded after');
    const down = await openTransferFile(state.stateDir, a, 'before.txt');
    down.stream.destroy();
    expect(down.bytes).toBe(15);

    // A desktop started after the rotation unwraps the same home key with the new KEK.
    const refB = await desktops.up(`rotb${stamp}`, { ownerId: owner });
    expect(await sh(refB, 'cat ~/before.txt ~/after.txt')).toBe(`${inHome}after`);

    // Ending the first desktop destroys its Transfer key (re-wrapped or not) and leaves the home's.
    await desktops.end(a);
    expect(await db.prisma.dataKey.count()).toBe(2); // the home's, and the second desktop's Transfer folder

    const actions = (await db.prisma.auditLog.findMany({ where: { action: { startsWith: 'key.' } }, orderBy: { at: 'asc' } })).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['key.kek.create', 'key.rewrap', 'key.kek.retire', 'key.data.destroy']));
  }, 240_000);
});
