// Builds the desktop base image without any registry: debootstrap a Debian 12
// rootfs, `docker import` it, then build docker/desktop-base on top of it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { followProgress, inspectImage, run, type Progress } from './docker-stream.ts';

export const BASE_TAG = 'genos/desktop-base:1';
export const ROOTFS_REPO = 'genos/debian-bookworm';
export const ROOTFS_TAG = `${ROOTFS_REPO}:rootfs`;
export const DESKTOP_BASE_DIR = fileURLToPath(new URL('../../../../docker/desktop-base/', import.meta.url));
const BUILD_ROOT = '/var/lib/genos/build';
const MIRROR = 'http://deb.debian.org/debian';

export interface EnsureBaseImageOptions {
  docker: Dockerode;
  onProgress?: Progress;
  /** Rebuild the base image (without layer cache); the rootfs is reused. */
  force?: boolean;
}

export interface BaseImage {
  tag: string;
  id: string;
  built: boolean;
}

// One build at a time per process: concurrent callers share it.
let inFlight: Promise<BaseImage> | undefined;

export function ensureBaseImage(opts: EnsureBaseImageOptions): Promise<BaseImage> {
  inFlight ??= buildBase(opts).finally(() => (inFlight = undefined));
  return inFlight;
}

async function buildBase({ docker, onProgress: log = () => {}, force = false }: EnsureBaseImageOptions): Promise<BaseImage> {
  // The tag never changes, so the folder's content hash (a label) tells
  // whether an existing image is stale: editing the start script or the
  // package list rebuilds without anyone having to pass force.
  const hashes = await contextHashes();
  const existing = await inspectImage(docker, BASE_TAG);
  if (existing && !force && existing.labels[CONTEXT_LABEL] === hashes.context) {
    return { tag: BASE_TAG, id: existing.id, built: false };
  }

  const rootfs = await inspectImage(docker, ROOTFS_TAG);
  if (rootfs?.labels[ROOTFS_LABEL] !== hashes.rootfs) {
    await buildRootfs(docker, hashes.rootfs, log);
    if (rootfs) await docker.getImage(rootfs.id).remove().catch(() => {});
  }

  log(`building ${BASE_TAG} from ${DESKTOP_BASE_DIR}`);
  // dockerode applies the folder's .dockerignore to this list.
  const src = await readdir(DESKTOP_BASE_DIR);
  const stream = await docker.buildImage(
    { context: DESKTOP_BASE_DIR, src },
    { t: BASE_TAG, nocache: force, rm: true, forcerm: true, labels: { [CONTEXT_LABEL]: hashes.context } },
  );
  await followProgress(docker, stream, `docker build ${BASE_TAG}`, log);
  const built = await inspectImage(docker, BASE_TAG);
  if (!built) throw new Error(`docker build ${BASE_TAG} reported success but the image is missing`);
  // A rebuild leaves the previous image untagged: drop it unless something
  // (a running desktop, an app layer) still uses it.
  if (existing && existing.id !== built.id) await docker.getImage(existing.id).remove().catch(() => {});
  return { tag: BASE_TAG, id: built.id, built: true };
}

const CONTEXT_LABEL = 'genos.context-hash';
const ROOTFS_LABEL = 'genos.rootfs-hash';

/** sha256 (16 hex) of the rootfs inputs and of the whole build folder. */
async function contextHashes(): Promise<{ rootfs: string; context: string }> {
  const hash = async (files: string[]) => {
    const h = createHash('sha256');
    for (const f of files.sort()) h.update(`${f}\0`).update(await readFile(join(DESKTOP_BASE_DIR, f))).update('\0');
    return h.digest('hex').slice(0, 16);
  };
  const all = (await readdir(DESKTOP_BASE_DIR)).filter((f) => f !== 'README.md');
  return { rootfs: await hash(['packages.txt', 'rootfs-exclude.txt']), context: await hash(all) };
}

/** Package list for debootstrap, one per line in docker/desktop-base/packages.txt. */
export async function basePackages(): Promise<string[]> {
  const text = await readFile(join(DESKTOP_BASE_DIR, 'packages.txt'), 'utf8');
  return text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
}

async function buildRootfs(docker: Dockerode, rootfsHash: string, log: Progress): Promise<void> {
  await mkdir(BUILD_ROOT, { recursive: true });
  const dir = await mkdtemp(join(BUILD_ROOT, 'rootfs-'));
  try {
    const pkgs = await basePackages();
    log(`debootstrap bookworm into ${dir} (${pkgs.join(', ')})`);
    await run('debootstrap', ['--variant=minbase', `--include=${pkgs.join(',')}`, 'bookworm', dir, MIRROR], log);

    log(`importing ${ROOTFS_TAG}`);
    // Stream the tar straight into the Docker API: no tarball on disk.
    // rootfs-exclude.txt drops the .deb cache, apt lists and docs (~half the size).
    const tar = spawn('tar', ['-C', dir, '--numeric-owner', '-X', join(DESKTOP_BASE_DIR, 'rootfs-exclude.txt'), '-c', '.'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tarErr = '';
    tar.stderr.on('data', (d: Buffer) => (tarErr += d.toString()));
    const tarDone = new Promise<void>((resolve, reject) => {
      tar.on('error', reject);
      tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited with ${code}: ${tarErr.trim()}`))));
    });
    const stream = await docker.importImage(tar.stdout, {
      repo: ROOTFS_REPO,
      tag: 'rootfs',
      changes: [`LABEL genos.managed=true ${ROOTFS_LABEL}=${rootfsHash}`],
    });
    await Promise.all([followProgress(docker, stream, `docker import ${ROOTFS_TAG}`), tarDone]);
  } finally {
    await removeRootfs(dir);
  }
}

// A debootstrap that failed midway can leave /proc or /sys mounted inside the
// target: unmount those before deleting, never recurse into a live /proc.
async function removeRootfs(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/mounts', 'utf8'))
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort()
    .reverse();
  for (const m of mounts) await run('umount', ['-l', m]).catch(() => {});
  await rm(dir, { recursive: true, force: true });
}
