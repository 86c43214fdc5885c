// The driver contract (../runtime/driver-contract.ts) against real libvirt/KVM
// and the real guacd. Needs /dev/kvm, libvirtd (scripts/setup-host.sh) and the
// VM base image (scripts/setup.ts builds it; here it is built when missing).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError, DEFAULT_SPEC, type EnvironmentSpec } from '@genos/core';
import { freshTestState } from '@genos/db/testing';
import { runDriverContract } from '../runtime/driver-contract';
import { domainName, METADATA_NS, vmNetworkName } from './domain-xml';
import { guacdGroupOf } from '../display/guacd-access';
import { createLibvirtDriver, lastHeartbeat } from './libvirt-driver';
import { ensureVmBaseImage } from './vm-image';
import { exec, virsh } from './virsh';

// A state dir and an instance of this run's own (domains carry its labels in their metadata), removed at the end.
const state = await freshTestState('libvirt-driver');
const { stateDir, labels } = state;
const driver = createLibvirtDriver({ stateDir, labels });
// File level: runs after the contract's own clean-up inside describe('libvirt').
afterAll(() => state.remove());
const spec: EnvironmentSpec = {
  ...DEFAULT_SPEC,
  runtime: 'vm',
  apps: ['xterm'],
  resources: { ...DEFAULT_SPEC.resources, memoryMiB: 512, cpu: 1 },
};
const hasKvm = existsSync('/dev/kvm');
if (!hasKvm) console.warn('libvirt driver contract skipped: /dev/kvm is absent on this machine (no KVM, no VMs)');
else if (driver.accel === 'tcg') console.warn('libvirt driver contract: this /dev/kvm cannot boot stock kernels (no vmx/svm: software nested KVM); VMs run on QEMU TCG');

describe.skipIf(!hasKvm)('libvirt', () => {
  runDriverContract({
    name: 'libvirt',
    driver,
    spec,
    environmentId: `vm${Date.now().toString(36)}`,
    displayTimeoutMs: 60_000,
    setup: async () => {
      await ensureVmBaseImage({ onProgress: (l) => console.log(`[vm-image] ${l}`) });
    },
    async checkProfile(ref, id) {
      const xml = await virsh(['dumpxml', '--inactive', ref]);
      // KVM where the CPU has vmx/svm; QEMU TCG where /dev/kvm is a software nested KVM (see accel.ts).
      expect(xml).toMatch(driver.accel === 'kvm' ? /<domain type=['"]kvm['"]/ : /<domain type=['"]qemu['"]/);
      expect(xml).not.toMatch(/host-passthrough|host-model/);
      expect(xml).toMatch(/<memory unit=['"]KiB['"]>524288</);
      expect(xml).toMatch(/<vcpu[^>]*>1</);
      expect(xml).not.toMatch(/<interface/);
      expect(xml).toContain(`socket='${path.join(stateDir, 'displays', id, 'vnc.sock')}'`);
      expect(xml).not.toMatch(/<graphics[^>]*(port|listen)=/);
      expect(xml).toContain('init=/usr/local/sbin/genos-vm-init');
      expect(await virsh(['metadata', ref, METADATA_NS])).toContain(`id="${id}"`);
      // The overlay is a qcow2 delta on the shared image.
      const { stdout } = await exec('qemu-img', ['info', '-U', path.join(stateDir, 'vms', id, 'disk.qcow2')]);
      expect(stdout).toMatch(/backing file: \/var\/lib\/genos\/images\/desktop-vm-/);
      // QEMU's folder is QEMU's alone; guacd reaches the socket pinned in root's folder for it (pinned-sockets.ts).
      const folder = await fs.stat(path.join(stateDir, 'displays', id));
      const qemuUid = Number(execFileSync('id', ['-u', 'libvirt-qemu'], { encoding: 'utf8' }).trim());
      expect({ mode: folder.mode & 0o777, uid: folder.uid }).toEqual({ mode: 0o700, uid: qemuUid });
      const pinned = await fs.stat(path.join(stateDir, 'guacd', id));
      expect({ mode: pinned.mode & 0o777, uid: pinned.uid, gid: pinned.gid }).toEqual({ mode: 0o710, uid: 0, gid: guacdGroupOf('genos-guacd') });
    },
    async networkInterfaces(ref) {
      // Rows: interface (or "-" while stopped), type, source, model, MAC.
      return (await virsh(['domiflist', ref]))
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((cols) => cols.length >= 3 && cols[0] !== 'Interface' && !/^-+$/.test(cols.join('')))
        .map((cols) => `${cols[1]}:${cols[2]}`);
    },
    // The guest's boot id from its serial heartbeat, waiting for a beat newer than the call:
    // after resume it must be the same boot (memory restored), not a reboot.
    async identity(_ref, id) {
      const log = driver.consoleLogFor(id);
      const before = (await lastHeartbeat(log))?.up ?? -1;
      const deadline = Date.now() + 15_000;
      for (;;) {
        const beat = await lastHeartbeat(log);
        if (beat && beat.up > before) return beat.boot;
        if (Date.now() > deadline) throw new Error(`no heartbeat from the guest after up=${before}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async ownNetworkExists(id) {
      return (await virsh(['net-list', '--all', '--name'])).split('\n').some((n) => n.trim() === vmNetworkName(id));
    },
    async leftovers(id) {
      const left: string[] = [];
      for (const p of [path.join(stateDir, 'displays', id), path.join(stateDir, 'vms', id), `/var/lib/libvirt/qemu/save/${domainName(id)}.save`]) {
        if (await fs.access(p).then(() => true, () => false)) left.push(p);
      }
      if ((await virsh(['list', '--all', '--name'])).split('\n').some((n) => n.trim() === domainName(id))) left.push(`domain ${domainName(id)}`);
      return left;
    },
  });

  describe('libvirt driver with catalog packages', () => {
    it('boots from a per-package-set layer and starts the app', async () => {
      const id = `vmapp${Date.now().toString(36)}`;
      try {
        // htop from the catalog: package htop, launched as `xterm -e htop`.
        const { runtimeRef } = await driver.create({ environmentId: id, spec: { ...spec, apps: ['xterm', 'htop'] } });
        const { stdout } = await exec('qemu-img', ['info', '-U', '--backing-chain', path.join(stateDir, 'vms', id, 'disk.qcow2')]);
        expect(stdout).toMatch(/desktop-vm-[0-9a-f]{16}-[0-9a-f]{8}-apps-[0-9a-f]{16}\.qcow2/);
        await driver.start(runtimeRef);
        await driver.displayEndpoint(runtimeRef, { timeoutMs: 90_000 });
        const log = await fs.readFile(driver.consoleLogFor(id), 'latin1');
        expect(log).toContain('starting xterm -e htop');
        expect(log).not.toMatch(/skipped|exited early/);
      } finally {
        await driver.terminate({ environmentId: id, runtimeRef: null });
      }
    }, 600_000);
  });

  describe('libvirt driver refusals', () => {
    it('says so when libvirtd is not running', async () => {
      process.env.GENOS_LIBVIRT_URI = 'qemu+unix:///system?socket=/nonexistent/libvirt-sock';
      try {
        const err = await driver.create({ environmentId: 'nolibvirt', spec }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AppError);
        expect(err).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/^libvirt is not running/) });
      } finally {
        delete process.env.GENOS_LIBVIRT_URI;
      }
    });

    it('refuses a spec bigger than the host', async () => {
      const small = createLibvirtDriver({ stateDir, labels, hostCpus: 2, hostMemoryMiB: 4096 });
      const err = await small.create({ environmentId: 'toolarge', spec: { ...spec, resources: { ...spec.resources, memoryMiB: 8192 } } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('TOO_LARGE');
      expect((err as Error).message).toMatch(/8192 MiB/);
    });
  });
});
