import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ensurePassablePath } from '@genos/db/state-dir';

/**
 * The host never acts as root on a name a desktop controls.
 *
 * A desktop's display folder, `<stateDir>/displays/<id>`, is bind-mounted into
 * the sandbox and belongs to the desktop (or QEMU): it may put anything there
 * under any name, at any moment (a link to the Docker socket, a FIFO, a file),
 * and swap it between two calls of ours. So nothing here chmods, chowns or
 * connects to a path inside that folder. Instead, the one call made on it is
 * link(2), which never follows a symbolic link (Linux has not since 2.0): it
 * pins whatever inode the name held at that instant under a name of root's own
 * in `<stateDir>/guacd/<id>` (root:guacd 0710; root 0700 without guacd's
 * group), where the desktop can neither see nor change anything. The pinned
 * entry is then checked with lstat (a socket, owned by the desktop folder's
 * owner: a desktop can only make inodes it owns, and can only link inodes of
 * its own mount, so a host file can never pass) and only then given guacd's
 * group and 0770, by a path no one but root can change. guacd, the readiness
 * probe and the loopback bridges open the pinned name only.
 *
 * Anything that is not a socket the desktop owns is refused with a
 * RefusedSocketError, and the desktop stays unviewable until it puts a socket
 * back: a real desktop never has anything else there (x11vnc, socat and
 * PulseAudio bind their sockets in place).
 */

/** Under the state dir: one folder per environment holding the pinned sockets guacd and the bridges open. */
export const GUACD_FOLDER = 'guacd';

export const guacdFolderFor = (stateDir: string, environmentId: string) => path.join(stateDir, GUACD_FOLDER, environmentId);

/** The pinned-socket folder that goes with the display folder `<stateDir>/displays/<id>`. */
export const guacdFolderBeside = (socketDir: string) => guacdFolderFor(path.dirname(path.dirname(socketDir)), path.basename(socketDir));

/** A desktop put something other than its own socket where a socket belongs; nothing on the host was changed. */
export class RefusedSocketError extends Error {
  override readonly name = 'RefusedSocketError';
}

/** What an lstat found, in words for an error message. */
export function describeEntry(st: Pick<Stats, 'isSymbolicLink' | 'isFIFO' | 'isFile' | 'isDirectory' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a folder';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'something else';
}

/**
 * Why `st` (an lstat of the pinned entry) may not be handed to guacd, or null
 * when it may: a socket owned by `ownerUid`, the display folder's owner.
 */
export function socketRefusal(st: Pick<Stats, 'uid'> & Parameters<typeof describeEntry>[0], ownerUid: number): string | null {
  if (!st.isSocket()) return `is ${describeEntry(st)}, not a socket`;
  if (st.uid !== ownerUid) return `is a socket owned by uid ${st.uid}, not by the desktop (uid ${ownerUid})`;
  return null;
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;
const me = () => ({ uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });

/**
 * Makes `<stateDir>/guacd/<id>` root's own (0700), or root's with guacd's
 * group passing through (0710). Its parent is root's and 0711, so no one else
 * can put a link in its place; one found there anyway is refused.
 */
export async function ensureGuacdFolder(stateDir: string, environmentId: string, guacdGid: number | null): Promise<string> {
  await ensurePassablePath(stateDir, GUACD_FOLDER);
  const dir = guacdFolderFor(stateDir, environmentId);
  await fs.mkdir(dir, { mode: 0o700 }).catch((e: unknown) => {
    if (errno(e) !== 'EEXIST') throw e;
  });
  const st = await fs.lstat(dir);
  const owner = me();
  if (!st.isDirectory() || st.uid !== owner.uid) throw new Error(`${dir} must be a folder of this worker's user (found ${describeEntry(st)} of uid ${st.uid})`);
  const gid = guacdGid ?? owner.gid;
  const mode = guacdGid === null ? 0o700 : 0o710;
  if (st.gid !== gid) await fs.lchown(dir, owner.uid, gid);
  if ((st.mode & 0o7777) !== mode) await fs.chmod(dir, mode);
  return dir;
}

/**
 * Pins the socket `<socketDir>/<name>` (socketDir: `<stateDir>/displays/<id>`)
 * as `<stateDir>/guacd/<id>/<name>` and returns that path, or null while the
 * desktop has not made it yet. With `guacdGid`, the socket is opened to
 * guacd's group (0770), unless `forGuacd` is false (a socket only root, the
 * web process, opens: it keeps the desktop's own owner and mode). Throws
 * RefusedSocketError for anything but a socket of the desktop's own.
 */
export async function pinSocket(opts: { socketDir: string; name: string; guacdGid: number | null; forGuacd?: boolean }): Promise<string | null> {
  const { socketDir, name, guacdGid } = opts;
  const forGuacd = opts.forGuacd ?? true;
  // The display folder's name sits in root's displays/ (0711): it cannot be swapped, and its owner is the one the worker gave it.
  const folder = await fs.lstat(socketDir).catch((e: unknown) => {
    if (errno(e) === 'ENOENT') return null;
    throw e;
  });
  if (!folder) return null;
  if (!folder.isDirectory()) throw new RefusedSocketError(`the display folder ${socketDir} is ${describeEntry(folder)}, not a folder: refused`);
  // guacd no longer enters the desktop's folder; one made before pinning (0710, guacd's group) becomes its owner's alone.
  if ((folder.mode & 0o077) !== 0) await fs.chmod(socketDir, folder.mode & 0o700);

  const guacd = await ensureGuacdFolder(path.dirname(path.dirname(socketDir)), path.basename(socketDir), guacdGid);
  const source = path.join(socketDir, name);
  const tmp = path.join(guacd, `.${name}.${randomBytes(6).toString('hex')}`);
  try {
    // link(2) takes the entry itself, never what a symbolic link points at.
    await fs.link(source, tmp);
  } catch (e) {
    if (errno(e) === 'ENOENT') return null;
    // link(2) refuses folders (EPERM): say what is there.
    if (errno(e) === 'EPERM' || errno(e) === 'EISDIR') {
      const st = await fs.lstat(source).catch(() => null);
      if (st) throw new RefusedSocketError(`${name} in ${socketDir} is ${describeEntry(st)}, not a socket: refused (the host follows nothing the desktop puts there)`);
    }
    throw e;
  }
  try {
    const st = await fs.lstat(tmp);
    const why = socketRefusal(st, folder.uid);
    if (why) throw new RefusedSocketError(`${name} in ${socketDir} ${why}: refused (the host follows nothing the desktop puts there)`);
    if (guacdGid !== null && forGuacd) {
      // tmp is a socket in root's own folder: nothing can be swapped in under this name any more.
      await fs.lchown(tmp, st.uid, guacdGid);
      await fs.chmod(tmp, 0o770);
    }
    const pinned = path.join(guacd, name);
    await fs.rename(tmp, pinned);
    return pinned;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/**
 * Removes a folder a desktop could write (its display or transfer folder),
 * never following a link the desktop planted, even while it still runs.
 * fs.rm's recursion (Node 20's rimraf) checks an entry with lstat and then
 * reads it by path: a folder swapped for a link in between is read, and
 * emptied, through the link. Here each folder is first taken from its owner
 * (root's, 0700: no entry of it can be added, removed or renamed by anyone
 * else, even through a descriptor held open) and only then read; files and
 * links are unlinked, which never follows.
 *
 * `dir`'s own parent must be root's (displays/, transfer/: the desktop cannot
 * replace `dir` itself).
 */
export async function removeDesktopTree(dir: string): Promise<void> {
  const st = await fs.lstat(dir).catch((e: unknown) => {
    if (errno(e) === 'ENOENT') return null;
    throw e;
  });
  if (!st) return;
  if (!st.isDirectory()) {
    await fs.unlink(dir).catch((e: unknown) => {
      if (errno(e) !== 'ENOENT') throw e;
    });
    return;
  }
  const owner = me();
  // Gone meanwhile (another clean-up of the same desktop got there first): nothing left to do.
  const gone = (e: unknown) => {
    if (errno(e) !== 'ENOENT') throw e;
    return null;
  };
  if ((await fs.lchown(dir, owner.uid, owner.gid).then(() => true, gone)) === null) return;
  if ((await fs.chmod(dir, 0o700).then(() => true, gone)) === null) return;
  const entries = await fs.readdir(dir).catch(gone);
  if (!entries) return;
  await Promise.all(entries.map((entry) => removeDesktopTree(path.join(dir, entry))));
  await fs.rmdir(dir).catch((e: unknown) => {
    if (errno(e) !== 'ENOENT') throw e;
  });
}

/**
 * pinSocket, waiting up to `waitMs` for the desktop to make the socket: the
 * pinned path, or null when it has not appeared by then (the desktop has none).
 */
export async function waitForPinnedSocket(opts: Parameters<typeof pinSocket>[0] & { waitMs: number }): Promise<string | null> {
  const until = Date.now() + opts.waitMs;
  for (;;) {
    const pinned = await pinSocket(opts);
    if (pinned) return pinned;
    if (Date.now() > until) return null;
    await new Promise((r) => setTimeout(r, 50));
  }
}
