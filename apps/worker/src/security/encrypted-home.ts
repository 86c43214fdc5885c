// Home volumes encrypted at rest (issue 17, item 3): one gocryptfs cipher
// directory per user under the state dir, its password the user's own data
// key from the key service. A desktop gets the plaintext view on a mountpoint
// of its own, mounted just before its container starts and detached from the
// host right after: from then on the decrypted home exists only inside the
// desktop's mount namespace, and ends with it.
//
// Why the state dir and not a Docker volume's _data: nothing would attach
// such a volume to a container any more, so `docker volume prune` would
// count every home as unused; the state dir is GenOS's own (0700 folders).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type Dockerode from 'dockerode';
import { AppError } from '@genos/core';
import { ensurePassablePath } from '@genos/db/state-dir';
import { runCommand } from '../backup/run-command';
import { dockerStatus } from '../docker/docker-status';
import { detach, initCipherDir, mountCipherDir, mountedUnder, passwordOf, unmountAndEnd } from './gocryptfs';
import { homeVolumeName, OWNER_LABEL } from './home-volume';

/** The raw data key of one user's home (the key service's HOME_VOLUME_PURPOSE key). */
export type HomeKeySource = (ownerId: string) => Promise<Uint8Array>;

const DESKTOP_UID = 1000;
const MANAGED_LABEL = 'genos.managed';
/**
 * The cipher directories' folder, and every folder above it, are passable
 * (0711: searchable, never listable), not root-only. Debian 12's gocryptfs
 * (2.3, upstream issue #893) switches its whole process, not one thread, to
 * the desktop user's uid while it creates a file for it, and reopens the
 * cipher directory by its full path for every operation: behind a root-only
 * folder, whatever reached it meanwhile failed with EACCES (a desktop's own
 * write, now and then on a busy host). Each cipher directory stays the
 * desktop user's and 0700, so this opens nothing to anyone else.
 */
export const cipherRootOf = (stateDir: string, folder: string) => ensurePassablePath(stateDir, folder);
/** Temporary folders (.init-…, .migrate-…) older than this belong to a crashed worker. */
const STALE_MS = 10 * 60_000;

export const homesDirOf = (stateDir: string) => path.join(stateDir, 'homes');
export const homeMountsDirOf = (stateDir: string) => path.join(stateDir, 'home-mounts');
/** The user's cipher directory (gocryptfs.conf inside it): what a backup holds. homeVolumeName validates the id. */
export const cipherDirOf = (stateDir: string, ownerId: string) => (homeVolumeName(ownerId), path.join(homesDirOf(stateDir), ownerId));
export const isCipherDir = (dir: string) => fs.access(path.join(dir, 'gocryptfs.conf')).then(() => true, () => false);

const withKey = async <T>(keyFor: HomeKeySource, ownerId: string, fn: (password: string) => Promise<T>): Promise<T> => {
  const key = await keyFor(ownerId);
  try {
    return await fn(passwordOf(key));
  } finally {
    key.fill(0);
  }
};

export interface EncryptedHomes {
  /** Makes the user's encrypted home on first use and moves an old plain Docker home volume into it. */
  ensure(ownerId: string): Promise<string>;
  mountpointFor(environmentId: string): string;
  /**
   * Makes the environment's empty mountpoint: root's, mode 0, so a container
   * started on it while nothing is mounted cannot write a byte to the host's disk.
   */
  prepare(environmentId: string): Promise<string>;
  /** Mounts the user's plaintext view on the environment's mountpoint (before its container starts). */
  mount(ownerId: string, environmentId: string): Promise<void>;
  /** Takes the mount off the host once the container holds it (after it started). */
  detach(environmentId: string): Promise<void>;
  /** Unmounts (if still mounted), waits for its gocryptfs to end, removes the mountpoint. Idempotent. */
  release(environmentId: string): Promise<void>;
  /** Environments that still have a mountpoint (a crash between steps): reconciliation releases them. */
  leftovers(): Promise<string[]>;
  /** Removes temporary folders a crashed worker left (init and migration). */
  sweep(): Promise<void>;
}

export function encryptedHomes(opts: { stateDir: string; keyFor?: HomeKeySource; docker?: Dockerode }): EncryptedHomes {
  const homesDir = homesDirOf(opts.stateDir);
  const mountsDir = homeMountsDirOf(opts.stateDir);
  const mountpointFor = (environmentId: string) => path.join(mountsDir, environmentId);
  const keyFor: HomeKeySource = (ownerId) => {
    if (!opts.keyFor) throw new AppError('UNAVAILABLE', 'home volumes are encrypted with a data key from the key service: this worker needs GENOS_KEK_FILE');
    return opts.keyFor(ownerId);
  };
  const privateDir = async (dir: string) => {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.chmod(dir, 0o700);
  };

  async function init(ownerId: string, dir: string): Promise<void> {
    await cipherRootOf(opts.stateDir, path.basename(homesDir));
    const tmp = path.join(homesDir, `.init-${ownerId}-${randomBytes(4).toString('hex')}`);
    await fs.mkdir(tmp, { mode: 0o700 });
    try {
      await withKey(keyFor, ownerId, (password) => initCipherDir(tmp, password));
      // The plaintext root shows the cipher dir's owner and mode: the desktop user's, private.
      await fs.chown(tmp, DESKTOP_UID, DESKTOP_UID);
      await fs.chmod(tmp, 0o700);
      await fs.rename(tmp, dir);
    } catch (e) {
      await fs.rm(tmp, { recursive: true, force: true });
      // Another job made it first (same data key: the key service returns the row it inserted).
      if ((e as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (e as NodeJS.ErrnoException).code === 'EEXIST') return;
      throw e;
    }
  }

  /** The migration path: a plain home volume from before encryption is copied in once, then removed. */
  async function migrate(ownerId: string, dir: string): Promise<void> {
    if (!opts.docker) return;
    const volume = opts.docker.getVolume(homeVolumeName(ownerId));
    let info: Dockerode.VolumeInspectInfo;
    try {
      info = await volume.inspect();
    } catch (e) {
      if (dockerStatus(e) === 404) return;
      throw e;
    }
    // Never copy (or remove) a volume that is not GenOS's home of this very user.
    if (info.Labels?.[MANAGED_LABEL] !== 'true' || info.Labels?.[OWNER_LABEL] !== ownerId) {
      throw new AppError('CONFLICT', `volume ${info.Name} exists but is not this user's GenOS home`);
    }
    const mnt = path.join(mountsDir, `.migrate-${ownerId}-${randomBytes(4).toString('hex')}`);
    await privateDir(mountsDir);
    await fs.mkdir(mnt, { mode: 0 });
    try {
      await withKey(keyFor, ownerId, (password) => mountCipherDir(dir, mnt, password));
      // -a keeps owners and modes; -n never overwrites a file already in the encrypted home (a retry after a failed removal).
      const r = await runCommand('cp', ['-a', '-n', '--', `${info.Mountpoint}/.`, `${mnt}/`]);
      if (r.code !== 0) throw new AppError('INTERNAL', `copying the plain home volume ${info.Name} into the encrypted home failed: ${r.stderr.trim()}`);
    } finally {
      await detach(mnt);
      await fs.rmdir(mnt).catch(() => {});
    }
    try {
      await volume.remove();
    } catch (e) {
      if (dockerStatus(e) === 404) return;
      if (dockerStatus(e) === 409) throw new AppError('CONFLICT', `the old unencrypted home volume ${info.Name} is still used by a running desktop: end it, then start this one (its files were copied into the encrypted home)`);
      throw e;
    }
  }

  return {
    mountpointFor,

    async ensure(ownerId) {
      const dir = cipherDirOf(opts.stateDir, ownerId);
      if (!(await isCipherDir(dir))) await init(ownerId, dir);
      await migrate(ownerId, dir);
      return dir;
    },

    async prepare(environmentId) {
      await privateDir(mountsDir);
      const mp = mountpointFor(environmentId);
      await fs.mkdir(mp, { mode: 0 }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      const st = await fs.lstat(mp);
      if (!st.isDirectory()) throw new AppError('UNAVAILABLE', `${mp} must be a folder`);
      await fs.chmod(mp, 0);
      return mp;
    },

    async mount(ownerId, environmentId) {
      const mp = mountpointFor(environmentId);
      if ((await mountedUnder(mp)).includes(mp)) return;
      const dir = cipherDirOf(opts.stateDir, ownerId);
      if (!(await isCipherDir(dir))) throw new AppError('NOT_FOUND', `the encrypted home of ${ownerId} is missing (${dir})`);
      // Also for homes made before the folders above them were passable.
      await cipherRootOf(opts.stateDir, path.basename(homesDir));
      await withKey(keyFor, ownerId, (password) => mountCipherDir(dir, mp, password));
    },

    async detach(environmentId) {
      const mp = mountpointFor(environmentId);
      for (const m of await mountedUnder(mp)) await detach(m);
    },

    async release(environmentId) {
      const mp = mountpointFor(environmentId);
      await unmountAndEnd(mp);
      try {
        await fs.rmdir(mp);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return;
        // Never removed recursively: a mount still there would be the user's files.
        throw new AppError('INTERNAL', `the home mountpoint ${mp} could not be removed: ${code}`);
      }
    },

    async leftovers() {
      const names = await fs.readdir(mountsDir).catch(() => [] as string[]);
      return names.filter((n) => !n.startsWith('.'));
    },

    async sweep() {
      const now = Date.now();
      for (const [dir, prefix] of [[homesDir, '.init-'], [mountsDir, '.migrate-']] as const) {
        for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
          if (!name.startsWith(prefix)) continue;
          const p = path.join(dir, name);
          const st = await fs.lstat(p).catch(() => null);
          if (!st || now - st.mtimeMs < STALE_MS) continue;
          if (prefix === '.migrate-') {
            for (const m of await mountedUnder(p)) await detach(m);
            await fs.rmdir(p).catch(() => {});
          } else await fs.rm(p, { recursive: true, force: true });
        }
      }
    },
  };
}
