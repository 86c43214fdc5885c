import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@genos/core';

/**
 * The folders between the state dir and each desktop's display socket. guacd
 * (its own user) and QEMU (libvirt-qemu) open sockets by a name they are
 * given, so every folder on the way needs search permission for them and
 * nothing more: 0711, owned by root, never listable. The per-desktop folders
 * below decide who may reach a socket: the desktop's own (0700) and root's
 * pinned copy for guacd, `guacd/<id>` (0710, guacd's group; see the worker's
 * pinned-sockets.ts).
 *
 * Set here, where the folders are made, so a fresh state dir is right on the
 * first desktop whatever made it first (a recursive mkdir would leave 0700).
 */
export const PASSABLE_MODE = 0o711;

/** A unix socket's path may hold at most 107 bytes on Linux (sun_path is 108 with its NUL). */
const MAX_SOCKET_PATH = 107;
/** The longest path GenOS puts a socket at: an environment id (cuid, 25) and the longest socket name. */
const LONGEST_SOCKET = path.join('displays', 'x'.repeat(25), 'pulse.sock');

/**
 * Refuses a state dir so deep that the display sockets under it could not be
 * opened: connecting to a longer path fails with a misleading ECONNREFUSED or
 * ENOENT (seen with a state dir nested under a test folder), so say it plainly.
 */
export function assertSocketPathsFit(stateDir: string): void {
  const longest = Buffer.byteLength(path.join(path.resolve(stateDir), LONGEST_SOCKET));
  if (longest > MAX_SOCKET_PATH) {
    throw new AppError(
      'VALIDATION',
      `GENOS_STATE_DIR ${stateDir} is too long by ${longest - MAX_SOCKET_PATH} bytes: display sockets under it would need ${longest} bytes, and Linux allows ${MAX_SOCKET_PATH}. Choose a shorter path (the default is /var/lib/genos/<instance>).`,
    );
  }
}

/**
 * Makes `stateDir/<sub…>` with every folder from the state dir down set to
 * exactly PASSABLE_MODE. Folders above the state dir are not ours to change:
 * missing ones are made passable, existing ones are only checked, and one that
 * others cannot enter is a clear error naming it (guacd could never reach a
 * socket below it).
 */
export async function ensurePassablePath(stateDir: string, ...sub: string[]): Promise<string> {
  assertSocketPathsFit(stateDir);
  const root = path.resolve(stateDir);
  await ensureAncestorsPassable(path.dirname(root));
  let dir = root;
  await makePassable(dir);
  for (const part of sub) {
    dir = path.join(dir, part);
    await makePassable(dir);
  }
  return dir;
}

async function makePassable(dir: string): Promise<void> {
  await fs.mkdir(dir, { mode: PASSABLE_MODE }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  const st = await fs.lstat(dir);
  // A link here would send guacd (and our chmod) somewhere else.
  if (!st.isDirectory()) throw new AppError('UNAVAILABLE', `${dir} must be a folder (found ${st.isSymbolicLink() ? 'a symbolic link' : 'a file'})`);
  if ((st.mode & 0o7777) !== PASSABLE_MODE) await fs.chmod(dir, PASSABLE_MODE);
}

async function ensureAncestorsPassable(dir: string): Promise<void> {
  const missing: string[] = [];
  let p = dir;
  for (;;) {
    const st = await fs.stat(p).catch(() => null);
    if (st) break;
    missing.unshift(p);
    p = path.dirname(p);
  }
  // Existing ancestors, up to the root: others must be able to pass through.
  for (let q = p; ; q = path.dirname(q)) {
    const st = await fs.stat(q);
    if ((st.mode & 0o001) === 0) {
      throw new AppError(
        'UNAVAILABLE',
        `guacd cannot reach display sockets under ${dir}: ${q} (mode ${(st.mode & 0o777).toString(8)}) does not let other users pass; ` +
          `set GENOS_STATE_DIR to a folder outside it, or allow passing with 'chmod o+x ${q}'`,
      );
    }
    if (q === path.dirname(q)) break;
  }
  for (const m of missing) await makePassable(m);
}
