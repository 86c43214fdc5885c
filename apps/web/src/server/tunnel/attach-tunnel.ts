import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import { admitConnection, createInputRecorder, decryptTunnelToken, isAppError, resizeDisplay, type ConnectionRefused, type Store, type TunnelToken } from '@genos/core';
import { createPrismaStore, type PrismaClient } from '@genos/db';
import type { RecordingConfig } from '../recordings/recordings';
import { createTunnelSessions } from './tunnel-sessions';
import type { StreamingPolicy } from './clipboard-filter';
import { carriesUserInput, guardTunnel } from './tunnel-guard';
import { readGuacdExactly } from './guacd-reader';
import type { GuacamoleLiteGuacd } from './guacd-endpoint';
import { liveTunnels } from './live-tunnels';
import { applyTunnelLimits, DEFAULT_TUNNEL_LIMITS, type TunnelLimits } from './tunnel-limits';
import { closeGuacdGracefully } from './graceful-guacd-close';
import { meterDisplayConnection } from '../ops/meter-display';
import { requestIdFrom } from '../ops/logger';
import { takeTunnelRequest } from '../ops/tunnel-requests';
import { createResizeQueue } from './display-resize';

const require = createRequire(import.meta.url);
// guacamole-lite is CommonJS without types.
const GuacamoleLite = require('guacamole-lite') as new (
  ws: object,
  guacd: GuacamoleLiteGuacd,
  client: object,
  callbacks?: object,
) => { webSocketServer: import('ws').WebSocketServer; close(): void };

export const TUNNEL_PATH = '/tunnel';

/** How a refused connection answers the upgrade: plain HTTP, so nothing reaches guacd. */
const REFUSAL_STATUS: Record<ConnectionRefused['code'], [number, string]> = {
  UNAUTHENTICATED: [401, 'Unauthorized'],
  FORBIDDEN: [403, 'Forbidden'],
  CONFLICT: [409, 'Conflict'],
  QUOTA_EXCEEDED: [429, 'Too Many Requests'],
};

/**
 * Mounts guacamole-lite on our own HTTP server (same origin, one websocket
 * path). This file is the transport: every upgrade's token is decrypted
 * (forged, altered and expired ones answer 401) and admitConnection
 * (packages/core, admit-connection.ts) decides the rest: who may connect,
 * read-only, clipboard, recording, resize, single use and the connection
 * caps. A refusal is plain HTTP, so nothing reaches guacd; an admitted
 * connection gets the gates the decision names, then guacamole-lite with the
 * decision's settings for guacd.
 */
export function attachTunnel(opts: {
  server: Server;
  prisma: PrismaClient;
  key: string;
  /** guacd as guacamole-lite opens it (guacd-endpoint.ts): a TCP port, or a unix socket path as the port. */
  guacd: GuacamoleLiteGuacd;
  fallthrough?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  log?: (msg: string) => void;
  /**
   * When given, admission reads through it, keyboard and mouse input is recorded for the idle policy
   * (at most every 15 s per environment), and the owner's window size (`size`) resizes the desktop's
   * screen. Without it, admission reads through a store over `prisma`, and neither of the others happens.
   */
  store?: Store;
  /** Where guacd writes session recordings (when team policy or GENOS_RECORD_ALL asks); absent: never record. */
  recordings?: RecordingConfig | null;
  /** Per-connection limits and connection caps (tunnel-limits.ts); unset ones take the defaults. */
  limits?: Partial<TunnelLimits>;
}) {
  // A closing tunnel says goodbye to guacd instead of dropping the socket (graceful-guacd-close.ts; installed once).
  closeGuacdGracefully();
  // guacamole-lite reads guacd with the tunnel's own parser, counting characters as guacd does (guacd-reader.ts; installed once).
  readGuacdExactly(opts.log);
  const limits: TunnelLimits = { ...DEFAULT_TUNNEL_LIMITS, ...opts.limits };
  // Admission reads everything fresh; without a store given, one over the same client (it never enqueues).
  const reads = opts.store ?? createPrismaStore({ prisma: opts.prisma, enqueue: () => Promise.reject(new Error('the display tunnel enqueues no jobs')) });
  // Recordings, the view-only input gate and the end of share-link connections (tunnel-sessions.ts).
  const sessions = createTunnelSessions({ prisma: opts.prisma, store: reads, recordings: opts.recordings, log: opts.log });
  const live = liveTunnels();
  /** guacd's settings per admitted token id, handed to guacamole-lite as it opens that connection. */
  const admitted = new Map<string, TunnelToken['connection']['settings']>();
  const guac = new GuacamoleLite(
    // guacamole-lite adds a default port unless a 'server' key exists; ws then wants noServer alone.
    // ws refuses frames far over the message limit before buffering them (tunnel-limits.ts answers at the limit itself).
    { server: undefined, noServer: true, maxPayload: limits.maxMessageBytes * 4 },
    opts.guacd,
    {
      crypt: { cypher: 'AES-256-CBC', key: opts.key },
      log: { level: 'ERRORS' },
      maxInactivityTime: 20_000,
    },
    {
      // The decision's settings over guacamole-lite's defaults: nothing is re-encrypted into the URL.
      processConnectionSettings: (settings: { connection: object; genos?: { jti?: string } }, done: (err: undefined, s: object) => void) => {
        const jti = settings.genos?.jti ?? '';
        const decided = admitted.get(jti);
        admitted.delete(jti);
        // Always set just before the upgrade; were it missing, the connection would get no desktop to reach.
        done(undefined, { ...settings, connection: { ...settings.connection, ...(decided ?? { hostname: '', port: '' }) } });
      },
    },
  );

  // Tokens are single-use: remember each accepted one until it would expire anyway.
  const used = new Map<string, number>();
  const claim = (jti: string, exp: number): boolean => {
    const now = Date.now();
    for (const [k, e] of used) if (e < now) used.delete(k);
    if (used.has(jti)) return false;
    used.set(jti, exp);
    return true;
  };

  const refuse = (socket: Duplex, status: number, message: string, body = message) => {
    socket.end(`HTTP/1.1 ${status} ${message}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${body}\n`);
  };

  const store = opts.store;
  const inputs = store ? createInputRecorder({ store, onError: (e) => opts.log?.(`recording input failed: ${e instanceof Error ? e.message : String(e)}`) }) : null;
  /** Watches the client's instructions beside guacamole-lite's own listener: nothing waits on it. */
  const watchInput = (ws: import('ws').WebSocket, environmentId: string) => {
    if (!inputs) return;
    ws.on('message', (data: import('ws').RawData) => {
      // Between writes nothing is parsed at all. The gates passed whole instructions only.
      if (inputs.due(environmentId) && carriesUserInput(data.toString())) inputs.seen(environmentId);
    });
  };

  // Clipboard policy, internal pings and `size`, both directions read with the tunnel's parser (tunnel-guard.ts).
  const guard = (ws: import('ws').WebSocket, policy: StreamingPolicy, environmentId: string, onSize?: (width: number, height: number) => void) =>
    guardTunnel(ws, { policy, environmentId, onSize, log: opts.log });

  opts.server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== TUNNEL_PATH) {
      if (opts.fallthrough) opts.fallthrough(req, socket, head);
      else socket.destroy();
      return;
    }
    void (async () => {
      const raw = url.searchParams.get('token') ?? '';
      let token: TunnelToken;
      try {
        token = decryptTunnelToken(raw, opts.key);
      } catch (e) {
        opts.log?.(`tunnel refused: ${e instanceof Error ? e.message : String(e)}`);
        if (isAppError(e)) refuse(socket, 401, 'Unauthorized', `The display link is ${/expired/.test(e.message) ? 'expired' : 'invalid or was altered'}: reload the page for a new one.`);
        else refuse(socket, 500, 'Internal Server Error');
        return;
      }
      let session: Awaited<ReturnType<typeof sessions.begin>> | null = null;
      try {
        const decision = await admitConnection({
          store: reads,
          token,
          recordAll: opts.recordings?.recordAll ?? false,
          claimToken: claim,
          slots: live.slots({ perUser: limits.maxConnectionsPerUser, perShareLink: limits.maxConnectionsPerShareLink }),
        });
        if (!decision.allowed) {
          opts.log?.(`tunnel refused ${token.genos.environmentId}: ${decision.reason}`);
          const [status, text] = REFUSAL_STATUS[decision.code];
          return refuse(socket, status, text, decision.message);
        }
        const env = decision.environment;
        const begun = (session = await sessions.begin(decision, token.genos));
        // guacamole-lite reads exactly this token (a repeated `token` parameter made it throw outside any handler).
        req.url = `${TUNNEL_PATH}?token=${encodeURIComponent(raw)}`;
        admitted.set(token.genos.jti, begun.settings);
        const resize =
          store && decision.mayResize
            ? createResizeQueue((width, height) => resizeDisplay({ store, actor: { kind: 'user', id: token.genos.userId }, id: env.id, width, height }), {
                onError: (e) => opts.log?.(`display resize failed: ${e instanceof Error ? e.message : String(e)}`),
              })
            : undefined;
        let upgraded = false;
        // A socket gone during the handshake never reaches the callback: its slot and recording are given back.
        socket.once('close', () => {
          if (upgraded) return;
          admitted.delete(token.genos.jti);
          begun.abort();
        });
        guac.webSocketServer.handleUpgrade(req, socket, head, (ws) => {
          upgraded = true;
          // First, so it counts what really leaves for the browser after every gate (ops/meter-display.ts).
          meterDisplayConnection(ws, { environmentId: env.id, viewer: decision.viewer.kind, requestId: takeTunnelRequest(raw) ?? requestIdFrom(req.headers['x-request-id'] as string | undefined) });
          begun.attach(ws);
          guard(ws, { allowCopy: decision.clipboard.copy, allowPaste: decision.clipboard.paste }, env.id, resize);
          if (decision.countsAsActivity) watchInput(ws, env.id);
          // Last, so it reads the browser's messages first: nothing over a limit is parsed or forwarded.
          applyTunnelLimits(ws, limits, { log: opts.log, label: `${decision.viewer.kind} connection to ${env.id}` });
          guac.webSocketServer.emit('connection', ws, req);
        });
      } catch (e) {
        session?.abort();
        opts.log?.(`tunnel refused: ${e instanceof Error ? e.message : String(e)}`);
        refuse(socket, 500, 'Internal Server Error');
      }
    })();
  });

  return { close: () => guac.close() };
}
