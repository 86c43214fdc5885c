import type { DisplayBridges } from './display-bridge';
import { waitForPinnedSocket } from './pinned-sockets';

/**
 * The desktop's sound. genos-desktop runs PulseAudio (a null sink, the
 * native protocol on pulse.sock in the display folder); guacd 1.3 reads it
 * as a PulseAudio client (`enable-audio`, `audio-servername`): directly on
 * the pinned socket when this host has guacd's group (guacd-access.ts),
 * otherwise through a loopback bridge like the display's. Images without
 * PulseAudio simply have no sound.
 */
export const AUDIO_SOCKET = 'pulse.sock';
export const audioBridgeKey = (environmentId: string) => `${environmentId}:audio`;

/**
 * The PulseAudio socket pinned out of the desktop's reach (pinSocket; opened to
 * guacd's group when `guacdGid` is set), or null when the desktop has none
 * (waits up to `waitMs` for it to come up). Anything but the desktop's own
 * socket under that name throws RefusedSocketError.
 */
export const waitForAudioSocket = (socketDir: string, guacdGid: number | null, waitMs = 3000): Promise<string | null> =>
  waitForPinnedSocket({ socketDir, name: AUDIO_SOCKET, guacdGid, waitMs });

/** The bridge's port, or null when the desktop has no PulseAudio. */
export async function openAudioBridge(bridges: DisplayBridges, environmentId: string, socketDir: string, preferredPort = 0, waitMs = 3000): Promise<number | null> {
  const sock = await waitForAudioSocket(socketDir, null, waitMs);
  return sock ? bridges.open(audioBridgeKey(environmentId), sock, preferredPort) : null;
}
