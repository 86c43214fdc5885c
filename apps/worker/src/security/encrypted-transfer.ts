// Transfer folders encrypted at rest (issue 17, item 4): each desktop's
// Transfer folder is a gocryptfs directory of its own under the state dir,
// its password the environment's own data key from the key service.
//
// Unlike a home, the plaintext view stays mounted on the host while the
// desktop exists, because the web app (root, on this host) streams uploads
// into it and downloads out of it. What rests on the disk is only the cipher
// directory; the mount is torn down, the cipher directory removed and the key
// destroyed when the desktop ends, so a copy of the ciphertext (a backup, a
// disk image) is unreadable from then on.
//
// Without the key service (a worker without GENOS_KEK_FILE, e.g. under
// compose, whose worker container cannot mount FUSE where the host's Docker
// sees it) the same layout is a plain folder, and the worker says so at start.
//
// Layout of the plaintext view (uid 1000's, 0700; only files/ is ever bound into the desktop):
//   files/     uid 1000, bind-mounted into the desktop as /home/genos/Transfer
//   incoming/  uid 1000, 0700, never bound into the desktop: uploads are staged
//              here (same filesystem, so link(2) can put them into files/ whole)
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, TRANSFER_FOLDER_PURPOSE, transferFolderKey, type Actor, type KeyService } from '@genos/core';
import { removeDesktopTree } from '../display/pinned-sockets';
import { cipherRootOf } from './encrypted-home';
import { initCipherDir, mountCipherDir, mountedUnder, passwordOf, unmountAndEnd } from './gocryptfs';

/** The raw data key of one environment's Transfer folder (the key service's TRANSFER_FOLDER_PURPOSE key). */
export interface TransferKeySource {
  keyFor(environmentId: string): Promise<Uint8Array>;
  /** Forgets the key once the folder is gone: a copy of its ciphertext can never be read again. */
  destroy(environmentId: string): Promise<void>;
}

/** The key service's Transfer-folder keys, used and destroyed as `actor` (every use audited). */
export const transferKeysOf = (keys: KeyService, actor: Actor): TransferKeySource => ({
  keyFor: (environmentId) => transferFolderKey({ keys, environmentId, actor }),
  destroy: (environmentId) => keys.destroy({ purpose: TRANSFER_FOLDER_PURPOSE, objectId: environmentId }, actor),
});

const DESKTOP_UID = 1000;
const ID_RE = /^[a-z0-9]{1,64}$/i;

export const transferCiphersDirOf = (stateDir: string) => path.join(stateDir, 'transfer-cipher');
/** The plaintext views' root (what apps/web's files routes know as the transfer root). */
export const transferMountsDirOf = (stateDir: string) => path.join(stateDir, 'transfer');
/** The folder bound into the desktop as its ~/Transfer. */
export const transferFilesDirOf = (stateDir: string, environmentId: string) => path.join(transferMountsDirOf(stateDir), environmentId, 'files');

export interface EncryptedTransfers {
  /**
   * Makes the environment's encrypted folder on first use and mounts its
   * plaintext view (again after a reboot); returns the folder to bind into
   * the desktop. Idempotent.
   */
  open(environmentId: string): Promise<string>;
  /** Unmounts, ends its gocryptfs, removes the cipher directory and the mountpoint. Idempotent. */
  remove(environmentId: string): Promise<void>;
  /** Environments with a cipher directory or mountpoint (reconciliation removes those without a desktop). */
  leftovers(): Promise<string[]>;
}

export function transferFolders(opts: { stateDir: string; keys: TransferKeySource | null }): EncryptedTransfers {
  const ciphers = transferCiphersDirOf(opts.stateDir);
  const mounts = transferMountsDirOf(opts.stateDir);
  const checked = (id: string) => {
    if (!ID_RE.test(id)) throw new AppError('VALIDATION', `not an environment id: ${id}`);
    return { cipher: path.join(ciphers, id), mountpoint: path.join(mounts, id) };
  };
  const privateDir = async (dir: string, mode = 0o700) => {
    await fs.mkdir(dir, { recursive: true, mode });
    const st = await fs.lstat(dir);
    if (!st.isDirectory()) throw new AppError('UNAVAILABLE', `${dir} must be a folder (found a link or a file)`);
    await fs.chmod(dir, mode);
  };
  const keys = opts.keys;
  const withPassword = async <T>(id: string, fn: (password: string) => Promise<T>) => {
    if (!keys) throw new AppError('INTERNAL', 'no key service for Transfer folders');
    const key = await keys.keyFor(id);
    try {
      return await fn(passwordOf(key));
    } finally {
      key.fill(0);
    }
  };
  const isMounted = async (mp: string) => (await mountedUnder(mp)).includes(mp);

  return {
    async open(environmentId) {
      const { cipher, mountpoint } = checked(environmentId);
      await cipherRootOf(opts.stateDir, path.basename(ciphers));
      await privateDir(mounts);
      if (!keys) await privateDir(mountpoint);
      else if (!(await fs.access(path.join(cipher, 'gocryptfs.conf')).then(() => true, () => false))) {
        // A half-made one (a crash during -init) is started over: it never held a file.
        await fs.rm(cipher, { recursive: true, force: true });
        await fs.mkdir(cipher, { mode: 0o700 });
        await withPassword(environmentId, (password) => initCipherDir(cipher, password));
      }
      if (keys) {
        // The desktop user's, like everything in it (see cipherRootOf in encrypted-home.ts): gocryptfs may be running
        // as that user for a moment when the web app's own request reaches it.
        await fs.lchown(cipher, DESKTOP_UID, DESKTOP_UID);
        await fs.chmod(cipher, 0o700);
      }
      if (keys && !(await isMounted(mountpoint))) {
        // Root's and mode 0 while nothing is mounted: nobody writes plaintext onto the disk by mistake.
        await privateDir(mountpoint, 0);
        await withPassword(environmentId, (password) => mountCipherDir(cipher, mountpoint, password));
      }
      await fs.chmod(mountpoint, 0o700);
      const files = transferFilesDirOf(opts.stateDir, environmentId);
      const incoming = path.join(mountpoint, 'incoming');
      await privateDir(files);
      await fs.lchown(files, DESKTOP_UID, DESKTOP_UID);
      await privateDir(incoming);
      // Out of the desktop's sight all the same (only files/ is bound into it); the desktop user's for the
      // reason above: an upload staged here must not fail while gocryptfs runs as that user.
      await fs.lchown(incoming, DESKTOP_UID, DESKTOP_UID);
      return files;
    },

    async remove(environmentId) {
      const { cipher, mountpoint } = checked(environmentId);
      await unmountAndEnd(mountpoint);
      if (await isMounted(mountpoint)) throw new AppError('INTERNAL', `the Transfer folder at ${mountpoint} is still mounted`);
      // Unmounted, the mountpoint is empty, unless it is a plain folder (no key service, or a desktop
      // from before encryption): that one is the desktop's, removed without following what it planted there.
      await fs.rmdir(mountpoint).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOTEMPTY' || e.code === 'EEXIST') await removeDesktopTree(mountpoint);
        else if (e.code !== 'ENOENT') throw new AppError('INTERNAL', `the Transfer mountpoint ${mountpoint} could not be removed: ${e.code}`);
      });
      await fs.rm(cipher, { recursive: true, force: true });
      await keys?.destroy(environmentId);
    },

    async leftovers() {
      const names = new Set<string>();
      for (const dir of [ciphers, mounts]) for (const n of await fs.readdir(dir).catch(() => [] as string[])) if (ID_RE.test(n)) names.add(n);
      return [...names];
    },
  };
}
