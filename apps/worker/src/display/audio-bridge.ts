import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DisplayBridges } from './display-bridge';

/**
 * The desktop's sound. genos-desktop runs PulseAudio (a null sink, the
 * native protocol on pulse.sock in the display folder); guacd 1.3 reads it
 * as a PulseAudio client (`enable-audio`, `audio-servername`): directly on
 * the socket when guacd may enter the display folder (guacd-access.ts),
 * otherwise through a loopback bridge like the display's. Images without
 * PulseAudio simply have no sound.
 */
export const AUDIO_SOCKET = 'pulse.sock';
export const audioBridgeKey = (environmentId: string) => `${environmentId}:audio`;

const isSocket = (p: string) => fs.stat(p).then((s) => s.isSocket(), () => false);

/** The PulseAudio socket's path, or null when the desktop has none (waits up to `waitMs` for it to come up). */
export async function waitForAudioSocket(socketDir: string, waitMs = 3000): Promise<string | null> {
  const sock = path.join(socketDir, AUDIO_SOCKET);
  const until = Date.now() + waitMs;
  while (!(await isSocket(sock))) {
    if (Date.now() > until) return null;
    await new Promise((r) => setTimeout(r, 50));
  }
  return sock;
}

/** The bridge's port, or null when the desktop has no PulseAudio. */
export async function openAudioBridge(bridges: DisplayBridges, environmentId: string, socketDir: string, preferredPort = 0, waitMs = 3000): Promise<number | null> {
  const sock = await waitForAudioSocket(socketDir, waitMs);
  return sock ? bridges.open(audioBridgeKey(environmentId), sock, preferredPort) : null;
}
