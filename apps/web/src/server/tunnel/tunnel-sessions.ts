import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { encryptTunnelToken, type TunnelToken } from '@genos/core';
import type { PrismaClient } from '@genos/db';
import { finishRecording, shouldRecord, startRecording, type RecordingConfig } from '../recordings/recordings';
import { checkShareForTunnel } from '../sharing/share-links';
import { restrictToViewOnly } from './view-only';

/**
 * What the tunnel adds per connection, beside guacamole-lite: who may use a
 * token (the owner, or a live share link), session recording, and the
 * view-only input gate. Kept out of attach-tunnel.ts so that file stays the
 * transport.
 */
export interface TunnelSessionsOptions {
  prisma: PrismaClient;
  key: string;
  /** null: never record (e.g. guacd cannot write the folder). */
  recordings?: RecordingConfig | null;
  /** How often a share connection re-checks its link (revoked or expired links end live sessions). */
  shareRecheckMs?: number;
  log?: (m: string) => void;
}

export type Refusal = { status: number; reason: string; message: string };

export function createTunnelSessions(opts: TunnelSessionsOptions) {
  const log = opts.log;
  return {
    /** null when the token's holder may connect to `env`, otherwise the refusal (nothing reaches guacd). */
    async authorize(claims: TunnelToken['genos'], env: { ownerId: string }): Promise<Refusal | null> {
      if (claims.purpose === 'view' || claims.purpose === 'collaborate') {
        const bad = await checkShareForTunnel(opts.prisma, claims);
        return bad ? { status: bad.status, reason: 'Forbidden', message: bad.message } : null;
      }
      return env.ownerId === claims.userId ? null : { status: 403, reason: 'Forbidden', message: 'Forbidden' };
    },

    /**
     * Called once the token is accepted, before the upgrade: starts a
     * recording when policy says so (guacd learns the file name through the
     * re-encrypted token guacamole-lite will read from req.url). The returned
     * attach() wires the socket before guacamole-lite sees it.
     */
    async begin(req: IncomingMessage, token: TunnelToken, env: { id: string; teamId: string | null }) {
      let recording: { id: string; file: string } | null = null;
      if (opts.recordings && (await shouldRecord(opts.prisma, env, opts.recordings))) {
        const started = await startRecording(opts.prisma, { environmentId: env.id, userId: token.genos.userId || null, config: opts.recordings });
        recording = { id: started.id, file: started.file };
        const rewritten: TunnelToken = { ...token, connection: { ...token.connection, settings: { ...token.connection.settings, ...started.settings } } };
        const url = new URL(req.url ?? '/', 'http://localhost');
        url.searchParams.set('token', encryptTunnelToken(rewritten, opts.key));
        req.url = `${url.pathname}?${url.searchParams.toString()}`;
      }
      const claims = token.genos;
      return {
        recordingId: recording?.id ?? null,
        attach(ws: WebSocket) {
          if (claims.purpose === 'view') restrictToViewOnly(ws, log);
          let timer: NodeJS.Timeout | null = null;
          if (claims.shareId) {
            // A revoked or expired link ends the sessions it opened, not just future ones.
            timer = setInterval(() => {
              void checkShareForTunnel(opts.prisma, claims)
                .then((bad) => {
                  if (bad) ws.close(4403, bad.message.slice(0, 120));
                })
                .catch(() => undefined);
            }, opts.shareRecheckMs ?? 3000);
            timer.unref();
          }
          ws.once('close', () => {
            if (timer) clearInterval(timer);
            if (recording) void finishRecording(opts.prisma, recording).catch((e: unknown) => log?.(`recording ${recording!.id}: ${e instanceof Error ? e.message : String(e)}`));
          });
        },
      };
    },
  };
}

export type TunnelSessions = ReturnType<typeof createTunnelSessions>;
