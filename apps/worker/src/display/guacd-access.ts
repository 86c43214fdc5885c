import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DisplayBridges } from './display-bridge';
import { ensurePassablePath } from '@genos/db/state-dir';

/**
 * guacd on this host opens each desktop's display socket itself: its VNC
 * client (libvncclient) and its RDP client (FreeRDP) both take a socket path
 * as the hostname, and PulseAudio takes `unix:<path>`. That spares a Node
 * bridge copying every frame (a full-screen animation is ~100 MB/s of raw
 * pixels: 20% of a core here, and the browser lost 8 of its 28 fps to it) and
 * leaves no loopback port that any local process could knock on.
 *
 * Who may open the socket: the display folder belongs to the desktop's user
 * and guacd's group, mode 0710, and the socket is 0770: the desktop, guacd
 * and root, nobody else.
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
 * folder on the way is passable (@genos/db/state-dir); this one's owner (the
 * desktop, or QEMU) has it all and guacd's group may only pass through to a
 * socket it knows the name of. Without guacd's group it stays the owner's
 * alone (0700). Starts empty: whatever a previous desktop of the same id left
 * is removed.
 */
export async function prepareDisplayFolder(opts: { stateDir: string; environmentId: string; owner: { uid: number; gid: number }; guacdGid: number | null }): Promise<string> {
  const displays = await ensurePassablePath(opts.stateDir, 'displays');
  const dir = path.join(displays, opts.environmentId);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { mode: 0o700 });
  await fs.chown(dir, opts.owner.uid, opts.guacdGid ?? opts.owner.gid);
  await fs.chmod(dir, opts.guacdGid === null ? 0o700 : 0o710);
  return dir;
}

/**
 * Lets guacd's group connect to a socket the desktop made (connecting needs
 * write permission; x11vnc and socat leave 0755, and gVisor refuses chmod
 * from inside, so the host does it). The folder is opened to the group too:
 * desktops started before guacd opened sockets itself have a 0700 one.
 */
export async function shareSocketWithGuacd(socketPath: string, guacdGid: number): Promise<void> {
  const dir = path.dirname(socketPath);
  const folder = await fs.stat(dir);
  if (folder.gid !== guacdGid || (folder.mode & 0o777) !== 0o710) {
    await fs.chown(dir, folder.uid, guacdGid);
    await fs.chmod(dir, 0o710);
  }
  const { uid } = await fs.stat(socketPath);
  await fs.chown(socketPath, uid, guacdGid);
  await fs.chmod(socketPath, 0o770);
}

/**
 * Where guacd reaches a desktop's display socket: the socket itself, opened to
 * guacd's group, or (no guacd group on this host) a loopback bridge to it
 * named `bridgeKey`.
 */
export async function guacdAddress(opts: { socketPath: string; guacdGid: number | null; bridges: DisplayBridges; bridgeKey: string }): Promise<{ host: string; port: number }> {
  if (opts.guacdGid === null) return { host: '127.0.0.1', port: await opts.bridges.open(opts.bridgeKey, opts.socketPath) };
  await shareSocketWithGuacd(opts.socketPath, opts.guacdGid);
  return { host: opts.socketPath, port: 0 };
}
