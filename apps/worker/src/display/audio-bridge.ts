import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DisplayBridges } from './display-bridge';

/**
 * The desktop's sound. genos-desktop runs PulseAudio (a null sink, the
 * native protocol on pulse.sock in the display folder); guacd 1.3 reads it
 * as a PulseAudio client (`enable-audio`, `audio-servername`), but guacd's
 * user cannot enter the 0700 display folder, so the socket gets a loopback
 * bridge like the VNC one. Images without PulseAudio simply have no sound.
 */
export const AUDIO_SOCKET = 'pulse.sock';
export const audioBridgeKey = (environmentId: string) => `${environmentId}:audio`;

const isSocket = (p: string) => fs.stat(p).then((s) => s.isSocket(), () => false);

/** The bridge's port, or null when the desktop has no PulseAudio (waits up to `waitMs` for it to come up). */
export async function openAudioBridge(bridges: DisplayBridges, environmentId: string, socketDir: string, preferredPort = 0, waitMs = 3000): Promise<number | null> {
  const sock = path.join(socketDir, AUDIO_SOCKET);
  const until = Date.now() + waitMs;
  while (!(await isSocket(sock))) {
    if (Date.now() > until) return null;
    await new Promise((r) => setTimeout(r, 50));
  }
  return bridges.open(audioBridgeKey(environmentId), sock, preferredPort);
}
