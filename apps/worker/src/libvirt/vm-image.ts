// The VM desktop image, built locally like the container base (no registry):
// debootstrap the packages in docker/desktop-vm/packages.txt, configure it
// (configure-rootfs.sh: user genos, the tiny init, a small initrd), then
// `mkfs.ext4 -d` into a raw disk and convert that to a qcow2 base. The file
// names carry a hash of the recipe folder, so a changed recipe rebuilds.
//
// Layers (qcow2 backing files, each a delta on the one below):
//   desktop-vm-<hash>.qcow2                     base (+ vmlinuz/initrd for direct kernel boot)
//   desktop-vm-<hash>-apps-<pkgs>.qcow2         one per package set: apt-get install in a chroot
//   <stateDir>/vms/<env>/disk.qcow2             one per environment, sized by spec diskGiB
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '@genos/core';
import { run, type Progress } from '../images/docker-stream';
import { exec } from './virsh';

export const VM_RECIPE_DIR = fileURLToPath(new URL('../../../../docker/desktop-vm/', import.meta.url));
export const IMAGES_DIR = process.env.GENOS_IMAGES_DIR ?? '/var/lib/genos/images';
const BUILD_ROOT = '/var/lib/genos/build';
const MIRROR = 'http://deb.debian.org/debian';
/** Headroom in the base filesystem; app layers and environments grow it (resize2fs at boot). */
const BASE_SLACK_MIB = 512;
/** An app layer's filesystem: the base plus room for the packages. */
const APP_LAYER_EXTRA_GIB = 4;
// Debian policy: lower case letters, digits, + - . ; at least 2 chars, starts alphanumeric.
const DEBIAN_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

export interface VmImage {
  /** The qcow2 an environment's overlay is created on (base or app layer). */
  disk: string;
  kernel: string;
  initrd: string;
  /** Virtual size of `disk` in bytes: an overlay is never smaller. */
  sizeBytes: number;
  built: boolean;
}

export interface VmBase {
  hash: string;
  disk: string;
  kernel: string;
  initrd: string;
  /** desktop-vm-<hash>.build: a random id per build, written last (marks the base complete). */
  buildIdFile: string;
  /** Set when the base exists: app layers are named after it, so a rebuilt base never gets a stale layer. */
  buildId?: string;
}

/** sha256 (16 hex) of every file in docker/desktop-vm except the README. */
export async function vmRecipeHash(): Promise<string> {
  const files = (await readdir(VM_RECIPE_DIR)).filter((f) => f !== 'README.md').sort();
  const h = createHash('sha256');
  for (const f of files) h.update(`${f}\0`).update(await readFile(join(VM_RECIPE_DIR, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}

export async function vmBasePaths(hash?: string): Promise<VmBase> {
  const h = hash ?? (await vmRecipeHash());
  return {
    hash: h,
    disk: join(IMAGES_DIR, `desktop-vm-${h}.qcow2`),
    kernel: join(IMAGES_DIR, `desktop-vm-${h}.vmlinuz`),
    initrd: join(IMAGES_DIR, `desktop-vm-${h}.initrd`),
    buildIdFile: join(IMAGES_DIR, `desktop-vm-${h}.build`),
  };
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/** The base when it is built for the current recipe, else undefined. */
export async function findVmBase(): Promise<VmBase | undefined> {
  const base = await vmBasePaths();
  for (const p of [base.disk, base.kernel, base.initrd]) if (!(await exists(p))) return undefined;
  const buildId = (await readFile(base.buildIdFile, 'utf8').catch(() => '')).trim();
  return buildId ? { ...base, buildId } : undefined;
}

let baseInFlight: Promise<VmBase & { built: boolean }> | undefined;

/** Builds the VM base when it is missing or its recipe changed (about 2 minutes); concurrent callers share one build. */
export function ensureVmBaseImage(opts: { onProgress?: Progress } = {}): Promise<VmBase & { built: boolean }> {
  baseInFlight ??= (async () => {
    const found = await findVmBase();
    if (found) return { ...found, built: false };
    return { ...(await buildBase(opts.onProgress ?? (() => {}))), built: true };
  })().finally(() => (baseInFlight = undefined));
  return baseInFlight;
}

async function packageList(): Promise<string[]> {
  const text = await readFile(join(VM_RECIPE_DIR, 'packages.txt'), 'utf8');
  return text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
}

async function buildBase(log: Progress): Promise<VmBase> {
  const base = await vmBasePaths();
  await mkdir(IMAGES_DIR, { recursive: true });
  await mkdir(BUILD_ROOT, { recursive: true });
  const dir = await mkdtemp(join(BUILD_ROOT, 'vm-'));
  const root = join(dir, 'root');
  try {
    const pkgs = await packageList();
    log(`debootstrap bookworm for the VM base (${pkgs.join(', ')})`);
    const debootstrap = () => run('debootstrap', ['--variant=minbase', `--include=${pkgs.join(',')}`, 'bookworm', root, MIRROR], log);
    // One retry: a download cut short by the archive fails the whole run.
    await debootstrap().catch(async (e: Error) => {
      log(`${e.message}; retrying once`);
      await removeTree(root);
      await debootstrap();
    });
    log('configuring the VM rootfs');
    await run('bash', [join(VM_RECIPE_DIR, 'configure-rootfs.sh'), root], log);

    const boot = await readdir(join(root, 'boot'));
    const vmlinuz = boot.find((f) => f.startsWith('vmlinuz-'));
    const initrd = boot.find((f) => f.startsWith('initrd.img-'));
    if (!vmlinuz || !initrd) throw new Error(`the VM rootfs has no kernel/initrd in /boot (${boot.join(', ')})`);
    await copyFile(join(root, 'boot', vmlinuz), `${base.kernel}.tmp`);
    await copyFile(join(root, 'boot', initrd), `${base.initrd}.tmp`);

    // Size the filesystem to its content plus some slack; disks grow it at boot.
    const { stdout } = await exec('du', ['-sm', '--apparent-size', root]);
    const usedMiB = parseInt(stdout, 10);
    const sizeMiB = Math.ceil((usedMiB * 1.15 + BASE_SLACK_MIB) / 64) * 64;
    const raw = join(dir, 'root.raw');
    log(`mkfs.ext4 -d: ${usedMiB} MiB of files into a ${sizeMiB} MiB filesystem`);
    await run('truncate', ['-s', `${sizeMiB}M`, raw]);
    await run('mkfs.ext4', ['-q', '-F', '-L', 'genos-root', '-d', root, raw], log);
    await run('qemu-img', ['convert', '-O', 'qcow2', raw, `${base.disk}.tmp`], log);
    for (const p of [base.kernel, base.initrd, base.disk]) {
      await chmod(`${p}.tmp`, 0o644);
      await rename(`${p}.tmp`, p);
    }
    const buildId = randomBytes(4).toString('hex');
    await writeFile(`${base.buildIdFile}.tmp`, `${buildId}\n`);
    await rename(`${base.buildIdFile}.tmp`, base.buildIdFile);
    log(`VM base ready: ${base.disk}`);
    return { ...base, buildId };
  } finally {
    await removeTree(dir);
  }
}

export function appLayerPath(base: VmBase, packages: string[]): string {
  const hash = createHash('sha256').update(packages.join('\n')).digest('hex').slice(0, 16);
  return join(IMAGES_DIR, `desktop-vm-${base.hash}-${base.buildId ?? 'x'}-apps-${hash}.qcow2`);
}

const layersInFlight = new Map<string, Promise<string>>();

/**
 * The disk an environment with these packages starts from: the base for the
 * base set, else a per-package-set layer built once (a chroot apt-get install
 * into a loop-mounted copy of the base, stored as a qcow2 delta on it).
 */
export async function ensureVmImage(opts: { packages: string[]; onProgress?: Progress }): Promise<VmImage> {
  const packages = [...new Set(opts.packages)].sort();
  const bad = packages.filter((p) => !DEBIAN_NAME.test(p));
  if (bad.length) throw new AppError('VALIDATION', `invalid Debian package name(s): ${bad.map((p) => JSON.stringify(p)).join(', ')}`);
  const base = await findVmBase();
  if (!base) {
    const want = await vmBasePaths();
    throw new AppError('UNAVAILABLE', `the VM base image is missing (${want.disk}): run \`npm run setup\` to build it`);
  }
  let disk = base.disk;
  let built = false;
  if (packages.length) {
    disk = appLayerPath(base, packages);
    if (!(await exists(disk))) {
      let job = layersInFlight.get(disk);
      if (!job) {
        job = buildAppLayer(base, disk, packages, opts.onProgress ?? (() => {})).finally(() => layersInFlight.delete(disk));
        layersInFlight.set(disk, job);
      }
      await job;
      built = true;
    }
  }
  return { disk, kernel: base.kernel, initrd: base.initrd, sizeBytes: await virtualSize(disk), built };
}

export async function virtualSize(qcow2: string): Promise<number> {
  const { stdout } = await exec('qemu-img', ['info', '--output=json', '-U', qcow2]);
  return (JSON.parse(stdout) as { 'virtual-size': number })['virtual-size'];
}

async function buildAppLayer(base: VmBase, target: string, packages: string[], log: Progress): Promise<string> {
  await mkdir(BUILD_ROOT, { recursive: true });
  const dir = await mkdtemp(join(BUILD_ROOT, 'vm-apps-'));
  const layer = `${target}.tmp`;
  const raw = join(dir, 'disk.raw');
  const mnt = join(dir, 'mnt');
  let daemon: ChildProcess | undefined;
  try {
    log(`building VM app layer ${target}: ${packages.join(' ')}`);
    // The layer is a qcow2 overlay on the base from the start, so it only ever holds what apt changes.
    const size = (await virtualSize(base.disk)) + APP_LAYER_EXTRA_GIB * 2 ** 30;
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base.disk, '-F', 'qcow2', layer, String(size)]);
    // qemu-storage-daemon shows it as a raw file through FUSE (no nbd module needed), which mounts by loop.
    await writeFile(raw, '');
    daemon = spawn('qemu-storage-daemon', [
      '--blockdev', JSON.stringify({ driver: 'qcow2', 'node-name': 'layer', file: { driver: 'file', filename: layer } }),
      '--export', `type=fuse,id=raw,node-name=layer,mountpoint=${raw},writable=on`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let daemonErr = '';
    daemon.stderr?.on('data', (d: Buffer) => (daemonErr += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await mountsUnder(dir)).includes(raw)) {
      if (daemon.exitCode !== null || Date.now() > deadline) throw new Error(`qemu-storage-daemon did not export the layer: ${daemonErr.trim()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await run('e2fsck', ['-fy', raw]).catch(() => {});
    await run('resize2fs', [raw]);
    await mkdir(mnt);
    await run('mount', ['-o', 'loop', raw, mnt]);
    await run('mount', ['-t', 'proc', 'proc', join(mnt, 'proc')]);
    await run('mount', ['--bind', '/dev', join(mnt, 'dev')]);
    // apt inside the chroot resolves through the host's resolver; services never start.
    await copyFile('/etc/resolv.conf', join(mnt, 'etc/resolv.conf'));
    await writeFile(join(mnt, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    const lines: string[] = [];
    const keep = (l: string) => {
      lines.push(l);
      if (lines.length > 40) lines.shift();
      log(l);
    };
    try {
      await run('chroot', [mnt, '/usr/bin/env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'DEBIAN_FRONTEND=noninteractive', 'sh', '-c',
        `apt-get update -qq && apt-get install -y -q --no-install-recommends ${packages.join(' ')} && apt-get clean && rm -rf /var/lib/apt/lists/*_*`], keep);
    } catch (e) {
      throw new Error(`apt-get install ${packages.join(' ')} in the VM image failed: ${(e as Error).message}\n${lines.slice(-10).join('\n')}`);
    }
    await rm(join(mnt, 'usr/sbin/policy-rc.d'), { force: true });
    await writeFile(join(mnt, 'etc/resolv.conf'), '');
    await run('fstrim', [mnt]).catch(() => {});
    await unmountUnder(mnt);
    await stopDaemon(daemon);
    daemon = undefined;
    await chmod(layer, 0o644);
    await rename(layer, target);
    log(`VM app layer ready: ${target}`);
    return target;
  } finally {
    await unmountUnder(mnt).catch(() => {});
    if (daemon) await stopDaemon(daemon);
    await rm(layer, { force: true });
    await removeTree(dir);
  }
}

/** SIGTERM makes qemu-storage-daemon flush the qcow2 and remove the FUSE export; wait for it. */
async function stopDaemon(daemon: ChildProcess): Promise<void> {
  if (daemon.exitCode !== null || daemon.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
  daemon.kill('SIGTERM');
  await exited;
}

async function mountsUnder(dir: string): Promise<string[]> {
  return (await readFile('/proc/mounts', 'utf8'))
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort()
    .reverse();
}

async function unmountUnder(dir: string): Promise<void> {
  for (const m of await mountsUnder(dir)) await run('umount', [m]).catch(() => run('umount', ['-l', m]).catch(() => {}));
}

// Never recurse into a live /proc or a /dev bind mount: refuse rather than delete through one.
async function removeTree(dir: string): Promise<void> {
  await unmountUnder(dir);
  const left = await mountsUnder(dir);
  if (left.length) throw new Error(`cannot unmount ${left.join(', ')}; left ${dir} in place`);
  await rm(dir, { recursive: true, force: true });
}
