import type { DisplayEndpoint } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import type { Logger } from '../logger';
import type { DisplayBridges } from './display-bridge';
import { openAudioBridge } from './audio-bridge';
import { pinSocket } from './pinned-sockets';
import { displaySocketName } from './wait-for-vnc';

/** Re-opens loopback bridges for this host's running desktops, on their old ports. */
export async function restoreDisplayBridges(opts: {
  prisma: PrismaClient;
  driver: { bridges: DisplayBridges; socketDirFor(id: string): string };
  hostName: string;
  log: Logger;
  /** Only these environments (e.g. the ones reconciliation found back); all of the host's by default. */
  ids?: string[];
}): Promise<void> {
  const running = await opts.prisma.environment.findMany({
    where: { host: opts.hostName, state: { in: ['running', 'suspended'] }, ...(opts.ids ? { id: { in: opts.ids } } : {}) },
  });
  for (const env of running) {
    const endpoint = env.displayEndpoint as DisplayEndpoint | null;
    // Already bridged in this process, or guacd opens the desktop's socket itself: nothing to restore.
    if (!endpoint || endpoint.host.startsWith('/') || opts.driver.bridges.has(env.id)) continue;
    const socketDir = opts.driver.socketDirFor(env.id);
    try {
      // The bridge (root) connects to the pinned socket only, never to a name in the desktop's folder.
      const socketPath = await pinSocket({ socketDir, name: displaySocketName(endpoint.protocol), guacdGid: null });
      if (!socketPath) throw new Error('its display socket is gone');
      const port = await opts.driver.bridges.open(env.id, socketPath, endpoint.port);
      const audioPort = endpoint.audioPort ? await openAudioBridge(opts.driver.bridges, env.id, socketDir, endpoint.audioPort, 0) : undefined;
      if (port !== endpoint.port || (audioPort ?? undefined) !== endpoint.audioPort) {
        await opts.prisma.environment.update({ where: { id: env.id }, data: { displayEndpoint: { ...endpoint, port, audioPort: audioPort ?? undefined } } });
      }
      opts.log.info({ environmentId: env.id, port }, 'display bridge restored');
    } catch (err) {
      // One desktop that tampered with its sockets (RefusedSocketError) does not keep the others' bridges closed.
      opts.log.warn({ environmentId: env.id, err }, 'display bridge not restored');
    }
  }
}
