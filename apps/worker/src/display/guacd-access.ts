import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DisplayBridges } from './display-bridge';
import { ensurePassablePath } from '@genos/db/state-dir';
import { ensureGuacdFolder, guacdFolderFor, removeDesktopTree } from './pinned-sockets';

/**
 * guacd on this host opens each desktop's display socket itself: its VNC
 * client (libvncclient) and its RDP client (FreeRDP) both take a socket path
 * as the hostname, and PulseAudio takes `unix:<path>`. That spares a Node
 * bridge copying every frame (a full-screen animation is ~100 MB/s of raw
 * pixels: 20% of a core here, and the browser lost 8 of its 28 fps to it) and
 * leaves no loopback port that any local process could knock on.
 *
 * Who may open the socket: the desktop's own folder (`<stateDir>/displays/<id>`,
 * bind-mounted into the sandbox) is its owner's alone, 0700. guacd gets the
 * socket pinned under root's `<stateDir>/guacd/<id>` (root:guacd 0710), the
 * socket itself 0770 with guacd's group: the desktop, guacd and root, nobody
 * else. pinned-sockets.ts says why the host never touches the desktop's
 * folder by path.
 */

/** The user setup-host.sh runs guacd as. */
export const DEFAULT_GUACD_USER = 'genos-guacd';

/** guacd's group id, or null when `user` is null or this host has no such user (then the worker bridges over loopback TCP). */
export function guacdGroupOf(user: string | null = DEFAULT_GUACD_USER): number | null {
  if (!user) return null;
  try {
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(gid) ? gid : null;
  } catch {
    return null;
  }
}

/**
 * The display folder of one environment, `<stateDir>/displays/<id>`: every
 * folder on the way is passable (@genos/db/state-dir); this one is its owner's
 * (the desktop, or QEMU) alone, 0700: guacd opens the sockets pinned beside it
 * (pinned-sockets.ts), never this folder. Starts empty, as does the pinned
 * folder: whatever a previous desktop of the same id left is removed, without
 * following anything it planted.
 */
export async function prepareDisplayFolder(opts: { stateDir: string; environmentId: string; owner: { uid: number; gid: number }; guacdGid: number | null }): Promise<string> {
  const displays = await ensurePassablePath(opts.stateDir, 'displays');
  const dir = path.join(displays, opts.environmentId);
  await removeDesktopTree(dir);
  await fs.rm(guacdFolderFor(opts.stateDir, opts.environmentId), { recursive: true, force: true }); // root's own: nothing planted there
  await ensureGuacdFolder(opts.stateDir, opts.environmentId, opts.guacdGid);
  // Made by root in root's displays/ just now: the name is ours, chown and chmod cannot be sent elsewhere.
  await fs.mkdir(dir, { mode: 0o700 });
  await fs.chown(dir, opts.owner.uid, opts.owner.gid);
  await fs.chmod(dir, 0o700);
  return dir;
}

/** Removes an environment's display folder and its pinned sockets (after its desktop is gone). */
export async function removeDisplayFolder(stateDir: string, environmentId: string): Promise<void> {
  await removeDesktopTree(path.join(stateDir, 'displays', environmentId));
  await fs.rm(guacdFolderFor(stateDir, environmentId), { recursive: true, force: true });
}

/**
 * Where guacd reaches a desktop's display socket, given its pinned path
 * (pinSocket, already opened to guacd's group when there is one): the pinned
 * socket itself, or (no guacd group on this host) a loopback bridge to it
 * named `bridgeKey`.
 */
export async function guacdAddress(opts: { socketPath: string; guacdGid: number | null; bridges: DisplayBridges; bridgeKey: string }): Promise<{ host: string; port: number }> {
  if (opts.guacdGid === null) return { host: '127.0.0.1', port: await opts.bridges.open(opts.bridgeKey, opts.socketPath) };
  return { host: opts.socketPath, port: 0 };
}
