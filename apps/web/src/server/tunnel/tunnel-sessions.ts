import type { WebSocket } from 'ws';
import { SHARE_MESSAGES, shareLinkRefusal, type ConnectionAdmitted, type Store, type TunnelClaims } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import { finishRecording, startRecording, type RecordingConfig } from '../recordings/recordings';
import { shareLinkEnded, type TunnelLease } from './live-tunnels';
import { endConnection, type TunnelEnd } from './tunnel-limits';
import { restrictToViewOnly } from './view-only';

/**
 * What the tunnel does per admitted connection, beside guacamole-lite, as the
 * decision (admit-connection.ts) says: session recording, the view-only input
 * gate, and the end of a share link's connections when the link is revoked
 * (live-tunnels.ts, at once) or expires (a timer). Kept out of
 * attach-tunnel.ts so that file stays the transport.
 */
export interface TunnelSessionsOptions {
  prisma: PrismaClient;
  store: Pick<Store, 'shareLinks'>;
  /** null: never record (e.g. guacd cannot write the folder). */
  recordings?: RecordingConfig | null;
  /** How often a share connection re-reads its link, behind the revoke and expiry paths (a change made elsewhere). */
  shareRecheckMs?: number;
  log?: (m: string) => void;
}

export function createTunnelSessions(opts: TunnelSessionsOptions) {
  const log = opts.log;
  return {
    /**
     * Called once the connection is admitted, before the upgrade: starts a
     * recording when the decision says so. `settings` is what guacd gets (the
     * decision's connection settings plus the recording's). attach() wires
     * the socket before guacamole-lite sees it; abort() undoes begin() when
     * the upgrade never happens. Either way the connection's slot is released.
     */
    async begin(decision: ConnectionAdmitted<TunnelLease>, claims: TunnelClaims) {
      const env = decision.environment;
      let recording: { id: string; file: string } | null = null;
      let settings = decision.connection.settings;
      try {
        if (opts.recordings && decision.record) {
          const started = await startRecording(opts.prisma, { environmentId: env.id, userId: decision.record.userId, config: opts.recordings });
          recording = { id: started.id, file: started.file };
          settings = { ...settings, ...started.settings };
        }
      } catch (e) {
        decision.lease.release();
        throw e;
      }
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        decision.lease.release();
        if (recording) void finishRecording(opts.prisma, recording, opts.recordings!.keys).catch((e: unknown) => log?.(`recording ${recording!.id}: ${e instanceof Error ? e.message : String(e)}`));
      };
      return {
        settings,
        recordingId: recording?.id ?? null,
        abort: finish,
        attach(ws: WebSocket) {
          if (decision.readOnly) restrictToViewOnly(ws, log);
          const timers: NodeJS.Timeout[] = [];
          const link = decision.viewer.shareLink;
          if (link) {
            const end = (e: TunnelEnd) => {
              log?.(`tunnel: ending share link ${link.id}'s connection to ${env.id}: ${e.message}`);
              endConnection(ws, e);
            };
            // Revoking the link ends this connection at once (revokeShareLink → live-tunnels.ts).
            decision.lease.bind(end);
            // So does its expiry, to the millisecond.
            const expiry = setTimeout(() => end(shareLinkEnded(SHARE_MESSAGES.expired)), Math.max(0, Math.min(link.expiresAt.getTime() - Date.now(), 2 ** 31 - 1)));
            // And a change made where this process does not hear of it (another web process, the database itself).
            const recheck = setInterval(() => {
              void opts.store.shareLinks
                .findById(link.id)
                .then((share) => {
                  const bad = shareLinkRefusal(share, claims, Date.now());
                  if (bad) end(shareLinkEnded(bad.message));
                })
                .catch(() => undefined);
            }, opts.shareRecheckMs ?? 3000);
            timers.push(expiry, recheck);
            for (const t of timers) t.unref();
          }
          ws.once('close', () => {
            for (const t of timers) clearTimeout(t);
            finish();
          });
        },
      };
    },
  };
}

export type TunnelSessions = ReturnType<typeof createTunnelSessions>;
