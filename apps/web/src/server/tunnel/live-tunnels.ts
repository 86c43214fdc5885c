import type { ConnectionLease, ConnectionSlots } from '@genos/core';
import { GUAC_STATUS, type TunnelEnd } from './tunnel-limits';

/**
 * This process's live display connections, from admission to close: the
 * connection caps count them (per user, per share link), and revoking a share
 * link ends the ones it opened at once. One registry per process, on
 * globalThis: the tunnel (server.ts) and the tRPC routes Next bundles
 * separately must see the same one.
 */
interface Entry {
  userId: string | null;
  shareLinkId: string | null;
  environmentId: string;
  /** Set once the websocket exists; until then an end is remembered and applied on bind. */
  end: ((e: TunnelEnd) => void) | null;
  ended: TunnelEnd | null;
}

/** How a share link's connection ends when the link stops granting it (revoked, expired). */
export const shareLinkEnded = (message: string): TunnelEnd => ({ status: GUAC_STATUS.CLIENT_FORBIDDEN, message, closeCode: 4403 });

/** A taken slot: bind() it to the connection once upgraded; release() when it closes (or never opened). */
export interface TunnelLease extends ConnectionLease {
  bind(end: (e: TunnelEnd) => void): void;
}

export interface LiveTunnels {
  /** The caps as admission's port (admit-connection.ts). */
  slots(caps: { perUser: number; perShareLink: number }): ConnectionSlots<TunnelLease>;
  /** Ends every live connection opened through the share link; how many. */
  endShareLink(shareLinkId: string, end: TunnelEnd): number;
  count(filter: { userId?: string; shareLinkId?: string }): number;
}

function createLiveTunnels(): LiveTunnels {
  const entries = new Set<Entry>();
  const count = (filter: { userId?: string; shareLinkId?: string }) => {
    let n = 0;
    for (const e of entries) if ((filter.userId === undefined || e.userId === filter.userId) && (filter.shareLinkId === undefined || e.shareLinkId === filter.shareLinkId)) n++;
    return n;
  };
  return {
    count,
    slots: (caps) => ({
      take(holder) {
        if (holder.shareLinkId && count({ shareLinkId: holder.shareLinkId }) >= caps.perShareLink) return { full: 'share-link', limit: caps.perShareLink };
        if (holder.userId && count({ userId: holder.userId }) >= caps.perUser) return { full: 'user', limit: caps.perUser };
        const entry: Entry = { ...holder, end: null, ended: null };
        entries.add(entry);
        return {
          bind(end) {
            entry.end = end;
            if (entry.ended) end(entry.ended);
          },
          release() {
            entries.delete(entry);
          },
        };
      },
    }),
    endShareLink(shareLinkId, end) {
      let n = 0;
      for (const e of [...entries]) {
        if (e.shareLinkId !== shareLinkId || e.ended) continue;
        e.ended = end;
        e.end?.(end);
        n++;
      }
      return n;
    },
  };
}

const g = globalThis as unknown as { __genosLiveTunnels?: LiveTunnels };

export function liveTunnels(): LiveTunnels {
  return (g.__genosLiveTunnels ??= createLiveTunnels());
}
